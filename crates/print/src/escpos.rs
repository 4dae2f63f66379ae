//! ESC/POS output for 80 mm thermal receipt printers in Chinese mode.
//!
//! The few commands used are written out here rather than through the `escpos` crate: that
//! crate encodes text through single-byte code pages (no GB18030) and keeps QR codes behind
//! an extra feature, so it would only wrap byte strings we must write ourselves anyway.
//! Commands as defined in Epson's "ESC/POS Command Reference" (TM printers), which Chinese
//! receipt printers (Xprinter, GPrinter, Sunmi, …) implement:
//!
//! | bytes | command | use |
//! | --- | --- | --- |
//! | `ESC @` | initialise printer | clear any mode a previous job left |
//! | `FS &` | select Kanji (Chinese) character mode | print GB18030 multi-byte text |
//! | `ESC a n` | select justification | center the QR code |
//! | `ESC E n` | emphasised (bold) on/off | titles, totals |
//! | `GS ! n` | character size | double width and height for titles |
//! | `GS ( k` functions 165, 167, 169, 180, 181 | QR code: model, module size, error level, store, print | receipt number |
//! | `GS V 66 n` | feed to the cutter and partial cut | end of slip |

use crate::PrintError;
use crate::layout::{COLUMNS, Row, rows};
use crate::model::Document;
use crate::qr;

/// `ESC @`: initialise the printer.
const INIT: &[u8] = b"\x1b@";
/// `FS &`: Chinese character mode, so multi-byte GB18030 text prints as hanzi.
const CHINESE_MODE: &[u8] = b"\x1c&";
/// `ESC a 0` / `ESC a 1`: left / centered justification.
const ALIGN_LEFT: &[u8] = b"\x1ba\x00";
const ALIGN_CENTER: &[u8] = b"\x1ba\x01";
/// `ESC E 1` / `ESC E 0`: bold on / off.
const BOLD_ON: &[u8] = b"\x1bE\x01";
const BOLD_OFF: &[u8] = b"\x1bE\x00";
/// `GS ! 0x11` / `GS ! 0`: double width and height / normal size.
const LARGE_ON: &[u8] = b"\x1d!\x11";
const LARGE_OFF: &[u8] = b"\x1d!\x00";
/// `GS ( k` function 165: QR model 2, the model every scanner reads.
const QR_MODEL_2: &[u8] = b"\x1d(k\x04\x001A2\x00";
/// `GS ( k` function 167: module size 6 dots (0.75 mm), which phone cameras read easily.
const QR_SIZE_6: &[u8] = b"\x1d(k\x03\x001C\x06";
/// `GS ( k` function 169: error correction level M, as in the HTML and PDF codes.
const QR_LEVEL_M: &[u8] = b"\x1d(k\x03\x001E1";
/// `GS ( k` function 181: print the stored QR code.
const QR_PRINT: &[u8] = b"\x1d(k\x03\x001Q0";
/// `GS V 66 0`: feed the paper to the cutter and cut, leaving a hinge (partial cut).
const CUT: &[u8] = b"\x1dVB\x00";

/// Renders a document as ESC/POS bytes for an 80 mm printer (48 columns of Font A), text in
/// GB18030. Send them to the printer unchanged (raw TCP port 9100, USB, serial); user text
/// cannot inject commands, since control characters are replaced before encoding.
pub fn escpos(doc: &Document) -> Result<Vec<u8>, PrintError> {
    let mut out = [INIT, CHINESE_MODE].concat();
    for row in rows(doc) {
        match row {
            Row::Line { text, bold, large } => {
                out.extend_from_slice(if bold { BOLD_ON } else { BOLD_OFF });
                out.extend_from_slice(if large { LARGE_ON } else { LARGE_OFF });
                out.extend_from_slice(&encoding_rs::GB18030.encode(&text).0);
                out.push(b'\n');
            }
            Row::Rule => {
                out.extend_from_slice(BOLD_OFF);
                out.extend_from_slice(LARGE_OFF);
                out.extend_from_slice("-".repeat(COLUMNS).as_bytes());
                out.push(b'\n');
            }
            Row::Code(text) => {
                qr::encode(&text)?;
                out.extend_from_slice(ALIGN_CENTER);
                out.extend_from_slice(&[QR_MODEL_2, QR_SIZE_6, QR_LEVEL_M].concat());
                out.extend_from_slice(&qr_store(text.as_bytes()));
                out.extend_from_slice(QR_PRINT);
                out.push(b'\n');
                out.extend_from_slice(ALIGN_LEFT);
            }
        }
    }
    out.extend_from_slice(BOLD_OFF);
    out.extend_from_slice(LARGE_OFF);
    out.extend_from_slice(CUT);
    Ok(out)
}

/// `GS ( k pL pH 49 80 48 d…` (function 180): store the QR data in the symbol buffer; the
/// length field counts the data plus the three bytes `49 80 48`. The data is UTF-8, which
/// phone scanners decode; [`qr::encode`] has already bounded its length.
fn qr_store(data: &[u8]) -> Vec<u8> {
    let [low, high] = u16::try_from(data.len() + 3)
        .expect("qr::encode limits the data to 2331 bytes")
        .to_le_bytes();
    [b"\x1d(k".as_slice(), &[low, high], b"1P0", data].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_command_counts_the_data_and_its_three_bytes() {
        assert_eq!(qr_store(b"AB"), b"\x1d(k\x05\x001P0AB");
        assert_eq!(qr_store(&[b'x'; 300])[3..5], [0x2f, 0x01]);
    }
}
