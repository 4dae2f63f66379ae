//! Sales, returns and shift reports laid out as printable slips (`salepoint_print::Document`):
//! the labels in Chinese or English, amounts formatted in the sale's currency. The figures are
//! the stored ones — a receipt never recomputes anything.

use salepoint_domain::money::Currency;
use salepoint_domain::org::local_time;
use salepoint_print::{Block, Document};
use salepoint_store::customers::history::SaleMember;
use salepoint_store::orders::Sale;
use salepoint_store::orders::prints::PrintContext;
use salepoint_store::orders::shifts::{CashMove, Shift};

/// The language of a slip.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// `en…` → English, anything else → Chinese (the default).
    pub fn parse(s: Option<&str>) -> Lang {
        match s {
            Some(l) if l.starts_with("en") => Lang::En,
            _ => Lang::Zh,
        }
    }

    /// The HTML `lang` attribute.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    fn t(self, zh: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// `￥12.34` (the currency's symbol where it has a common one, else its code).
pub fn money(minor: i64, currency: &str) -> String {
    let exp = Currency::from_code(currency).map_or(2, |c| c.exponent()) as u32;
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let symbol = match currency {
        "CNY" => "￥",
        "USD" => "$",
        "EUR" => "€",
        _ => "",
    };
    let body = if exp == 0 {
        abs.to_string()
    } else {
        let div = 10u64.pow(exp);
        format!("{}.{:0w$}", abs / div, abs % div, w = exp as usize)
    };
    if symbol.is_empty() {
        format!("{sign}{body} {currency}")
    } else {
        format!("{sign}{symbol}{body}")
    }
}

fn unix(stored: &str) -> i64 {
    salepoint_store::clock::parse(stored).map_or(0, |t| t.unix_timestamp())
}

fn pair(label: &str, value: String) -> Block {
    Block::Pair {
        label: label.to_string(),
        value,
    }
}

/// The receipt of a sale or return (with the member's points and stored value when it was
/// made for a member).
pub fn receipt(
    sale: &Sale,
    member: Option<&SaleMember>,
    ctx: &PrintContext,
    lang: Lang,
    copy: bool,
) -> Document {
    let m = |v: i64| money(v, &sale.currency);
    let is_return = sale.kind == "return";
    let mut b = vec![
        Block::Title(ctx.company_name.clone()),
        Block::Text(ctx.store_name.clone()),
    ];
    if !ctx.store_address.is_empty() {
        b.push(Block::Text(ctx.store_address.clone()));
    }
    b.push(Block::Text(
        if is_return {
            lang.t("退货单", "RETURN")
        } else {
            lang.t("销售小票", "SALES RECEIPT")
        }
        .to_string(),
    ));
    b.push(pair(lang.t("单号", "Receipt"), sale.receipt_no.clone()));
    b.push(pair(
        lang.t("时间", "Time"),
        local_time(unix(&sale.created_at), &ctx.time_zone),
    ));
    b.push(pair(
        lang.t("收银台", "Register"),
        ctx.register_code.clone(),
    ));
    b.push(pair(lang.t("收银员", "Cashier"), sale.cashier_name.clone()));
    if sale.offline {
        b.push(pair(lang.t("离线销售", "Offline sale"), "✓".into()));
    }
    b.push(Block::Rule);
    for l in &sale.lines {
        let mut detail = format!("{} × {}", l.quantity, m(l.unit_price_minor));
        let disc = l.line_discount_minor + l.order_discount_minor;
        if disc != 0 {
            detail.push_str(&format!(" {} {}", lang.t("优惠", "disc."), m(-disc)));
        }
        b.push(Block::Item {
            name: l.name.clone(),
            detail,
            amount: m(l.total_minor),
        });
    }
    b.push(Block::Rule);
    b.push(pair(lang.t("合计", "Subtotal"), m(sale.subtotal_minor)));
    if sale.discount_minor != 0 {
        b.push(pair(lang.t("优惠", "Discount"), m(-sale.discount_minor)));
    }
    if sale.rounding_minor != 0 {
        b.push(pair(lang.t("抹零", "Rounding"), m(sale.rounding_minor)));
    }
    b.push(Block::Total {
        label: if is_return {
            lang.t("应退", "Refund")
        } else {
            lang.t("应付", "Total")
        }
        .into(),
        value: m(sale.amount_due_minor),
    });
    let mut rates: Vec<(String, i64)> = Vec::new();
    for l in &sale.lines {
        match rates.iter_mut().find(|(r, _)| *r == l.tax_rate) {
            Some(x) => x.1 += l.tax_minor,
            None => rates.push((l.tax_rate.clone(), l.tax_minor)),
        }
    }
    for (rate, tax) in rates.iter().filter(|(_, t)| *t != 0) {
        let pct = rust_decimal::Decimal::from_str_exact(rate)
            .map(|d| {
                (d * rust_decimal::Decimal::ONE_HUNDRED)
                    .normalize()
                    .to_string()
            })
            .unwrap_or_else(|_| rate.clone());
        b.push(pair(
            &format!("{} {pct}%", lang.t("其中税额", "incl. VAT")),
            m(*tax),
        ));
    }
    if let Some(mb) = member {
        b.push(Block::Rule);
        if let Some(no) = &mb.member_no {
            b.push(pair(lang.t("会员", "Member"), no.clone()));
        }
        if mb.points_earned != 0 {
            b.push(pair(
                lang.t("本单积分", "Points earned"),
                format!("{:+}", mb.points_earned),
            ));
        }
        if mb.points_used != 0 {
            b.push(pair(
                lang.t("积分抵扣", "Points used"),
                mb.points_used.to_string(),
            ));
        }
        if mb.stored_value_minor != 0 {
            b.push(pair(
                lang.t("储值支付", "Stored value"),
                m(mb.stored_value_minor),
            ));
        }
    }
    b.push(Block::Rule);
    for t in &sale.tenders {
        let name = ctx
            .tender_names
            .get(&t.code)
            .cloned()
            .unwrap_or_else(|| t.code.clone());
        b.push(pair(&name, m(t.amount_minor)));
        if let Some(given) = t.tendered_minor.filter(|g| *g != t.amount_minor) {
            b.push(pair(lang.t("  实收", "  Tendered"), m(given)));
        }
        if let Some(l4) = &t.card_last4 {
            b.push(pair(lang.t("  卡号", "  Card"), format!("**** {l4}")));
        }
        if let Some(r) = &t.reference {
            b.push(pair(lang.t("  参考号", "  Ref."), r.clone()));
        }
    }
    if sale.change_minor != 0 {
        b.push(Block::Total {
            label: lang.t("找零", "Change").into(),
            value: m(sale.change_minor),
        });
    }
    b.push(Block::Rule);
    b.push(Block::Code(sale.receipt_no.clone()));
    b.push(Block::Text(
        lang.t(
            "凭小票退换货 · 谢谢惠顾",
            "Keep this receipt for returns · Thank you",
        )
        .into(),
    ));
    Document { blocks: b, copy }
}

/// The X report (open shift) or Z report (closed) of a shift.
pub fn shift_report(
    shift: &Shift,
    moves: &[CashMove],
    ctx: &PrintContext,
    currency: &str,
    lang: Lang,
) -> Document {
    let m = |v: i64| money(v, currency);
    let tz = &ctx.time_zone;
    let mut b = vec![
        Block::Title(ctx.company_name.clone()),
        Block::Text(ctx.store_name.clone()),
        Block::Text(match shift.z_number {
            Some(z) => format!("{} #{z}", lang.t("Z 报表（日结）", "Z REPORT")),
            None => lang.t("X 报表（班中）", "X REPORT").to_string(),
        }),
        pair(lang.t("收银台", "Register"), ctx.register_code.clone()),
        pair(lang.t("收银员", "Cashier"), shift.cashier_name.clone()),
        pair(
            lang.t("开班", "Opened"),
            local_time(unix(&shift.opened_at), tz),
        ),
    ];
    if let Some(c) = &shift.closed_at {
        b.push(pair(lang.t("交班", "Closed"), local_time(unix(c), tz)));
    }
    b.push(Block::Rule);
    b.push(pair(
        lang.t("销售笔数", "Sales"),
        shift.sales_count.to_string(),
    ));
    b.push(pair(
        lang.t("退货笔数", "Returns"),
        shift.returns_count.to_string(),
    ));
    b.push(pair(
        lang.t("备用金", "Opening float"),
        m(shift.opening_float_minor),
    ));
    for mv in moves {
        let label = if mv.kind == "paid_in" {
            lang.t("存入", "Paid in")
        } else {
            lang.t("取出", "Paid out")
        };
        let signed = if mv.kind == "paid_in" {
            mv.amount_minor
        } else {
            -mv.amount_minor
        };
        b.push(pair(&format!("{label} {}", mv.reason), m(signed)));
    }
    b.push(Block::Rule);
    for t in &shift.totals {
        let name = ctx
            .tender_names
            .get(&t.code)
            .cloned()
            .unwrap_or_else(|| t.code.clone());
        b.push(Block::Total {
            label: format!("{name} {}", lang.t("应有", "expected")),
            value: m(t.expected_minor),
        });
        if let (Some(c), Some(v)) = (t.counted_minor, t.variance_minor) {
            b.push(pair(lang.t("  实点", "  Counted"), m(c)));
            b.push(pair(lang.t("  差异", "  Variance"), m(v)));
        }
    }
    Document {
        blocks: b,
        copy: false,
    }
}

#[cfg(test)]
mod tests {
    use super::money;

    #[test]
    fn formats_money() {
        assert_eq!(money(1234, "CNY"), "￥12.34");
        assert_eq!(money(-5, "CNY"), "-￥0.05");
        assert_eq!(money(500, "JPY"), "500 JPY");
    }
}

/// `html`, `pdf` or `escpos`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Html,
    Pdf,
    Escpos,
}

/// The document as an HTTP answer in the asked format.
pub fn render(
    doc: &Document,
    format: Format,
    lang: Lang,
    name: &str,
) -> crate::error::ApiResult<axum::response::Response> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let internal = |e: salepoint_print::PrintError| crate::error::ApiError::Internal(e.to_string());
    Ok(match format {
        // The register shows slips in a frame of its own page: same origin only.
        Format::Html => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
                (header::X_FRAME_OPTIONS, "SAMEORIGIN".to_string()),
            ],
            salepoint_print::html(doc, lang.tag()),
        )
            .into_response(),
        Format::Pdf => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("inline; filename=\"{name}.pdf\""),
                ),
            ],
            salepoint_print::pdf(doc).map_err(internal)?,
        )
            .into_response(),
        Format::Escpos => (
            [
                (header::CONTENT_TYPE, "application/octet-stream".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}.bin\""),
                ),
            ],
            salepoint_print::escpos(doc).map_err(internal)?,
        )
            .into_response(),
    })
}
