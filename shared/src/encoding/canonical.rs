//! RFC 8785 bytes written straight from a JSON value tree: members sorted by UTF-16 code units,
//! strings escaped by serde_json — whose escapes are ECMAScript's: `\b \t \n \f \r`, `\"`, `\\`,
//! and `\u00xx` in lower case for the other control characters — and integers as decimal digits.
//!
//! Some ten times faster than `serde_json_canonicalizer`, which parses every key again to sort
//! it: every signature encodes its document, and every verification decodes one and encodes it
//! again to compare, so this is a good part of what a receipt costs the archive. Numbers the
//! protocol never writes (fractions, integers beyond ±(2^53 − 1)) are left to that crate, which
//! a property test also holds this writer to, byte for byte.

use serde_json::Value;

/// The largest integer written here; beyond it ECMAScript's numbers are no longer exact.
const MAX_EXACT: i64 = (1 << 53) - 1;

/// Appends the canonical bytes of `value` to `out`; `None` (with `out` partly written) if it
/// holds a number outside the protocol's, for the caller to encode another way.
pub(super) fn write(value: &Value, out: &mut Vec<u8>) -> Option<()> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(number) => {
            let integer = number.as_i64().filter(|n| n.unsigned_abs() <= MAX_EXACT.unsigned_abs())?;
            out.extend_from_slice(integer.to_string().as_bytes());
        }
        Value::String(text) => serde_json::to_writer(&mut *out, text).ok()?,
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(item, out)?;
            }
            out.push(b']');
        }
        Value::Object(members) => {
            let mut sorted: Vec<(&String, &Value)> = members.iter().collect();
            sorted.sort_by(|(a, _), (b, _)| a.encode_utf16().cmp(b.encode_utf16()));
            out.push(b'{');
            for (i, (key, item)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                serde_json::to_writer(&mut *out, key).ok()?;
                out.push(b':');
                write(item, out)?;
            }
            out.push(b'}');
        }
    }
    Some(())
}
