//! Who is calling: a signed-in user (session) or an integration (API key), with the role and
//! the stores they may see, resolved once per request.

use salepoint_domain::ids::{CompanyId, StoreId};
use salepoint_domain::roles::{Permission, Role, Scope};

/// How the caller authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrincipalKind {
    /// A session of a user; `csrf_hash` guards cookie-authenticated writes.
    Session {
        session_id: String,
        csrf_hash: String,
    },
    /// An API key.
    ApiKey,
    /// The operator at the command line (`salepoint user …`), acting as an administrator.
    System,
}

/// The authenticated caller of a request.
#[derive(Clone, Debug)]
pub struct Principal {
    pub kind: PrincipalKind,
    /// The user's or API key's id.
    pub id: String,
    /// Username, or the API key's name.
    pub name: String,
    pub company_id: CompanyId,
    pub role: Role,
    pub scope: Scope,
}

impl Principal {
    /// Whether the caller's role grants `p`.
    pub fn can(&self, p: Permission) -> bool {
        self.role.has(p)
    }

    /// Whether `store` is visible to the caller.
    pub fn sees(&self, store: StoreId) -> bool {
        self.scope.contains(store)
    }

    /// `"user"` or `"api_key"`, as written to the audit trail.
    pub fn actor_kind(&self) -> &'static str {
        match self.kind {
            PrincipalKind::Session { .. } => "user",
            PrincipalKind::ApiKey => "api_key",
            PrincipalKind::System => "system",
        }
    }

    /// The command-line operator of `company`, with an administrator's rights.
    pub fn system(company_id: CompanyId) -> Self {
        Principal {
            kind: PrincipalKind::System,
            id: "cli".into(),
            name: "cli".into(),
            company_id,
            role: Role::Admin,
            scope: Scope::All,
        }
    }

    /// The key idempotency records are stored under.
    pub fn idempotency_scope(&self) -> String {
        format!("{}:{}", self.actor_kind(), self.id)
    }

    /// Scope as a list of store id strings, or `None` for all stores (for SQL filters).
    pub fn store_filter(&self) -> Option<Vec<String>> {
        match &self.scope {
            Scope::All => None,
            Scope::Stores(s) => Some(s.iter().map(|id| id.to_string()).collect()),
        }
    }
}
