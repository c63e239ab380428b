//! The canonical byte form of every protocol document, and its strict decoder (no cryptography here).
//!
//! Canonical bytes are the JSON Canonicalization Scheme (RFC 8785) of the document: no whitespace,
//! object keys sorted by UTF-16 code units, strings escaped as ECMAScript's `JSON.stringify` does.
//! The protocol uses no floating-point numbers and keeps integers within ±(2^53 − 1), so every number
//! is written as plain decimal digits. A document is accepted only if it *is* its canonical form:
//! decoding re-encodes the typed value and compares byte for byte, so there is exactly one spelling
//! of every document and nothing is ever silently "fixed up".
//!
//! The checks run in a fixed order, each with its own error variant:
//! 1. size ≤ [`MAX_DOCUMENT_BYTES`] ([`DecodeError::TooLarge`]);
//! 2. one JSON value ([`DecodeError::Syntax`]) with nothing after it ([`DecodeError::TrailingBytes`])
//!    and no key twice in one object ([`DecodeError::DuplicateKey`]);
//! 3. the typed schema ([`DecodeError::Schema`]);
//! 4. canonical form: no field the type does not know ([`DecodeError::UnknownField`]), else
//!    byte for byte its canonical encoding ([`DecodeError::NotCanonical`]).
//!
//! Unknown fields are found by comparing the input with its canonical re-encoding, which leaves
//! them out, and only when the two differ: the typed decode is serde's plain one, instantiated
//! once per kind, rather than a field-tracking wrapper around every visitor (which cost the
//! widget some 100 KB of WebAssembly). A key the re-encoding lacks whose value is `null` is
//! reported as [`DecodeError::NotCanonical`], not as unknown: an optional field left empty is
//! written by leaving it out, never as `null`, so either way the input is not canonical.

mod canonical;

use serde::de::{DeserializeOwned, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// The largest document accepted, in bytes: the example form, nine purposes in three languages, is about 25 KiB.
///
/// Checked before any parsing, so an oversized input costs nothing but its length.
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024;

/// Why bytes are not a valid protocol document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The input is longer than [`MAX_DOCUMENT_BYTES`].
    #[error("the document is {actual} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: usize,
        /// The input's length.
        actual: usize,
    },
    /// The input is not one JSON value (or is nested too deeply).
    #[error("not valid JSON at line {line}, column {column}: {message}")]
    Syntax {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// Bytes (even whitespace) follow the JSON value.
    #[error("unexpected bytes after the end of the JSON value at byte {offset}")]
    TrailingBytes {
        /// Offset of the first byte after the value.
        offset: usize,
    },
    /// One object holds the same key twice; JSON parsers disagree on which one wins, so we refuse.
    #[error("the key {key:?} appears twice in one object")]
    DuplicateKey {
        /// The repeated key.
        key: String,
    },
    /// A field this version of the protocol does not define.
    #[error("unknown field `{path}`")]
    UnknownField {
        /// Dotted path of the field, e.g. `body.decisions.photos.note`.
        path: String,
    },
    /// Valid JSON of the wrong shape: a missing field, a wrong type, an invalid id, date or hex value.
    #[error("the document does not match the protocol: {message}")]
    Schema {
        /// The first mismatch, with its position.
        message: String,
    },
    /// Valid and well-typed, but not written in canonical form (RFC 8785).
    #[error("the document is not in canonical form (RFC 8785); it first differs at byte {offset}")]
    NotCanonical {
        /// First byte at which the input differs from its canonical form.
        offset: usize,
    },
}

/// Why a value has no canonical encoding (a map with non-string keys, say): a programming error
/// in the caller, reported rather than panicking.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot encode canonically: {0}")]
pub struct EncodeError(String);

/// The canonical bytes (RFC 8785) of `value`.
pub fn to_canonical<T: Serialize>(value: &T) -> Result<Vec<u8>, EncodeError> {
    let tree = serde_json::to_value(value).map_err(|e| EncodeError(e.to_string()))?;
    let mut bytes = Vec::with_capacity(512);
    canonical::write(&tree, &mut bytes).ok_or_else(|| EncodeError(canonical::OUTSIDE.to_owned()))?;
    Ok(bytes)
}

/// Decodes a document, running every check of the module documentation in order.
pub fn decode_canonical<T: Serialize + DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    decode_canonical_within(bytes, MAX_DOCUMENT_BYTES)
}

/// [`decode_canonical`] for a container of documents (a proof bundle, say) with its own size `limit`.
pub fn decode_canonical_within<T: Serialize + DeserializeOwned>(bytes: &[u8], limit: usize) -> Result<T, DecodeError> {
    if bytes.len() > limit {
        return Err(DecodeError::TooLarge { limit, actual: bytes.len() });
    }
    check_syntax(bytes)?;
    let value = decode_typed(bytes)?;
    check_canonical(&value, bytes)?;
    Ok(value)
}

/// Step 1: the size limit.
pub(crate) fn check_size(bytes: &[u8]) -> Result<(), DecodeError> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(DecodeError::TooLarge { limit: MAX_DOCUMENT_BYTES, actual: bytes.len() });
    }
    Ok(())
}

/// Step 2: exactly one JSON value, no duplicate keys anywhere in it.
pub(crate) fn check_syntax(bytes: &[u8]) -> Result<(), DecodeError> {
    let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<KeyScan>();
    let scan = match stream.next() {
        None => return Err(DecodeError::Syntax { line: 1, column: 0, message: "empty input".into() }),
        Some(Err(e)) => return Err(syntax_error(&e)),
        Some(Ok(scan)) => scan,
    };
    let offset = stream.byte_offset();
    if offset != bytes.len() {
        return Err(DecodeError::TrailingBytes { offset });
    }
    match scan.first_duplicate {
        Some(key) => Err(DecodeError::DuplicateKey { key }),
        None => Ok(()),
    }
}

/// Step 3: the typed value (serde skips fields the type does not know; step 4 finds them).
pub(crate) fn decode_typed<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    from_json(bytes).map_err(|e| DecodeError::Schema { message: e.to_string() })
}

/// JSON read into one `serde_json::Value` tree first, then into `T`: the decoder every typed read
/// shares, signed documents and the service's answers alike. Reading straight from the bytes
/// would compile serde_json's parser once more for every type, which the widget's phones
/// download (some 9 KB of wasm for the signed kinds alone); the tree costs one allocation per
/// value, and the verdicts are the same, only a schema error's message has no line and column.
pub fn from_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    T::deserialize(&serde_json::from_slice::<serde_json::Value>(bytes)?)
}

/// Step 4: the input is byte for byte the canonical encoding of what it decoded to; where it is
/// not, a field the re-encoding left out is named as unknown.
pub(crate) fn check_canonical<T: Serialize>(value: &T, bytes: &[u8]) -> Result<(), DecodeError> {
    let canonical = to_canonical(value).map_err(|e| DecodeError::Schema { message: e.to_string() })?;
    if canonical == bytes {
        return Ok(());
    }
    if let Some(path) = first_unknown_field(bytes, &canonical) {
        return Err(DecodeError::UnknownField { path });
    }
    let offset = canonical.iter().zip(bytes).position(|(a, b)| a != b);
    Err(DecodeError::NotCanonical { offset: offset.unwrap_or(canonical.len().min(bytes.len())) })
}

/// The dotted path (`body.decisions.photos.note`, array items by index) of the first key, in
/// input order, that `input` holds with a value other than `null` and its canonical re-encoding
/// lacks.
fn first_unknown_field(input: &[u8], canonical: &[u8]) -> Option<String> {
    let input: serde_json::Value = serde_json::from_slice(input).ok()?;
    let canonical: serde_json::Value = serde_json::from_slice(canonical).ok()?;
    unknown_below(&input, &canonical, "")
}

fn unknown_below(input: &serde_json::Value, known: &serde_json::Value, path: &str) -> Option<String> {
    use serde_json::Value;
    let child = |step: &dyn fmt::Display| if path.is_empty() { step.to_string() } else { format!("{path}.{step}") };
    match (input, known) {
        (Value::Object(input), Value::Object(known)) => input.iter().find_map(|(key, value)| match known.get(key) {
            Some(known) => unknown_below(value, known, &child(key)),
            None if value.is_null() => None,
            None => Some(child(key)),
        }),
        (Value::Array(input), Value::Array(known)) => input
            .iter()
            .zip(known)
            .enumerate()
            .find_map(|(index, (value, known))| unknown_below(value, known, &child(&index))),
        _ => None,
    }
}

fn syntax_error(error: &serde_json::Error) -> DecodeError {
    DecodeError::Syntax { line: error.line(), column: error.column(), message: error.to_string() }
}

/// A pass over any JSON value that remembers the first key repeated within one object.
///
/// serde's derived structs catch repeated *fields*, but maps keep the last value silently; this
/// scan runs before the typed decode so that every object, maps included, is checked the same way.
#[derive(Default)]
struct KeyScan {
    first_duplicate: Option<String>,
}

impl KeyScan {
    fn absorb(&mut self, inner: KeyScan) {
        if self.first_duplicate.is_none() {
            self.first_duplicate = inner.first_duplicate;
        }
    }
}

impl<'de> Deserialize<'de> for KeyScan {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(KeyScanVisitor)
    }
}

struct KeyScanVisitor;

impl<'de> Visitor<'de> for KeyScanVisitor {
    type Value = KeyScan;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<KeyScan, A::Error> {
        let mut scan = KeyScan::default();
        let mut seen = BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) && scan.first_duplicate.is_none() {
                scan.first_duplicate = Some(key);
            }
            scan.absorb(map.next_value::<KeyScan>()?);
        }
        Ok(scan)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<KeyScan, A::Error> {
        let mut scan = KeyScan::default();
        while let Some(inner) = seq.next_element::<KeyScan>()? {
            scan.absorb(inner);
        }
        Ok(scan)
    }

    fn visit_bool<E>(self, _: bool) -> Result<KeyScan, E> {
        Ok(KeyScan::default())
    }

    fn visit_i64<E>(self, _: i64) -> Result<KeyScan, E> {
        Ok(KeyScan::default())
    }

    fn visit_u64<E>(self, _: u64) -> Result<KeyScan, E> {
        Ok(KeyScan::default())
    }

    fn visit_f64<E>(self, _: f64) -> Result<KeyScan, E> {
        Ok(KeyScan::default())
    }

    fn visit_str<E>(self, _: &str) -> Result<KeyScan, E> {
        Ok(KeyScan::default())
    }

    fn visit_unit<E>(self) -> Result<KeyScan, E> {
        Ok(KeyScan::default())
    }
}

/// The `kind` of an envelope, read before the body is typed so that a document of another kind
/// gets [`crate::OpenError`]'s precise "wrong kind" rather than a schema error. Other fields are
/// skipped (serde ignores fields a struct does not name unless told otherwise).
#[derive(Deserialize)]
pub(crate) struct KindOnly {
    pub(crate) kind: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    type Doc = BTreeMap<String, serde_json::Value>;

    fn check(input: &str, expected: Result<(), DecodeError>) {
        let got = decode_canonical::<Doc>(input.as_bytes()).map(|_| ());
        assert_eq!(got, expected, "input {input:?}");
    }

    #[test]
    fn canonical_documents_decode() {
        check(r#"{"a":1,"b":[true,"x"]}"#, Ok(()));
        check(r#"{"\u0000":"tab\there","é":"ü"}"#, Ok(()));
    }

    #[test]
    fn each_defect_has_its_own_error() {
        check(
            r#"{"a":1"#,
            Err(DecodeError::Syntax {
                line: 1,
                column: 6,
                message: "EOF while parsing an object at line 1 column 6".into(),
            }),
        );
        check(r#"{"a":1} "#, Err(DecodeError::TrailingBytes { offset: 7 }));
        check(r#"{"a":1}{}"#, Err(DecodeError::TrailingBytes { offset: 7 }));
        check(r#"{"a":{"k":1,"k":2}}"#, Err(DecodeError::DuplicateKey { key: "k".into() }));
        check(r#"{"b":1,"a":2}"#, Err(DecodeError::NotCanonical { offset: 2 }));
        check(r#"{"a": 1}"#, Err(DecodeError::NotCanonical { offset: 5 }));
        check(r#"{"a":"\u0041"}"#, Err(DecodeError::NotCanonical { offset: 6 }));
    }

    #[test]
    fn an_unknown_field_is_named_by_its_path_before_any_other_difference() {
        #[derive(Serialize, Deserialize)]
        struct Inner {
            b: u8,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            c: Option<u8>,
        }
        #[derive(Serialize, Deserialize)]
        struct Outer {
            a: Vec<Inner>,
        }
        let decode = |input: &str| decode_canonical::<Outer>(input.as_bytes()).map(|_| ());
        assert_eq!(decode(r#"{"a":[{"b":1},{"b":2,"c":3}]}"#), Ok(()));
        assert_eq!(
            decode(r#"{"a":[{"b":1},{"b":2,"x":{"y":1}}]}"#),
            Err(DecodeError::UnknownField { path: "a.1.x".into() })
        );
        assert_eq!(decode(r#"{"a":[],"z":[]}"#), Err(DecodeError::UnknownField { path: "z".into() }));
        // An unknown field is found even where a non-canonical spelling comes first.
        assert_eq!(decode(r#"{"a": [{"b":1,"x":true}]}"#), Err(DecodeError::UnknownField { path: "a.0.x".into() }));
        // `null` is never written, for a known optional field or another.
        assert_eq!(decode(r#"{"a":[{"b":1,"c":null}]}"#), Err(DecodeError::NotCanonical { offset: 12 }));
        assert_eq!(decode(r#"{"a":[{"b":1,"x":null}]}"#), Err(DecodeError::NotCanonical { offset: 12 }));
        assert!(matches!(decode(r#"{"a":[{"c":1}]}"#), Err(DecodeError::Schema { .. })));
    }

    #[test]
    fn oversized_input_is_refused_before_parsing() {
        let big = vec![b' '; MAX_DOCUMENT_BYTES + 1];
        assert_eq!(
            decode_canonical::<Doc>(&big),
            Err(DecodeError::TooLarge { limit: MAX_DOCUMENT_BYTES, actual: MAX_DOCUMENT_BYTES + 1 })
        );
    }

    #[test]
    fn keys_sort_by_utf16_code_units_as_rfc_8785_requires() {
        // RFC 8785 §3.2.3: U+1F600 (a surrogate pair, 0xD83D…) sorts before U+FF21 in UTF-16,
        // although its UTF-8 bytes (0xF0…) sort after those of U+FF21 (0xEF…).
        let doc: Doc = [("\u{ff21}".to_string(), 1.into()), ("\u{1f600}".to_string(), 2.into())].into();
        let bytes = to_canonical(&doc).expect("encodes");
        assert_eq!(String::from_utf8(bytes).expect("utf-8"), "{\"\u{1f600}\":2,\"\u{ff21}\":1}");
    }
}
