//! The three formats rendered from one receipt, checked for what a printer, a browser and a
//! PDF reader need.

use salepoint_print::{Block, Document, PrintError, escpos, html, pdf};

const RECEIPT_NO: &str = "SH001-20261127-0007";
const LONG_NAME: &str = "农夫山泉饮用天然水550ml（整箱装，二十四瓶）特惠促销装限时供应";

fn pair(label: &str, value: &str) -> Block {
    Block::Pair {
        label: label.into(),
        value: value.into(),
    }
}

fn item(name: &str, detail: &str, amount: &str) -> Block {
    Block::Item {
        name: name.into(),
        detail: detail.into(),
        amount: amount.into(),
    }
}

/// A 15-block sales receipt with Chinese, English, a long name and a QR code.
fn receipt(copy: bool) -> Document {
    Document {
        copy,
        blocks: vec![
            Block::Title("示例便利店 中关村店".into()),
            Block::Text("北京市海淀区中关村大街1号".into()),
            Block::Text(format!("{RECEIPT_NO}  2026-11-27 14:05")),
            Block::Rule,
            item("可口可乐 330ml", "2 × ￥3.50", "￥7.00"),
            item(LONG_NAME, "1 × ￥39.90", "￥39.90"),
            item("Bananas, loose", "0.532 kg × ￥7.98", "￥4.25"),
            Block::Rule,
            Block::Total {
                label: "合计 Total".into(),
                value: "￥51.15".into(),
            },
            pair("现金 Cash", "￥60.00"),
            pair("找零 Change", "￥8.85"),
            pair("收银员 Cashier", "王小明"),
            Block::Rule,
            Block::Code(RECEIPT_NO.into()),
            Block::Text("谢谢惠顾，欢迎再次光临！".into()),
        ],
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

#[test]
fn html_escapes_user_text() {
    let mut doc = receipt(false);
    doc.blocks
        .push(item("<script>alert('x')</script> & \"co\"", "1", "￥1.00"));
    let page = html(&doc, "zh-CN");
    assert!(!page.contains("<script>alert"));
    assert_eq!(page.matches("<script>").count(), 1); // only the page's own
    assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;"));
    assert!(html(&doc, "\"><b>").contains("<html lang=\"&quot;&gt;&lt;b&gt;\">"));
}

#[test]
fn html_is_an_80mm_page_in_the_requested_language() {
    let page = html(&receipt(false), "en");
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<html lang=\"en\">"));
    assert!(page.contains("@page { size: 80mm auto"));
    // Browsers ignore `auto`: a script sets the measured height.
    assert!(page.contains("style.textContent = `@page { size: 80mm ${height}px }`;"));
    assert!(page.contains("<title>示例便利店 中关村店</title>"));
    assert!(page.contains(LONG_NAME));
}

#[test]
fn html_draws_the_qr_code_as_inline_svg() {
    let page = html(&receipt(false), "zh-CN");
    assert!(page.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    // The top-left finder pattern: seven dark modules just inside the 4-module quiet zone.
    assert!(page.contains("<path d=\"M4 4h7v1h-7z"));
    assert!(page.contains(&format!("<figcaption>{RECEIPT_NO}</figcaption>")));
}

#[test]
fn html_marks_a_copy_and_only_a_copy() {
    assert!(html(&receipt(true), "zh-CN").contains("<p class=\"copy\">重印 COPY</p>"));
    assert!(!html(&receipt(false), "zh-CN").contains("重印"));
}

#[test]
fn pdf_is_small_and_embeds_a_subset_of_the_cjk_font() {
    let bytes = pdf(&receipt(true)).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(bytes.len() < 60_000, "{} bytes", bytes.len());
    assert!(contains(&bytes, b"/FontFile2"));
    assert!(contains(&bytes, b"WenQuanYiMicroHeiMono"));
}

#[test]
fn pdf_and_escpos_refuse_a_code_too_long_for_a_qr_code() {
    let doc = Document {
        blocks: vec![Block::Code("x".repeat(3000))],
        copy: false,
    };
    assert!(matches!(pdf(&doc), Err(PrintError::CodeTooLong(3000))));
    assert!(matches!(escpos(&doc), Err(PrintError::CodeTooLong(3000))));
    // HTML still shows the text.
    assert!(html(&doc, "en").contains(&"x".repeat(3000)));
}

/// The printed text lines of an ESC/POS stream, without commands, with their width in
/// columns (a line printed at double size counts twice).
fn printed_lines(bytes: &[u8]) -> Vec<(String, usize)> {
    const COMMANDS: [&[u8]; 8] = [
        b"\x1b@",
        b"\x1c&",
        b"\x1bE\x01",
        b"\x1bE\x00",
        b"\x1d!\x00",
        b"\x1ba\x00",
        b"\x1ba\x01",
        b"\x1dVB\x00",
    ];
    bytes
        .split(|&b| b == b'\n')
        .filter(|line| !contains(line, b"\x1d(k"))
        .map(|line| {
            let large = contains(line, b"\x1d!\x11");
            let mut line = line.to_vec();
            for command in COMMANDS.iter().chain([&b"\x1d!\x11"[..]].iter()) {
                while let Some(at) = line.windows(command.len()).position(|w| w == *command) {
                    line.drain(at..at + command.len());
                }
            }
            let (text, _, bad) = encoding_rs::GB18030.decode(&line);
            assert!(!bad, "not GB18030: {line:?}");
            assert!(
                !text.chars().any(char::is_control),
                "a command left in {text:?}"
            );
            let columns: usize = text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
            (text.into_owned(), if large { 2 * columns } else { columns })
        })
        .collect()
}

#[test]
fn escpos_starts_with_init_and_ends_with_a_cut() {
    let bytes = escpos(&receipt(false)).unwrap();
    assert!(bytes.starts_with(b"\x1b@"));
    assert!(bytes.ends_with(b"\x1dVB\x00"));
}

#[test]
fn escpos_encodes_chinese_in_gb18030_with_the_fullwidth_yen() {
    let bytes = escpos(&receipt(false)).unwrap();
    assert!(contains(
        &bytes,
        &encoding_rs::GB18030.encode("可口可乐 330ml").0
    ));
    assert!(contains(&bytes, b"\xbf\xc9\xbf\xda\xbf\xc9\xc0\xd6")); // 可口可乐, by hand
    assert!(contains(&bytes, b"\xa3\xa47.00")); // ￥7.00: ￥ is A3A4 in GB2312
    assert!(!contains(&bytes, "可口".as_bytes())); // no UTF-8 left
}

#[test]
fn escpos_stores_and_prints_the_receipt_number_as_a_native_qr_code() {
    let bytes = escpos(&receipt(false)).unwrap();
    let len = (RECEIPT_NO.len() + 3) as u8;
    let store = [
        b"\x1d(k".as_slice(),
        &[len, 0],
        b"\x31\x50\x30",
        RECEIPT_NO.as_bytes(),
    ]
    .concat();
    assert!(contains(&bytes, &store));
    assert!(contains(&bytes, b"\x1d(k\x04\x00\x31\x41\x32\x00")); // model 2
    assert!(contains(&bytes, b"\x1d(k\x03\x00\x31\x45\x31")); // level M
    assert!(contains(&bytes, b"\x1d(k\x03\x00\x31\x51\x30")); // print
}

#[test]
fn escpos_lines_never_exceed_48_columns_and_long_names_wrap() {
    let bytes = escpos(&receipt(true)).unwrap();
    let lines = printed_lines(&bytes);
    assert!(
        lines.iter().all(|(_, columns)| *columns <= 48),
        "{lines:#?}"
    );
    let first = lines
        .iter()
        .position(|(t, _)| !t.is_empty() && LONG_NAME.starts_with(t.as_str()));
    let first = first.expect("the long name is printed");
    // Filled up to the last column that the next (wide) character would not fit in.
    assert!(lines[first].1 > 48 - 2, "{:?}", lines[first]);
    assert_eq!(
        format!("{}{}", lines[first].0, lines[first + 1].0),
        LONG_NAME
    );
    assert!(lines.iter().any(|(t, _)| t.trim() == "重印 COPY"));
}

#[test]
fn escpos_user_text_cannot_inject_printer_commands() {
    let doc = Document {
        blocks: vec![Block::Text("a\x1b@b\x1dVB\x00c".into())],
        copy: false,
    };
    let bytes = escpos(&doc).unwrap();
    assert_eq!(count(&bytes, b"\x1b@"), 1);
    assert_eq!(count(&bytes, b"\x1dV"), 1);
}
