//! Typed identifiers. Every entity id is a UUIDv7 (time-ordered, so ids sort by creation and
//! make good cursors) wrapped in its own type, so a `StoreId` can never be passed where a
//! `UserId` is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(transparent)]
        #[schema(value_type = String, format = Uuid)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

typed_id!(
    /// A company (tenant): everything else belongs to one.
    CompanyId,
    /// A region grouping stores.
    RegionId,
    /// A location: a store (sales point) or a warehouse.
    StoreId,
    /// A register (terminal) in a store.
    RegisterId,
    /// A sales channel.
    ChannelId,
    /// A person who signs in.
    UserId,
    /// An integration's API key.
    ApiKeyId,
    /// A login session.
    SessionId,
    /// A one-time manager approval.
    ApprovalId,
    /// A row of the audit trail.
    AuditId,
);
