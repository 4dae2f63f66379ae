//! Customers and membership: profiles, tiers and the loyalty programme, the points and
//! stored-value accounts (ledgers written in the sale's own transaction), the 360 view,
//! follow-up tasks, segments, reports, data quality and privacy.

pub mod accounts;
pub mod expiry;
pub mod export;
pub mod history;
pub mod import;
pub mod lookup;
pub mod merge;
pub mod privacy;
pub mod profiles;
pub mod reports;
pub mod rfm;
pub mod segments;
pub mod tasks;
pub mod tier_review;
pub mod tiers;
pub mod topups;
pub mod view;
