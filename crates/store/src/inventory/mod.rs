//! Inventory: the stock ledger (append-only movements) and the levels every business action
//! that moves stock writes in its own transaction — sales and returns (orders), goods receipts
//! and supplier returns, transfers, counts and adjustments — plus suppliers, reorder rules,
//! replenishment and valuation.

pub mod adjustments;
pub mod chains;
pub mod counts;
pub mod figures;
pub mod ledger;
pub mod levels;
pub mod locations;
pub mod movements;
pub mod numbers;
pub mod post;
pub mod product_stock;
pub mod products;
pub mod purchase_orders;
pub mod quantity;
pub mod receiving;
pub mod replenishment;
pub mod suppliers;
pub mod transfers;
pub mod valuation;

use crate::error::StoreError;
use salepoint_domain::inventory::Transition;

impl From<Transition> for StoreError {
    fn from(t: Transition) -> Self {
        StoreError::Rule {
            field: "/status".into(),
            code: "invalid_transition",
            message: t.to_string(),
        }
    }
}
