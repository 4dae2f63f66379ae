// One transfer (调拨单, #/transfers/<id>): from → to, status, who did what when, and per line
// what was requested, shipped and received, with the difference (received − shipped) in red.
// The buttons follow the status, the permissions and the side the user is on: approve
// (requested, stock.approve, source in scope), ship with a quantity per line (approved,
// stock.manage, source; by default what was requested), receive with a quantity per line
// (shipped, stock.manage, destination; by default what was shipped, the difference shown while
// typing), close (received, stock.approve), cancel with a reason (requested or approved,
// stock.approve). Each action sends the `version` read.
import { computed, onMounted, reactive, ref } from 'vue';
import { ElMessage } from 'element-plus';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import { navigate, route } from '../router.js';
import { formatTime, handleVersionConflict, showError } from '../forms.js';
import { cmpQty, formatQty, inScope, lineErrors, lineErrorText, parseQty, signOf, subQty, tagType } from '../inventory.js';
import ReasonDialog from '../components/reason-dialog.js';

export default {
  name: 'TransferView',
  components: { ReasonDialog },
  setup() {
    const id = route.params.id;
    const tr = ref(null);
    const loading = ref(false);
    const acting = ref('');
    const qty = reactive({});
    const errors = ref({});

    const status = computed(() => tr.value?.status || '');
    const canDo = computed(() => {
      const s = status.value;
      const from = tr.value && inScope(tr.value.from_location_id);
      const to = tr.value && inScope(tr.value.to_location_id);
      return {
        approve: s === 'requested' && can('stock.approve') && from,
        ship: s === 'approved' && can('stock.manage') && from,
        receive: s === 'shipped' && can('stock.manage') && to,
        close: s === 'received' && can('stock.approve'),
        cancel: ['requested', 'approved'].includes(s) && can('stock.approve'),
      };
    });
    const mode = computed(() => (canDo.value.ship ? 'ship' : canDo.value.receive ? 'receive' : ''));

    function fill(answer) {
      tr.value = answer;
      errors.value = {};
      for (const l of answer.lines || []) {
        if (answer.status === 'approved') qty[l.line_no] = formatQty(l.requested);
        else if (answer.status === 'shipped') qty[l.line_no] = formatQty(l.shipped ?? l.requested);
      }
    }
    async function load() {
      loading.value = true;
      try {
        fill(await api.get(`/transfers/${encodeURIComponent(id)}`));
      } catch (e) {
        showError(e);
      } finally {
        loading.value = false;
      }
    }

    async function act(action, extra = {}) {
      acting.value = action;
      try {
        const answer = await api.post(`/transfers/${encodeURIComponent(id)}/${action}`, { version: tr.value.version, ...extra });
        if (answer?.id && Array.isArray(answer.lines) && answer.number) fill(answer);
        else await load();
        ElMessage({ type: 'success', message: t(`transfers.done.${action}`), customClass: 'sp-saved-toast' });
        return true;
      } catch (e) {
        if (await handleVersionConflict(e, load)) return false;
        const lines = extra.lines || [];
        const found = lineErrors(e, { index: (i) => lines[i]?.line_no ?? i });
        errors.value = found.lines;
        if (!Object.keys(found.lines).length) showError(e);
        return false;
      } finally {
        acting.value = '';
      }
    }

    /** The lines with the typed quantities, or null (errors shown) when one is not a quantity. */
    function typedLines() {
      const local = {};
      const lines = [];
      for (const l of tr.value.lines) {
        const q = parseQty(qty[l.line_no]);
        if (q.error) local[l.line_no] = { quantity: t(`qty.${q.error}`) };
        else lines.push({ line_no: l.line_no, quantity: q.value });
      }
      errors.value = local;
      return Object.keys(local).length ? null : lines;
    }
    async function ship() {
      const lines = typedLines();
      if (lines) await act('ship', { lines });
    }
    async function receive() {
      const lines = typedLines();
      if (lines) await act('receive', { lines });
    }

    /** The difference of a line: the server's once received, else the one being typed. */
    function diffOf(l) {
      if (mode.value === 'receive') {
        const q = parseQty(qty[l.line_no]);
        return q.error ? null : subQty(q.value, l.shipped ?? l.requested);
      }
      return l.difference ?? null;
    }
    const rowClass = ({ row }) => (signOf(diffOf(row)) !== 0 ? 'sp-diff-row' : '');
    const shortOf = (l) => (mode.value === 'ship' && cmpQty(qty[l.line_no], l.requested) !== 0);

    const cancelDialog = ref(false);
    async function cancel(reason) {
      if (await act('cancel', { reason })) cancelDialog.value = false;
    }

    onMounted(load);
    return {
      tr, loading, acting, qty, errors, status, canDo, mode, act, ship, receive, diffOf, rowClass, shortOf, cancelDialog, cancel,
      lineErrorText, formatQty, formatTime, signOf, tagType, back: () => navigate('/transfers'),
    };
  },
  template: `
    <div class="sp-page" v-loading="loading">
      <div class="sp-doc-head">
        <h2>
          <el-button link data-test="transfer-back" @click="back"><el-icon><Back /></el-icon></el-button>
          <span data-test="transfer-number">{{ tr?.number }}</span>
          <el-tag v-if="tr" :type="tagType('transfer', status)" data-test="transfer-status" :data-status="status">{{ $tv('transferStatus', status) }}</el-tag>
          <el-tag v-if="tr?.has_differences" type="danger" effect="plain" data-test="transfer-has-diff">{{ $t('transfers.hasDifferences') }}</el-tag>
        </h2>
        <div class="sp-doc-actions" v-if="tr">
          <el-button v-if="canDo.approve" type="success" :loading="acting === 'approve'" data-test="transfer-approve" @click="act('approve')">{{ $t('transfers.approve') }}</el-button>
          <el-button v-if="canDo.ship" type="primary" :loading="acting === 'ship'" data-test="transfer-ship" @click="ship"><el-icon><Van /></el-icon><span>{{ $t('transfers.ship') }}</span></el-button>
          <el-button v-if="canDo.receive" type="primary" :loading="acting === 'receive'" data-test="transfer-receive" @click="receive"><el-icon><Box /></el-icon><span>{{ $t('transfers.receive') }}</span></el-button>
          <el-button v-if="canDo.close" :loading="acting === 'close'" data-test="transfer-close" @click="act('close')">{{ $t('transfers.close') }}</el-button>
          <el-button v-if="canDo.cancel" type="danger" plain data-test="transfer-cancel" @click="cancelDialog = true">{{ $t('transfers.cancel') }}</el-button>
        </div>
      </div>
      <template v-if="tr">
        <el-descriptions :column="3" size="small" border class="sp-gap" data-test="transfer-header">
          <el-descriptions-item :label="$t('transfers.from')"><span data-test="transfer-from-name">{{ tr.from_location_name }}</span></el-descriptions-item>
          <el-descriptions-item :label="$t('transfers.to')"><span data-test="transfer-to-name">{{ tr.to_location_name }}</span></el-descriptions-item>
          <el-descriptions-item :label="$t('inventory.notes')">{{ tr.notes }}</el-descriptions-item>
          <el-descriptions-item :label="$t('transfers.requestedAt')">{{ formatTime(tr.requested_at) }}</el-descriptions-item>
          <el-descriptions-item :label="$t('transfers.approvedAt')">{{ formatTime(tr.approved_at) }}</el-descriptions-item>
          <el-descriptions-item :label="$t('transfers.shippedAt')">{{ formatTime(tr.shipped_at) }}</el-descriptions-item>
          <el-descriptions-item :label="$t('transfers.receivedAt')">{{ formatTime(tr.received_at) }}</el-descriptions-item>
          <el-descriptions-item :label="$t('po.closedAt')">{{ formatTime(tr.closed_at) }}</el-descriptions-item>
          <el-descriptions-item v-if="tr.cancel_reason" :label="$t('inventory.cancelReason')"><span data-test="transfer-cancel-reason">{{ tr.cancel_reason }}</span></el-descriptions-item>
        </el-descriptions>
        <el-alert v-if="mode === 'ship'" type="info" :closable="false" show-icon class="sp-gap" :title="$t('transfers.shipHelp')" />
        <el-alert v-if="mode === 'receive'" type="info" :closable="false" show-icon class="sp-gap" :title="$t('transfers.receiveHelp')" />
        <el-table :data="tr.lines" border data-test="transfer-lines" :row-class-name="rowClass">
          <el-table-column prop="line_no" label="#" width="44" />
          <el-table-column :label="$t('inventory.product')" min-width="200">
            <template #default="{ row }">
              <div :data-test="'transfer-line-' + row.line_no" :data-sku="row.sku">{{ row.sku }} · {{ row.name_zh }}</div>
              <div v-if="errors[row.line_no]" class="sp-line-error" :data-test="'transfer-line-error-' + row.line_no">{{ lineErrorText(errors[row.line_no]) }}</div>
            </template>
          </el-table-column>
          <el-table-column :label="$t('transfers.requestedQty')" width="110" align="right">
            <template #default="{ row }"><span :data-test="'transfer-line-requested-' + row.line_no">{{ formatQty(row.requested) }}</span></template>
          </el-table-column>
          <el-table-column :label="$t('transfers.shippedQty')" :width="mode === 'ship' ? 160 : 90" align="right">
            <template #default="{ row }">
              <el-input v-if="mode === 'ship'" v-model="qty[row.line_no]" size="large" inputmode="decimal"
                        :class="['sp-qty-input', { 'is-error': errors[row.line_no] }]" :data-test="'transfer-ship-qty-' + row.line_no" />
              <span v-else :data-test="'transfer-line-shipped-' + row.line_no">{{ formatQty(row.shipped, { dash: true }) }}</span>
            </template>
          </el-table-column>
          <el-table-column :label="$t('transfers.receivedQty')" :width="mode === 'receive' ? 160 : 90" align="right">
            <template #default="{ row }">
              <el-input v-if="mode === 'receive'" v-model="qty[row.line_no]" size="large" inputmode="decimal"
                        :class="['sp-qty-input', { 'is-error': errors[row.line_no] }]" :data-test="'transfer-receive-qty-' + row.line_no" />
              <span v-else :data-test="'transfer-line-received-' + row.line_no">{{ formatQty(row.received, { dash: true }) }}</span>
            </template>
          </el-table-column>
          <el-table-column :label="$t('transfers.difference')" width="100" align="right">
            <template #default="{ row }">
              <strong v-if="signOf(diffOf(row)) !== 0" class="sp-bad" :data-test="'transfer-line-diff-' + row.line_no" :data-diff="diffOf(row)">{{ formatQty(diffOf(row), { signed: true }) }}</strong>
              <span v-else class="sp-muted" :data-test="'transfer-line-diff-' + row.line_no" :data-diff="diffOf(row) ?? ''">{{ diffOf(row) === null ? '—' : '0' }}</span>
            </template>
          </el-table-column>
        </el-table>
      </template>
      <reason-dialog v-model="cancelDialog" :title="$t('transfers.cancel')" test="transfer-cancel-dialog" :loading="acting === 'cancel'" @confirm="cancel" />
    </div>`,
};
