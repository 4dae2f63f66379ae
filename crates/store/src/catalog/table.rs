//! Reading a product file into rows of text: CSV in UTF-8 (with or without BOM) or GBK/GB18030
//! (common from Chinese Excel), or XLSX (first sheet). Knows the column names in Chinese and
//! English.

use calamine::{Data, Reader, Xlsx};
use std::io::Cursor;

/// The largest file accepted.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// A column of the product file: its field and the header names it is known by.
pub const COLUMNS: &[(&str, &[&str])] = &[
    ("sku", &["sku", "商品编码", "编码", "货号"]),
    ("name_zh", &["name_zh", "商品名称", "名称", "中文名称"]),
    ("name_en", &["name_en", "英文名称", "英文名"]),
    ("receipt_name", &["receipt_name", "小票名称"]),
    ("category", &["category", "分类编码", "分类"]),
    ("brand", &["brand", "品牌"]),
    ("unit", &["unit", "单位"]),
    ("sold_by_weight", &["sold_by_weight", "称重"]),
    ("quantity_precision", &["quantity_precision", "数量精度"]),
    ("tax_class", &["tax_class", "税率类别", "税率"]),
    ("cost_price", &["cost_price", "成本价"]),
    ("list_price", &["list_price", "零售价", "售价"]),
    ("status", &["status", "状态"]),
    ("barcodes", &["barcodes", "条码", "barcode", "条形码"]),
    ("plu", &["plu", "PLU"]),
    ("family_code", &["family_code", "款式编码"]),
    ("image_url", &["image_url", "图片"]),
];

/// The column an import's error file adds (what is wrong with the row); a file that has it
/// (an error file, fixed and imported again) is read as if it had not.
pub const ERROR_COLUMN: &str = "错误 / error";

/// Columns a file must have.
pub const REQUIRED: &[&str] = &["sku", "name_zh", "tax_class", "list_price"];

/// The Chinese header of a field (for exports and messages).
pub fn zh_header(field: &str) -> &'static str {
    COLUMNS
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, names)| names[1])
        .unwrap_or("?")
}

/// A file read into text cells.
#[derive(Debug)]
pub struct Table {
    /// The header cells as written in the file.
    pub header: Vec<String>,
    /// For each header cell, the field it maps to.
    pub fields: Vec<String>,
    /// Data rows with their 1-based row number in the file (the header is row 1).
    pub rows: Vec<(usize, Vec<String>)>,
    /// `utf-8`, `gb18030` or `xlsx`.
    pub encoding: &'static str,
}

/// Why a file cannot be read at all.
#[derive(Debug, PartialEq, Eq)]
pub struct FileError {
    pub row: usize,
    pub column: String,
    pub message: String,
}

fn file_error(row: usize, column: &str, message: impl Into<String>) -> FileError {
    FileError {
        row,
        column: column.into(),
        message: message.into(),
    }
}

/// Decodes CSV bytes: UTF-8 (BOM stripped) or, failing that, GB18030 (a superset of GBK).
fn decode(bytes: &[u8]) -> Result<(String, &'static str), FileError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok((s.to_string(), "utf-8")),
        Err(utf8) => {
            let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                Err(file_error(
                    0,
                    "",
                    format!(
                        "the file is neither UTF-8 nor GBK/GB18030 text (first bad byte at offset {}); save it as CSV UTF-8 or XLSX",
                        utf8.valid_up_to()
                    ),
                ))
            } else {
                Ok((text.into_owned(), "gb18030"))
            }
        }
    }
}

fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        // Barcodes and SKUs typed into Excel become numbers; keep their digits.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// Reads the cells of a CSV or XLSX file (also for the customer import, which has its own
/// columns).
pub(crate) fn read_rows(bytes: &[u8]) -> Result<(Vec<Vec<String>>, &'static str), FileError> {
    if bytes.starts_with(b"PK\x03\x04") {
        let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
            .map_err(|e| file_error(0, "", format!("not a readable XLSX file: {e}")))?;
        let range = wb
            .worksheet_range_at(0)
            .ok_or_else(|| file_error(0, "", "the workbook has no sheet"))?
            .map_err(|e| file_error(0, "", format!("cannot read the first sheet: {e}")))?;
        let rows = range
            .rows()
            .map(|r| r.iter().map(cell_text).collect())
            .collect();
        return Ok((rows, "xlsx"));
    }
    let (text, encoding) = decode(bytes)?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| file_error(i + 1, "", format!("not valid CSV: {e}")))?;
        rows.push(rec.iter().map(|s| s.to_string()).collect());
    }
    Ok((rows, encoding))
}

/// Reads a product file and maps its header.
pub fn read(bytes: &[u8]) -> Result<Table, FileError> {
    if bytes.is_empty() {
        return Err(file_error(0, "", "the file is empty"));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(file_error(
            0,
            "",
            format!(
                "the file is larger than {} MiB",
                MAX_FILE_BYTES / 1024 / 1024
            ),
        ));
    }
    let (mut rows, encoding) = read_rows(bytes)?;
    if rows.is_empty() {
        return Err(file_error(0, "", "the file has no header row"));
    }
    let header: Vec<String> = rows
        .remove(0)
        .into_iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut fields = Vec::new();
    for h in &header {
        let field = COLUMNS
            .iter()
            .find(|(_, names)| names.iter().any(|n| n.eq_ignore_ascii_case(h)))
            .map(|(f, _)| *f);
        match field {
            None if h == ERROR_COLUMN => fields.push("error".to_string()),
            Some(f) if fields.contains(&f.to_string()) => {
                return Err(file_error(1, h, format!("column {h} appears twice")));
            }
            Some(f) => fields.push(f.to_string()),
            None => {
                return Err(file_error(
                    1,
                    h,
                    format!(
                        "unknown column {h:?}; known columns: {}",
                        COLUMNS
                            .iter()
                            .map(|(f, n)| format!("{f}/{}", n[1]))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
    }
    for req in REQUIRED {
        if !fields.iter().any(|f| f == req) {
            return Err(file_error(
                1,
                req,
                format!("the column {req} ({}) is missing", zh_header(req)),
            ));
        }
    }
    let rows = rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| (i + 2, r))
        .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
        .collect();
    Ok(Table {
        header,
        fields,
        rows,
        encoding,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_gbk_csv_with_chinese_headers() {
        let text = "商品编码,商品名称,税率类别,零售价\nA1,可口可乐,VAT13,3.50\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let t = read(&gbk).unwrap();
        assert_eq!(t.encoding, "gb18030");
        assert_eq!(t.fields, vec!["sku", "name_zh", "tax_class", "list_price"]);
        assert_eq!(
            t.rows,
            vec![(
                2,
                vec![
                    "A1".into(),
                    "可口可乐".into(),
                    "VAT13".into(),
                    "3.50".into()
                ]
            )]
        );
    }

    #[test]
    fn refuses_bad_files_clearly() {
        assert_eq!(read(b"").unwrap_err().message, "the file is empty");
        let e = read(b"sku,name,price\n").unwrap_err();
        assert_eq!(e.row, 1);
        assert!(
            e.message.contains("unknown column \"name\""),
            "{}",
            e.message
        );
        let e = read(b"sku,name_zh,list_price\n").unwrap_err();
        assert!(e.message.contains("tax_class"));
        let e = read(&[0x73, 0x6b, 0x75, 0x0a, 0xff, 0xfe, 0xfd, 0x81]).unwrap_err();
        assert!(e.message.contains("neither UTF-8 nor GBK"), "{}", e.message);
    }
}
