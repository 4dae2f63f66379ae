// The route table: hash path → screen, with the permission each needs (as in the side menu).
import LoginView from './views/login.js';
import HomeView from './views/home.js';
import CompanyView from './views/company.js';
import RegionsView from './views/regions.js';
import StoresView from './views/stores.js';
import RegistersView from './views/registers.js';
import UsersView from './views/users.js';
import ApiKeysView from './views/api-keys.js';
import AuditView from './views/audit.js';
import ProductsView from './views/products.js';
import CategoriesView from './views/categories.js';
import TaxClassesView from './views/tax-classes.js';
import PriceListsView from './views/price-lists.js';
import ScaleFormatsView from './views/scale-formats.js';
import ProductImportView from './views/product-import.js';
import RegisterView from './views/register.js';
import SalesView from './views/sales.js';
import ShiftsView from './views/shifts.js';
import TenderTypesView from './views/tender-types.js';
import StockView from './views/stock.js';
import StockAlertsView from './views/stock-alerts.js';
import SuppliersView from './views/suppliers.js';
import PurchaseOrdersView from './views/purchase-orders.js';
import PurchaseOrderView from './views/purchase-order.js';
import PurchaseOrderReceiveView from './views/purchase-order-receive.js';
import TransfersView from './views/transfers.js';
import TransferView from './views/transfer.js';
import StockCountsView from './views/stock-counts.js';
import StockCountView from './views/stock-count.js';
import ReplenishmentView from './views/replenishment.js';
import StockValuationView from './views/stock-valuation.js';
import CustomersView from './views/customers.js';
import CustomerView from './views/customer.js';
import CustomerImportView from './views/customer-import.js';
import CustomerDuplicatesView from './views/customer-duplicates.js';
import CustomerTasksView from './views/customer-tasks.js';
import MemberTiersView from './views/member-tiers.js';
import SegmentsView from './views/segments.js';
import CustomerReportsView from './views/customer-reports.js';
import DashboardView from './views/dashboard.js';
import ReportsView from './views/reports.js';
import InventoryReportsView from './views/inventory-reports.js';

export const ROUTES = [
  { name: 'login', path: '/login', component: LoginView, public: true },
  { name: 'home', path: '/', component: HomeView },
  // Analytics (docs/analytics.md): the live dashboard (also the home screen with reports.read)
  // and the sales reports.
  { name: 'dashboard', path: '/dashboard', component: DashboardView, perm: 'reports.read' },
  { name: 'reports', path: '/reports', component: ReportsView, perm: 'reports.read' },
  { name: 'inventory-reports', path: '/inventory-reports', component: InventoryReportsView, perm: 'reports.read' },
  // The register (收银台): selling, returns and the shift at one register of a store.
  { name: 'register', path: '/register', component: RegisterView, perm: 'sales.create' },
  // What was sold: sales and returns (with their receipts), shifts (with X/Z reports).
  { name: 'sales', path: '/sales', component: SalesView, perm: 'sales.read' },
  { name: 'shifts', path: '/shifts', component: ShiftsView, perm: 'sales.read' },
  // Inventory (库存, docs/inventory.md): read with stock.read; the screens hide what needs
  // stock.manage / stock.approve / suppliers.manage.
  { name: 'stock', path: '/stock', component: StockView, perm: 'stock.read' },
  { name: 'stock-alerts', path: '/stock-alerts', component: StockAlertsView, perm: 'stock.read' },
  { name: 'suppliers', path: '/suppliers', component: SuppliersView, perm: 'stock.read' },
  { name: 'purchase-orders', path: '/purchase-orders', component: PurchaseOrdersView, perm: 'stock.read' },
  { name: 'purchase-order', path: '/purchase-orders/:id', component: PurchaseOrderView, perm: 'stock.read', menu: 'purchase-orders' },
  { name: 'purchase-order-receive', path: '/purchase-orders/:id/receive', component: PurchaseOrderReceiveView, perm: 'stock.manage', menu: 'purchase-orders' },
  { name: 'transfers', path: '/transfers', component: TransfersView, perm: 'stock.read' },
  { name: 'transfer', path: '/transfers/:id', component: TransferView, perm: 'stock.read', menu: 'transfers' },
  { name: 'stock-counts', path: '/stock-counts', component: StockCountsView, perm: 'stock.read' },
  { name: 'stock-count', path: '/stock-counts/:id', component: StockCountView, perm: 'stock.read', menu: 'stock-counts' },
  { name: 'replenishment', path: '/replenishment', component: ReplenishmentView, perm: 'stock.read' },
  { name: 'stock-valuation', path: '/stock-valuation', component: StockValuationView, perm: 'stock.read' },
  // Customers and membership (客户, docs/customers.md): read with customers.read; the screens
  // hide what needs customers.manage / customers.contact / customers.admin.
  { name: 'customers', path: '/customers', component: CustomersView, perm: 'customers.read' },
  { name: 'customer-import', path: '/customers/import', component: CustomerImportView, perm: 'customers.manage' },
  { name: 'customer-duplicates', path: '/customers/duplicates', component: CustomerDuplicatesView, perm: 'customers.read', menu: 'customers' },
  { name: 'customer', path: '/customers/:id', component: CustomerView, perm: 'customers.read', menu: 'customers' },
  { name: 'customer-tasks', path: '/customer-tasks', component: CustomerTasksView, perm: 'customers.read' },
  { name: 'member-tiers', path: '/member-tiers', component: MemberTiersView, perm: 'customers.read' },
  { name: 'segments', path: '/segments', component: SegmentsView, perm: 'customers.read' },
  { name: 'customer-reports', path: '/customer-reports', component: CustomerReportsView, perm: 'customers.read' },
  { name: 'company', path: '/company', component: CompanyView, perm: 'company.read' },
  { name: 'regions', path: '/regions', component: RegionsView, perm: 'company.read' },
  { name: 'stores', path: '/stores', component: StoresView, perm: 'org.read' },
  { name: 'registers', path: '/stores/:id/registers', component: RegistersView, perm: 'org.read', menu: 'stores' },
  // Read by everyone who sees the stores; changed only with tenders.manage (admins).
  { name: 'tender-types', path: '/tender-types', component: TenderTypesView, perm: 'org.read' },
  { name: 'users', path: '/users', component: UsersView, perm: 'users.read' },
  { name: 'api-keys', path: '/api-keys', component: ApiKeysView, perm: 'api_keys.read' },
  { name: 'audit', path: '/audit', component: AuditView, perm: 'audit.read' },
  { name: 'products', path: '/products', component: ProductsView, perm: 'catalog.read' },
  { name: 'categories', path: '/categories', component: CategoriesView, perm: 'catalog.read' },
  { name: 'tax-classes', path: '/tax-classes', component: TaxClassesView, perm: 'catalog.read' },
  { name: 'price-lists', path: '/price-lists', component: PriceListsView, perm: 'catalog.read' },
  { name: 'scale-formats', path: '/scale-formats', component: ScaleFormatsView, perm: 'catalog.read' },
  // Importing changes the catalog: only for those who may manage it.
  { name: 'product-import', path: '/products/import', component: ProductImportView, perm: 'catalog.manage' },
];
