//! Customer rules: contact details (mainland and E.164 phone numbers, masking), the unified
//! social credit code (统一社会信用代码) check character, and the loyalty arithmetic (points
//! earned, redeemed, expiring; stored-value top-up bonuses), and RFM scores and segments.

pub mod contact;
pub mod loyalty;
pub mod rfm;
pub mod tax_id;
