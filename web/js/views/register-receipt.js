// A printable document in a dialog: the server's receipt or shift report
// (GET /sales/{id}/receipt?format=html, /shifts/{id}/report?format=html), or the register's own
// local receipt (HTML made in the browser) for a sale still waiting to upload.
// The server answers every page with `X-Frame-Options: DENY`, so its document is fetched and
// shown through `srcdoc` (a frame of our own content, not a framed navigation); "open in a new
// window" shows it as the server serves it. Print prints the frame; reprint asks the server for
// the copy (重印) and prints that.
import { computed, ref, watch } from 'vue';
import { t } from '../i18n.js';

export default {
  name: 'RegisterDocument',
  props: {
    modelValue: { type: Boolean, default: false },
    title: { type: String, default: '' },
    /** The server document's URL (without copy=true). */
    src: { type: String, default: '' },
    /** Or: a whole HTML page made here. */
    html: { type: String, default: '' },
    /** Offer "reprint" (the server marks the copy). */
    reprint: { type: Boolean, default: false },
    dataTest: { type: String, default: 'register-document' },
    /** The label of the close button (e.g. "next sale"). */
    closeLabel: { type: String, default: '' },
  },
  emits: ['update:modelValue', 'closed'],
  setup(props, { emit }) {
    const frame = ref(null);
    const copy = ref(false);
    const fetched = ref('');
    const error = ref('');
    const loading = ref(false);
    let printWhenLoaded = false;
    let generation = 0;

    const url = computed(() => {
      if (!props.src) return '';
      return copy.value ? `${props.src}${props.src.includes('?') ? '&' : '?'}copy=true` : props.src;
    });

    async function load() {
      const mine = ++generation;
      fetched.value = '';
      error.value = '';
      if (!props.modelValue || !url.value) return;
      loading.value = true;
      try {
        const res = await fetch(url.value, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
        const text = await res.text();
        if (mine !== generation) return;
        if (!res.ok) {
          let detail = '';
          try {
            detail = JSON.parse(text).detail || '';
          } catch {
            detail = '';
          }
          error.value = detail || t('register.receipt.loadFailed', { status: res.status });
          return;
        }
        fetched.value = text;
      } catch {
        if (mine === generation) error.value = t('apiError.network');
      } finally {
        if (mine === generation) loading.value = false;
      }
    }

    watch(() => [props.modelValue, props.src], ([open]) => {
      if (open) copy.value = false;
      load();
    });
    watch(copy, load);

    const content = computed(() => (props.src ? fetched.value : props.html));

    function print() {
      try {
        frame.value?.contentWindow?.focus();
        frame.value?.contentWindow?.print();
      } catch (e) {
        console.warn('register: cannot print the frame', e);
      }
    }
    function onLoad() {
      if (printWhenLoaded && content.value) {
        printWhenLoaded = false;
        print();
      }
    }
    function doReprint() {
      printWhenLoaded = true;
      if (copy.value) load();
      else copy.value = true;
    }
    function openWindow() {
      if (url.value) window.open(url.value, '_blank', 'noopener');
    }
    function close() {
      emit('update:modelValue', false);
      emit('closed');
    }
    return { frame, url, copy, content, error, loading, print, onLoad, doReprint, openWindow, close };
  },
  template: `
    <el-dialog :model-value="modelValue" @update:model-value="(v) => !v && close()" :title="title" width="460px" append-to-body
               :data-test="dataTest" class="sp-doc-dialog">
      <div v-loading="loading">
        <iframe v-if="modelValue && content" ref="frame" :srcdoc="content" class="sp-doc-frame"
                :data-test="src ? dataTest + '-frame' : dataTest + '-local'" :data-src="url" @load="onLoad"></iframe>
        <div v-else class="sp-doc-frame sp-doc-empty">
          <span v-if="error" class="sp-row-error" :data-test="dataTest + '-error'">{{ error }}</span>
        </div>
      </div>
      <div v-if="copy" class="sp-muted sp-small" :data-test="dataTest + '-copy'">{{ $t('register.receipt.copyNote') }}</div>
      <template #footer>
        <el-button size="large" class="sp-touch" :disabled="!content" :data-test="dataTest + '-print'" @click="print"><el-icon><Printer /></el-icon><span>{{ $t('register.receipt.print') }}</span></el-button>
        <el-button v-if="reprint && src" size="large" class="sp-touch" :data-test="dataTest + '-reprint'" @click="doReprint">{{ $t('register.receipt.reprint') }}</el-button>
        <el-button v-if="src" size="large" class="sp-touch" link :data-test="dataTest + '-window'" @click="openWindow">{{ $t('register.receipt.openWindow') }}</el-button>
        <el-button type="primary" size="large" class="sp-touch" :data-test="dataTest + '-close'" @click="close">{{ closeLabel || $t('register.receipt.close') }} (Esc)</el-button>
      </template>
    </el-dialog>`,
};
