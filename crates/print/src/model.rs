//! The generic document that every printed slip is made of.

/// A printable slip: a receipt, a return receipt or a shift report, as a list of blocks
/// from top to bottom. The server builds one per print; the renderers only lay it out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    /// The content, printed in order.
    pub blocks: Vec<Block>,
    /// Marks a reprint: a clear "重印 COPY" mark is printed at the top, so a second slip for
    /// the same sale cannot pass for the original (for a refund, say).
    pub copy: bool,
}

/// One element of a [`Document`]. All strings are user-visible text, already formatted and
/// translated by the caller (amounts with their currency sign, e.g. `￥7.00`); renderers
/// escape them for their format and never interpret them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// The company or store name: centered, bold, large.
    Title(String),
    /// A centered line of small print: address, receipt number, date, a thank-you note.
    Text(String),
    /// A label on the left and its value on the right (cashier, payment method, change).
    Pair {
        /// Left-aligned label.
        label: String,
        /// Right-aligned value.
        value: String,
    },
    /// A sold or returned line: the name on its own line(s), then the detail (e.g.
    /// `2 × 3.50`) on the left and the line amount on the right.
    Item {
        /// Product name; wrapped when too long for one line.
        name: String,
        /// Quantity and unit price, or any other detail.
        detail: String,
        /// The line amount, right-aligned.
        amount: String,
    },
    /// A dashed separator between sections.
    Rule,
    /// A bold pair for totals (total, amount due, tendered), so they stand out.
    Total {
        /// Left-aligned label.
        label: String,
        /// Right-aligned value.
        value: String,
    },
    /// A QR code of this text (the receipt number), centered, with the text printed under
    /// it, so a scan at the register finds the sale.
    Code(String),
}
