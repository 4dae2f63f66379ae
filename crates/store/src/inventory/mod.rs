//! Inventory: the stock ledger (append-only movements) and on-hand levels, which every
//! business action that moves stock writes in its own transaction.

pub mod ledger;
