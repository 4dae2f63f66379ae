//! Sales analytics: rollups of the immutable sales and returns kept by a background worker
//! (`rollup`, which finds new sales through the outbox in `follow`; its cost in `work`), their
//! from-scratch check and rebuild (`verify`), and the reports and dashboard read from them
//! (`reports`). The contract is docs/analytics.md.

pub mod dashboard;
mod follow;
pub mod reports;
pub mod rollup;
pub mod sales_export;
pub mod stock_reports;
pub mod verify;
pub mod work;
