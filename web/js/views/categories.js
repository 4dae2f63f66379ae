// Categories: the tree (GET /categories is a flat list with parent_id), with "add a
// subcategory", and edit (rename, move under another parent, sort) through one dialog.
import { computed, nextTick, onMounted, reactive, ref } from 'vue';
import { ElMessage } from 'element-plus';
import { api, fetchAll } from '../api.js';
import { can } from '../session.js';
import { t } from '../i18n.js';
import { buildCategoryTree, categoryName } from '../catalog.js';
import { handleVersionConflict, requiredRule, showError, useFieldErrors, validateForm } from '../forms.js';
import CategorySelect from '../components/category-select.js';

const blank = () => ({ id: null, code: '', name: '', name_en: '', parent_id: null, sort: 0, version: 0 });

export default {
  name: 'CategoriesView',
  components: { CategorySelect },
  setup() {
    const categories = ref([]);
    const loading = ref(false);
    const filter = ref('');
    const treeRef = ref(null);
    const editable = computed(() => can('catalog.manage'));
    const tree = computed(() => buildCategoryTree(categories.value));
    const byId = computed(() => new Map(categories.value.map((c) => [c.id, c])));

    async function reload() {
      loading.value = true;
      try {
        categories.value = await fetchAll('/categories');
      } catch (e) {
        showError(e);
      } finally {
        loading.value = false;
      }
    }

    const dialog = ref(false);
    const saving = ref(false);
    const form = reactive(blank());
    const formRef = ref(null);
    const { errors, clear, fromError } = useFieldErrors();
    const rules = computed(() => ({ code: [requiredRule()], name: [requiredRule()] }));

    async function open(category, { parentId = null } = {}) {
      Object.assign(form, blank(), category ? { ...category, name_en: category.name_en || '', parent_id: category.parent_id || null } : {});
      if (!category) form.parent_id = parentId;
      clear();
      dialog.value = true;
      await nextTick();
      formRef.value?.clearValidate();
    }

    async function save() {
      clear();
      if (!(await validateForm(formRef.value))) return;
      saving.value = true;
      const body = {
        code: form.code.trim(), name: form.name.trim(), name_en: form.name_en.trim(), parent_id: form.parent_id || null,
        sort: Number(form.sort) || 0,
      };
      try {
        if (form.id) await api.put(`/categories/${form.id}`, { ...body, version: form.version });
        else await api.create('/categories', body);
        dialog.value = false;
        ElMessage({ type: 'success', message: t('common.saved'), customClass: 'sp-saved-toast' });
        await reload();
      } catch (e) {
        const reloadRow = async () => {
          await reload();
          const fresh = byId.value.get(form.id);
          if (fresh) Object.assign(form, { ...fresh, name_en: fresh.name_en || '', parent_id: fresh.parent_id || null });
        };
        if (await handleVersionConflict(e, reloadRow)) return;
        if (!fromError(e, { conflictField: 'code' })) showError(e);
      } finally {
        saving.value = false;
      }
    }

    const parentName = (id) => categoryName(byId.value.get(id));
    const filterNode = (text, data) => {
      const q = text.toLowerCase();
      return data.label.toLowerCase().includes(q) || String(data.code).toLowerCase().includes(q);
    };
    const applyFilter = () => treeRef.value?.filter(filter.value.trim());

    onMounted(reload);
    return {
      categories, tree, loading, filter, treeRef, editable, reload, dialog, saving, form, formRef, errors, rules,
      open, save, parentName, filterNode, applyFilter,
    };
  },
  template: `
    <div class="sp-page">
      <div class="sp-page-head">
        <h2>{{ $t('categories.title') }}</h2>
        <div>
          <el-button data-test="categories-reload" @click="reload"><el-icon><Refresh /></el-icon><span>{{ $t('common.refresh') }}</span></el-button>
          <el-button v-if="editable" type="primary" data-test="category-create" @click="open(null)">
            <el-icon><Plus /></el-icon><span>{{ $t('categories.createRoot') }}</span>
          </el-button>
        </div>
      </div>
      <div class="sp-filters">
        <el-input v-model="filter" data-test="categories-filter" class="sp-search" clearable
                  :placeholder="$t('categories.filterPlaceholder')" @input="applyFilter" @clear="applyFilter" />
      </div>
      <el-card shadow="never" v-loading="loading">
        <el-tree ref="treeRef" :data="tree" node-key="id" default-expand-all :expand-on-click-node="false"
                 :filter-node-method="filterNode" data-test="categories-tree" :empty-text="$t('list.empty')">
          <template #default="{ data }">
            <div class="sp-tree-node" :data-test="'category-node-' + data.code">
              <span class="sp-tree-label">{{ data.label }} <span class="sp-muted sp-small">{{ data.code }}</span></span>
              <span v-if="editable" class="sp-tree-actions">
                <el-button link type="primary" size="small" :data-test="'category-add-child-' + data.code"
                           @click.stop="open(null, { parentId: data.id })">{{ $t('categories.addChild') }}</el-button>
                <el-button link type="primary" size="small" :data-test="'category-edit-' + data.code"
                           @click.stop="open(data.data)">{{ $t('categories.editMove') }}</el-button>
              </span>
            </div>
          </template>
        </el-tree>
      </el-card>

      <el-dialog v-model="dialog" :title="form.id ? $t('categories.edit') : $t('categories.create')" width="520px"
                 data-test="category-dialog" :close-on-click-modal="false">
        <el-form ref="formRef" :model="form" :rules="rules" label-width="110px" @submit.prevent="save">
          <el-form-item :label="$t('field.code')" prop="code" :error="errors.code" data-test="category-field-code">
            <el-input v-model="form.code" data-test="category-code" />
          </el-form-item>
          <el-form-item :label="$t('categories.name')" prop="name" :error="errors.name" data-test="category-field-name">
            <el-input v-model="form.name" data-test="category-name" />
          </el-form-item>
          <el-form-item :label="$t('categories.nameEn')" prop="name_en" :error="errors.name_en" data-test="category-field-name_en">
            <el-input v-model="form.name_en" data-test="category-name-en" />
          </el-form-item>
          <el-form-item :label="$t('categories.parent')" prop="parent_id" :error="errors.parent_id" data-test="category-field-parent_id">
            <category-select v-model="form.parent_id" :categories="categories" :exclude="form.id" data-test="category-parent"
                             class="sp-wide" :placeholder="$t('categories.noParent')" />
          </el-form-item>
          <el-form-item :label="$t('categories.sort')" prop="sort" :error="errors.sort" data-test="category-field-sort">
            <el-input-number v-model="form.sort" :step="1" :step-strictly="true" data-test="category-sort" />
            <span class="sp-help">{{ $t('categories.sortHelp') }}</span>
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button data-test="category-cancel" @click="dialog = false">{{ $t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="saving" data-test="category-save" @click="save">{{ $t('common.save') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
