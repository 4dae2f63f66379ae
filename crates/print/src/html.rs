//! A self-contained printable HTML page: the browser lays the text out (CSS flex, its own
//! fonts and wrapping), so this renderer maps blocks to elements and leaves widths to CSS.

use std::fmt::Write;

use crate::layout::{COPY_MARK, clean};
use crate::model::{Block, Document};
use crate::qr::Qr;

/// Print CSS: an 80 mm roll of any length with no page margins (the slip has its own),
/// shown as a paper strip on screen.
const STYLE: &str = "\
@page { size: 80mm auto; margin: 0 }
* { box-sizing: border-box }
html, body { margin: 0; color: #000; background: #fff }
.slip { width: 80mm; padding: 4mm; font: 12px/1.45 \"WenQuanYi Micro Hei\", \"Noto Sans CJK SC\", \
\"PingFang SC\", \"Microsoft YaHei\", sans-serif }
h1 { margin: 0 0 1mm; text-align: center; font-size: 18px }
.text { margin: 0; text-align: center; font-size: 11px }
.pair { display: flex; justify-content: space-between; align-items: flex-end; gap: 2mm }
.pair > span:first-child, .name { overflow-wrap: anywhere }
.value { white-space: nowrap; text-align: right; font-variant-numeric: tabular-nums }
.detail { padding-left: 1em }
.total { font-weight: bold; font-size: 14px }
hr { margin: 1.5mm 0; border: 0; border-top: 1px dashed #000 }
.copy { margin: 0 0 2mm; padding: 1mm; border: 2px solid #000; text-align: center; \
font-size: 16px; font-weight: bold; letter-spacing: .1em }
.code { margin: 2mm 0 0; text-align: center; font-size: 11px }
.code svg { display: block; width: 30mm; height: 30mm; margin: 0 auto }
@media screen { body { background: #eee } .slip { margin: 1em auto; background: #fff; \
box-shadow: 0 1px 4px rgba(0, 0, 0, .3) } }
";

/// Browsers ignore `size: 80mm auto` (CSS allows no `auto` beside a length) and print on
/// the printer's default sheet, so this gives the page the slip's measured height: the slip
/// then prints as one piece, cut where it ends. It runs as the page is parsed, before any
/// `print()` call; where scripts are blocked the page still prints, on the default sheet.
const FIT_PAGE: &str = "{
  const height = Math.ceil(document.querySelector(\".slip\").getBoundingClientRect().height);
  const style = document.createElement(\"style\");
  style.textContent = `@page { size: 80mm ${height}px }`;
  document.head.append(style);
}
";

/// Escapes text for HTML element content and quoted attribute values: every string in a
/// document may come from user data (product names, customer names).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in clean(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An inline SVG of the QR code of `text`: one path of dark runs on a white square, so it
/// prints sharp at any size and needs no image file.
fn qr_svg(qr: &Qr, label: &str) -> String {
    let n = qr.size;
    let mut path = String::new();
    for &(x, y, len) in &qr.runs {
        write!(path, "M{x} {y}h{len}v1h-{len}z").expect("writing to a String cannot fail");
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {n} {n}\" \
         shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"{label}\">\
         <path fill=\"#fff\" d=\"M0 0h{n}v{n}H0z\"/><path d=\"{path}\"/></svg>"
    )
}

/// A label on the left, a value on the right; `class` adds e.g. `total`.
fn pair(class: &str, label: &str, value: &str) -> String {
    format!(
        "<div class=\"pair{class}\"><span>{}</span><span class=\"value\">{}</span></div>\n",
        escape(label),
        escape(value)
    )
}

/// Renders a document as a complete HTML page, 80 mm wide, ready for the browser's print
/// dialog. `lang` ("zh-CN" or "en") sets the page language, which picks the browser's
/// fonts and line breaking. A code whose text is too long for a QR code is shown as text
/// only, since a page is still useful without it.
pub fn html(doc: &Document, lang: &str) -> String {
    let title = doc.blocks.iter().find_map(|block| match block {
        Block::Title(text) => Some(escape(text)),
        _ => None,
    });
    let mut body = String::new();
    if doc.copy {
        body.push_str(&format!("<p class=\"copy\">{COPY_MARK}</p>\n"));
    }
    for block in &doc.blocks {
        let element = match block {
            Block::Title(text) => format!("<h1>{}</h1>\n", escape(text)),
            Block::Text(text) => format!("<p class=\"text\">{}</p>\n", escape(text)),
            Block::Pair { label, value } => pair("", label, value),
            Block::Total { label, value } => pair(" total", label, value),
            Block::Item {
                name,
                detail,
                amount,
            } => format!(
                "<div class=\"item\"><div class=\"name\">{}</div>{}</div>\n",
                escape(name),
                pair(" detail", detail, amount).trim_end()
            ),
            Block::Rule => "<hr>\n".to_owned(),
            Block::Code(text) => {
                let svg = Qr::new(&clean(text)).map(|qr| qr_svg(&qr, &escape(text)));
                format!(
                    "<figure class=\"code\">{}<figcaption>{}</figcaption></figure>\n",
                    svg.unwrap_or_default(),
                    escape(text)
                )
            }
        };
        body.push_str(&element);
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main class=\"slip\">\n\
         {body}</main>\n<script>\n{FIT_PAGE}</script>\n</body>\n</html>\n",
        escape(lang),
        title.unwrap_or_default()
    )
}
