//! Roles, permissions and store scope: the permission matrix lives here, in code, and
//! `docs/permissions.md` documents it. Every endpoint asks two questions: does the caller's
//! role grant the permission, and is the object inside the caller's store scope.

use crate::ids::StoreId;
use crate::org::string_enum;
use std::collections::BTreeSet;

string_enum!(
    /// What a user or API key is. A user has exactly one role.
    Role {
        Admin = "admin",
        RegionalManager = "regional_manager",
        StoreManager = "store_manager",
        Cashier = "cashier",
        StockClerk = "stock_clerk",
        Accountant = "accountant",
        Auditor = "auditor",
    }
);

string_enum!(
    /// One thing a caller may do.
    Permission {
        /// Read company settings.
        CompanyRead = "company.read",
        /// Change company settings.
        CompanyManage = "company.manage",
        /// Read regions, stores, registers and channels (within scope).
        OrgRead = "org.read",
        /// Create and change regions, stores, warehouses and channels.
        OrgManage = "org.manage",
        /// Create and change registers of stores in scope.
        RegistersManage = "registers.manage",
        /// List users of stores in scope.
        UsersRead = "users.read",
        /// Create and change users of stores in scope, with a lower role.
        UsersManage = "users.manage",
        /// List API keys.
        ApiKeysRead = "api_keys.read",
        /// Create and revoke API keys.
        ApiKeysManage = "api_keys.manage",
        /// Read the audit trail.
        AuditRead = "audit.read",
        /// Approve a register action (discount, refund, void) for a store in scope.
        ApprovalsGrant = "approvals.grant",
        /// Read products, categories, tax classes, price lists, scale formats; sync a register.
        CatalogRead = "catalog.read",
        /// Change the catalog and prices; import products.
        CatalogManage = "catalog.manage",
        /// Sell and take returns at a register, open and close shifts, pay in and out.
        SalesCreate = "sales.create",
        /// Read sales, returns, receipts and shift reports of stores in scope.
        SalesRead = "sales.read",
        /// Define the tender types (cash, card, vouchers …) of the company.
        TendersManage = "tenders.manage",
        /// Read stock levels, movements, valuation, suppliers and stock documents in scope.
        StockRead = "stock.read",
        /// Draft and submit purchase orders, receive goods, request, ship and receive
        /// transfers, count stock, adjust and write off, set reorder rules (in scope).
        StockManage = "stock.manage",
        /// Approve purchase orders above the company's limit, approve and close transfers,
        /// approve stock counts (which posts their adjustments), cancel documents.
        StockApprove = "stock.approve",
        /// Create and change suppliers and what they supply.
        SuppliersManage = "suppliers.manage",
        /// Read customers (phone numbers masked), tiers, points and stored value, tasks and
        /// segments; look a member up at the register.
        CustomersRead = "customers.read",
        /// Create and change customers, their tasks and segments; top up stored value.
        CustomersManage = "customers.manage",
        /// See customers' full phone numbers and contact details (each reveal is audited).
        CustomersContact = "customers.contact",
        /// Export everything held about a person, erase (anonymise) them, merge duplicates,
        /// set tiers and the loyalty programme.
        CustomersAdmin = "customers.admin",
        /// Read sales reports and the live dashboard of stores in scope; analytics events.
        ReportsRead = "reports.read",
    }
);

impl Role {
    /// The permission matrix.
    pub fn permissions(&self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Admin => Permission::ALL,
            Role::RegionalManager => &[
                OrgRead,
                RegistersManage,
                UsersRead,
                UsersManage,
                ApprovalsGrant,
                CatalogRead,
                SalesCreate,
                SalesRead,
                StockRead,
                StockManage,
                StockApprove,
                SuppliersManage,
                CustomersRead,
                CustomersManage,
                CustomersContact,
                ReportsRead,
            ],
            Role::StoreManager => &[
                OrgRead,
                RegistersManage,
                UsersRead,
                UsersManage,
                ApprovalsGrant,
                CatalogRead,
                SalesCreate,
                SalesRead,
                StockRead,
                StockManage,
                StockApprove,
                CustomersRead,
                CustomersManage,
                CustomersContact,
                ReportsRead,
            ],
            Role::Cashier => &[
                OrgRead,
                CatalogRead,
                SalesCreate,
                SalesRead,
                StockRead,
                CustomersRead,
                CustomersManage,
            ],
            Role::StockClerk => &[OrgRead, CatalogRead, StockRead, StockManage],
            Role::Accountant => &[
                CompanyRead,
                OrgRead,
                CatalogRead,
                SalesRead,
                StockRead,
                CustomersRead,
                ReportsRead,
            ],
            Role::Auditor => &[
                CompanyRead,
                OrgRead,
                UsersRead,
                ApiKeysRead,
                AuditRead,
                CatalogRead,
                SalesRead,
                StockRead,
                CustomersRead,
                ReportsRead,
            ],
        }
    }

    /// Whether this role grants `p`.
    pub fn has(&self, p: Permission) -> bool {
        self.permissions().contains(&p)
    }

    /// Whether this role sees every store regardless of assignments.
    pub fn sees_all_stores(&self) -> bool {
        matches!(self, Role::Admin | Role::Auditor)
    }

    /// Whether a user of this role may create or change a user holding `other`. Only an admin
    /// hands out admin, auditor, accountant or manager roles; managers manage store staff
    /// below them, so nobody can raise their own privileges.
    pub fn may_assign(&self, other: Role) -> bool {
        match self {
            Role::Admin => true,
            Role::RegionalManager => {
                matches!(other, Role::StoreManager | Role::Cashier | Role::StockClerk)
            }
            Role::StoreManager => matches!(other, Role::Cashier | Role::StockClerk),
            _ => false,
        }
    }
}

/// The stores a caller may see: all of them, or a set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    Stores(BTreeSet<StoreId>),
}

impl Scope {
    /// Whether `store` is inside the scope.
    pub fn contains(&self, store: StoreId) -> bool {
        match self {
            Scope::All => true,
            Scope::Stores(s) => s.contains(&store),
        }
    }

    /// Whether every store of `stores` is inside the scope.
    pub fn covers<'a>(&self, stores: impl IntoIterator<Item = &'a StoreId>) -> bool {
        stores.into_iter().all(|s| self.contains(*s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_has_everything_and_auditor_changes_nothing() {
        for p in Permission::ALL {
            assert!(Role::Admin.has(*p));
        }
        for p in Role::Auditor.permissions() {
            assert!(
                p.as_str().ends_with(".read"),
                "auditor may not {}",
                p.as_str()
            );
        }
    }

    #[test]
    fn nobody_but_admin_can_create_an_admin() {
        for r in Role::ALL {
            assert_eq!(r.may_assign(Role::Admin), *r == Role::Admin);
            // no role may hand out its own role unless admin (no lateral escalation)
            if *r != Role::Admin {
                assert!(!r.may_assign(*r));
            }
        }
    }

    #[test]
    fn scope() {
        let a = StoreId::new();
        let b = StoreId::new();
        let s = Scope::Stores([a].into_iter().collect());
        assert!(s.contains(a));
        assert!(!s.contains(b));
        assert!(!s.covers(&[a, b]));
        assert!(Scope::All.covers(&[a, b]));
    }
}
