//! `cargo xtask synth`: a synthetic school for tests, the demo and benchmarks. N students in
//! classes of 25, ages spread over the three age rules, one or two guardians each, every person
//! enrolled with a key derived from the seed, and receipts (grants, refusals, co-signatures and
//! withdrawals) written straight into a new archive through the same library calls the service
//! makes. The same seed gives the same people, keys and decisions.

use crate::school::new_school;
use anyhow::{Context, Result};
use consent_tests::fixtures::key;
use indicatif::{ProgressBar, ProgressStyle};
use shared::objects::{ConsentForm, ConsentReceipt, Decision, EnrolmentCertificate};
use shared::primitives::Digest;
use shared::{sign, Lang, Signed, Timestamp};
use std::path::Path;
use verifier::archive::{Archive, Submission};

/// SplitMix64: a tiny, well-known deterministic generator; the decisions only need to be varied
/// and repeatable, not secret.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// What was made.
pub struct Summary {
    /// Students in the roster.
    pub students: usize,
    /// People enrolled.
    pub people: usize,
    /// Receipts accepted.
    pub receipts: usize,
}

/// Where every signed object made is also written as a file, when asked.
struct Files<'a>(Option<&'a Path>);

impl Files<'_> {
    fn write(&self, name: &str, bytes: &[u8]) -> Result<()> {
        let Some(dir) = self.0 else { return Ok(()) };
        let path = dir.join(format!("{name}.json"));
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))
    }
}

/// Makes a school of `students` students in `dir` (which must not hold one yet); with `files`,
/// also writes every invitation, certificate and receipt there as a signed JSON file.
pub fn run(dir: &Path, students: usize, seed: u64, files: Option<&Path>) -> Result<Summary> {
    if let Some(files) = files {
        std::fs::create_dir_all(files).with_context(|| format!("creating {}", files.display()))?;
    }
    let files = Files(files);
    let mut school = new_school(dir, 30, |now| roster(students, now, seed))?;
    let (form, invited, now) = (school.form.clone(), school.invited.clone(), school.now);
    let purposes: Vec<String> = form.body().purposes.iter().map(|p| p.id.to_string()).collect();

    let bar = ProgressBar::new(invited.len() as u64);
    bar.set_style(ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} people ({per_sec})")?);
    bar.set_message("enrolling");
    let mut random = Seeded(seed);
    let mut receipts = 0;
    for person in &invited {
        let person_key = key(&format!("synth/{seed}/{}", person.person));
        let certificate = school.enrol(person, &person_key)?;
        files.write(&format!("invitation-{}", person.person), person.invitation.bytes())?;
        files.write(&format!("certificate-{}", person.person), certificate.bytes())?;
        // Most people answer; some grant everything, most choose; a few withdraw later.
        if random.chance(85) {
            let decisions: Vec<(String, Decision)> = purposes
                .iter()
                .map(|p| (p.clone(), if random.chance(70) { Decision::Grant } else { Decision::Refuse }))
                .collect();
            let first = submit(&mut school.archive, &form, &certificate, &person_key, &decisions, None, now)?;
            files.write(&format!("receipt-{}-1", person.person), first.bytes())?;
            receipts += 1;
            if random.chance(10) {
                let withdrawn =
                    vec![(purposes[(random.next() % purposes.len() as u64) as usize].clone(), Decision::Withdraw)];
                let previous = Some(first.hash());
                let second = submit(&mut school.archive, &form, &certificate, &person_key, &withdrawn, previous, now)?;
                files.write(&format!("receipt-{}-2", person.person), second.bytes())?;
                receipts += 1;
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(Summary { students, people: invited.len(), receipts })
}

fn submit(
    archive: &mut Archive,
    form: &Signed<ConsentForm>,
    certificate: &Signed<EnrolmentCertificate>,
    key: &ed25519_dalek::SigningKey,
    decisions: &[(String, Decision)],
    previous: Option<Digest>,
    now: Timestamp,
) -> Result<Signed<ConsentReceipt>> {
    let decisions = decisions
        .iter()
        .map(|(p, d)| Ok((shared::ids::PurposeId::try_from(p.as_str())?, *d)))
        .collect::<Result<_, shared::ids::IdError>>()?;
    let body = ConsentReceipt::by(certificate, form.hash(), decisions, now, previous, Lang::En);
    let receipt = sign(body, key)?;
    archive.submit(Submission::receipt(receipt.bytes()), now)?;
    Ok(receipt)
}

/// A roster: classes of 25; 40 % under the co-signing age, 40 % co-signing, 20 % adults;
/// a second guardian for every third student.
fn roster(students: usize, now: Timestamp, seed: u64) -> String {
    let mut random = Seeded(seed ^ 0x5eed);
    let mut text = "student_id,student_name,class,birth_date,student_email,guardian_name,guardian_email,guardian2_name,guardian2_email\n".to_owned();
    for i in 0..students {
        let years = match random.next() % 10 {
            0..=3 => 7 + random.next() % 7,
            4..=7 => 14 + random.next() % 4,
            _ => 18 + random.next() % 2,
        };
        let days = (years * 365 + random.next() % 300) as i64;
        let birth = now.date() - chrono::Duration::days(days);
        let class = format!("{}{}", 1 + (i / 25) % 12, char::from(b'A' + ((i / 300) % 26) as u8));
        let second = if i % 3 == 0 { format!("Second Guardian {i},g2-{i}@example.org") } else { ",".to_owned() };
        text +=
            &format!("s-{i:06},Student {i},{class},{birth},s{i}@example.org,Guardian {i},g-{i}@example.org,{second}\n");
    }
    text
}
