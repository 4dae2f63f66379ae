// Customer import (客户导入, #/customers/import): the product import's wizard (product-import.js)
// on POST /customers/import — a dry run with totals and the error table, then the import
// (skip invalid rows optional), Chinese or English template headers.
import { importView } from './product-import.js';

export const CUSTOMER_TEMPLATE_HEADERS = {
  'zh-CN': ['会员号', '姓名', '手机号', '客户类型', '邮箱', '会员卡号', '生日', '性别', '会员等级', '标签', '营销同意', '备注',
    '所属门店', '公司名称', '统一社会信用代码', '开票地址', '收货地址', '信用额度', '账期天数'],
  en: ['member_no', 'name', 'phone', 'kind', 'email', 'card_code', 'birthday', 'gender', 'tier_code', 'tags', 'marketing_consent', 'notes',
    'home_store', 'company_name', 'tax_id', 'billing_address', 'shipping_address', 'credit_limit', 'payment_terms_days'],
};

export default importView({
  name: 'CustomerImportView', path: '/customers/import', perm: 'customers.manage', headers: CUSTOMER_TEMPLATE_HEADERS,
  file: 'customers', title: 'customerImport.title',
  rules: ['customerImport.ruleHeaders', 'customerImport.ruleMatch', 'customerImport.rulePhone', 'customerImport.ruleBusiness'],
});
