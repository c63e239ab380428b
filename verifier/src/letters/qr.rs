//! The QR code of a letter's short link, drawn as a PNG the letter carries as a data URI (so the
//! file prints the same from a disk, an e-mail or the console, with nothing to fetch).
//!
//! Error correction level Q (about 25 % of the symbol may be lost): a letter is folded, carried
//! in a school bag and printed on office printers low on toner, and a short link on a school's
//! address (70 to 90 characters) still fits a symbol of 41 to 45 modules (versions 6 and 7), so
//! at the printed 4 cm, quiet zone included, a module stays near 0.75 mm — what a phone camera
//! reads at a hand's length. The quiet zone is the 4 modules ISO/IEC 18004 asks for.

use base64::Engine as _;
use qrcode::{Color, EcLevel, QrCode};

/// Light modules around the symbol (ISO/IEC 18004 §9.1).
const QUIET_ZONE: usize = 4;
/// Pixels per module: enough for the image to stay sharp when a browser scales it to 4 cm.
const PIXELS_PER_MODULE: usize = 8;

/// Why a QR code could not be drawn.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QrError {
    /// The text does not fit any QR code at level Q (far longer than any short link).
    #[error("the link does not fit a QR code: {0}")]
    TooLong(qrcode::types::QrError),
    /// The PNG writer failed.
    #[error("drawing the QR code failed: {0}")]
    Png(#[from] png::EncodingError),
}

/// `data:image/png;base64,…` of the QR code of `text`.
pub fn png_data_uri(text: &str) -> Result<String, QrError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::Q).map_err(QrError::TooLong)?;
    let png = png_of(&code)?;
    Ok(format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(png)))
}

/// The symbol with its quiet zone as a 1-bit greyscale PNG (0 is black): a few hundred bytes.
fn png_of(code: &QrCode) -> Result<Vec<u8>, QrError> {
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET_ZONE) * PIXELS_PER_MODULE;
    let row_bytes = side.div_ceil(8);
    let mut pixels = vec![0xffu8; row_bytes * side];
    for y in 0..modules {
        for x in 0..modules {
            if colors[y * modules + x] != Color::Dark {
                continue;
            }
            for dy in 0..PIXELS_PER_MODULE {
                let row = (y + QUIET_ZONE) * PIXELS_PER_MODULE + dy;
                for dx in 0..PIXELS_PER_MODULE {
                    let column = (x + QUIET_ZONE) * PIXELS_PER_MODULE + dx;
                    pixels[row * row_bytes + column / 8] &= !(0x80 >> (column % 8));
                }
            }
        }
    }
    let side = u32::try_from(side).unwrap_or(u32::MAX);
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&pixels)?;
    writer.finish()?;
    Ok(png)
}
