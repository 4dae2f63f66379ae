// The language switch (中文 ⇄ English) shown on the login page and in the header.
import { locale, setLocale } from '../i18n.js';

export default {
  name: 'LangToggle',
  setup() {
    const toggle = () => setLocale(locale.value === 'en' ? 'zh-CN' : 'en');
    return { toggle };
  },
  template: `
    <el-button class="sp-lang-toggle" data-test="lang-toggle" text @click="toggle">
      <el-icon><Switch /></el-icon><span>{{ $t('lang.switch') }}</span>
    </el-button>`,
};
