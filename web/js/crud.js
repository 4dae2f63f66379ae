// The create/edit dialog the list screens share: open it blank or with a row, validate, POST
// (with an Idempotency-Key) or PUT with the version read, a "saved" toast and a list reload;
// a 409 version_conflict reloads and puts the fresh values (and version) into the open form;
// server field errors go next to their fields, anything else is a toast.
import { nextTick, reactive, ref } from 'vue';
import { ElMessage } from 'element-plus';
import { api } from './api.js';
import { t } from './i18n.js';
import { handleVersionConflict, showError, useFieldErrors, validateForm } from './forms.js';

/**
 * Options:
 * - `blank()`: a fresh form (with `id: null` and `version: 0`);
 * - `path`: the collection (`/regions`), or a function returning it;
 * - `body(form)`: the request body without `version`; `createBody(form)` / `updateBody(form)`
 *   when creating and updating differ (the update body then carries `version` itself);
 * - `fromRow(row)`: the form values of a row being edited (default: the row);
 * - `list`: a `useCursorList`, reloaded after a save and searched for the fresh row after a
 *   version conflict; or `reload()` and `current(id)` (the fresh row, may be async) instead;
 * - `freshRow(row)`: the form values of the fresh row after a conflict (default: `fromRow`);
 * - `conflictField`: where a 409 conflict without field errors goes (default `code`).
 *
 * Returns `{ dialog, saving, form, formRef, errors, clear, fromError, open, save }`;
 * `open(row, defaults)` opens the dialog for `row`, or blank with `defaults` when `row` is null.
 */
export function useCrudDialog({
  blank, path, body, createBody = body, updateBody = (f) => ({ ...body(f), version: f.version }),
  fromRow = (r) => ({ ...r }), list = null, reload = () => list.reload(),
  current = (id) => list.items.value.find((r) => r.id === id), freshRow = fromRow, conflictField = 'code',
}) {
  const dialog = ref(false);
  const saving = ref(false);
  const form = reactive(blank());
  const formRef = ref(null);
  const { errors, clear, fromError } = useFieldErrors();
  const base = () => (typeof path === 'function' ? path() : path);

  async function open(row, defaults = {}) {
    Object.assign(form, blank(), row ? fromRow(row) : defaults);
    clear();
    dialog.value = true;
    await nextTick();
    formRef.value?.clearValidate();
  }

  /** After a version conflict: reload, then the fresh values and version into the open form. */
  async function refresh() {
    await reload();
    try {
      const fresh = await current(form.id);
      if (fresh) Object.assign(form, freshRow(fresh));
    } catch (err) {
      showError(err);
    }
  }

  async function save() {
    clear();
    if (!(await validateForm(formRef.value))) return;
    saving.value = true;
    try {
      if (form.id) await api.put(`${base()}/${form.id}`, updateBody(form));
      else await api.create(base(), createBody(form));
      dialog.value = false;
      ElMessage({ type: 'success', message: t('common.saved'), customClass: 'sp-saved-toast' });
      await reload();
    } catch (e) {
      if (await handleVersionConflict(e, refresh)) return;
      if (!fromError(e, { conflictField })) showError(e);
    } finally {
      saving.value = false;
    }
  }

  return { dialog, saving, form, formRef, errors, clear, fromError, open, save };
}
