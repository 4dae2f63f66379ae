// A printable document in a dialog: the server's receipt or shift report
// (GET /sales/{id}/receipt?format=html, /shifts/{id}/report?format=html) in an iframe, or the
// register's own local receipt (HTML made in the browser) for a sale still waiting to upload.
// Print prints the frame; reprint asks the server for the copy (重印) and prints that.
import { computed, ref, watch } from 'vue';

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
    const loaded = ref(false);
    let printWhenLoaded = false;

    watch(() => [props.modelValue, props.src, props.html], ([open]) => {
      if (open) {
        copy.value = false;
        loaded.value = false;
      }
    });
    const url = computed(() => {
      if (!props.src) return '';
      return copy.value ? `${props.src}${props.src.includes('?') ? '&' : '?'}copy=true` : props.src;
    });

    function print() {
      try {
        frame.value?.contentWindow?.focus();
        frame.value?.contentWindow?.print();
      } catch (e) {
        console.warn('register: cannot print the frame', e);
      }
    }
    function onLoad() {
      loaded.value = true;
      if (printWhenLoaded) {
        printWhenLoaded = false;
        print();
      }
    }
    function doReprint() {
      printWhenLoaded = true;
      loaded.value = false;
      if (copy.value) frame.value?.contentWindow?.location.reload();
      else copy.value = true;
    }
    function close() {
      emit('update:modelValue', false);
      emit('closed');
    }
    return { frame, url, copy, loaded, print, onLoad, doReprint, close };
  },
  template: `
    <el-dialog :model-value="modelValue" @update:model-value="(v) => !v && close()" :title="title" width="460px" append-to-body
               :data-test="dataTest" class="sp-doc-dialog">
      <iframe v-if="modelValue && url" ref="frame" :src="url" class="sp-doc-frame" :data-test="dataTest + '-frame'" @load="onLoad"></iframe>
      <iframe v-else-if="modelValue && html" ref="frame" :srcdoc="html" class="sp-doc-frame" :data-test="dataTest + '-local'" @load="onLoad"></iframe>
      <div v-if="copy" class="sp-muted sp-small" :data-test="dataTest + '-copy'">{{ $t('register.receipt.copyNote') }}</div>
      <template #footer>
        <el-button size="large" class="sp-touch" :data-test="dataTest + '-print'" @click="print"><el-icon><Printer /></el-icon><span>{{ $t('register.receipt.print') }}</span></el-button>
        <el-button v-if="reprint && src" size="large" class="sp-touch" :data-test="dataTest + '-reprint'" @click="doReprint">{{ $t('register.receipt.reprint') }}</el-button>
        <el-button type="primary" size="large" class="sp-touch" :data-test="dataTest + '-close'" @click="close">{{ closeLabel || $t('register.receipt.close') }} (Esc)</el-button>
      </template>
    </el-dialog>`,
};
