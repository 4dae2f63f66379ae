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

export const ROUTES = [
  { name: 'login', path: '/login', component: LoginView, public: true },
  { name: 'home', path: '/', component: HomeView },
  { name: 'company', path: '/company', component: CompanyView, perm: 'company.read' },
  { name: 'regions', path: '/regions', component: RegionsView, perm: 'company.read' },
  { name: 'stores', path: '/stores', component: StoresView, perm: 'org.read' },
  { name: 'registers', path: '/stores/:id/registers', component: RegistersView, perm: 'org.read', menu: 'stores' },
  { name: 'users', path: '/users', component: UsersView, perm: 'users.read' },
  { name: 'api-keys', path: '/api-keys', component: ApiKeysView, perm: 'api_keys.read' },
  { name: 'audit', path: '/audit', component: AuditView, perm: 'audit.read' },
];
