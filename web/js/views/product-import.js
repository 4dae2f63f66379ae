// Product import: choose a CSV or XLSX file, check it (dry run: totals and an error per bad
// cell), then import it, optionally skipping the invalid rows. The file goes to the server as
// the raw request body with its own Content-Type (not multipart). A template CSV with the
// column headers (Chinese or English) is offered for download. When the check found bad rows,
// their error file (the bad rows as CSV with a column saying what is wrong, to fix and import
// again) can be downloaded: the file goes once more to `errorsPath`. `importView` makes the same
// wizard for another import of the same framework (customers: customer-import.js).
import { computed, ref } from 'vue';
import { ElMessage } from 'element-plus';
import { api } from '../api.js';
import { can } from '../session.js';
import { t } from '../i18n.js';
import { showError } from '../forms.js';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const TEMPLATE_HEADERS = {
  'zh-CN': ['商品编码', '商品名称', '英文名称', '小票名称', '分类编码', '品牌', '单位', '称重', '数量精度', '税率类别',
    '成本价', '零售价', '状态', '条码', 'PLU', '款式编码', '图片'],
  en: ['sku', 'name_zh', 'name_en', 'receipt_name', 'category', 'brand', 'unit', 'sold_by_weight', 'quantity_precision',
    'tax_class', 'cost_price', 'list_price', 'status', 'barcodes', 'plu', 'family_code', 'image_url'],
};
const MAX_BYTES = 64 * 1024 * 1024;

/** The Content-Type of an import file by its name: text/csv or the XLSX type; null otherwise. */
function contentTypeOf(file) {
  const name = file.name.toLowerCase();
  if (name.endsWith('.csv') || name.endsWith('.txt')) return 'text/csv';
  if (name.endsWith('.xlsx')) return XLSX_TYPE;
  return null;
}

/**
 * An import wizard: `path` (POST …?dry_run=), `perm` (who may import), `headers` ({zh-CN, en}
 * template columns), `file` (template name prefix), `title` and `rules` (i18n keys), `errorsPath`
 * (optional: POST the file there for its error file).
 */
export function importView({ name, path, perm, headers, file: filePrefix, title, rules, errorsPath = null }) {
  return {
  name,
  setup() {
    const editable = computed(() => can(perm));
    const fileInput = ref(null);
    const file = ref(null);
    const checking = ref(false);
    const importing = ref(false);
    const check = ref(null); // the dry run's answer
    const done = ref(null); // the import's answer
    const skipInvalid = ref(false);
    const downloadingErrors = ref(false);

    function choose() {
      fileInput.value?.click();
    }

    async function picked(event) {
      const f = event.target.files?.[0];
      event.target.value = ''; // choosing the same file again runs again
      if (!f) return;
      check.value = null;
      done.value = null;
      if (!contentTypeOf(f)) {
        ElMessage({ type: 'error', message: t('import.wrongType'), customClass: 'sp-error-toast' });
        return;
      }
      if (f.size > MAX_BYTES) {
        ElMessage({ type: 'error', message: t('import.tooLarge'), customClass: 'sp-error-toast' });
        return;
      }
      file.value = f;
      await dryRun();
    }

    async function dryRun() {
      if (!file.value) return;
      checking.value = true;
      done.value = null;
      try {
        check.value = await api.upload(path, { dry_run: true }, file.value, contentTypeOf(file.value));
      } catch (e) {
        check.value = null;
        showError(e);
      } finally {
        checking.value = false;
      }
    }

    async function runImport() {
      if (!file.value) return;
      importing.value = true;
      try {
        const query = { dry_run: false, ...(skipInvalid.value ? { skip_invalid: true } : {}) };
        done.value = await api.upload(path, query, file.value, contentTypeOf(file.value), { creates: true });
        ElMessage({ type: 'success', message: t('import.finished'), customClass: 'sp-saved-toast' });
      } catch (e) {
        showError(e);
      } finally {
        importing.value = false;
      }
    }

    function reset() {
      file.value = null;
      check.value = null;
      done.value = null;
      skipInvalid.value = false;
    }

    const errorCount = computed(() => check.value?.errors?.length || 0);
    const badRows = computed(() => new Set((check.value?.errors || []).map((e) => e.row)).size);
    const canImport = computed(() => !!check.value && !done.value && (check.value.valid_rows ?? 0) > 0 &&
      (errorCount.value === 0 || skipInvalid.value));
    const step = computed(() => (done.value ? 3 : check.value ? 2 : file.value ? 1 : 0));

    /** Saves `blob` as `filename` through a temporary link. */
    function save(blob, filename) {
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = filename;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    }

    /** The error file of the chosen file: its bad rows, each with what is wrong, as CSV. */
    async function downloadErrors() {
      if (!file.value || !errorsPath) return;
      downloadingErrors.value = true;
      try {
        const blob = await api.uploadForFile(errorsPath, file.value, contentTypeOf(file.value));
        const base = file.value.name.replace(/\.(csv|txt|xlsx)$/i, '');
        save(blob, `${base}.errors.csv`);
      } catch (e) {
        showError(e);
      } finally {
        downloadingErrors.value = false;
      }
    }

    /** The template: the header row only, with a BOM so spreadsheet programs read UTF-8. */
    function downloadTemplate(lang) {
      const csv = `\uFEFF${headers[lang].join(',')}\r\n`;
      save(new Blob([csv], { type: 'text/csv;charset=utf-8' }),
        lang === 'en' ? `${filePrefix}-template-en.csv` : `${filePrefix}-template-zh.csv`);
    }

    const sizeText = (n) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`);

    return {
      editable, fileInput, file, checking, importing, check, done, skipInvalid, errorCount, badRows, canImport, step,
      choose, picked, dryRun, runImport, reset, downloadTemplate, sizeText, title, rules, errorsPath, downloadingErrors,
      downloadErrors,
    };
  },
  template: `
    <div class="sp-page">
      <div class="sp-page-head">
        <h2>{{ $t(title) }}</h2>
        <div>
          <el-button data-test="import-template-zh" @click="downloadTemplate('zh-CN')">
            <el-icon><Download /></el-icon><span>{{ $t('import.templateZh') }}</span>
          </el-button>
          <el-button data-test="import-template-en" @click="downloadTemplate('en')">
            <el-icon><Download /></el-icon><span>{{ $t('import.templateEn') }}</span>
          </el-button>
        </div>
      </div>
      <el-steps :active="step" finish-status="success" simple class="sp-gap" data-test="import-steps">
        <el-step :title="$t('import.stepChoose')" />
        <el-step :title="$t('import.stepCheck')" />
        <el-step :title="$t('import.stepImport')" />
      </el-steps>

      <el-card shadow="never" class="sp-gap">
        <div class="sp-import-choose">
          <input ref="fileInput" type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                 class="sp-hidden-input" data-test="import-file" @change="picked" />
          <el-button type="primary" :disabled="!editable" data-test="import-choose" @click="choose">
            <el-icon><Upload /></el-icon><span>{{ $t('import.choose') }}</span>
          </el-button>
          <span v-if="file" data-test="import-file-name">{{ file.name }} <span class="sp-muted">({{ sizeText(file.size) }})</span></span>
          <span v-else class="sp-muted">{{ $t('import.chooseHelp') }}</span>
          <el-button v-if="file" :loading="checking" data-test="import-recheck" @click="dryRun">{{ $t('import.recheck') }}</el-button>
        </div>
        <ul class="sp-help sp-help-block sp-import-rules">
          <li v-for="r in rules" :key="r">{{ $t(r) }}</li>
        </ul>
      </el-card>

      <el-card v-if="checking" shadow="never" class="sp-gap" v-loading="true" data-test="import-checking">
        <p class="sp-muted">{{ $t('import.checking') }}</p>
      </el-card>

      <el-card v-if="check && !checking" shadow="never" class="sp-gap" data-test="import-check">
        <template #header><strong>{{ $t('import.checkTitle') }}</strong></template>
        <div class="sp-stats">
          <el-statistic :title="$t('import.totalRows')" :value="check.total_rows ?? 0" data-test="import-total-rows" />
          <el-statistic :title="$t('import.validRows')" :value="check.valid_rows ?? 0" data-test="import-valid-rows" />
          <el-statistic :title="$t('import.willCreate')" :value="check.created ?? 0" data-test="import-check-created" />
          <el-statistic :title="$t('import.willUpdate')" :value="check.updated ?? 0" data-test="import-check-updated" />
          <el-statistic :title="$t('import.unchanged')" :value="check.unchanged ?? 0" data-test="import-check-unchanged" />
          <el-statistic :title="$t('import.errorCount')" :value="errorCount" data-test="import-error-count" />
        </div>
        <template v-if="errorCount">
          <el-alert type="warning" :closable="false" show-icon class="sp-gap"
                    :title="$t('import.errorsFound', { n: errorCount, rows: badRows })" data-test="import-errors-alert" />
          <el-table :data="check.errors" data-test="import-errors-table" max-height="400" stripe border>
            <el-table-column prop="row" :label="$t('import.row')" width="80" />
            <el-table-column prop="column" :label="$t('import.column')" width="150" />
            <el-table-column prop="value" :label="$t('import.value')" width="200">
              <template #default="{ row }"><span class="sp-code">{{ row.value }}</span></template>
            </el-table-column>
            <el-table-column prop="message" :label="$t('import.message')" min-width="260" />
          </el-table>
        </template>
        <el-alert v-else type="success" :closable="false" show-icon :title="$t('import.noErrors')" data-test="import-no-errors" />
        <div class="sp-import-actions">
          <el-checkbox v-model="skipInvalid" :disabled="!!done || !errorCount" data-test="import-skip-invalid">
            {{ $t('import.skipInvalid') }}
          </el-checkbox>
          <el-button type="primary" :disabled="!canImport || !editable" :loading="importing" data-test="import-run" @click="runImport">
            <el-icon><Upload /></el-icon><span>{{ $t('import.run') }}</span>
          </el-button>
          <el-button v-if="errorCount && errorsPath" :loading="downloadingErrors" data-test="import-error-file" @click="downloadErrors">
            <el-icon><Download /></el-icon><span>{{ $t('import.errorFile') }}</span>
          </el-button>
          <span v-if="errorCount && !skipInvalid" class="sp-muted sp-small">{{ $t('import.fixOrSkip') }}</span>
        </div>
      </el-card>

      <el-card v-if="done" shadow="never" class="sp-gap" data-test="import-done">
        <template #header><strong>{{ $t('import.doneTitle') }}</strong></template>
        <div class="sp-stats">
          <el-statistic :title="$t('import.created')" :value="done.created ?? 0" data-test="import-created" />
          <el-statistic :title="$t('import.updated')" :value="done.updated ?? 0" data-test="import-updated" />
          <el-statistic :title="$t('import.unchanged')" :value="done.unchanged ?? 0" data-test="import-unchanged" />
          <el-statistic :title="$t('import.skipped')" :value="done.skipped ?? 0" data-test="import-skipped" />
        </div>
        <div class="sp-import-actions">
          <el-button v-if="done.skipped && errorsPath" :loading="downloadingErrors" data-test="import-done-error-file" @click="downloadErrors">
            <el-icon><Download /></el-icon><span>{{ $t('import.errorFile') }}</span>
          </el-button>
          <el-button data-test="import-again" @click="reset">{{ $t('import.again') }}</el-button>
        </div>
      </el-card>
    </div>`,
  };
}

export default importView({
  name: 'ProductImportView', path: '/products/import', perm: 'catalog.manage', headers: TEMPLATE_HEADERS, file: 'products',
  title: 'import.title', rules: ['import.ruleHeaders', 'import.ruleMatch', 'import.rulePrices', 'import.ruleBarcodes'],
  errorsPath: '/products/import/errors',
});
