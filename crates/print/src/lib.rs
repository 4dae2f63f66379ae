//! Printable 80 mm documents — sales receipts, return receipts, shift X/Z reports — rendered
//! as HTML (a browser prints it), PDF (download, e-mail, archive) and ESC/POS bytes (sent
//! straight to a thermal receipt printer).
//!
//! The server maps a sale or a shift report onto the generic [`Document`] model; this crate
//! knows nothing of sales, money or languages beyond laying out the strings it is given, so
//! every kind of slip looks alike in every format. Amounts arrive formatted by the caller.
//!
//! ESC/POS and PDF share one column layout (48 columns of Font A on 80 mm paper, a CJK
//! character two columns wide, see `layout`), so a PDF looks like the printed slip.

mod escpos;
mod html;
mod layout;
mod model;
mod pdf;
mod qr;

pub use escpos::escpos;
pub use html::html;
pub use model::{Block, Document};
pub use pdf::pdf;

/// Why a document could not be rendered. HTML never fails (a code that cannot be encoded is
/// shown as text only), so this is what [`pdf`] and [`escpos`] return.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PrintError {
    /// The text of a [`Block::Code`] is too long for a QR code at error correction level M;
    /// the value is its length in bytes. A receipt number is far below the limit (2331 bytes).
    #[error("the text of a QR code is too long ({0} bytes)")]
    CodeTooLong(usize),
    /// The PDF writer failed; the message is its description of the failure.
    #[error("PDF rendering failed: {0}")]
    Pdf(String),
}
