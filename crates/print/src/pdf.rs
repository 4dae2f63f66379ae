//! PDF output: one 80 mm wide page as long as the slip, drawn on the same character grid as
//! the thermal printer, so the PDF a customer gets by e-mail matches the paper slip.

use std::sync::LazyLock;

use krilla::Document as PdfDocument;
use krilla::geom::{PathBuilder, Point, Rect, Size};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke, StrokeDash};
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::instance::{LocationRef, Size as FontSize};
use skrifa::{FontRef, MetadataProvider};

use crate::PrintError;
use crate::layout::{COLUMNS, Row, char_columns, rows};
use crate::model::Document;
use crate::qr::Qr;

/// WenQuanYi Micro Hei Mono cut down to ASCII, Latin-1, CJK punctuation, fullwidth forms
/// and GB2312 (see `fonts/README.md`). Compiled in because no crate ships a CJK font and the
/// binary must make PDFs on machines without one; krilla embeds only the glyphs used.
static FONT_DATA: &[u8] = include_bytes!("../fonts/wqy-microhei-mono-gb2312.ttf");

/// The font for krilla, loaded once: krilla hashes the whole file when it loads it.
static FONT: LazyLock<Font> = LazyLock::new(|| {
    Font::new(FONT_DATA.into(), 0).expect("the embedded font is a valid TrueType font")
});

/// The same font read by skrifa, for what krilla keeps private: character to glyph mapping
/// and glyph advances.
static FACE: LazyLock<FontRef<'static>> =
    LazyLock::new(|| FontRef::new(FONT_DATA).expect("the embedded font is a valid TrueType font"));

/// One millimetre in PDF points.
const MM: f32 = 72.0 / 25.4;
/// 80 mm paper.
const PAGE_WIDTH: f32 = 80.0 * MM;
/// Left and right margin: the printer's 72 mm print area, centered.
const MARGIN_X: f32 = 4.0 * MM;
/// Space above the first and below the last line.
const MARGIN_Y: f32 = 5.0 * MM;
/// One column: Font A is 12 dots wide at 8 dots/mm, 48 of them in 72 mm.
const COLUMN: f32 = 1.5 * MM;
/// One line: a 24-dot character plus the printer's default 6 dots of line spacing.
const LINE: f32 = 3.75 * MM;
/// Font size at which an ASCII glyph of the mono font (0.6 em wide) fills one column.
const FONT_SIZE: f32 = COLUMN / 0.6;
/// A QR module: the 6 dots the ESC/POS output asks the printer for.
const MODULE: f32 = 0.75 * MM;

/// Renders a document as a one-page PDF 80 mm wide and as long as its content, with the
/// glyphs it uses embedded, so it prints and displays the same everywhere.
pub fn pdf(doc: &Document) -> Result<Vec<u8>, PrintError> {
    let rows = rows(doc);
    let codes = rows
        .iter()
        .filter_map(|row| match row {
            Row::Code(text) => Some(Qr::new(text)),
            _ => None,
        })
        .collect::<Result<Vec<_>, _>>()?;
    let lines: f32 = rows
        .iter()
        .map(|row| match row {
            Row::Line { large: true, .. } => 2.0,
            Row::Line { .. } | Row::Rule => 1.0,
            Row::Code(_) => 0.0,
        })
        .sum();
    let code_height: f32 = codes.iter().map(|qr| qr.size as f32 * MODULE).sum();
    let height = 2.0 * MARGIN_Y + lines * LINE + code_height;

    let mut document = PdfDocument::new();
    let size = Size::from_wh(PAGE_WIDTH, height).expect("the page has a positive size");
    let mut page = document.start_page_with(PageSettings::new(size));
    let mut surface = page.surface();
    let mut codes = codes.iter();
    let mut top = MARGIN_Y;
    for row in &rows {
        match row {
            Row::Line { text, bold, large } => {
                let scale = if *large { 2.0 } else { 1.0 };
                draw_line(&mut surface, text, top, scale, *bold);
                top += LINE * scale;
            }
            Row::Rule => {
                draw_rule(&mut surface, top + LINE / 2.0);
                top += LINE;
            }
            Row::Code(_) => {
                let qr = codes.next().expect("one QR code was made per code row");
                draw_qr(&mut surface, qr, top);
                top += qr.size as f32 * MODULE;
            }
        }
    }
    surface.finish();
    page.finish();
    document
        .finish()
        .map_err(|e| PrintError::Pdf(e.to_string()))
}

/// Draws one laid-out line of the grid with its top at `top`; `scale` 2 is double width and
/// height. Each character is placed in its own cell (one column for ASCII, two for anything
/// else, as on the printer) and centered there, so right-aligned amounts line up exactly.
/// Bold is the glyph outline stroked as well as filled: the font has no bold face.
fn draw_line(surface: &mut Surface, line: &str, top: f32, scale: f32, bold: bool) {
    let text = line.trim_start();
    let indent = (line.len() - text.len()) as f32;
    let size = FONT_SIZE * scale;
    let charmap = FACE.charmap();
    // At a size of 1 pixel per em, advances come out in em.
    let metrics = FACE.glyph_metrics(FontSize::new(1.0), LocationRef::default());
    let glyphs: Vec<KrillaGlyph> = text
        .char_indices()
        .map(|(i, c)| {
            let glyph = charmap.map(c).unwrap_or_default();
            let cell = char_columns(c) as f32 * COLUMN * scale / size;
            let advance = metrics.advance_width(glyph).unwrap_or(cell);
            KrillaGlyph {
                glyph_id: GlyphId::new(glyph.to_u32()),
                text_range: i..i + c.len_utf8(),
                x_advance: cell,
                x_offset: (cell - advance) / 2.0,
                y_offset: 0.0,
                y_advance: 0.0,
                location: None,
            }
        })
        .collect();
    surface.set_fill(Some(Fill::default()));
    surface.set_stroke(bold.then(|| Stroke {
        width: size / 30.0,
        ..Stroke::default()
    }));
    // The baseline sits where the printer's 24-dot glyph cell puts it.
    let start = Point::from_xy(MARGIN_X + indent * COLUMN * scale, top + LINE * scale * 0.7);
    surface.draw_glyphs(start, &glyphs, FONT.clone(), text, size, false);
}

/// Draws a dashed line across the print area at height `y`.
fn draw_rule(surface: &mut Surface, y: f32) {
    let mut path = PathBuilder::new();
    path.move_to(MARGIN_X, y);
    path.line_to(MARGIN_X + COLUMNS as f32 * COLUMN, y);
    let dash = StrokeDash {
        array: vec![COLUMN * 0.6, COLUMN * 0.4],
        offset: 0.0,
    };
    surface.set_fill(None);
    surface.set_stroke(Some(Stroke {
        width: 0.5,
        dash: Some(dash),
        ..Stroke::default()
    }));
    surface.draw_path(&path.finish().expect("a line is a valid path"));
}

/// Draws a QR code centered on the page with its top (quiet zone included) at `top`, as
/// one path of filled rectangles, one per horizontal run of dark modules.
fn draw_qr(surface: &mut Surface, qr: &Qr, top: f32) {
    let left = (PAGE_WIDTH - qr.size as f32 * MODULE) / 2.0;
    let mut path = PathBuilder::new();
    for &(x, y, len) in &qr.runs {
        let (x, y, w) = (
            left + x as f32 * MODULE,
            top + y as f32 * MODULE,
            len as f32 * MODULE,
        );
        path.push_rect(Rect::from_xywh(x, y, w, MODULE).expect("a run has a positive size"));
    }
    surface.set_fill(Some(Fill::default()));
    surface.set_stroke(None);
    surface.draw_path(&path.finish().expect("a QR code has dark modules"));
}
