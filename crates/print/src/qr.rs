//! QR codes for [`crate::Block::Code`], drawn by HTML and PDF from one module matrix.

use qrcode::{Color, EcLevel, QrCode};

use crate::PrintError;

/// Error correction level M (15 %): the level the ESC/POS printer is told to use too, so a
/// crumpled receipt still scans and every format accepts the same data.
const LEVEL: EcLevel = EcLevel::M;

/// The light margin around a QR code that the standard requires, in modules.
const QUIET_ZONE: usize = 4;

/// Encodes `data` as a QR code, or says it is too long. ESC/POS lets the printer encode the
/// code itself but calls this first, so that all three formats accept the same data.
pub(crate) fn encode(data: &str) -> Result<QrCode, PrintError> {
    QrCode::with_error_correction_level(data, LEVEL)
        .map_err(|_| PrintError::CodeTooLong(data.len()))
}

/// A QR code as horizontal runs of dark modules, the shape both SVG and PDF draw best:
/// one path for the whole code instead of one rectangle per module.
pub(crate) struct Qr {
    /// Width and height in modules, quiet zone included.
    pub(crate) size: usize,
    /// Dark runs as `(x, y, length)` in modules, quiet zone included.
    pub(crate) runs: Vec<(usize, usize, usize)>,
}

impl Qr {
    /// Encodes `data` and collects its dark runs.
    pub(crate) fn new(data: &str) -> Result<Self, PrintError> {
        let code = encode(data)?;
        let width = code.width();
        let colors = code.to_colors();
        let mut runs = Vec::new();
        for (y, row) in colors.chunks(width).enumerate() {
            let mut x = 0;
            while x < width {
                let len = row[x..].iter().take_while(|&&c| c == Color::Dark).count();
                if len > 0 {
                    runs.push((x + QUIET_ZONE, y + QUIET_ZONE, len));
                }
                x += len.max(1);
            }
        }
        Ok(Qr {
            size: width + 2 * QUIET_ZONE,
            runs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_cover_exactly_the_dark_modules() {
        let code = encode("SH001-20261127-0007").unwrap();
        let dark = code
            .to_colors()
            .iter()
            .filter(|&&c| c == Color::Dark)
            .count();
        let qr = Qr::new("SH001-20261127-0007").unwrap();
        assert_eq!(qr.runs.iter().map(|r| r.2).sum::<usize>(), dark);
        assert_eq!(qr.size, code.width() + 8);
        assert!(
            qr.runs
                .iter()
                .all(|&(x, y, len)| x >= 4 && y >= 4 && x + len <= qr.size - 4)
        );
    }

    #[test]
    fn too_much_data_is_an_error() {
        assert!(matches!(
            Qr::new(&"x".repeat(3000)),
            Err(PrintError::CodeTooLong(3000))
        ));
    }
}
