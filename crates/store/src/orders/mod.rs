//! Orders: register sales and returns (and, later, sales orders). A sale is checked and priced
//! (`sales`, `returns`), then written with its lines, tenders, stock movements, receipt number
//! and live event in one transaction shared with other sales (`writer`).

mod batch_pricing;
pub mod context;
pub mod model;
pub mod prepared;
pub mod prints;
pub mod read;
pub mod returns;
pub mod sales;
pub mod shifts;
pub mod tenders;
pub mod timing;
pub(crate) mod unnest;
pub mod writer;

pub use model::{ReturnInput, Sale, SaleInput};
pub use writer::{Outcome, SaleWriter};
