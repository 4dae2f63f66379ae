//! Salepoint's persistence over SQLite and PostgreSQL.
//!
//! One SQL code path serves both backends through sqlx's `Any` driver: statements use `$n`
//! placeholders and types both engines share (text, 64-bit integers). Each business module has
//! its own file; a business action is one [`db::Tx`].

pub mod analytics;
pub mod api_keys;
pub mod approvals;
pub mod audit;
pub mod bootstrap;
mod bulk;
pub mod cache;
pub mod catalog;
pub mod clock;
mod crud;
pub mod customers;
pub mod db;
pub mod demo;
pub mod demo_catalog;
pub mod demo_customers;
pub mod demo_inventory;
pub mod demo_sales;
pub mod error;
pub mod events;
pub mod idempotency;
pub mod inventory;
pub mod orders;
pub mod org;
pub mod page;
pub mod payments;
pub mod pool;
pub mod principal;
pub mod row;
pub mod secrets;
pub mod sessions;
pub mod sql;
pub mod users;
pub mod wal_sync;

pub use db::{Backend, Db, Tx};
pub use error::{StoreError, StoreResult};
pub use principal::Principal;
