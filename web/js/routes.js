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

export const ROUTES = [
  { name: 'login', path: '/login', component: LoginView, public: true },
  { name: 'home', path: '/', component: HomeView },
  // The register (收银台): selling, returns and the shift at one register of a store.
  { name: 'register', path: '/register', component: RegisterView, perm: 'sales.create' },
  // What was sold: sales and returns (with their receipts), shifts (with X/Z reports).
  { name: 'sales', path: '/sales', component: SalesView, perm: 'sales.read' },
  { name: 'shifts', path: '/shifts', component: ShiftsView, perm: 'sales.read' },
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
