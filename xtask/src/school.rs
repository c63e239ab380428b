//! A new school for the tools: an archive with the example form published and a roster invited,
//! and enrolment of a device key — what `synth` and `load` both start from.

use anyhow::{Context, Result};
use consent_tests::fixtures::example_form_content;
use ed25519_dalek::SigningKey;
use shared::objects::{ConsentForm, EnrolmentCertificate, EnrolmentRequest};
use shared::primitives::PublicKey;
use shared::{sign, Signed, Timestamp};
use std::path::Path;
use verifier::archive::{Archive, Invited, Roster};
use verifier::keys;

/// The school just made.
pub struct NewSchool {
    /// Its archive.
    pub archive: Archive,
    /// Form version 1, published.
    pub form: Signed<ConsentForm>,
    /// Everyone invited from the roster.
    pub invited: Vec<Invited>,
    /// The instant everything was stamped with.
    pub now: Timestamp,
}

/// Makes a school in `dir` (which must not hold one), publishes the example form and invites the
/// roster `roster(now)` returns, with invitations valid for `valid_days`.
pub fn new_school(dir: &Path, valid_days: i64, roster: impl FnOnce(Timestamp) -> String) -> Result<NewSchool> {
    let now = verifier::clock::now()?;
    let (mut archive, school) = Archive::init(dir, now, &mut rand_core::OsRng)?;
    let root = keys::read_secret(&dir.join(keys::ROOT_KEY))?;
    let form = sign(ConsentForm::new(school, 1, now, None, example_form_content()), &root)?;
    archive.publish_form(form.bytes(), now)?;
    let roster = Roster::parse(&roster(now)).context("the generated roster")?;
    let expires = Timestamp::from_unix(now.unix() + valid_days * 86_400).context("date out of range")?;
    let invited = archive.invite(&roster, &root, expires, now, &mut rand_core::OsRng)?;
    Ok(NewSchool { archive, form, invited, now })
}

/// A roster of `people` students of the same age (under 14, so one guardian decides), one
/// guardian each.
pub fn roster_of(people: usize) -> String {
    let mut roster = "student_id,student_name,class,birth_date,student_email,guardian_name,guardian_email,guardian2_name,guardian2_email\n".to_owned();
    for i in 0..people {
        roster += &format!("s-{i},Student {i},3A,2018-01-01,,Parent {i},p{i}@example.org,,\n");
    }
    roster
}

impl NewSchool {
    /// Enrols `device` for `person`, as the widget does with a key it just made.
    pub fn enrol(&mut self, person: &Invited, device: &SigningKey) -> Result<Signed<EnrolmentCertificate>> {
        let request = EnrolmentRequest {
            school: self.archive.school(),
            invitation: person.invitation.hash(),
            key: PublicKey::of(device),
            client_time: self.now,
        };
        let request = sign(request, device)?;
        Ok(self.archive.enrol(person.invitation.bytes(), request.bytes(), self.now)?.signed().clone())
    }
}
