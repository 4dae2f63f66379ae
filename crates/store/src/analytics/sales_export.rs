//! A sales report as a CSV or XLSX file (docs/analytics.md, export): one column per group key
//! (its label), one per measure — and per comparison value, difference and per cent with a
//! comparison. Written row by row from the computed report, so an export of a million rows
//! never holds its JSON or a table of strings; the XLSX in rust_xlsxwriter's constant-memory
//! mode (rows go to a temporary file as they are written, strings inline).

use super::reports::{Computed, Dim, Fig, Measure, diff_pct};
use crate::catalog::export::Format;
use crate::error::{StoreError, StoreResult};
use rust_decimal::Decimal;

/// One cell: a label or rate as text, or a figure in minor units with its decimals.
enum Cell {
    Text(String),
    Figure { value: i64, scale: u32 },
}

impl Cell {
    /// As the CSV writes it (and the screen's numbers read): `12.34`, `1.500`, `7`.
    fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Figure { value, scale } => Decimal::new(*value, *scale).to_string(),
        }
    }
}

fn dim_header(d: Dim, zh: bool) -> &'static str {
    if !zh {
        return d.name();
    }
    match d {
        Dim::Store => "门店",
        Dim::Region => "区域",
        Dim::Category => "品类",
        Dim::Brand => "品牌",
        Dim::Product => "商品",
        Dim::Cashier => "收银员",
        Dim::BusinessDay => "营业日",
        Dim::Week => "周",
        Dim::Month => "月份",
        Dim::Hour => "小时",
        Dim::Weekday => "星期",
        Dim::Tender => "支付方式",
        Dim::Register => "收银台",
        Dim::Tier => "会员等级",
        Dim::Channel => "渠道",
    }
}

fn measure_header(m: Measure, zh: bool) -> &'static str {
    if !zh {
        return m.name();
    }
    match m {
        Measure::Revenue => "销售额",
        Measure::Net => "不含税销售额",
        Measure::Quantity => "数量",
        Measure::Orders => "单数",
        Measure::AvgBasket => "客单价",
        Measure::Discount => "折扣",
        Measure::Cost => "成本",
        Measure::Margin => "毛利",
        Measure::Returns => "退货额",
        Measure::ReturnRate => "退货率",
    }
}

/// The header row.
fn header(c: &Computed, zh: bool) -> Vec<String> {
    let q = &c.query;
    let mut head: Vec<String> = q
        .group
        .iter()
        .map(|d| dim_header(*d, zh).to_string())
        .collect();
    let (cmp, diff, pct) = if zh {
        ("对比", "差额", "差额%")
    } else {
        ("compare", "diff", "diff %")
    };
    for m in &q.measures {
        let h = measure_header(*m, zh);
        head.push(h.to_string());
        if c.has_compare() {
            head.push(format!("{h} {cmp}"));
            head.push(format!("{h} {diff}"));
            head.push(format!("{h} {pct}"));
        }
    }
    head
}

/// A measure's value as a cell: money with 2 decimals, quantities with 3, orders whole,
/// the return rate as its 4-place decimal text.
fn figure(m: Measure, v: Decimal) -> Cell {
    let scale = match m {
        Measure::ReturnRate => return Cell::Text(format!("{v:.4}")),
        Measure::Quantity => 3,
        Measure::Orders => 0,
        _ => 2,
    };
    Cell::Figure {
        value: i64::try_from(v).unwrap_or(0),
        scale,
    }
}

/// Row `i` of the report as cells.
fn row(c: &Computed, i: usize, zh: bool) -> Vec<Cell> {
    let q = &c.query;
    let mut out: Vec<Cell> = q
        .group
        .iter()
        .enumerate()
        .map(|(d, dim)| {
            // The screen's label of "no member" is Chinese; English files say so in English.
            if *dim == Dim::Tier && !zh && c.key(i, d).is_empty() {
                Cell::Text("non-member".into())
            } else {
                Cell::Text(c.label(i, d))
            }
        })
        .collect();
    let (f, old): (&Fig, Option<&Fig>) = c.figures(i);
    for m in &q.measures {
        let a = f.value(*m);
        out.push(figure(*m, a));
        if let Some(o) = old {
            let b = o.value(*m);
            out.push(figure(*m, b));
            out.push(figure(*m, a - b));
            out.push(Cell::Text(diff_pct(a, b).unwrap_or_default()));
        }
    }
    out
}

fn internal(e: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(e.to_string())
}

/// The report as a file; headers in Chinese when `zh`.
pub fn render(c: &Computed, format: Format, zh: bool) -> StoreResult<Vec<u8>> {
    match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
            w.write_record(header(c, zh)).map_err(internal)?;
            for i in 0..c.len() {
                w.write_record(row(c, i, zh).iter().map(Cell::text))
                    .map_err(internal)?;
            }
            w.into_inner().map_err(internal)
        }
        Format::Xlsx => xlsx(c, zh).map_err(internal),
    }
}

fn xlsx(c: &Computed, zh: bool) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format as CellFormat, Workbook};
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet_with_constant_memory()?;
    // By the figure's decimals: orders 0, money 2, quantities 3.
    let formats = ["0", "0.0", "0.00", "0.000"].map(|f| CellFormat::new().set_num_format(f));
    for (j, h) in header(c, zh).iter().enumerate() {
        sheet.write_string(0, j as u16, h)?;
    }
    for i in 0..c.len() {
        let r = (i + 1) as u32;
        for (j, cell) in row(c, i, zh).into_iter().enumerate() {
            match cell {
                Cell::Text(s) => sheet.write_string(r, j as u16, s)?,
                Cell::Figure { value, scale } => {
                    let n = value as f64 / 10f64.powi(scale as i32);
                    sheet.write_number_with_format(r, j as u16, n, &formats[scale as usize])?
                }
            };
        }
    }
    wb.save_to_buffer()
}
