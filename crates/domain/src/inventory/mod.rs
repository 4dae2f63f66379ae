//! Inventory rules: the life of purchase orders, transfers and stock counts, the moving-average
//! cost, the status of a stock level and how much to reorder. The store layer asks these
//! functions and never decides on its own.

pub mod documents;
pub mod levels;

pub use documents::{CountStatus, PoStatus, TransferStatus, Transition};
pub use levels::{
    ReorderInput, StockStatus, moving_average, over_receipt_limit, stock_status, suggest_quantity,
};
