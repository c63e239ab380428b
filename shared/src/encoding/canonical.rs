//! RFC 8785 bytes written straight from a JSON value tree: members sorted by UTF-16 code units,
//! strings escaped by serde_json — whose escapes are ECMAScript's: `\b \t \n \f \r`, `\"`, `\\`,
//! and `\u00xx` in lower case for the other control characters — and integers as decimal digits.
//!
//! Some five times faster than `serde_json_canonicalizer`, which parses every key again to sort
//! it: every signature encodes its document, and every verification decodes one and encodes it
//! again to compare, so this is a good part of what a receipt costs the archive. Numbers the
//! protocol never writes — fractions, integers beyond ±(2^53 − 1), which ECMAScript's numbers
//! cannot carry exactly — have no canonical form here: a document holding one is refused. A
//! property test holds this writer to that crate, byte for byte, on every other value.

use serde_json::Value;

/// The largest integer written here; beyond it ECMAScript's numbers are no longer exact.
const MAX_EXACT: i64 = (1 << 53) - 1;

/// Why a value has no canonical form here.
pub(super) const OUTSIDE: &str = "a number that is not an integer within ±(2^53 − 1) has no canonical form";

/// Appends the canonical bytes of `value` to `out`; `None` (with `out` partly written) if it
/// holds a number outside the protocol's.
pub(super) fn write(value: &Value, out: &mut Vec<u8>) -> Option<()> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(number) => out.extend_from_slice(exact_integer(number)?.to_string().as_bytes()),
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

/// The integer `number` is, however it was spelled (`10`, `1e1`, `10.0`, `-0`), if ECMAScript
/// carries it exactly.
fn exact_integer(number: &serde_json::Number) -> Option<i64> {
    let integer = match number.as_i64() {
        Some(integer) => integer,
        None => {
            let float = number.as_f64().filter(|f| f.fract() == 0.0 && f.abs() <= MAX_EXACT as f64)?;
            // Exact: an integer-valued float within ±(2^53 − 1); `-0` becomes 0.
            float as i64
        }
    };
    (integer.unsigned_abs() <= MAX_EXACT.unsigned_abs()).then_some(integer)
}
