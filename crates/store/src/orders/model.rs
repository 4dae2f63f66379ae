//! What the register sends and what the API answers for sales and returns
//! (docs/register.md is the contract).

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use std::str::FromStr;
use utoipa::ToSchema;

/// A decimal sent as a JSON string (`"0.532"`) or number (`2`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(value_type = String, example = "1.5")]
pub struct DecimalText(pub String);

impl<'de> Deserialize<'de> for DecimalText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => Ok(DecimalText(s)),
            serde_json::Value::Number(n) => Ok(DecimalText(n.to_string())),
            _ => Err(serde::de::Error::custom("a decimal as a string or number")),
        }
    }
}

impl DecimalText {
    /// The value, if it is a plain decimal.
    pub fn parse(&self) -> Option<Decimal> {
        Decimal::from_str(self.0.trim()).ok()
    }
}

/// A claimed discount: exactly one of `percent` or `amount_minor`.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscountInput {
    /// Percent of the base, 0–100.
    pub percent: Option<DecimalText>,
    /// Amount in minor units.
    pub amount_minor: Option<i64>,
}

/// One line of a sale as the register sends it.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaleLineInput {
    pub product_id: String,
    pub quantity: DecimalText,
    /// The unit price the register charged (from its catalog sync).
    pub unit_price_minor: i64,
    pub discount: Option<DiscountInput>,
}

/// One tender of a sale or refund.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenderInput {
    /// The tender type's code (`CASH`, `CARD`, `VOUCHER` …).
    pub code: String,
    /// The part of the amount due paid with this tender.
    pub amount_minor: i64,
    /// Cash handed over (≥ `amount_minor`); the difference is change.
    pub tendered_minor: Option<i64>,
    /// Card terminal or voucher reference.
    pub reference: Option<String>,
    /// At most the last four digits of a card.
    pub card_last4: Option<String>,
}

/// A sale from a register.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaleInput {
    /// Client-generated UUID; the sale's id forever.
    pub id: String,
    pub register_id: String,
    pub shift_id: String,
    pub customer_tier: Option<String>,
    /// The member the sale is for: their tier's prices, points earned, and the `POINTS` and
    /// `STORED_VALUE` tenders pay from their accounts.
    pub customer_id: Option<String>,
    /// True when the register sold it without the server.
    #[serde(default)]
    pub offline: bool,
    /// The register's clock when the sale was made (RFC 3339).
    pub created_at: Option<String>,
    pub lines: Vec<SaleLineInput>,
    pub order_discount: Option<DiscountInput>,
    /// From `POST /approvals` (action `discount`).
    pub approval_token: Option<String>,
    pub tenders: Vec<TenderInput>,
}

/// A line of a return.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnLineInput {
    /// The line of the original sale (with a receipt).
    pub line_no: Option<i64>,
    /// The product (without a receipt).
    pub product_id: Option<String>,
    pub quantity: DecimalText,
    /// Put the goods back on the shelf (else written off).
    #[serde(default = "yes")]
    pub restock: bool,
    pub reason: Option<String>,
}

fn yes() -> bool {
    true
}

/// A return, against a sale or (with approval) without a receipt.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnInput {
    pub id: String,
    pub register_id: String,
    pub shift_id: String,
    pub original_sale_id: Option<String>,
    pub lines: Vec<ReturnLineInput>,
    /// Refund tenders; default: the original sale's tenders, cash last.
    pub refund: Option<Vec<TenderInput>>,
    /// From `POST /approvals` (action `return`).
    pub approval_token: Option<String>,
    #[serde(default)]
    pub offline: bool,
    pub created_at: Option<String>,
}

/// A stored sale or return line.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SaleLine {
    pub line_no: i64,
    pub product_id: String,
    pub sku: String,
    pub name: String,
    #[schema(value_type = String)]
    pub quantity: String,
    pub unit_price_minor: i64,
    pub gross_minor: i64,
    pub line_discount_minor: i64,
    pub order_discount_minor: i64,
    pub net_minor: i64,
    pub tax_rate: String,
    pub tax_minor: i64,
    pub total_minor: i64,
    /// How much of this line later returns took back.
    #[schema(value_type = String)]
    pub returned_quantity: String,
    pub original_line_no: Option<i64>,
    pub restock: Option<bool>,
    pub reason: Option<String>,
}

/// A stored tender.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SaleTender {
    pub code: String,
    pub kind: String,
    pub amount_minor: i64,
    pub tendered_minor: Option<i64>,
    pub change_minor: i64,
    pub reference: Option<String>,
    pub card_last4: Option<String>,
}

/// A completed sale or return: the figures every receipt, invoice and report reads.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Sale {
    pub id: String,
    /// `sale` or `return`.
    pub kind: String,
    pub original_sale_id: Option<String>,
    pub store_id: String,
    pub store_code: String,
    pub register_id: String,
    pub shift_id: String,
    pub cashier_id: String,
    pub cashier_name: String,
    pub receipt_no: String,
    pub business_day: String,
    pub currency: String,
    pub customer_tier: Option<String>,
    /// The member the sale or return was for.
    pub customer_id: Option<String>,
    /// What the sale did to the member's accounts (in the answer to `POST /sales` and
    /// `POST /returns`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<crate::customers::accounts::MemberSummary>,
    pub subtotal_minor: i64,
    pub discount_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub rounding_minor: i64,
    pub amount_due_minor: i64,
    pub paid_minor: i64,
    pub change_minor: i64,
    pub offline: bool,
    /// `negative_stock`, `price_changed`, `late_shift`.
    pub flags: Vec<String>,
    pub created_at: String,
    pub client_created_at: Option<String>,
    pub lines: Vec<SaleLine>,
    pub tenders: Vec<SaleTender>,
}

/// Quantity in thousandths, as stored.
pub fn to_milli(q: Decimal) -> Option<i64> {
    i64::try_from((q * Decimal::from(1000)).round()).ok()
}

/// A stored quantity in thousandths as a decimal string without trailing zeros.
pub fn from_milli(m: i64) -> String {
    Decimal::new(m, 3).normalize().to_string()
}
