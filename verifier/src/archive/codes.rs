//! Short codes: what a printed letter carries instead of the signed invitation. The link
//! `<consent page>#invitation=<base64url>` is several hundred characters, too long to type and a
//! dense QR code; a letter's link is `<consent page>#code=K7QF-2M9X-…`, and the widget exchanges
//! the code for the signed invitation (`POST /v1/invitation`), which it verifies under the school
//! key as it verifies a long link's.
//!
//! A code is as secret as the link it stands for, and works exactly as long as the invitation
//! can still enrol a device: unused, not replaced by a newer one, unexpired.
//!
//! The archive stores the code itself, not a hash of it, in `invitation_codes`: the console
//! prints letters again for invitations already issued, which needs the code, and a hash would
//! protect nothing — the signed invitation the code stands for, an equally strong credential,
//! is kept beside it in `invitations`. Both are personal data, purged together.

use super::{Archive, ArchiveError};
use rusqlite::OptionalExtension;
use shared::objects::Invitation;
use shared::trust::Verified;
use shared::Timestamp;

/// A letter's short code: 20 characters of Crockford's base32 (digits and capitals without
/// I, L, O and U, which read as 1, 1, 0 and V), 100 random bits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ShortCode(String);

/// The 32 symbols, each five bits.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

impl ShortCode {
    /// Symbols in a code: 20 × 5 = 100 bits, beyond guessing at any rate the service allows.
    pub const LENGTH: usize = 20;
    /// Symbols per group in the written form (`K7QF-2M9X-…`), so that a person types it in chunks.
    const GROUP: usize = 4;

    /// A new code from `rng`.
    pub fn random(rng: &mut impl rand_core::CryptoRngCore) -> ShortCode {
        let mut bytes = [0u8; ShortCode::LENGTH];
        rng.fill_bytes(&mut bytes);
        // 256 is a multiple of 32, so the low five bits of a uniform byte are uniform.
        ShortCode(bytes.iter().map(|b| char::from(ALPHABET[usize::from(b & 31)])).collect())
    }

    /// The code in `text` as a person may type it: any case, with or without the dashes and
    /// spaces between groups, and with O, I and L read as 0, 1 and 1 (Crockford's rule).
    /// `None` for anything that is not 20 symbols.
    pub fn parse(text: &str) -> Option<ShortCode> {
        let mut code = String::with_capacity(ShortCode::LENGTH);
        for c in text.chars().filter(|c| !matches!(c, '-' | ' ')) {
            let c = match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                other => other,
            };
            if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
                return None;
            }
            code.push(c);
        }
        (code.len() == ShortCode::LENGTH).then_some(ShortCode(code))
    }

    /// The 20 symbols, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code as written for people: groups of four joined by dashes.
    pub fn grouped(&self) -> String {
        let groups: Vec<&str> =
            self.0.as_bytes().chunks(ShortCode::GROUP).filter_map(|g| std::str::from_utf8(g).ok()).collect();
        groups.join("-")
    }

    /// The short link on the consent page at `consent_page`.
    pub fn link(&self, consent_page: &str) -> String {
        format!("{consent_page}#code={}", self.grouped())
    }
}

impl std::fmt::Display for ShortCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.grouped())
    }
}

/// The `meta` key under which the consent page the letters' links open is kept.
const CONSENT_PAGE: &str = "consent_page";

/// An invitation that can still enrol, with its code and the language of its letter: what the
/// console prints letters from.
#[derive(Debug, Clone)]
pub struct Printable {
    /// The signed invitation.
    pub invitation: Verified<Invitation>,
    /// Its short code.
    pub code: ShortCode,
    /// The invited person's language.
    pub language: shared::Lang,
}

impl Archive {
    /// The signed invitation that `code` stands for, while it can still enrol a device (as
    /// [`Archive::unused_invitation`]): a code that is malformed or unknown is
    /// [`ArchiveError::UnknownCode`]; one whose invitation was used, replaced or expired is
    /// refused as that invitation is. Reads only.
    pub fn invitation_for_code(&self, code: &str, now: Timestamp) -> Result<Verified<Invitation>, ArchiveError> {
        let code = ShortCode::parse(code).ok_or(ArchiveError::UnknownCode)?;
        let bytes: Vec<u8> = self
            .conn
            .prepare_cached(
                "SELECT i.bytes FROM invitation_codes c JOIN invitations i ON i.hash = c.invitation WHERE c.code = ?1",
            )?
            .query_row([code.as_str()], |row| row.get(0))
            .optional()?
            .ok_or(ArchiveError::UnknownCode)?;
        self.unused_invitation(&bytes, now)
    }

    /// Every invitation that can still enrol at `now` and has a short code (those issued before
    /// codes existed have none), of `class` or of every class, by class, student and person.
    pub fn printable_invitations(&self, class: Option<&str>, now: Timestamp) -> Result<Vec<Printable>, ArchiveError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT c.code, i.bytes, p.language FROM invitation_codes c
             JOIN invitations i ON i.hash = c.invitation JOIN people p ON p.person = i.person
             WHERE i.used_by IS NULL AND i.revoked = 0",
        )?;
        let rows = statement
            .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, Vec<u8>>(1)?, row.get::<_, String>(2)?)))?;
        let mut printable = Vec::new();
        for row in rows {
            let (code, bytes, language) = row?;
            let corrupt = |what: &str| ArchiveError::Corrupt(format!("invitation code {code}: {what}"));
            let code = ShortCode::parse(&code).ok_or_else(|| corrupt("not a code"))?;
            let language = shared::Lang::from_code(&language).ok_or_else(|| corrupt("bad language"))?;
            let invitation = match self.unused_invitation(&bytes, now) {
                Ok(invitation) => invitation,
                // Expired, or used by a certificate the log holds: no letter can help.
                Err(ArchiveError::Trust(_) | ArchiveError::InvitationUsed(_) | ArchiveError::InvitationRevoked(_)) => {
                    continue
                }
                Err(other) => return Err(other),
            };
            if class.is_none_or(|class| invitation.body().class == class) {
                printable.push(Printable { invitation, code, language });
            }
        }
        printable.sort_by(|a, b| {
            let key = |p: &Printable| {
                let body = p.invitation.body();
                (body.class.clone(), body.student_name.clone(), body.student.clone(), body.person.clone())
            };
            key(a).cmp(&key(b))
        });
        Ok(printable)
    }

    /// Remembers `url` as the consent page the letters' links open (`verifier invite
    /// --base-url`), so that the console can print letters later.
    pub fn remember_consent_page(&mut self, url: &str, now: Timestamp) -> Result<(), ArchiveError> {
        let tx = self.write(now)?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (CONSENT_PAGE, url),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The consent page the school's latest invitations link to, if `verifier invite` named one.
    pub fn consent_page(&self) -> Result<Option<String>, ArchiveError> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([CONSENT_PAGE], |row| row.get(0))
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_read_as_typed_and_written_in_groups() {
        let code = ShortCode::parse("k7qf-2m9x abcd-efgh-jkmn").expect("a code");
        assert_eq!(code.as_str(), "K7QF2M9XABCDEFGHJKMN");
        assert_eq!(code.grouped(), "K7QF-2M9X-ABCD-EFGH-JKMN");
        assert_eq!(code.link("https://s.example/c.html"), "https://s.example/c.html#code=K7QF-2M9X-ABCD-EFGH-JKMN");
        // Letters that look like digits are the digits.
        assert_eq!(
            ShortCode::parse("O1IL-0000-0000-0000-0000").map(|c| c.grouped()).as_deref(),
            Some("0111-0000-0000-0000-0000")
        );
    }

    #[test]
    fn anything_but_twenty_symbols_is_no_code() {
        for text in [
            "",
            "K7QF",
            "K7QF-2M9X-ABCD-EFGH-JKMNP",
            "K7QF-2M9X-ABCD-EFGH-JKMU",
            "K7QF-2M9X-ABCD-EFGH-JKM%",
            "ą7QF-2M9X-ABCD-EFGH-JKMN",
        ] {
            assert_eq!(ShortCode::parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn random_codes_use_the_whole_alphabet_and_parse_back() {
        let mut rng = rand_core::OsRng;
        let codes: Vec<ShortCode> = (0..200).map(|_| ShortCode::random(&mut rng)).collect();
        let used: std::collections::BTreeSet<char> = codes.iter().flat_map(|c| c.as_str().chars()).collect();
        assert_eq!(used.len(), 32, "4000 symbols drawn cover all 32");
        for code in &codes {
            assert_eq!(ShortCode::parse(&code.grouped()).as_ref(), Some(code));
        }
    }
}
