//! The character-grid layout shared by ESC/POS and PDF: a [`Document`] becomes printed lines
//! of at most [`COLUMNS`] columns, so both formats break and align text identically.

use crate::model::{Block, Document};

/// Columns of one line in Font A (12 × 24 dots) on 80 mm paper: 576 printable dots / 12.
pub(crate) const COLUMNS: usize = 48;

/// The reprint mark printed at the top of a copy, in both languages because the cashier and
/// the customer may read either.
pub(crate) const COPY_MARK: &str = "重印 COPY";

/// Columns by which an item's detail line is indented under its name.
const DETAIL_INDENT: usize = 2;

/// One laid-out element, top to bottom.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Row {
    /// A printed line, padded with leading spaces so that its column positions are final.
    /// A `large` line is printed double width and height, so it holds `COLUMNS / 2` columns.
    Line {
        text: String,
        bold: bool,
        large: bool,
    },
    /// A dashed separator, one line high.
    Rule,
    /// A QR code of this text; the text itself follows as a separate centered line.
    Code(String),
}

/// Columns a character takes on the printer. A GB18030 printer prints every multi-byte
/// character from its 24 × 24 font, two columns wide, and only ASCII half width; this is the
/// printer's rule, not Unicode's East Asian Width (which calls `×` or `·` narrow, yet both
/// are two-byte GB2312 characters and print wide).
pub(crate) fn char_columns(c: char) -> usize {
    if c.is_ascii() { 1 } else { 2 }
}

/// Display width of a string in columns.
pub(crate) fn width(text: &str) -> usize {
    text.chars().map(char_columns).sum()
}

/// Makes user text safe and printable: control characters (which could smuggle printer
/// commands into ESC/POS output or break a line) become spaces, and the half-width yen sign
/// `¥` (U+00A5, absent from GB2312, so garbage on a Chinese printer) becomes the full-width
/// `￥` (U+FFE5) that every Chinese printer font has.
pub(crate) fn clean(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '¥' => '￥',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

/// Splits text into the pieces a line may not break inside: a run of ASCII letters, digits
/// and punctuation (a word), a single space, or a single other character (CJK text may
/// break between any two characters).
fn pieces(text: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut in_word = false;
    for (i, c) in text.char_indices() {
        let word_goes_on = in_word && c.is_ascii_graphic();
        if i > start && !word_goes_on {
            pieces.push(&text[start..i]);
            start = i;
        }
        in_word = c.is_ascii_graphic();
    }
    if start < text.len() {
        pieces.push(&text[start..]);
    }
    pieces
}

/// Wraps text into lines of at most `columns` columns (at least two, so that a wide
/// character always fits), breaking at spaces or between CJK characters, and inside a word
/// only when the word alone is longer than a line. Always returns at least one line.
pub(crate) fn wrap(text: &str, columns: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for piece in pieces(text.trim()) {
        let piece_width = width(piece);
        if used > 0 && used + piece_width > columns {
            lines.push(line.trim_end().to_owned());
            line.clear();
            used = 0;
        }
        if used == 0 && piece == " " {
            continue;
        }
        for c in piece.chars() {
            if used + char_columns(c) > columns {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(c);
            used += char_columns(c);
        }
    }
    lines.push(line.trim_end().to_owned());
    lines
}

/// Centers a line of at most `columns` columns by padding it on the left.
fn center(line: &str, columns: usize) -> String {
    let pad = columns.saturating_sub(width(line)) / 2;
    format!("{}{line}", " ".repeat(pad))
}

/// Lays out a label on the left and a value on the right edge: on the label's last line when
/// both fit with a space between them, else on a line (or lines) of its own.
fn pair(label: &str, value: &str, columns: usize) -> Vec<String> {
    let mut lines = wrap(label, columns);
    let value_width = width(value.trim());
    let last = lines.last_mut().expect("wrap returns at least one line");
    if width(last) + 1 + value_width <= columns {
        let pad = columns - width(last) - value_width;
        last.push_str(&" ".repeat(pad));
        last.push_str(value.trim());
    } else {
        for part in wrap(value, columns) {
            lines.push(format!("{}{part}", " ".repeat(columns - width(&part))));
        }
    }
    lines
}

/// Lays a document out on the grid of [`COLUMNS`] columns, cleaning every string first.
pub(crate) fn rows(doc: &Document) -> Vec<Row> {
    let line = |text: String, bold, large| Row::Line { text, bold, large };
    let centered = |text: &str, columns| {
        wrap(text, columns)
            .into_iter()
            .map(move |l| center(&l, columns))
    };
    let mut rows = Vec::new();
    if doc.copy {
        rows.push(line(center(COPY_MARK, COLUMNS / 2), true, true));
    }
    for block in &doc.blocks {
        match block {
            Block::Title(text) => {
                rows.extend(centered(&clean(text), COLUMNS / 2).map(|l| line(l, true, true)));
            }
            Block::Text(text) => {
                rows.extend(centered(&clean(text), COLUMNS).map(|l| line(l, false, false)));
            }
            Block::Pair { label, value } => {
                let lines = pair(&clean(label), &clean(value), COLUMNS);
                rows.extend(lines.into_iter().map(|l| line(l, false, false)));
            }
            Block::Total { label, value } => {
                let lines = pair(&clean(label), &clean(value), COLUMNS);
                rows.extend(lines.into_iter().map(|l| line(l, true, false)));
            }
            Block::Item {
                name,
                detail,
                amount,
            } => {
                let names = wrap(&clean(name), COLUMNS);
                // The detail is indented so that a column of items reads name, detail, name.
                let details = pair(&clean(detail), &clean(amount), COLUMNS - DETAIL_INDENT);
                let details = details
                    .into_iter()
                    .map(|l| format!("{}{l}", " ".repeat(DETAIL_INDENT)));
                rows.extend(
                    names
                        .into_iter()
                        .chain(details)
                        .map(|l| line(l, false, false)),
                );
            }
            Block::Rule => rows.push(Row::Rule),
            Block::Code(text) => {
                let text = clean(text);
                rows.push(Row::Code(text.clone()));
                rows.extend(centered(&text, COLUMNS).map(|l| line(l, false, false)));
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cjk_character_takes_two_columns_and_ascii_one() {
        assert_eq!(width("可乐 Cola"), 9);
        assert_eq!(width("￥3.50"), 6);
        assert_eq!(width("2 × 3.50"), 9);
    }

    #[test]
    fn long_chinese_text_wraps_within_the_line() {
        let name = "农夫山泉饮用天然水".repeat(5);
        let lines = wrap(&name, COLUMNS);
        assert_eq!(lines.len(), 2);
        assert!(lines.iter().all(|l| width(l) <= COLUMNS));
        assert_eq!(width(&lines[0]), COLUMNS);
        assert_eq!(lines.concat(), name);
    }

    #[test]
    fn latin_words_wrap_at_spaces_and_overlong_words_are_split() {
        assert_eq!(
            wrap("Mineral water 550ml bottle", 14),
            ["Mineral water", "550ml bottle"]
        );
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("ab可乐", 3), ["ab", "可", "乐"]);
        assert_eq!(wrap("", 4), [""]);
    }

    #[test]
    fn a_value_is_right_aligned_by_display_width() {
        let lines = pair("合计", "￥12.50", COLUMNS);
        assert_eq!(lines.len(), 1);
        assert_eq!(width(&lines[0]), COLUMNS);
        assert!(lines[0].starts_with("合计 "));
        assert!(lines[0].ends_with(" ￥12.50"));
    }

    #[test]
    fn a_value_that_does_not_fit_goes_to_its_own_line() {
        let label = "会员".repeat(12);
        let lines = pair(&label, "￥1.00", COLUMNS);
        assert_eq!(lines, [label, format!("{}￥1.00", " ".repeat(42))]);
    }

    #[test]
    fn control_characters_are_removed_and_the_yen_sign_made_full_width() {
        assert_eq!(clean("a\u{1b}@b\nc ¥1"), "a @b c ￥1");
    }

    #[test]
    fn a_copy_starts_with_the_large_mark_and_a_code_is_followed_by_its_text() {
        let doc = Document {
            blocks: vec![Block::Code("SH001-7".into())],
            copy: true,
        };
        let rows = rows(&doc);
        assert!(
            matches!(&rows[0], Row::Line { text, large: true, bold: true } if text.trim() == COPY_MARK)
        );
        assert_eq!(rows[1], Row::Code("SH001-7".into()));
        assert!(matches!(&rows[2], Row::Line { text, .. } if text.trim() == "SH001-7"));
    }
}
