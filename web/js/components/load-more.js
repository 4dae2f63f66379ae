// The "load more" button under a cursor-paginated list; hidden when there is no next page.
export default {
  name: 'LoadMore',
  props: { cursor: { type: [String, null], default: null }, loading: Boolean },
  emits: ['more'],
  template: `
    <div class="sp-load-more" v-if="cursor">
      <el-button data-test="load-more" :loading="loading" @click="$emit('more')">{{ $t('list.loadMore') }}</el-button>
    </div>`,
};
