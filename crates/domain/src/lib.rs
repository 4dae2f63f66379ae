//! Salepoint's pure business rules: no I/O, no HTTP, no SQL.
//!
//! Every layer above (store, server, cli) takes its rules from here, so that a rule such as
//! "which role may do what" or "how an audit row is hashed" exists exactly once.

pub mod audit_chain;
pub mod catalog;
pub mod checkout;
pub mod customers;
pub mod ids;
pub mod inventory;
pub mod money;
pub mod org;
pub mod password;
pub mod payments;
pub mod pricing;
pub mod roles;
pub mod validation;
