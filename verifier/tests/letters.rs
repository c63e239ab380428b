//! Printed letters through the real `verifier` binary: `invite --letters` writes one page per
//! person, in their language, whose QR code — decoded from the PNG as a phone's camera would —
//! is exactly the short link in `invitations.csv`, and whose code gives that person's invitation.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use verifier::archive::Archive;

fn ok(dir: &Path, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_verifier"))
        .current_dir(dir)
        .env("VERIFIER_DATA", "school")
        .args(args)
        .output()
        .expect("the verifier binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "verifier {args:?} failed: {}\n{stdout}", String::from_utf8_lossy(&output.stderr));
    stdout
}

/// One family per language: the roster's `language` column, and one line without it (the
/// school's default, Polish here).
const ROSTER: &str = "student_id,student_name,class,birth_date,guardian_name,guardian_email,language
s-1,Ana Popescu,4A,2017-03-01,Maria Popescu,m@example.org,ro
s-2,Jan Kowalski,4A,2017-04-01,Ewa Kowalska,e@example.org,
s-3,Tom Smith,4B,2017-05-01,Kate Smith,k@example.org,en
";

/// The page's letters as (person, language, the `data:` PNG of its QR code).
fn letters(page: &str) -> Vec<(String, String, Vec<u8>)> {
    use base64::Engine as _;
    page.split("<article class=\"letter\" ")
        .skip(1)
        .map(|article| {
            let attribute = |name: &str| {
                let start = article.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
                article[start..start + article[start..].find('"').expect("closing quote")].to_owned()
            };
            let src = attribute("src");
            let png = src.strip_prefix("data:image/png;base64,").expect("a PNG data URI");
            let png = base64::engine::general_purpose::STANDARD.decode(png).expect("base64");
            (attribute("data-person"), attribute("lang"), png)
        })
        .collect()
}

/// What a QR decoder reads in `png` — the PNG decoded to grey pixels, then `rqrr`, as from a
/// photo — and the symbol's version.
fn decode_qr(png: &[u8]) -> (String, usize) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a size")];
    let frame = reader.next_frame(&mut pixels).expect("a frame");
    assert_eq!(frame.color_type, png::ColorType::Grayscale);
    let (width, height) = (frame.width as usize, frame.height as usize);
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| pixels[y * frame.line_size + x]);
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    let (meta, content) = grids[0].decode().expect("decodes");
    // The format bits of ISO/IEC 18004 Table 12, which rqrr reports as read: Q is 0b11.
    assert_eq!(meta.ecc_level, 0b11, "error correction level Q");
    (content, meta.version.0)
}

#[test]
fn every_letters_qr_code_reads_back_as_its_short_link_and_its_code_opens_that_persons_invitation() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path();
    ok(path, &["init"]);
    std::fs::write(path.join("roster.csv"), ROSTER).expect("roster");
    std::fs::write(path.join("form.toml"), consent_tests::fixtures::EXAMPLE_FORM_TOML).expect("form");
    ok(path, &["form", "sign", "form.toml", "--out", "form-v1.json"]);
    ok(path, &["form", "publish", "form-v1.json"]);
    let page = "https://lindenfield-school.example.org/consent.html";
    let said = ok(
        path,
        &["invite", "--roster", "roster.csv", "--base-url", page, "--language", "pl", "--letters", "letters.html"],
    );
    assert!(said.contains("letters.html"), "{said}");
    let file = path.join("letters.html");
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(&file).expect("letters").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the letters hold the families' codes");

    let mut short_links = BTreeMap::new();
    let mut list = csv::Reader::from_path(path.join("invitations.csv")).expect("invitations.csv");
    let header = list.headers().expect("header").clone();
    assert_eq!(header.iter().collect::<Vec<_>>(), ["person", "name", "email", "link", "short_link"]);
    for row in list.records() {
        let row = row.expect("row");
        short_links.insert(row[0].to_owned(), row[4].to_owned());
    }

    let html = std::fs::read_to_string(&file).expect("letters");
    let letters = letters(&html);
    let languages: Vec<(&str, &str)> = letters.iter().map(|(p, l, _)| (p.as_str(), l.as_str())).collect();
    assert_eq!(languages, [("s-1-g1", "ro"), ("s-2-g1", "pl"), ("s-3-g1", "en")], "one letter each, in their language");
    let archive = Archive::open(&path.join("school")).expect("archive");
    let now = verifier::clock::now().expect("clock");
    for (person, _, png) in &letters {
        let (decoded, version) = decode_qr(png);
        assert_eq!(&decoded, &short_links[person], "the QR code of {person} is their short link, exactly");
        let code = decoded.strip_prefix(&format!("{page}#code=")).expect("a short link on the consent page");
        assert_eq!(code.len(), 24, "the code in its groups: {code}");
        // 45 modules: at 4 cm with the quiet zone, 0.75 mm each (a long link would need version 25 or so).
        assert!(version <= 7, "a small QR code even for a long school address: version {version}");
        let invitation = archive.invitation_for_code(code, now).expect("the code gives an invitation");
        assert_eq!(invitation.body().person.as_str(), person, "and it is {person}'s");
    }
}
