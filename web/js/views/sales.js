// Sales (销售单): the sales and returns of the stores in scope, newest first, with filters
// (store, register, kind, period, receipt number, "flagged only" — the offline sales a manager
// follows up: negative stock, a changed price, a late shift). A row opens the sale in a drawer:
// header, lines, tenders, the receipt (view, print, reprint as a copy) and its PDF.
import { computed, onMounted, reactive, ref, watch } from 'vue';
import { api } from '../api.js';
import { has, t } from '../i18n.js';
import { formatTime, showError, useCursorList } from '../forms.js';
import { formatMoney, rateToPercent } from '../money.js';
import { maskedCard, periodQuery, receiptUrl, SALE_FLAGS, SALE_KINDS, useSalesLookups } from '../sales.js';
import LoadMore from '../components/load-more.js';
import RegisterDocument from './register-receipt.js';

export default {
  name: 'SalesView',
  components: { LoadMore, RegisterDocument },
  setup() {
    const lookups = useSalesLookups();
    const filters = reactive({ store_id: '', register_id: '', kind: '', period: null, receipt_no: '', flagged: false });
    const query = () => ({
      store_id: filters.store_id, register_id: filters.store_id ? filters.register_id : '', kind: filters.kind,
      receipt_no: filters.receipt_no.trim(), flagged: filters.flagged ? 'true' : '', ...periodQuery(filters.period),
    });
    const list = useCursorList('/sales', query);
    const storeRegisters = computed(() => lookups.registers.value[filters.store_id] || []);

    watch(() => filters.store_id, (id) => {
      filters.register_id = '';
      if (id) lookups.loadRegisters([id]);
    });
    watch(() => [filters.store_id, filters.register_id, filters.kind, filters.period, filters.flagged], () => list.reload());
    // Register names of the stores the rows belong to.
    watch(list.items, (rows) => lookups.loadRegisters(rows.map((r) => r.store_id)));

    const flagLabel = (f) => (has(`saleFlag.${f}`) ? t(`saleFlag.${f}`) : f);
    const flagHelp = (f) => (has(`saleFlagHelp.${f}`) ? t(`saleFlagHelp.${f}`) : f);
    const tenderSummary = (row) => [...new Set((row.tenders || []).map((x) => lookups.tenderName(x.code)))].join(' + ');

    // ---- the drawer
    const drawer = reactive({ open: false, loading: false, sale: null });
    async function openSale(row) {
      Object.assign(drawer, { open: true, loading: true, sale: row });
      try {
        drawer.sale = await api.get(`/sales/${encodeURIComponent(row.id)}`);
      } catch (e) {
        showError(e);
      } finally {
        drawer.loading = false;
      }
    }
    const original = ref(null);
    watch(() => drawer.sale?.original_sale_id, async (id) => {
      original.value = null;
      if (!id) return;
      try {
        original.value = await api.get(`/sales/${encodeURIComponent(id)}`);
      } catch {
        original.value = null;
      }
    });
    async function openOriginal() {
      if (original.value) await openSale(original.value);
    }

    const doc = reactive({ open: false, src: '' });
    const viewReceipt = () => Object.assign(doc, { open: true, src: receiptUrl(drawer.sale.id, 'html') });
    const pdfUrl = computed(() => (drawer.sale ? receiptUrl(drawer.sale.id, 'pdf') : ''));
    const lineDiscount = (l) => (l.line_discount_minor || 0) + (l.order_discount_minor || 0);
    const returned = (l) => l.returned_quantity && Number(l.returned_quantity) !== 0;

    onMounted(() => {
      lookups.load();
      list.reload();
    });
    return {
      ...list, filters, lookups, stores: lookups.stores, storeRegisters, SALE_KINDS, SALE_FLAGS,
      flagLabel, flagHelp, tenderSummary, drawer, openSale, original, openOriginal, doc, viewReceipt, pdfUrl,
      lineDiscount, returned, maskedCard, formatMoney, formatTime, rateToPercent,
    };
  },
  template: `
    <div class="sp-page">
      <div class="sp-page-head">
        <h2>{{ $t('sales.title') }}</h2>
        <el-button data-test="sales-reload" @click="reload"><el-icon><Refresh /></el-icon><span>{{ $t('common.refresh') }}</span></el-button>
      </div>
      <div class="sp-filters">
        <el-select v-model="filters.store_id" clearable filterable class="sp-filter-wide" data-test="sales-filter-store"
                   :placeholder="$t('sales.allStores')">
          <el-option v-for="s in stores" :key="s.id" :value="s.id" :label="s.code + ' · ' + s.name" :data-test="'sales-store-option-' + s.code" />
        </el-select>
        <el-select v-model="filters.register_id" clearable class="sp-filter" data-test="sales-filter-register" :disabled="!filters.store_id"
                   :placeholder="$t('sales.allRegisters')">
          <el-option v-for="r in storeRegisters" :key="r.id" :value="r.id" :label="r.code + ' ' + r.name" :data-test="'sales-register-option-' + r.code" />
        </el-select>
        <el-select v-model="filters.kind" clearable class="sp-filter" data-test="sales-filter-kind" :placeholder="$t('sales.allKinds')">
          <el-option v-for="k in SALE_KINDS" :key="k" :value="k" :label="$tv('saleKind', k)" :data-test="'sales-kind-option-' + k" />
        </el-select>
        <div data-test="sales-filter-period" class="sp-period">
          <el-date-picker v-model="filters.period" type="daterange" unlink-panels :start-placeholder="$t('sales.from')"
                          :end-placeholder="$t('sales.to')" :range-separator="$t('sales.rangeTo')" />
        </div>
        <el-input v-model="filters.receipt_no" clearable class="sp-search" data-test="sales-filter-receipt" :placeholder="$t('sales.receiptNo')"
                  @keyup.enter="reload" @clear="reload">
          <template #append>
            <el-button data-test="sales-filter-receipt-button" @click="reload"><el-icon><Search /></el-icon></el-button>
          </template>
        </el-input>
        <div class="sp-switch-filter">
          <el-switch v-model="filters.flagged" data-test="sales-filter-flagged" />
          <span>{{ $t('sales.flaggedOnly') }}</span>
          <el-tooltip :content="$t('sales.flaggedHelp')" placement="top">
            <el-icon class="sp-muted"><QuestionFilled /></el-icon>
          </el-tooltip>
        </div>
      </div>
      <p v-if="filters.flagged" class="sp-list-note sp-muted" data-test="sales-flagged-note">{{ $t('sales.flaggedHelp') }}</p>
      <el-table :data="items" v-loading="loading" data-test="sales-table" :empty-text="$t('list.empty')" stripe
                row-class-name="sp-clickable" @row-click="openSale">
        <el-table-column :label="$t('sales.time')" width="170">
          <template #default="{ row }">{{ formatTime(row.created_at) }}</template>
        </el-table-column>
        <el-table-column :label="$t('sales.receiptNo')" min-width="200">
          <template #default="{ row }">
            <el-button link type="primary" :data-test="'sale-open-' + row.receipt_no" @click.stop="openSale(row)">{{ row.receipt_no }}</el-button>
          </template>
        </el-table-column>
        <el-table-column :label="$t('sales.kind')" width="90">
          <template #default="{ row }">
            <el-tag size="small" :type="row.kind === 'return' ? 'warning' : 'info'">{{ $tv('saleKind', row.kind) }}</el-tag>
          </template>
        </el-table-column>
        <el-table-column :label="$t('sales.store')" width="90" prop="store_code" />
        <el-table-column :label="$t('sales.register')" min-width="120">
          <template #default="{ row }">{{ lookups.registerLabel(row.store_id, row.register_id) }}</template>
        </el-table-column>
        <el-table-column :label="$t('sales.cashier')" prop="cashier_name" min-width="100" />
        <el-table-column :label="$t('sales.tenders')" min-width="120">
          <template #default="{ row }">{{ tenderSummary(row) }}</template>
        </el-table-column>
        <el-table-column :label="$t('sales.total')" width="120" align="right">
          <template #default="{ row }"><span :data-test="'sale-total-' + row.receipt_no">{{ formatMoney(row.total_minor, row.currency) }}</span></template>
        </el-table-column>
        <el-table-column :label="$t('sales.flags')" min-width="180">
          <template #default="{ row }">
            <span class="sp-tags" :data-test="'sale-flags-' + row.receipt_no" :data-flags="(row.flags || []).join(',')">
              <el-tag v-if="row.offline" size="small" type="info" :data-test="'sale-offline-' + row.receipt_no">{{ $t('sales.offline') }}</el-tag>
              <el-tooltip v-for="f in row.flags || []" :key="f" :content="flagHelp(f)" placement="top">
                <el-tag size="small" type="danger" :data-test="'sale-flag-' + f">{{ flagLabel(f) }}</el-tag>
              </el-tooltip>
            </span>
          </template>
        </el-table-column>
      </el-table>
      <load-more :cursor="nextCursor" :loading="loading" @more="loadMore" />

      <el-drawer v-model="drawer.open" size="60%" data-test="sale-drawer" :title="drawer.sale ? drawer.sale.receipt_no : ''">
        <div v-if="drawer.sale" v-loading="drawer.loading" class="sp-sale-detail">
          <div class="sp-sale-actions">
            <el-button type="primary" data-test="sale-receipt-view" @click="viewReceipt">
              <el-icon><Printer /></el-icon><span>{{ $t('sales.viewReceipt') }}</span>
            </el-button>
            <el-button tag="a" :href="pdfUrl" download data-test="sale-receipt-pdf">
              <el-icon><Download /></el-icon><span>{{ $t('sales.downloadPdf') }}</span>
            </el-button>
          </div>
          <el-alert v-if="drawer.sale.flags?.length" type="warning" :closable="false" show-icon class="sp-gap" data-test="sale-drawer-flags"
                    :title="$t('sales.needsFollowUp')">
            <ul class="sp-flag-list">
              <li v-for="f in drawer.sale.flags" :key="f" :data-test="'sale-drawer-flag-' + f"><strong>{{ flagLabel(f) }}</strong> — {{ flagHelp(f) }}</li>
            </ul>
          </el-alert>
          <el-descriptions :column="2" border size="small" data-test="sale-header" class="sp-gap">
            <el-descriptions-item :label="$t('sales.receiptNo')"><span data-test="sale-drawer-receipt-no">{{ drawer.sale.receipt_no }}</span></el-descriptions-item>
            <el-descriptions-item :label="$t('sales.kind')">
              {{ $tv('saleKind', drawer.sale.kind) }}
              <el-tag v-if="drawer.sale.offline" size="small" type="info" data-test="sale-drawer-offline">{{ $t('sales.offline') }}</el-tag>
            </el-descriptions-item>
            <el-descriptions-item :label="$t('sales.store')">{{ lookups.storeLabel(drawer.sale.store_id) || drawer.sale.store_code }}</el-descriptions-item>
            <el-descriptions-item :label="$t('sales.register')">{{ lookups.registerLabel(drawer.sale.store_id, drawer.sale.register_id) }}</el-descriptions-item>
            <el-descriptions-item :label="$t('sales.cashier')">{{ drawer.sale.cashier_name }}</el-descriptions-item>
            <el-descriptions-item :label="$t('sales.businessDay')">{{ drawer.sale.business_day }}</el-descriptions-item>
            <el-descriptions-item :label="$t('sales.time')">{{ formatTime(drawer.sale.created_at) }}</el-descriptions-item>
            <el-descriptions-item v-if="drawer.sale.client_created_at" :label="$t('sales.clientTime')">{{ formatTime(drawer.sale.client_created_at) }}</el-descriptions-item>
            <el-descriptions-item v-if="drawer.sale.customer_tier" :label="$t('sales.customerTier')">{{ $t('sales.member') }}</el-descriptions-item>
            <el-descriptions-item v-if="drawer.sale.original_sale_id" :label="$t('sales.originalSale')">
              <el-button link type="primary" data-test="sale-original" :disabled="!original" @click="openOriginal">{{ original ? original.receipt_no : drawer.sale.original_sale_id }}</el-button>
            </el-descriptions-item>
          </el-descriptions>

          <h3 class="sp-drawer-h">{{ $t('sales.lines') }}</h3>
          <el-table :data="drawer.sale.lines || []" size="small" data-test="sale-lines" border>
            <el-table-column prop="line_no" label="#" width="44" />
            <el-table-column :label="$t('sales.product')" min-width="180">
              <template #default="{ row }">
                <div :data-test="'sale-line-' + row.line_no" :data-sku="row.sku">{{ row.name }}</div>
                <div class="sp-muted sp-small">{{ row.sku }}<template v-if="row.reason"> · {{ $t('sales.reason') }}: {{ row.reason }}</template></div>
              </template>
            </el-table-column>
            <el-table-column :label="$t('sales.quantity')" width="80" align="right">
              <template #default="{ row }"><span :data-test="'sale-line-qty-' + row.line_no">{{ row.quantity }}</span></template>
            </el-table-column>
            <el-table-column :label="$t('sales.unitPrice')" width="100" align="right">
              <template #default="{ row }">{{ formatMoney(row.unit_price_minor, drawer.sale.currency) }}</template>
            </el-table-column>
            <el-table-column :label="$t('sales.discount')" width="100" align="right">
              <template #default="{ row }"><span v-if="lineDiscount(row)">−{{ formatMoney(lineDiscount(row), drawer.sale.currency) }}</span></template>
            </el-table-column>
            <el-table-column :label="$t('sales.tax')" width="110" align="right">
              <template #default="{ row }">{{ formatMoney(row.tax_minor, drawer.sale.currency) }} <span class="sp-muted sp-small">{{ rateToPercent(row.tax_rate) }}%</span></template>
            </el-table-column>
            <el-table-column :label="$t('sales.lineTotal')" width="110" align="right">
              <template #default="{ row }"><span :data-test="'sale-line-total-' + row.line_no">{{ formatMoney(row.total_minor, drawer.sale.currency) }}</span></template>
            </el-table-column>
            <el-table-column :label="$t('sales.returnedQty')" width="90" align="right">
              <template #default="{ row }"><span :class="{ 'sp-bad': returned(row) }" :data-test="'sale-line-returned-' + row.line_no">{{ row.returned_quantity }}</span></template>
            </el-table-column>
          </el-table>

          <div class="sp-sale-totals" data-test="sale-totals">
            <div><span>{{ $t('sales.subtotal') }}</span><span>{{ formatMoney(drawer.sale.subtotal_minor, drawer.sale.currency) }}</span></div>
            <div v-if="drawer.sale.discount_minor"><span>{{ $t('sales.discount') }}</span><span>−{{ formatMoney(drawer.sale.discount_minor, drawer.sale.currency) }}</span></div>
            <div><span>{{ $t('sales.tax') }}</span><span>{{ formatMoney(drawer.sale.tax_minor, drawer.sale.currency) }}</span></div>
            <div class="sp-sale-total"><span>{{ $t('sales.total') }}</span><strong data-test="sale-drawer-total">{{ formatMoney(drawer.sale.total_minor, drawer.sale.currency) }}</strong></div>
            <div v-if="drawer.sale.rounding_minor"><span>{{ $t('sales.rounding') }}</span><span>{{ formatMoney(drawer.sale.rounding_minor, drawer.sale.currency) }}</span></div>
            <div><span>{{ $t('sales.amountDue') }}</span><span>{{ formatMoney(drawer.sale.amount_due_minor, drawer.sale.currency) }}</span></div>
            <div v-if="drawer.sale.change_minor"><span>{{ $t('sales.change') }}</span><span>{{ formatMoney(drawer.sale.change_minor, drawer.sale.currency) }}</span></div>
          </div>

          <h3 class="sp-drawer-h">{{ $t('sales.tenders') }}</h3>
          <el-table :data="drawer.sale.tenders || []" size="small" data-test="sale-tenders" border>
            <el-table-column :label="$t('sales.tender')" min-width="120">
              <template #default="{ row, $index }"><span :data-test="'sale-tender-' + $index" :data-code="row.code">{{ lookups.tenderName(row.code) }}</span> <span class="sp-muted sp-small">{{ row.code }}</span></template>
            </el-table-column>
            <el-table-column :label="$t('sales.amount')" width="110" align="right">
              <template #default="{ row }">{{ formatMoney(row.amount_minor, drawer.sale.currency) }}</template>
            </el-table-column>
            <el-table-column :label="$t('sales.tendered')" width="110" align="right">
              <template #default="{ row }"><template v-if="row.tendered_minor !== null && row.tendered_minor !== undefined">{{ formatMoney(row.tendered_minor, drawer.sale.currency) }}</template></template>
            </el-table-column>
            <el-table-column :label="$t('sales.change')" width="100" align="right">
              <template #default="{ row }"><template v-if="row.change_minor">{{ formatMoney(row.change_minor, drawer.sale.currency) }}</template></template>
            </el-table-column>
            <el-table-column :label="$t('sales.reference')" min-width="160">
              <template #default="{ row, $index }">
                <span v-if="row.reference">{{ row.reference }}</span><span v-if="row.reference && row.card_last4" class="sp-muted"> · </span><span
                      v-if="row.card_last4" class="sp-code" :data-test="'sale-tender-card-' + $index">{{ maskedCard(row.card_last4) }}</span>
              </template>
            </el-table-column>
          </el-table>
        </div>
      </el-drawer>

      <register-document v-model="doc.open" :title="$t('sales.receiptTitle')" :src="doc.src" reprint data-test="sale-receipt" />
    </div>`,
};
