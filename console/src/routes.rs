//! The paths of the console's API, with their queries. A staff request signs the path and query
//! exactly as sent, so they are spelt here once, and every query value is percent-encoded here
//! (everything but RFC 3986's unreserved characters), never left for the browser to rewrite.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// What RFC 3986 §2.3 leaves unencoded besides letters and digits.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// `GET /v1/challenge`, unsigned.
pub const CHALLENGE: &str = "/v1/challenge";
/// `GET /v1/form`, unsigned: the school's key and the delegations to trust.
pub const FORM: &str = "/v1/form";
/// `POST /v1/console/enrol`, unsigned: the invitation and the proof of possession.
pub const ENROL: &str = "/v1/console/enrol";
/// `GET`: who the caller is.
pub const ME: &str = "/v1/console/me";
/// `GET`: the school at a glance.
pub const OVERVIEW: &str = "/v1/console/overview";
/// `POST`: a signed staff decision on a rights request.
pub const DECIDE: &str = "/v1/console/decide";
/// `POST`: a signed record of a paper slip.
pub const PAPER: &str = "/v1/console/paper";
/// `POST`: remind the families who have not answered, or must confirm again.
pub const REMIND: &str = "/v1/console/remind";
/// `GET`: every rights request.
pub const REQUESTS: &str = "/v1/console/requests";

/// How a list is asked for: as JSON to show, or as the service's CSV to save.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON, for the screen.
    Json,
    /// `format=csv`, for a file.
    Csv,
}

/// `path?name=value&…`, each value percent-encoded, in the order given.
fn with_query(path: &str, pairs: &[(&str, &str)]) -> String {
    let query: Vec<String> =
        pairs.iter().map(|(name, value)| format!("{name}={}", utf8_percent_encode(value, QUERY_VALUE))).collect();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

fn formatted<'a>(pairs: &[(&'a str, &'a str)], format: Format) -> Vec<(&'a str, &'a str)> {
    let mut pairs = pairs.to_vec();
    if format == Format::Csv {
        pairs.push(("format", "csv"));
    }
    pairs
}

/// `GET /v1/console/not-answered[?format=csv]`.
pub fn not_answered(format: Format) -> String {
    with_query("/v1/console/not-answered", &formatted(&[], format))
}

/// `GET /v1/console/letters[?class=…]`: the printable letters of the invitations still usable.
pub fn letters(class: Option<&str>) -> String {
    let pairs: Vec<(&str, &str)> = class.map(|class| ("class", class)).into_iter().collect();
    with_query("/v1/console/letters", &pairs)
}

/// `GET /v1/console/photo-check?class=…&purpose=…&date=…[&format=csv]`.
pub fn photo_check(class: &str, purpose: &str, date: &str, format: Format) -> String {
    let pairs = [("class", class), ("purpose", purpose), ("date", date)];
    with_query("/v1/console/photo-check", &formatted(&pairs, format))
}

/// `GET /v1/console/students?class=…`.
pub fn students(class: &str) -> String {
    with_query("/v1/console/students", &[("class", class)])
}

/// `GET /v1/console/student?id=…`.
pub fn student(id: &str) -> String {
    with_query("/v1/console/student", &[("id", id)])
}

/// `GET /v1/console/export?student=…`: the proof bundle.
pub fn export(student: &str) -> String {
    with_query("/v1/console/export", &[("student", student)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(got: String, expected: &str) {
        assert_eq!(got, expected);
    }

    #[test]
    fn every_query_value_is_encoded_and_csv_is_asked_last() {
        check(
            photo_check("7B", "photos-published", "2026-05-14", Format::Json),
            "/v1/console/photo-check?class=7B&purpose=photos-published&date=2026-05-14",
        );
        check(
            photo_check("7 B&c=1", "p", "2026-05-14", Format::Csv),
            "/v1/console/photo-check?class=7%20B%26c%3D1&purpose=p&date=2026-05-14&format=csv",
        );
        check(students("Klasa ó/2"), "/v1/console/students?class=Klasa%20%C3%B3%2F2");
        check(student("s-001"), "/v1/console/student?id=s-001");
        check(export("a~b.c_d"), "/v1/console/export?student=a~b.c_d");
        check(not_answered(Format::Json), "/v1/console/not-answered");
        check(not_answered(Format::Csv), "/v1/console/not-answered?format=csv");
        check(letters(None), "/v1/console/letters");
        check(letters(Some("9 B")), "/v1/console/letters?class=9%20B");
    }

    #[test]
    fn an_encoded_path_is_one_a_staff_request_may_sign() {
        // `StaffRequest` admits printable ASCII only: encoding makes any class name so.
        let path = students("7B ąę\u{7f}\n");
        assert!(path.bytes().all(|b| b.is_ascii_graphic()), "{path}");
    }
}
