//! A sale or return checked and priced, ready to be written: every row it will add, except
//! the receipt number and the stock flags, which the writer assigns inside the transaction.

use super::model::{Sale, SaleLine, SaleTender, from_milli};
use salepoint_domain::org::NegativeStockPolicy;

/// One line as it will be stored (returns carry negative quantities and amounts).
#[derive(Clone, Debug)]
pub struct PreparedLine {
    pub line_no: i64,
    pub product_id: String,
    pub sku: String,
    pub name: String,
    pub quantity_milli: i64,
    pub unit_price_minor: i64,
    pub gross_minor: i64,
    pub line_discount_minor: i64,
    pub order_discount_minor: i64,
    pub net_minor: i64,
    pub tax_rate: String,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub original_line_no: Option<i64>,
    pub restock: Option<bool>,
    pub reason: Option<String>,
    /// What the line does to on-hand at the store (sale: −quantity; restocked return: +).
    pub stock_delta_milli: i64,
    /// A returned line not restocked is written off: in and straight out again.
    pub write_off: bool,
}

/// One tender as it will be stored.
#[derive(Clone, Debug)]
pub struct PreparedTender {
    pub tender_type_id: String,
    pub code: String,
    pub kind: String,
    pub amount_minor: i64,
    pub tendered_minor: Option<i64>,
    pub change_minor: i64,
    pub reference: Option<String>,
    pub card_last4: Option<String>,
}

/// An approval to use up in the sale's transaction.
#[derive(Clone, Debug)]
pub struct ApprovalUse {
    pub token: String,
    pub action: &'static str,
}

/// What a return takes back from its original sale, re-checked inside the writer's
/// transaction so that two returns at once can never take back more than was sold.
#[derive(Clone, Debug)]
pub struct ReturnCheck {
    pub original_sale_id: String,
    /// (original line number, quantity sold, quantity this return takes), thousandths.
    pub lines: Vec<(i64, i64, i64)>,
}

/// A sale or return ready for the writer.
#[derive(Clone, Debug)]
pub struct PreparedSale {
    pub id: String,
    pub kind: &'static str,
    pub original_sale_id: Option<String>,
    pub company_id: String,
    pub store_id: String,
    pub store_code: String,
    pub register_id: String,
    pub shift_id: String,
    pub cashier_id: String,
    pub cashier_name: String,
    /// `user` or `api_key`, for the audit trail.
    pub actor_kind: &'static str,
    pub business_day: String,
    pub currency: String,
    pub customer_tier: Option<String>,
    pub customer_id: Option<String>,
    /// The channel the sale was priced in (sales.channel_id; the analytics channel dimension).
    pub channel_id: Option<String>,
    /// The member's tier code at sale time (`""` for a member without a tier; None without a
    /// member or on a return, which takes its original sale's), for the analytics tier dimension.
    pub member_tier: Option<String>,
    /// What the sale or return does to the member's points and stored value.
    pub member: Option<crate::customers::accounts::MemberEffect>,
    pub subtotal_minor: i64,
    pub discount_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub rounding_minor: i64,
    pub paid_minor: i64,
    pub change_minor: i64,
    pub offline: bool,
    pub flags: Vec<String>,
    pub approval: Option<ApprovalUse>,
    pub request_hash: String,
    pub idem_key: Option<String>,
    pub client_created_at: Option<String>,
    pub created_at: String,
    pub negative_policy: NegativeStockPolicy,
    pub return_check: Option<ReturnCheck>,
    pub lines: Vec<PreparedLine>,
    pub tenders: Vec<PreparedTender>,
}

impl PreparedSale {
    /// The receipt number for the `seq`-th sale of the store's business day.
    pub fn receipt_no(&self, seq: i64) -> String {
        format!(
            "{}-{}-{:04}",
            self.store_code,
            self.business_day.replace('-', ""),
            seq
        )
    }

    /// The API view of the sale once written (no read-back needed).
    pub fn to_sale(&self, receipt_no: String) -> Sale {
        Sale {
            id: self.id.clone(),
            kind: self.kind.to_string(),
            original_sale_id: self.original_sale_id.clone(),
            store_id: self.store_id.clone(),
            store_code: self.store_code.clone(),
            register_id: self.register_id.clone(),
            shift_id: self.shift_id.clone(),
            cashier_id: self.cashier_id.clone(),
            cashier_name: self.cashier_name.clone(),
            receipt_no,
            business_day: self.business_day.clone(),
            currency: self.currency.clone(),
            customer_tier: self.customer_tier.clone(),
            customer_id: self.customer_id.clone(),
            member: None,
            subtotal_minor: self.subtotal_minor,
            discount_minor: self.discount_minor,
            tax_minor: self.tax_minor,
            total_minor: self.total_minor,
            rounding_minor: self.rounding_minor,
            amount_due_minor: self.total_minor + self.rounding_minor,
            paid_minor: self.paid_minor,
            change_minor: self.change_minor,
            offline: self.offline,
            flags: self.flags.clone(),
            created_at: self.created_at.clone(),
            client_created_at: self.client_created_at.clone(),
            lines: self
                .lines
                .iter()
                .map(|l| SaleLine {
                    line_no: l.line_no,
                    product_id: l.product_id.clone(),
                    sku: l.sku.clone(),
                    name: l.name.clone(),
                    quantity: from_milli(l.quantity_milli),
                    unit_price_minor: l.unit_price_minor,
                    gross_minor: l.gross_minor,
                    line_discount_minor: l.line_discount_minor,
                    order_discount_minor: l.order_discount_minor,
                    net_minor: l.net_minor,
                    tax_rate: l.tax_rate.clone(),
                    tax_minor: l.tax_minor,
                    total_minor: l.total_minor,
                    returned_quantity: "0".into(),
                    original_line_no: l.original_line_no,
                    restock: l.restock,
                    reason: l.reason.clone(),
                })
                .collect(),
            tenders: self
                .tenders
                .iter()
                .map(|t| SaleTender {
                    code: t.code.clone(),
                    kind: t.kind.clone(),
                    amount_minor: t.amount_minor,
                    tendered_minor: t.tendered_minor,
                    change_minor: t.change_minor,
                    reference: t.reference.clone(),
                    card_last4: t.card_last4.clone(),
                })
                .collect(),
        }
    }
}
