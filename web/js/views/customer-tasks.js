// Follow-up tasks (导购待办, #/customer-tasks): my open tasks (today / overdue / all, overdue in
// red), done or cancelled with the `version` read; suggestions (birthdays in the next 7 days,
// members not seen for N days: GET /customer-tasks/suggestions) become tasks with one click. A
// `task.reminder` live event (GET /events) shows a notice and reloads the list.
import { computed, onMounted, reactive, ref, watch } from 'vue';
import { ElMessage, ElNotification } from 'element-plus';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { formatTime, handleVersionConflict, showError, useCursorList } from '../forms.js';
import { useLiveEvents } from '../inventory.js';
import { can } from '../session.js';
import { navigate } from '../router.js';

export default {
  name: 'CustomerTasksView',
  setup() {
    const filters = reactive({ due: 'today', status: 'open', mine: true });
    const list = useCursorList('/customer-tasks', () => ({
      assignee: filters.mine ? 'me' : '', status: filters.status, due: filters.due === 'all' ? '' : filters.due,
    }));
    watch(() => [filters.due, filters.status, filters.mine], list.reload);
    const now = ref(Date.now());
    const overdue = (row) => row.status === 'open' && row.due_at && new Date(row.due_at).getTime() < now.value;

    async function setStatus(row, status) {
      try {
        await api.put(`/customer-tasks/${encodeURIComponent(row.id)}`, { status, version: row.version });
        ElMessage({ type: 'success', message: t(`tasks.done.${status}`), customClass: 'sp-saved-toast' });
        await list.reload();
      } catch (e) {
        if (await handleVersionConflict(e, list.reload)) return;
        showError(e);
      }
    }

    // ---- suggestions
    const sugg = reactive({ days: 60, rows: [], loading: false, selected: [], creating: false });
    async function loadSuggestions() {
      sugg.loading = true;
      try {
        const answer = await api.get('/customer-tasks/suggestions', { days: sugg.days });
        sugg.rows = answer?.data || answer || [];
      } catch (e) {
        showError(e);
        sugg.rows = [];
      } finally {
        sugg.loading = false;
      }
    }
    const suggestionTitle = (s) => s.title || ((s.kind || s.reason) === 'birthday' ? t('tasks.birthdayTitle', { name: s.customer_name || s.name || '' })
      : t('tasks.lapsedTitle', { name: s.customer_name || s.name || '' }));
    async function createFrom(rows) {
      if (!rows.length) return;
      sugg.creating = true;
      let made = 0;
      try {
        for (const s of rows) {
          const due = s.due_at || new Date(new Date().setHours(18, 0, 0, 0)).toISOString();
          const body = { customer_id: s.customer_id || s.id, title: suggestionTitle(s), notes: s.notes || '', due_at: due };
          if (s.kind) body.kind = s.kind; // birthday / lapsed: the suggestion is not offered again
          await api.create('/customer-tasks', body);
          made += 1;
        }
      } catch (e) {
        showError(e);
      } finally {
        sugg.creating = false;
      }
      if (made) {
        ElMessage({ type: 'success', message: t('tasks.created', { n: made }), customClass: 'sp-saved-toast' });
        await Promise.all([list.reload(), loadSuggestions()]);
      }
    }

    // ---- live reminders
    const live = useLiveEvents({
      'task.reminder': (d) => {
        ElNotification({
          type: 'info', title: t('tasks.reminder'), message: `${d?.title || ''} · ${formatTime(d?.due_at)}`,
          customClass: 'sp-task-reminder-notice', duration: 8000,
        });
        now.value = Date.now();
        list.reload();
      },
    });

    onMounted(() => {
      list.reload();
      loadSuggestions();
    });
    return {
      ...list, filters, overdue, setStatus, sugg, loadSuggestions, suggestionTitle, createFrom, live: live.connected, formatTime,
      canManage: computed(() => can('customers.manage')), openCustomer: (id) => navigate(`/customers/${id}`),
    };
  },
  template: `
    <div class="sp-page">
      <div class="sp-page-head">
        <h2>{{ $t('tasks.title') }}</h2>
        <el-tag :type="live ? 'success' : 'info'" data-test="tasks-live" :data-connected="String(live)">{{ live ? $t('tasks.live') : $t('tasks.notLive') }}</el-tag>
      </div>
      <div class="sp-filters">
        <el-radio-group v-model="filters.due" data-test="tasks-filter-due">
          <el-radio-button value="today" data-test="tasks-due-today">{{ $t('tasks.dueToday') }}</el-radio-button>
          <el-radio-button value="overdue" data-test="tasks-due-overdue">{{ $t('tasks.overdue') }}</el-radio-button>
          <el-radio-button value="all" data-test="tasks-due-all">{{ $t('tasks.all') }}</el-radio-button>
        </el-radio-group>
        <el-select v-model="filters.status" style="width: 120px" data-test="tasks-filter-status">
          <el-option value="open" :label="$tv('taskStatus', 'open')" />
          <el-option value="done" :label="$tv('taskStatus', 'done')" />
          <el-option value="cancelled" :label="$tv('taskStatus', 'cancelled')" />
        </el-select>
        <el-checkbox v-model="filters.mine" data-test="tasks-mine">{{ $t('tasks.mine') }}</el-checkbox>
      </div>
      <el-table :data="items" v-loading="loading" stripe data-test="tasks-table" :empty-text="$t('list.empty')"
                :row-class-name="({ row }) => (overdue(row) ? 'sp-row-overdue' : '')">
        <el-table-column :label="$t('tasks.due')" width="190">
          <template #default="{ row }"><span :class="{ 'sp-bad': overdue(row) }" :data-test="'task-due-' + row.id" :data-overdue="String(overdue(row))">{{ formatTime(row.due_at) }}</span></template>
        </el-table-column>
        <el-table-column :label="$t('tasks.customer')" width="180">
          <template #default="{ row }"><el-button link type="primary" @click="openCustomer(row.customer_id)">{{ row.customer_name || row.customer_id }}</el-button></template>
        </el-table-column>
        <el-table-column :label="$t('tasks.titleField')" min-width="220">
          <template #default="{ row }"><div :data-test="'task-title-' + row.id">{{ row.title }}</div><div v-if="row.notes" class="sp-muted sp-small">{{ row.notes }}</div></template>
        </el-table-column>
        <el-table-column :label="$t('customers.status')" width="100"><template #default="{ row }">{{ $tv('taskStatus', row.status) }}</template></el-table-column>
        <el-table-column v-if="canManage" :label="$t('common.actions')" width="190">
          <template #default="{ row }">
            <template v-if="row.status === 'open'">
              <el-button size="small" type="success" :data-test="'task-done-' + row.id" @click="setStatus(row, 'done')">{{ $t('tasks.markDone') }}</el-button>
              <el-button size="small" :data-test="'task-cancel-' + row.id" @click="setStatus(row, 'cancelled')">{{ $t('tasks.cancel') }}</el-button>
            </template>
          </template>
        </el-table-column>
      </el-table>
      <div v-if="nextCursor" class="sp-load-more"><el-button data-test="load-more" :loading="loading" @click="loadMore">{{ $t('list.loadMore') }}</el-button></div>

      <el-card shadow="never" class="sp-gap" data-test="tasks-suggestions">
        <template #header>
          <div class="sp-card-head">
            <strong>{{ $t('tasks.suggestions') }}</strong>
            <span>
              {{ $t('tasks.lapsedDays') }}
              <el-input-number v-model="sugg.days" :min="7" :max="365" size="small" data-test="tasks-suggest-days" @change="loadSuggestions" />
              <el-button v-if="canManage" size="small" type="primary" :disabled="!sugg.selected.length" :loading="sugg.creating" data-test="tasks-suggest-create"
                         @click="createFrom(sugg.selected)">{{ $t('tasks.createSelected', { n: sugg.selected.length }) }}</el-button>
            </span>
          </div>
        </template>
        <el-table :data="sugg.rows" v-loading="sugg.loading" stripe :empty-text="$t('list.empty')" @selection-change="(v) => (sugg.selected = v)">
          <el-table-column v-if="canManage" type="selection" width="44" />
          <el-table-column :label="$t('tasks.customer')" width="180"><template #default="{ row }">{{ row.customer_name || row.name }}</template></el-table-column>
          <el-table-column :label="$t('tasks.reason')" width="140"><template #default="{ row }">{{ $tv('taskReason', row.kind || row.reason) }}<div v-if="row.birthday" class="sp-muted sp-small">{{ row.birthday }}</div><div v-else-if="row.last_visit_at" class="sp-muted sp-small">{{ formatTime(row.last_visit_at) }}</div></template></el-table-column>
          <el-table-column :label="$t('tasks.titleField')"><template #default="{ row }">{{ suggestionTitle(row) }}</template></el-table-column>
          <el-table-column v-if="canManage" width="120">
            <template #default="{ row }"><el-button size="small" :data-test="'suggestion-create-' + (row.customer_id || row.id)" @click="createFrom([row])">{{ $t('tasks.create') }}</el-button></template>
          </el-table-column>
        </el-table>
      </el-card>
    </div>`,
};
