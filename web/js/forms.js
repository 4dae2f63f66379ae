// Helpers shared by the screens: server validation errors next to their fields, error
// messages, cursor-paginated lists, time formatting.
import { reactive, ref } from 'vue';
import { ElMessage } from 'element-plus';
import { api, ApiError } from './api.js';
import { locale, t, has } from './i18n.js';

/** The message for one field error of the server, translated when its code is known. */
export function fieldMessage(e) {
  const n = /(\d+)/.exec(e.message || '')?.[1] ?? '';
  // A text for this field and code (fieldError.code.invalid_format) before the general one.
  for (const key of [`fieldError.${propOf(e.field)}.${e.code}`, `fieldError.${e.code}`]) {
    if (has(key)) return t(key, { n });
  }
  return e.message || e.code;
}

/** The form-item prop a JSON Pointer names: "/code" → "code", "/store_ids/2" → "store_ids". */
export function propOf(pointer) {
  const first = String(pointer || '').replace(/^\//, '').split('/')[0];
  return first.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** A reactive { prop: message } for el-form-item :error, with clear() and fromError(). */
export function useFieldErrors() {
  const errors = reactive({});
  return {
    errors,
    clear() {
      for (const k of Object.keys(errors)) errors[k] = '';
    },
    /**
     * Puts the field errors of `err` next to their fields. A 409 conflict without field errors
     * (a duplicate code or username) goes to `conflictField`. Returns whether any field got one.
     */
    fromError(err, { conflictField } = {}) {
      if (!(err instanceof ApiError)) return false;
      let placed = false;
      for (const e of err.errors) {
        const prop = propOf(e.field);
        if (!prop) continue;
        errors[prop] = errors[prop] ? `${errors[prop]}; ${fieldMessage(e)}` : fieldMessage(e);
        placed = true;
      }
      if (!placed && err.code === 'conflict' && conflictField) {
        errors[conflictField] = t('fieldError.taken');
        placed = true;
      }
      return placed;
    },
  };
}

/** A person-readable text for an API error. */
export function describeError(err) {
  if (err instanceof ApiError) {
    const key = `apiError.${err.code}`;
    if (has(key)) return t(key, { seconds: err.retryAfter || '?' });
    return err.detail || err.title || t('apiError.unknown');
  }
  return String(err?.message || err);
}

/** Shows an error as a toast (for errors that belong to no field). */
export function showError(err) {
  ElMessage({ type: 'error', message: describeError(err), grouping: true, customClass: 'sp-error-toast' });
}

/** Validates an el-form with its rules; true when valid. */
export async function validateForm(formRef) {
  if (!formRef) return true;
  try {
    await formRef.validate();
    return true;
  } catch {
    return false;
  }
}

/** A required-field rule whose message follows the language. */
export function requiredRule(trigger = 'blur') {
  return { required: true, trigger, validator: (_r, v, cb) => {
    const empty = v === undefined || v === null || (typeof v === 'string' && v.trim() === '') ||
      (Array.isArray(v) && v.length === 0);
    cb(empty ? new Error(t('fieldError.required')) : undefined);
  } };
}

/**
 * A cursor-paginated list: `items`, `nextCursor`, `loading`, `reload()`, `loadMore()`.
 * `query` is a function returning the filters of the moment.
 */
export function useCursorList(path, query = () => ({}), { limit = 50 } = {}) {
  const items = ref([]);
  const nextCursor = ref(null);
  const loading = ref(false);
  let generation = 0;

  async function load(reset) {
    const mine = ++generation;
    loading.value = true;
    try {
      const p = typeof path === 'function' ? path() : path;
      const page = await api.get(p, { ...query(), limit, cursor: reset ? null : nextCursor.value });
      if (mine !== generation) return;
      items.value = reset ? page.data : [...items.value, ...page.data];
      nextCursor.value = page.next_cursor ?? null;
    } catch (e) {
      if (mine === generation) showError(e);
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  return { items, nextCursor, loading, reload: () => load(true), loadMore: () => load(false) };
}

const formats = {};
/** A date-time in the person's language and the browser's time zone. */
export function formatTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const key = locale.value;
  formats[key] ??= new Intl.DateTimeFormat(key === 'en' ? 'en-GB' : 'zh-CN', {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
  return formats[key].format(d);
}

/** Handles a 409 version_conflict on an update: tells the person and reloads. True if it was one. */
export async function handleVersionConflict(err, reload) {
  if (err instanceof ApiError && err.code === 'version_conflict') {
    ElMessage({ type: 'warning', message: t('apiError.version_conflict'), customClass: 'sp-conflict-toast' });
    await reload();
    return true;
  }
  return false;
}
