// Every visible string of the UI, in Simplified Chinese (the default) and English side by side:
// each key maps to [zh-CN, en]. `t(key, params)` replaces {name} placeholders. The choice is kept
// in localStorage; Element Plus's own texts (date pickers, pagination, empty tables) follow it.
import { computed, ref } from 'vue';
import zhCn from 'element-plus/locale/zh-cn';
import en from 'element-plus/locale/en';

const STORAGE_KEY = 'salepoint.locale';
export const SUPPORTED = ['zh-CN', 'en'];

const TABLE = {
  // Shell
  'app.name': ['Salepoint 零售管理', 'Salepoint'],
  'lang.switch': ['English', '中文'],
  'header.logout': ['退出登录', 'Log out'],
  'menu.home': ['首页', 'Home'],
  'menu.company': ['公司设置', 'Company'],
  'menu.regions': ['区域', 'Regions'],
  'menu.stores': ['门店与仓库', 'Stores & warehouses'],
  'menu.users': ['用户', 'Users'],
  'menu.apiKeys': ['API 密钥', 'API keys'],
  'menu.audit': ['审计日志', 'Audit trail'],
  'menu.catalog': ['商品', 'Catalog'],
  'menu.products': ['商品', 'Products'],
  'menu.categories': ['分类', 'Categories'],
  'menu.taxClasses': ['税率', 'Tax classes'],
  'menu.priceLists': ['价格表', 'Price lists'],
  'menu.scaleFormats': ['秤码格式', 'Scale formats'],
  'menu.productImport': ['商品导入', 'Import'],

  // Own password
  'password.title': ['修改密码', 'Change password'],
  'password.current': ['当前密码', 'Current password'],
  'password.new': ['新密码', 'New password'],
  'password.repeat': ['再次输入新密码', 'Repeat new password'],
  'password.mismatch': ['两次输入的密码不一致', 'The two passwords differ'],
  'password.changed': ['密码已修改，请用新密码重新登录', 'Password changed; sign in again with the new one'],

  // Login
  'login.title': ['登录', 'Sign in'],
  'login.username': ['用户名', 'Username'],
  'login.password': ['密码', 'Password'],
  'login.submit': ['登录', 'Sign in'],
  'login.invalid': ['用户名或密码错误', 'Wrong username or password'],

  // Home
  'home.welcome': ['欢迎，{name}', 'Welcome, {name}'],
  'home.company': ['公司', 'Company'],
  'home.role': ['角色', 'Role'],
  'home.scope': ['可见门店', 'Stores you can see'],
  'home.scopeAll': ['全部门店', 'All stores'],
  'home.scopeSome': ['{n} 家门店', '{n} store(s)'],
  'home.comingSoon': ['销售看板即将上线。', 'The sales dashboard is coming here soon.'],

  // Common words
  'common.save': ['保存', 'Save'],
  'common.cancel': ['取消', 'Cancel'],
  'common.create': ['创建', 'Create'],
  'common.edit': ['编辑', 'Edit'],
  'common.actions': ['操作', 'Actions'],
  'common.active': ['启用', 'Active'],
  'common.inactive': ['停用', 'Inactive'],
  'common.saved': ['已保存', 'Saved'],
  'common.refresh': ['刷新', 'Refresh'],
  'list.loadMore': ['加载更多', 'Load more'],
  'list.empty': ['暂无数据', 'Nothing here yet'],

  // Fields used by several forms
  'field.code': ['编码', 'Code'],
  'field.name': ['名称', 'Name'],
  'field.status': ['状态', 'Status'],
  'field.active': ['启用', 'Active'],
  'field.timeZone': ['时区', 'Time zone'],
  'field.timeZonePlaceholder': ['选择或输入时区', 'Pick or type a time zone'],

  // Company
  'company.title': ['公司设置', 'Company settings'],
  'company.readOnly': ['您可以查看公司设置，但无权修改。', 'You can read the company settings but not change them.'],
  'company.currency': ['币种', 'Currency'],
  'company.currencyFormat': ['三位大写字母的 ISO 4217 代码，如 CNY', 'A three-letter ISO 4217 code such as CNY'],
  'company.defaultLocale': ['默认语言', 'Default language'],
  'company.taxMode': ['价格计税方式', 'Prices are'],
  'company.roundingRule': ['金额舍入规则', 'Rounding rule'],
  'locale.zh-CN': ['简体中文', 'Simplified Chinese'],
  'locale.en': ['英语', 'English'],
  'taxMode.inclusive': ['含税价', 'Tax inclusive'],
  'taxMode.exclusive': ['不含税价', 'Tax exclusive'],
  'roundingRule.half_up': ['四舍五入', 'Half up'],
  'roundingRule.half_even': ['银行家舍入（四舍六入五成双）', 'Half even (banker\'s)'],

  // Regions
  'regions.title': ['区域', 'Regions'],
  'regions.create': ['新建区域', 'New region'],
  'regions.edit': ['编辑区域', 'Edit region'],

  // Stores & warehouses
  'stores.title': ['门店与仓库', 'Stores & warehouses'],
  'stores.create': ['新建门店/仓库', 'New store or warehouse'],
  'stores.edit': ['编辑门店/仓库', 'Edit store or warehouse'],
  'stores.kind': ['类型', 'Kind'],
  'stores.region': ['所属区域', 'Region'],
  'stores.noRegion': ['无区域', 'No region'],
  'stores.address': ['地址', 'Address'],
  'stores.cutoff': ['营业日切换时间', 'Business day starts at'],
  'stores.cutoffHelp': ['此时间之前的销售计入前一营业日', 'Sales before this hour count for the previous day'],
  'stores.cashRounding': ['现金抹零', 'Cash rounding'],
  'stores.negativeStock': ['负库存销售', 'Selling below zero stock'],
  'stores.registers': ['收银机', 'Registers'],
  'stores.allKinds': ['全部类型', 'All kinds'],
  'stores.allRegions': ['全部区域', 'All regions'],
  'stores.timeZoneDefault': ['默认使用公司时区', 'Defaults to the company\'s time zone'],
  'stores.searchPlaceholder': ['搜索编码或名称', 'Search code or name'],
  'storeKind.store': ['门店', 'Store'],
  'storeKind.warehouse': ['仓库', 'Warehouse'],
  'cashRounding.none': ['不抹零', 'None'],
  'cashRounding.0.1': ['抹到角 (0.1)', 'To 0.1'],
  'cashRounding.1': ['抹到元 (1)', 'To 1'],
  'negativeStock.allow': ['允许（事后跟进）', 'Allow (flag for follow-up)'],
  'negativeStock.refuse': ['不允许', 'Refuse'],

  // Registers
  'registers.title': ['收银机：{store}', 'Registers: {store}'],
  'registers.back': ['返回门店列表', 'Back to stores'],
  'registers.create': ['新增收银机', 'New register'],
  'registers.edit': ['编辑收银机', 'Edit register'],

  // Users
  'users.title': ['用户', 'Users'],
  'users.create': ['新建用户', 'New user'],
  'users.edit': ['编辑用户', 'Edit user'],
  'users.username': ['用户名', 'Username'],
  'users.displayName': ['姓名', 'Display name'],
  'users.phone': ['手机号', 'Phone'],
  'users.locale': ['语言', 'Language'],
  'users.role': ['角色', 'Role'],
  'users.stores': ['门店', 'Stores'],
  'users.regions': ['区域', 'Regions'],
  'users.searchPlaceholder': ['搜索用户名或姓名', 'Search username or name'],
  'users.allRoles': ['全部角色', 'All roles'],
  'users.storesPlaceholder': ['选择门店', 'Choose stores'],
  'users.regionsPlaceholder': ['选择区域', 'Choose regions'],
  'users.password': ['初始密码', 'Initial password'],
  'users.newPassword': ['新密码', 'New password'],
  'users.passwordHelp': ['至少 8 位，不易猜测（可用不相关的词、数字和符号组合）',
    'At least 8 characters and hard to guess (mix unrelated words, digits and symbols)'],
  'users.resetPassword': ['重置密码', 'Reset password'],
  'users.resetPasswordFor': ['重置 {username} 的密码', 'Reset the password of {username}'],
  'users.passwordReset': ['密码已重置', 'Password reset'],
  'users.enabled': ['用户已启用', 'User enabled'],
  'users.disabled': ['用户已停用', 'User disabled'],
  'role.admin': ['管理员', 'Administrator'],
  'role.regional_manager': ['区域经理', 'Regional manager'],
  'role.store_manager': ['店长', 'Store manager'],
  'role.cashier': ['收银员', 'Cashier'],
  'role.stock_clerk': ['库管员', 'Stock clerk'],
  'role.accountant': ['财务', 'Accountant'],
  'role.auditor': ['审计员', 'Auditor'],

  // API keys
  'apiKeys.title': ['API 密钥', 'API keys'],
  'apiKeys.create': ['新建 API 密钥', 'New API key'],
  'apiKeys.prefix': ['前缀', 'Prefix'],
  'apiKeys.createdAt': ['创建时间', 'Created'],
  'apiKeys.lastUsedAt': ['最近使用', 'Last used'],
  'apiKeys.never': ['从未使用', 'Never'],
  'apiKeys.revoke': ['吊销', 'Revoke'],
  'apiKeys.revokeConfirm': ['确定吊销密钥“{name}”？使用它的系统将立即无法访问。',
    'Revoke the key "{name}"? Systems using it lose access at once.'],
  'apiKeys.revoked': ['密钥已吊销', 'Key revoked'],
  'apiKeys.revokedAt': ['已吊销 {at}', 'Revoked {at}'],
  'apiKeys.secretTitle': ['新的 API 密钥', 'Your new API key'],
  'apiKeys.secretOnce': ['密钥只显示这一次，请立即复制并妥善保存。', 'This secret is shown only once: copy it now and keep it safe.'],
  'apiKeys.copy': ['复制', 'Copy'],
  'apiKeys.copied': ['已复制到剪贴板', 'Copied to the clipboard'],
  'apiKeys.copyFailed': ['无法复制，请手动选择复制', 'Could not copy; select the text and copy it by hand'],
  'apiKeys.secretDone': ['我已保存', 'I have saved it'],

  // Audit trail
  'audit.title': ['审计日志', 'Audit trail'],
  'audit.time': ['时间', 'Time'],
  'audit.actor': ['操作人', 'Actor'],
  'audit.action': ['操作', 'Action'],
  'audit.target': ['对象', 'Target'],
  'audit.details': ['详情', 'Details'],
  'audit.clientIp': ['IP 地址', 'IP address'],
  'audit.verify': ['校验日志链', 'Verify chain'],
  'audit.chainOk': ['日志链完整：已校验 {n} 条记录', 'The chain is intact: {n} entries checked'],
  'audit.chainBroken': ['日志链在第 {seq} 条处断裂（已校验 {n} 条）', 'The chain is broken at entry {seq} ({n} checked)'],
  'actorKind.user': ['用户', 'user'],
  'actorKind.api_key': ['API 密钥', 'API key'],
  'actorKind.system': ['系统', 'system'],
  'audit.actionFilter': ['操作前缀，如 login.', 'Action starts with, e.g. login.'],
  'auditAction.login.succeeded': ['登录成功', 'Signed in'],
  'auditAction.login.failed': ['登录失败', 'Sign-in failed'],
  'auditAction.logout': ['退出登录', 'Signed out'],
  'auditAction.company.updated': ['修改公司设置', 'Company settings changed'],
  'auditAction.region.created': ['新建区域', 'Region created'],
  'auditAction.region.updated': ['修改区域', 'Region changed'],
  'auditAction.store.created': ['新建门店/仓库', 'Store or warehouse created'],
  'auditAction.store.updated': ['修改门店/仓库', 'Store or warehouse changed'],
  'auditAction.register.created': ['新增收银机', 'Register created'],
  'auditAction.register.updated': ['修改收银机', 'Register changed'],
  'auditAction.channel.created': ['新建渠道', 'Channel created'],
  'auditAction.channel.updated': ['修改渠道', 'Channel changed'],
  'auditAction.user.created': ['新建用户', 'User created'],
  'auditAction.user.updated': ['修改用户', 'User changed'],
  'auditAction.user.role_changed': ['变更用户角色', 'User role changed'],
  'auditAction.user.enabled': ['启用用户', 'User enabled'],
  'auditAction.user.disabled': ['停用用户', 'User disabled'],
  'auditAction.user.password_reset': ['重置密码', 'Password reset'],
  'auditAction.user.pin_set': ['设置授权码', 'Approval PIN set'],
  'auditAction.api_key.created': ['新建 API 密钥', 'API key created'],
  'auditAction.api_key.revoked': ['吊销 API 密钥', 'API key revoked'],
  'auditAction.approval.granted': ['主管授权', 'Approval granted'],
  'auditAction.tax_class.created': ['新建税率类别', 'Tax class created'],
  'auditAction.tax_class.updated': ['修改税率类别', 'Tax class changed'],
  'auditAction.category.created': ['新建商品分类', 'Category created'],
  'auditAction.category.updated': ['修改商品分类', 'Category changed'],
  'auditAction.product.created': ['新建商品', 'Product created'],
  'auditAction.product.updated': ['修改商品', 'Product changed'],
  'auditAction.product.imported': ['导入商品', 'Products imported'],
  'auditAction.price_list.created': ['新建价格表', 'Price list created'],
  'auditAction.price_list.updated': ['修改价格表', 'Price list changed'],
  'auditAction.price_list.items_updated': ['修改价格表商品价格', 'Price list prices changed'],
  'auditAction.scale_format.created': ['新建秤码格式', 'Scale format created'],
  'auditAction.scale_format.updated': ['修改秤码格式', 'Scale format changed'],
  'targetType.company': ['公司', 'company'],
  'targetType.region': ['区域', 'region'],
  'targetType.store': ['门店/仓库', 'store'],
  'targetType.register': ['收银机', 'register'],
  'targetType.channel': ['渠道', 'channel'],
  'targetType.user': ['用户', 'user'],
  'targetType.session': ['会话', 'session'],
  'targetType.api_key': ['API 密钥', 'API key'],
  'targetType.approval': ['授权', 'approval'],
  'targetType.tax_class': ['税率类别', 'tax class'],
  'targetType.category': ['商品分类', 'category'],
  'targetType.product': ['商品', 'product'],
  'targetType.price_list': ['价格表', 'price list'],
  'targetType.scale_format': ['秤码格式', 'scale format'],

  // Money typed in major units (yuan)
  'money.format': ['请输入金额，如 12.50', 'Enter an amount such as 12.50'],
  'money.negative': ['金额不能为负数', 'The amount cannot be negative'],
  'money.decimals': ['最多 {n} 位小数', 'At most {n} decimals'],

  // Catalog: shared
  'catalog.categoryPlaceholder': ['选择分类', 'Choose a category'],
  'unit.piece': ['个', 'piece'],
  'unit.box': ['盒', 'box'],
  'unit.pack': ['包', 'pack'],
  'unit.bottle': ['瓶', 'bottle'],
  'unit.can': ['罐', 'can'],
  'unit.bag': ['袋', 'bag'],
  'unit.kg': ['千克', 'kg'],
  'unit.g': ['克', 'g'],
  'unit.litre': ['升', 'litre'],
  'unit.ml': ['毫升', 'ml'],
  'unit.metre': ['米', 'metre'],
  'productStatus.active': ['在售', 'Active'],
  'productStatus.discontinued': ['停售', 'Discontinued'],
  'barcodeKind.ean13': ['EAN-13', 'EAN-13'],
  'barcodeKind.ean8': ['EAN-8', 'EAN-8'],
  'barcodeKind.upca': ['UPC-A', 'UPC-A'],
  'barcodeKind.internal': ['店内码', 'Internal'],
  'barcode.wrongCheckDigit': ['校验位错误，末位应为 {digit}', 'Wrong check digit, should end in {digit}'],
  'barcode.digitsOnly': ['EAN/UPC 条码只能是数字；店内自编码请勾选“店内码”',
    'EAN and UPC codes are digits only; tick "internal" for store-made codes'],
  'barcode.length': ['{n} 位：EAN-13 为 13 位，UPC-A 为 12 位，EAN-8 为 8 位；其他编码请勾选“店内码”',
    '{n} digits: EAN-13 has 13, UPC-A 12, EAN-8 8; tick "internal" for other codes'],
  'barcode.internalFormat': ['店内码为 1–32 位字母、数字、- 或 _', 'Internal codes are 1 to 32 letters, digits, \'-\' or \'_\''],

  // Products
  'products.title': ['商品', 'Products'],
  'products.create': ['新建商品', 'New product'],
  'products.edit': ['编辑商品', 'Edit product'],
  'products.searchPlaceholder': ['扫码或输入条码、编码、名称、拼音首字母（如 kkkl）', 'Scan or type a barcode, SKU, name or pinyin (e.g. kkkl)'],
  'products.searchNote': ['按匹配程度显示前 {n} 条结果', 'Showing the best {n} matches'],
  'products.allCategories': ['全部分类', 'All categories'],
  'products.brandFilter': ['品牌（回车筛选）', 'Brand (press Enter)'],
  'products.allStatuses': ['全部状态', 'All statuses'],
  'products.exportCsv': ['导出 CSV', 'Export CSV'],
  'products.exportXlsx': ['导出 Excel', 'Export XLSX'],
  'products.pickPlaceholder': ['搜索商品：条码、编码、名称或拼音', 'Find a product: barcode, SKU, name or pinyin'],
  'products.sku': ['商品编码', 'SKU'],
  'products.nameZh': ['商品名称', 'Chinese name'],
  'products.nameEn': ['英文名称', 'English name'],
  'products.receiptName': ['小票名称', 'Receipt name'],
  'products.receiptNameHelp': ['打印在小票上的简称，留空则用商品名称', 'Short name on receipts; empty uses the product name'],
  'products.category': ['分类', 'Category'],
  'products.brand': ['品牌', 'Brand'],
  'products.unit': ['单位', 'Unit'],
  'products.soldByWeight': ['称重商品', 'Sold by weight'],
  'products.soldByWeightHelp': ['在秤上称重或扫描秤码销售', 'Weighed at the scale or read from a scale label'],
  'products.quantityPrecision': ['数量精度', 'Quantity precision'],
  'products.decimals': ['{n} 位小数', '{n} decimals'],
  'products.taxClass': ['税率类别', 'Tax class'],
  'products.taxClassPlaceholder': ['选择税率类别', 'Choose a tax class'],
  'products.costPrice': ['成本价', 'Cost price'],
  'products.listPrice': ['零售价', 'List price'],
  'products.barcode': ['条码', 'Barcode'],
  'products.barcodes': ['条码', 'Barcodes'],
  'products.barcodeInternal': ['店内码', 'Internal'],
  'products.addBarcode': ['添加条码', 'Add barcode'],
  'products.barcodeHelp': ['EAN-13、UPC-A、EAN-8 会检查校验位；店内自编码请勾选“店内码”',
    'EAN-13, UPC-A and EAN-8 check digits are checked; tick "internal" for store-made codes'],
  'products.barcodeTaken': ['条码已被其他商品使用', 'This barcode belongs to another product'],
  'products.plu': ['PLU 码', 'PLU'],
  'products.pluHelp': ['称重商品在电子秤上的编号', 'The product\'s number on the scales'],
  'products.familyCode': ['款式编码', 'Family code'],
  'products.familyCodeHelp': ['同款不同规格（颜色、尺码）的商品填写相同编码', 'The same code for variants (colour, size) of one item'],
  'products.imageUrl': ['图片地址', 'Image URL'],
  'products.attributes': ['属性', 'Attributes'],
  'products.attributeKey': ['属性名，如 产地', 'Name, e.g. origin'],
  'products.attributeValue': ['属性值', 'Value'],
  'products.addAttribute': ['添加属性', 'Add attribute'],

  // Categories
  'categories.title': ['商品分类', 'Categories'],
  'categories.create': ['新建分类', 'New category'],
  'categories.createRoot': ['新建一级分类', 'New top-level category'],
  'categories.edit': ['编辑分类', 'Edit category'],
  'categories.addChild': ['添加子分类', 'Add subcategory'],
  'categories.editMove': ['编辑/移动', 'Edit / move'],
  'categories.name': ['中文名称', 'Name'],
  'categories.nameEn': ['英文名称', 'English name'],
  'categories.parent': ['上级分类', 'Parent'],
  'categories.noParent': ['无（一级分类）', 'None (top level)'],
  'categories.sort': ['排序', 'Sort order'],
  'categories.sortHelp': ['数字小的排在前面', 'Lower numbers come first'],
  'categories.filterPlaceholder': ['筛选分类名称或编码', 'Filter by name or code'],

  // Tax classes
  'taxClasses.title': ['税率', 'Tax classes'],
  'taxClasses.create': ['新建税率类别', 'New tax class'],
  'taxClasses.edit': ['编辑税率类别', 'Edit tax class'],
  'taxClasses.rate': ['税率', 'Rate'],
  'taxClasses.rateHelp': ['按百分比填写，如 13 表示 13%', 'In percent: 13 means 13 %'],
  'taxClasses.rateError.format': ['请输入百分比数字，如 13 或 6.5', 'Enter a percentage such as 13 or 6.5'],
  'taxClasses.rateError.range': ['税率须小于 100%', 'The rate must be below 100 %'],
  'taxClasses.rateError.decimals': ['最多 2 位小数', 'At most 2 decimals'],

  // Price lists
  'priceLists.title': ['价格表', 'Price lists'],
  'priceLists.create': ['新建价格表', 'New price list'],
  'priceLists.edit': ['编辑价格表', 'Edit price list'],
  'priceLists.channel': ['渠道', 'Channel'],
  'priceLists.store': ['门店', 'Store'],
  'priceLists.region': ['区域', 'Region'],
  'priceLists.tier': ['会员等级', 'Customer tier'],
  'priceLists.tierPlaceholder': ['会员等级，如 gold；留空表示所有顾客', 'A tier such as gold; empty for every customer'],
  'priceLists.validity': ['有效期', 'Valid'],
  'priceLists.validFrom': ['生效时间', 'Valid from'],
  'priceLists.validTo': ['失效时间', 'Valid until'],
  'priceLists.noStart': ['立即生效', 'From now on'],
  'priceLists.noEnd': ['长期有效', 'No end'],
  'priceLists.toBeforeFrom': ['失效时间须晚于生效时间', 'Must be after the start'],
  'priceLists.always': ['长期有效', 'Always'],
  'priceLists.priority': ['优先级', 'Priority'],
  'priceLists.priorityHelp': ['同时适用多个价格表时，优先级高的生效', 'When several lists apply, the higher priority wins'],
  'priceLists.any': ['全部', 'Any'],
  'priceLists.scope': ['适用范围', 'Applies to'],
  'priceLists.everywhere': ['所有渠道和门店', 'Every channel and store'],
  'priceLists.anyChannel': ['全部渠道', 'Any channel'],
  'priceLists.anyStore': ['全部门店', 'Any store'],
  'priceLists.anyRegion': ['全部区域', 'Any region'],
  'priceLists.items': ['商品价格', 'Prices'],
  'priceLists.itemColumn': ['商品数', 'Products'],
  'priceLists.itemsOf': ['商品价格：{name}', 'Prices: {name}'],
  'priceLists.price': ['价格', 'Price'],
  'priceLists.addItem': ['添加', 'Add'],
  'priceLists.remove': ['移除', 'Remove'],
  'priceLists.undoRemove': ['撤销', 'Undo'],
  'priceLists.pickProduct': ['请先选择商品', 'Choose a product first'],
  'priceLists.filterItems': ['在本表中筛选编码或名称', 'Filter this list by SKU or name'],
  'priceLists.itemCount': ['共 {n} 个商品', '{n} product(s)'],
  'priceLists.unsaved': ['{n} 处修改未保存', '{n} unsaved change(s)'],
  'priceLists.itemsSaved': ['已保存 {n} 处修改', '{n} change(s) saved'],
  'priceLists.check': ['价格查询', 'Price check'],
  'priceLists.checkHelp': ['查询某商品在指定门店、渠道和会员等级下的实际售价', 'Which price a product has for a store, channel and tier'],
  'priceLists.now': ['现在', 'Now'],
  'priceLists.checkRun': ['查询', 'Check'],
  'priceLists.resolvedPrice': ['售价', 'Price'],
  'priceLists.source': ['来源', 'From'],
  'priceLists.listPriceSource': ['零售价（无适用的价格表）', 'List price (no price list applies)'],

  // Scale formats
  'scaleFormats.title': ['秤码格式', 'Scale label formats'],
  'scaleFormats.create': ['新建秤码格式', 'New scale format'],
  'scaleFormats.edit': ['编辑秤码格式', 'Edit scale format'],
  'scaleFormats.prefix': ['前缀', 'Prefix'],
  'scaleFormats.prefixHelp': ['秤码开头的 1–3 位数字，如 2 或 21', 'The 1 to 3 digits a label starts with, e.g. 2 or 21'],
  'scaleFormats.prefixFormat': ['前缀为 1–3 位数字', 'The prefix is 1 to 3 digits'],
  'scaleFormats.pluDigits': ['PLU 位数', 'PLU digits'],
  'scaleFormats.valueKind': ['数值类型', 'Value'],
  'scaleFormats.valueDigits': ['数值位数', 'Value digits'],
  'scaleFormats.layout': ['条码结构', 'Layout'],
  'scaleFormats.layoutHelp': ['前缀+PLU+数值共 {n} 位，须为 12 位（第 13 位为校验位）',
    'Prefix + PLU + value = {n} digits; must be 12 (the 13th is the check digit)'],
  'scaleFormats.totalWrong': ['前缀+PLU+数值须共 12 位，现为 {n} 位', 'Prefix + PLU + value must be 12 digits, not {n}'],
  'scaleFormats.test': ['测试秤码', 'Test a label'],
  'scaleFormats.testHelp': ['扫描或输入一个条码，看系统识别出的商品、重量和金额', 'Scan or type a code to see the product, weight and price it means'],
  'scaleFormats.testPlaceholder': ['扫描或输入条码', 'Scan or type a code'],
  'scaleFormats.testRun': ['识别', 'Read'],
  'scaleFormats.noMatch': ['没有匹配的商品或秤码', 'No product or scale label matches this code'],
  'scaleFormats.product': ['商品', 'Product'],
  'scaleFormats.source': ['识别方式', 'Read as'],
  'scaleFormats.quantity': ['数量/重量', 'Quantity / weight'],
  'scaleFormats.price': ['金额', 'Price'],
  'scaleFormats.noPrice': ['—（按收银时的售价计算）', '— (priced at the register)'],
  'scaleValueKind.weight': ['重量（克）', 'Weight (grams)'],
  'scaleValueKind.price': ['金额（分）', 'Price (minor units)'],
  'scanSource.barcode': ['商品条码', 'Product barcode'],
  'scanSource.scale': ['秤码', 'Scale label'],

  // Product import
  'import.title': ['商品导入', 'Import products'],
  'import.templateZh': ['下载模板（中文表头）', 'Template (Chinese headers)'],
  'import.templateEn': ['下载模板（英文表头）', 'Template (English headers)'],
  'import.stepChoose': ['选择文件', 'Choose a file'],
  'import.stepCheck': ['检查', 'Check'],
  'import.stepImport': ['导入', 'Import'],
  'import.choose': ['选择 CSV 或 Excel 文件', 'Choose a CSV or XLSX file'],
  'import.chooseHelp': ['支持 CSV（UTF-8 或 GBK）和 XLSX，最大 64 MB；选择后会先检查，不会立即导入',
    'CSV (UTF-8 or GBK) or XLSX up to 64 MB; the file is checked first, nothing is imported yet'],
  'import.recheck': ['重新检查', 'Check again'],
  'import.ruleHeaders': ['第一行为表头，中文或英文表头均可（见模板）', 'The first row holds the headers, in Chinese or English (see the templates)'],
  'import.ruleMatch': ['按商品编码匹配：已有的商品会被更新，新的会被创建', 'Rows are matched by SKU: existing products are updated, new ones created'],
  'import.rulePrices': ['价格以元为单位填写，如 12.50', 'Prices in yuan, e.g. 12.50'],
  'import.ruleBarcodes': ['多个条码用英文分号 ; 分隔', 'Separate several barcodes with ;'],
  'import.wrongType': ['只能导入 .csv 或 .xlsx 文件', 'Only .csv and .xlsx files can be imported'],
  'import.tooLarge': ['文件超过 64 MB', 'The file is larger than 64 MB'],
  'import.checking': ['正在检查文件…', 'Checking the file…'],
  'import.checkTitle': ['检查结果（尚未导入）', 'Check result (nothing imported yet)'],
  'import.totalRows': ['总行数', 'Rows'],
  'import.validRows': ['有效行', 'Valid rows'],
  'import.willCreate': ['将新建', 'To create'],
  'import.willUpdate': ['将更新', 'To update'],
  'import.errorCount': ['错误', 'Errors'],
  'import.errorsFound': ['发现 {n} 个错误，涉及 {rows} 行', '{n} error(s) in {rows} row(s)'],
  'import.noErrors': ['没有发现错误，可以导入', 'No errors: ready to import'],
  'import.row': ['行号', 'Row'],
  'import.column': ['列', 'Column'],
  'import.value': ['内容', 'Value'],
  'import.message': ['问题', 'Problem'],
  'import.skipInvalid': ['跳过有错误的行', 'Skip invalid rows'],
  'import.run': ['导入', 'Import'],
  'import.fixOrSkip': ['请修改文件后重新选择，或勾选“跳过有错误的行”', 'Fix the file and choose it again, or skip the invalid rows'],
  'import.finished': ['导入完成', 'Import finished'],
  'import.doneTitle': ['导入结果', 'Import result'],
  'import.created': ['新建', 'Created'],
  'import.updated': ['更新', 'Updated'],
  'import.unchanged': ['未变化', 'Unchanged'],
  'import.skipped': ['已跳过', 'Skipped'],
  'import.again': ['导入其他文件', 'Import another file'],

  // Field errors from the server (errors[].code) and the client
  'fieldError.required': ['必填', 'Required'],
  'fieldError.too_long': ['最多 {n} 个字符', 'At most {n} characters'],
  'fieldError.too_short': ['至少 {n} 个字符', 'At least {n} characters'],
  'fieldError.invalid_format': ['格式不正确', 'Invalid format'],
  'fieldError.invalid': ['无效的值', 'Invalid value'],
  'fieldError.invalid_value': ['无效的值', 'Invalid value'],
  'fieldError.wrong': ['不正确', 'Not correct'],
  'fieldError.out_of_range': ['超出允许范围', 'Out of range'],
  'fieldError.too_weak': ['密码太容易被猜到：请用更长的短语，或混合不相关的词、数字和符号',
    'Too easy to guess: use a longer phrase or mix unrelated words, digits and symbols'],
  'fieldError.code.invalid_format': ['只能包含字母、数字、- 和 _', 'Only letters, digits, \'-\' and \'_\''],
  'fieldError.username.invalid_format': ['3–32 位小写字母、数字、.、_ 或 -', '3 to 32 lower-case letters, digits, \'.\', \'_\' or \'-\''],
  'fieldError.phone.invalid_format': ['只能包含数字、空格、+ 和 -，最多 20 位', 'Digits, spaces, \'+\' and \'-\', at most 20 characters'],
  'fieldError.currency.invalid_value': ['请输入 ISO 4217 币种代码，如 CNY', 'An ISO 4217 currency code such as CNY'],
  'fieldError.time_zone.invalid_value': ['请输入 IANA 时区，如 Asia/Shanghai', 'An IANA time zone such as Asia/Shanghai'],
  'fieldError.taken': ['已存在，请换一个', 'Already exists; choose another'],
  'fieldError.duplicate': ['已存在，请换一个', 'Already exists; choose another'],
  'fieldError.conflict': ['已存在，请换一个', 'Already exists; choose another'],
  'fieldError.not_found': ['不存在或无权访问', 'Does not exist or is out of your reach'],
  'fieldError.forbidden': ['无权设置此值', 'You may not set this value'],

  // Errors of the API (problem code)
  'apiError.network': ['无法连接服务器，请检查网络', 'Cannot reach the server; check the network'],
  'apiError.unauthenticated': ['登录已过期，请重新登录', 'Your session has ended; please sign in again'],
  'apiError.forbidden': ['您没有执行此操作的权限', 'You are not allowed to do this'],
  'apiError.csrf_failed': ['安全校验失败，请刷新页面后重试', 'Security check failed; reload the page and try again'],
  'apiError.not_found': ['记录不存在或无权访问', 'Not found, or out of your reach'],
  'apiError.conflict': ['与已有记录冲突（编码或名称重复）', 'Conflicts with an existing record (duplicate code or name)'],
  'apiError.version_conflict': ['该记录已被他人修改，已为您重新加载最新内容', 'Someone else changed this record; the latest version has been loaded'],
  'apiError.validation_failed': ['请检查填写的内容', 'Please check the form'],
  'apiError.too_many_attempts': ['尝试次数过多，请 {seconds} 秒后再试', 'Too many attempts; try again in {seconds} seconds'],
  'apiError.unavailable': ['服务暂时不可用，请稍后重试', 'The service is unavailable; try again shortly'],
  'apiError.internal': ['服务器内部错误，请稍后重试', 'Internal server error; try again shortly'],
  'apiError.idempotency_in_progress': ['请求正在处理中，请稍候', 'The request is still being processed'],
  'apiError.unknown': ['出错了，请重试', 'Something went wrong; please try again'],
};

function initialLocale() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (SUPPORTED.includes(saved)) return saved;
  } catch {
    // storage blocked: fall back to the default
  }
  return 'zh-CN';
}

/** The language of the moment ('zh-CN' or 'en'); reading it in a render makes the render follow it. */
export const locale = ref(initialLocale());

/** Element Plus's locale object for <el-config-provider>. */
export const elementLocale = computed(() => (locale.value === 'en' ? en : zhCn));

function applyToDocument() {
  document.documentElement.lang = locale.value;
  document.title = TABLE['app.name'][locale.value === 'en' ? 1 : 0];
}

/** Switches the language and remembers the choice. */
export function setLocale(value) {
  if (!SUPPORTED.includes(value)) return;
  locale.value = value;
  try {
    localStorage.setItem(STORAGE_KEY, value);
  } catch {
    // not remembered; still switched
  }
  applyToDocument();
}

/** Whether the table has `key`. */
export function has(key) {
  return Object.prototype.hasOwnProperty.call(TABLE, key);
}

/** The text of `key` in the current language, with {placeholders} replaced from `params`. */
export function t(key, params) {
  const row = TABLE[key];
  if (!row) {
    console.warn(`[i18n] missing key: ${key}`);
    return key;
  }
  let text = row[locale.value === 'en' ? 1 : 0];
  if (params) text = text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
  return text;
}

/**
 * The label of a value of a closed set, e.g. tv('role', 'cashier'). Empty for a missing value
 * (Element Plus renders table cells once with an empty row to find nested columns).
 */
export function tv(prefix, value) {
  if (value === undefined || value === null || value === '') return '';
  return t(`${prefix}.${value}`);
}

/** Every key (used by the table check in the browser test). */
export const KEYS = Object.keys(TABLE);

applyToDocument();
