// Categories: the tree (GET /categories is a flat list with parent_id), with "add a
// subcategory", and edit (rename, move under another parent, sort) through one dialog.
import { computed, onMounted, ref } from 'vue';
import { fetchAll } from '../api.js';
import { can } from '../session.js';
import { buildCategoryTree, categoryName } from '../catalog.js';
import { requiredRule, showError } from '../forms.js';
import { useCrudDialog } from '../crud.js';
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

    const fromRow = (c) => ({ ...c, name_en: c.name_en || '', parent_id: c.parent_id || null });
    const crud = useCrudDialog({
      blank, fromRow, path: '/categories', reload, current: (id) => byId.value.get(id),
      body: (f) => ({
        code: f.code.trim(), name: f.name.trim(), name_en: f.name_en.trim(), parent_id: f.parent_id || null,
        sort: Number(f.sort) || 0,
      }),
    });
    const rules = computed(() => ({ code: [requiredRule()], name: [requiredRule()] }));
    /** Edit a category, or a new one (under `parentId`, or at the top). */
    const open = (category, { parentId = null } = {}) => crud.open(category, { parent_id: parentId });

    const parentName = (id) => categoryName(byId.value.get(id));
    const filterNode = (text, data) => {
      const q = text.toLowerCase();
      return data.label.toLowerCase().includes(q) || String(data.code).toLowerCase().includes(q);
    };
    const applyFilter = () => treeRef.value?.filter(filter.value.trim());

    onMounted(reload);
    return {
      ...crud, categories, tree, loading, filter, treeRef, editable, reload, rules,
      open, parentName, filterNode, applyFilter,
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
