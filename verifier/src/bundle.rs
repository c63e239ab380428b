//! Proof bundles: everything an auditor needs to check one student's consent history offline,
//! with nothing but the school's public key.
//!
//! A bundle is canonical JSON (RFC 8785, like every object inside it):
//! `{"checkpoint": <signed checkpoint>, "entries": [{"acknowledgement": <signed ack>, "index": n,
//! "object": <signed object>, "proof": [<hex>, …]}, …], "format": "consent-proof-bundle/1",
//! "school": <hex root key>, "student": <id>}`. The entries are the archive-key delegations, every
//! form version, and the student's certificates, receipts, rights requests and decisions (for a
//! decision made in the staff console, the staff member's signed decision and their staff
//! certificate too, so that who decided is provable), and the paper slips staff recorded for the
//! student (with the recorder's staff certificate), each with its log index and an RFC 9162
//! inclusion proof against the checkpoint.
//!
//! Verification ([`verify_bundle`]) trusts only the school key: it verifies the delegations
//! under it, the checkpoint under a delegated archive key, every entry's inclusion in the
//! checkpoint's tree, every object through the chain of trust, and every acknowledgement; then
//! it folds the receipts and the paper slips into the state of consent at the checkpoint's time,
//! reporting the slips apart ([`BundleReport::paper`]): a slip proves what a member of staff
//! recorded, never what a family signed.
//!
//! What a bundle proves, and what it cannot: every object in it is genuine and was in the log by
//! the checkpoint; each signer's receipts in it form unbroken chains (a receipt whose predecessor
//! was left out makes the bundle invalid); each decision answers a request in it. It cannot prove
//! that the school left out nothing *after* the last receipt of a chain — a later withdrawal, say.
//! That is what the family's own acknowledgement is for: `verifier verify bundle.json receipt.json
//! ack.json` fails if the bundle omits an object the archive acknowledged before its checkpoint.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::encoding::{decode_canonical_within, to_canonical, DecodeError};
use shared::ids::{PersonId, StudentId};
use shared::merkle::{self, ProofError};
use shared::objects::{
    Acknowledgement, ArchiveDelegation, Checkpoint, ConsentForm, ConsentReceipt, EnrolmentCertificate, PaperRecord,
    RequestDecision, RightsRequest, StaffCertificate, StaffDecision, StaffRole,
};
use shared::policy::{consent_state, ConsentState, FoldContext, LoggedPaper, LoggedReceipt};
use shared::primitives::{Digest, PublicKey};
use shared::trust::{TrustError, TrustStore, Verified};
use shared::{Signed, SignedObject, Timestamp};
use std::collections::{BTreeMap, BTreeSet};

/// The format tag of this version of the bundle.
pub const FORMAT: &str = "consent-proof-bundle/1";

/// The largest bundle accepted: 64 MiB, a student's lifetime of receipts many times over.
pub const MAX_BUNDLE_BYTES: usize = 64 * 1024 * 1024;

/// A proof bundle as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Bundle {
    /// The signed checkpoint every entry's proof leads to.
    pub checkpoint: Value,
    /// The logged objects.
    pub entries: Vec<BundleEntry>,
    /// [`FORMAT`].
    pub format: String,
    /// The school's root key.
    pub school: PublicKey,
    /// The student the bundle is about.
    pub student: StudentId,
}

/// One logged object with its proof of inclusion.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BundleEntry {
    /// The archive's acknowledgement of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledgement: Option<Value>,
    /// Its log index.
    pub index: u64,
    /// The signed object.
    pub object: Value,
    /// The RFC 9162 inclusion proof of `index` in the checkpoint's tree.
    pub proof: Vec<Digest>,
}

/// What a bundle proves.
#[derive(Debug, Clone)]
pub struct BundleReport {
    /// The hash of every object in it, with its log index.
    pub objects: BTreeMap<Digest, u64>,
    /// The student.
    pub student: StudentId,
    /// The checkpoint the bundle is anchored to.
    pub checkpoint: Checkpoint,
    /// Number of verified objects of each kind.
    pub counts: BTreeMap<String, usize>,
    /// The state of consent at the checkpoint's time, folded from the verified receipts and
    /// paper slips.
    pub state: ConsentState,
    /// The paper slips, apart from the device-signed receipts: weaker evidence, each recorded by
    /// a member of staff.
    pub paper: Vec<PaperEntry>,
}

/// A paper slip in a bundle, with who recorded it.
#[derive(Debug, Clone)]
pub struct PaperEntry {
    /// Its log index.
    pub index: u64,
    /// The record.
    pub record: PaperRecord,
    /// The staff member who recorded it (their pseudonymous id) and in which role.
    pub recorded_by: (PersonId, StaffRole),
}

/// Why a bundle does not prove what it claims.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// Not a well-formed, canonical bundle.
    #[error("not a valid proof bundle: {0}")]
    Decode(#[from] DecodeError),
    /// Another format or version.
    #[error("format {0:?} is not {FORMAT:?}")]
    Format(String),
    /// Made for another school.
    #[error("the bundle is for school {got}, not {expected}")]
    WrongSchool {
        /// The key the reader trusts.
        expected: PublicKey,
        /// The key the bundle names.
        got: PublicKey,
    },
    /// An object, the checkpoint or an acknowledgement failed the chain of trust.
    #[error("entry {index} ({kind}): {error}")]
    Untrusted {
        /// Log index (`None` for the checkpoint).
        index: String,
        /// The object's kind.
        kind: String,
        /// Why.
        error: TrustError,
    },
    /// An entry is not in the checkpoint's tree at its index.
    #[error("entry {index} is not included in the checkpoint's tree: {error}")]
    NotIncluded {
        /// Log index.
        index: u64,
        /// Why.
        error: ProofError,
    },
    /// An entry refers to something the bundle lacks, or does not belong where it is.
    #[error("entry {index}: {reason}")]
    Inconsistent {
        /// Log index.
        index: u64,
        /// What is wrong.
        reason: String,
    },
}

/// The canonical bytes of an embedded object (it was canonical inside a canonical bundle).
fn object_bytes(value: &Value) -> Result<Vec<u8>, DecodeError> {
    to_canonical(value).map_err(|e| DecodeError::Schema { message: e.to_string() })
}

fn kind_of(value: &Value) -> String {
    value.get("kind").and_then(Value::as_str).unwrap_or("unknown").to_owned()
}

/// The error for an entry that fails the chain of trust, as a `map_err` argument.
fn untrusted(index: u64, kind: &str) -> impl FnOnce(TrustError) -> BundleError {
    let kind = kind.to_owned();
    move |error| BundleError::Untrusted { index: index.to_string(), kind, error }
}

/// The error for an entry that refers to something the bundle lacks, or does not belong in it.
fn inconsistent(index: u64, reason: String) -> BundleError {
    BundleError::Inconsistent { index, reason }
}

/// Verifies a bundle with only the school's root key; see the module documentation.
pub fn verify_bundle(bytes: &[u8], school: &PublicKey) -> Result<BundleReport, BundleError> {
    // 1. The container: canonical, this format, this school.
    let bundle = open(bytes, school)?;
    // 2. Delegations under the root key, then the checkpoint under a delegated archive key.
    let (trust, entries) = delegations(&bundle.entries, school)?;
    let checkpoint = checkpoint(&trust, &bundle.checkpoint)?;
    let tree = checkpoint.body();
    // 3. Every entry is in the checkpoint's tree at its index.
    included(&entries, tree)?;
    // 4. Every object through the chain of trust, in dependency order: forms and certificates
    //    first, then what refers to them.
    // 5. Entry by entry with the second half of step 4, the acknowledgement, when present, is
    //    for this object at this index.
    let roots = roots(&trust, &entries, &bundle.student)?;
    let dependents = dependents(&trust, &roots, &entries, &bundle.student)?;
    // 6. The state of consent at the checkpoint's time, which counts every receipt and slip.
    let state = consent_at(&trust, &bundle.student, &roots, &dependents, tree.time)?;
    complete(&state, &dependents)?;

    let objects = entries.iter().map(|entry| (Digest::of(&entry.bytes), entry.written.index)).collect();
    let paper = dependents
        .papers
        .into_iter()
        .map(|(record, entry, recorded_by)| PaperEntry {
            index: entry.index,
            record: record.body().clone(),
            recorded_by,
        })
        .collect();
    Ok(BundleReport {
        objects,
        student: bundle.student,
        checkpoint: tree.clone(),
        counts: dependents.counts,
        state,
        paper,
    })
}

/// Step 1: a canonical bundle of this format, made for this school.
fn open(bytes: &[u8], school: &PublicKey) -> Result<Bundle, BundleError> {
    let bundle: Bundle = decode_canonical_within(bytes, MAX_BUNDLE_BYTES)?;
    if bundle.format != FORMAT {
        return Err(BundleError::Format(bundle.format));
    }
    if bundle.school != *school {
        return Err(BundleError::WrongSchool { expected: *school, got: bundle.school });
    }
    Ok(bundle)
}

/// An entry with its object's kind and canonical bytes, read off it once in step 2 for the
/// steps after.
struct Entry<'a> {
    /// The entry as the bundle has it.
    written: &'a BundleEntry,
    kind: String,
    bytes: Vec<u8>,
}

/// Step 2, first half: the archive-key delegations under the root key, which every later
/// signature by the archive key needs.
fn delegations<'a>(
    written: &'a [BundleEntry],
    school: &PublicKey,
) -> Result<(TrustStore, Vec<Entry<'a>>), BundleError> {
    let mut trust = TrustStore::new(*school);
    let mut entries = Vec::new();
    for entry in written {
        let bytes = object_bytes(&entry.object)?;
        let kind = kind_of(&entry.object);
        if kind == ArchiveDelegation::KIND {
            trust.add_delegation(&bytes).map_err(untrusted(entry.index, &kind))?;
        }
        entries.push(Entry { written: entry, kind, bytes });
    }
    Ok((trust, entries))
}

/// Step 2, second half: the checkpoint, under an archive key delegated at its time.
fn checkpoint(trust: &TrustStore, checkpoint: &Value) -> Result<Verified<Checkpoint>, BundleError> {
    trust.checkpoint(&object_bytes(checkpoint)?).map_err(|error| BundleError::Untrusted {
        index: "checkpoint".into(),
        kind: Checkpoint::KIND.into(),
        error,
    })
}

/// Step 3: every entry's inclusion proof leads from its leaf at its index to the checkpoint's root.
fn included(entries: &[Entry], tree: &Checkpoint) -> Result<(), BundleError> {
    for Entry { written: entry, bytes, .. } in entries {
        merkle::verify_inclusion(&merkle::leaf_hash(bytes), entry.index, tree.tree_size, &entry.proof, &tree.root_hash)
            .map_err(|error| BundleError::NotIncluded { index: entry.index, error })?;
    }
    Ok(())
}

/// What the other objects refer to, verified first.
struct Roots {
    forms: BTreeMap<Digest, Verified<ConsentForm>>,
    certificates: BTreeMap<Digest, Verified<EnrolmentCertificate>>,
    staff_certificates: BTreeMap<Digest, Verified<StaffCertificate>>,
    /// The student's date of birth on their latest certificate.
    birth_date: Option<NaiveDate>,
}

/// Step 4, first half: the forms, the student's certificates and the staff certificates.
fn roots(trust: &TrustStore, entries: &[Entry], student: &StudentId) -> Result<Roots, BundleError> {
    let mut roots = Roots {
        forms: BTreeMap::new(),
        certificates: BTreeMap::new(),
        staff_certificates: BTreeMap::new(),
        birth_date: None,
    };
    for Entry { written: entry, kind, bytes } in entries {
        match kind.as_str() {
            ConsentForm::KIND => {
                let form = trust.form(bytes).map_err(untrusted(entry.index, kind))?;
                roots.forms.insert(form.hash(), form);
            }
            EnrolmentCertificate::KIND => {
                let certificate = trust.certificate(bytes).map_err(untrusted(entry.index, kind))?;
                if certificate.body().student != *student {
                    return Err(inconsistent(entry.index, "a certificate for another student".into()));
                }
                // Entries are in log order: the latest certificate carries the current date of birth.
                roots.birth_date = Some(certificate.body().student_birth_date);
                roots.certificates.insert(certificate.hash(), certificate);
            }
            StaffCertificate::KIND => {
                let certificate = trust.staff_certificate(bytes).map_err(untrusted(entry.index, kind))?;
                roots.staff_certificates.insert(certificate.hash(), certificate);
            }
            _ => {}
        }
    }
    Ok(roots)
}

/// The verified objects step 6 folds, and the count of every kind.
struct Dependents<'a> {
    /// Each receipt with the certificate of its signer.
    receipts: Vec<(Verified<ConsentReceipt>, Verified<EnrolmentCertificate>, &'a BundleEntry)>,
    /// Each paper slip with who recorded it.
    papers: Vec<(Verified<PaperRecord>, &'a BundleEntry, (PersonId, StaffRole))>,
    counts: BTreeMap<String, usize>,
}

/// Step 4, second half, and step 5: every object that refers to the roots or to an earlier
/// entry, and every entry's acknowledgement. They go entry by entry, in log order, so that a
/// decision finds the request it answers before it.
fn dependents<'a>(
    trust: &TrustStore,
    roots: &Roots,
    entries: &[Entry<'a>],
    student: &StudentId,
) -> Result<Dependents<'a>, BundleError> {
    let mut found = Dependents { receipts: Vec::new(), papers: Vec::new(), counts: BTreeMap::new() };
    let mut requests: BTreeSet<Digest> = BTreeSet::new();
    let mut staff_decisions: BTreeMap<Digest, Verified<StaffDecision>> = BTreeMap::new();
    for Entry { written: entry, kind, bytes } in entries {
        let index = entry.index;
        let certificate_of = |hash: Digest| {
            roots
                .certificates
                .get(&hash)
                .ok_or_else(|| inconsistent(index, format!("its certificate {hash} is not in the bundle")))
        };
        let form_of = |hash: Digest| {
            roots.forms.get(&hash).ok_or_else(|| inconsistent(index, format!("its form {hash} is not in the bundle")))
        };
        let hash = Digest::of(bytes);
        match kind.as_str() {
            ArchiveDelegation::KIND | ConsentForm::KIND | EnrolmentCertificate::KIND | StaffCertificate::KIND => {}
            ConsentReceipt::KIND => {
                let unverified =
                    shared::decode::<ConsentReceipt>(bytes).map_err(|e| untrusted(index, kind)(TrustError::from(e)))?;
                let body = unverified.unverified_body();
                let certificate = certificate_of(body.certificate)?;
                let form = form_of(body.form)?;
                let receipt = trust.receipt(bytes, certificate, form).map_err(untrusted(index, kind))?;
                found.receipts.push((receipt, certificate.clone(), *entry));
            }
            RightsRequest::KIND => {
                let unverified =
                    shared::decode::<RightsRequest>(bytes).map_err(|e| untrusted(index, kind)(TrustError::from(e)))?;
                trust
                    .request(bytes, certificate_of(unverified.unverified_body().certificate)?)
                    .map_err(untrusted(index, kind))?;
                requests.insert(hash);
            }
            RequestDecision::KIND => {
                let decision = trust.decision(bytes).map_err(untrusted(index, kind))?;
                let body = decision.body();
                if !requests.contains(&body.request) {
                    return Err(inconsistent(index, "a decision on a request that is not in the bundle".into()));
                }
                if let Some(staff) = body.staff_decision {
                    let signed = staff_decisions.get(&staff).map(|d| d.body()).ok_or_else(|| {
                        inconsistent(index, format!("the staff decision {staff} it carries out is not in the bundle"))
                    })?;
                    if (signed.request, signed.outcome, &signed.reason) != (body.request, body.outcome, &body.reason) {
                        return Err(inconsistent(index, "it does not say what the staff member decided".into()));
                    }
                }
            }
            StaffDecision::KIND => {
                let unverified =
                    shared::decode::<StaffDecision>(bytes).map_err(|e| untrusted(index, kind)(TrustError::from(e)))?;
                let (certificate, logged) =
                    staff_signer(trust, roots, entry, unverified.unverified_body().certificate)?;
                let decision = trust.staff_decision(bytes, certificate, logged).map_err(untrusted(index, kind))?;
                if !requests.contains(&decision.body().request) {
                    return Err(inconsistent(index, "a decision on a request that is not in the bundle".into()));
                }
                staff_decisions.insert(decision.hash(), decision);
            }
            PaperRecord::KIND => {
                let unverified =
                    shared::decode::<PaperRecord>(bytes).map_err(|e| untrusted(index, kind)(TrustError::from(e)))?;
                let body = unverified.unverified_body();
                let (certificate, logged) = staff_signer(trust, roots, entry, body.certificate)?;
                let form = form_of(body.form)?;
                let record = trust.paper_record(bytes, certificate, form, logged).map_err(untrusted(index, kind))?;
                if record.body().student != *student {
                    return Err(inconsistent(index, "a paper slip about another student".into()));
                }
                let recorded_by = (certificate.body().person.clone(), certificate.body().role);
                found.papers.push((record, *entry, recorded_by));
            }
            other => return Err(inconsistent(index, format!("unexpected kind {other:?}"))),
        }
        acknowledges(trust, entry, hash)?;
        *found.counts.entry(kind.clone()).or_default() += 1;
    }
    Ok(found)
}

/// Step 5 for one entry: its acknowledgement, when present, is for this object at this index.
fn acknowledges(trust: &TrustStore, entry: &BundleEntry, hash: Digest) -> Result<(), BundleError> {
    let Some(ack) = &entry.acknowledgement else { return Ok(()) };
    let ack = trust.acknowledgement(&object_bytes(ack)?).map_err(untrusted(entry.index, Acknowledgement::KIND))?;
    if ack.body().object != hash || ack.body().log_index != entry.index {
        return Err(inconsistent(entry.index, "the acknowledgement is for another object or index".into()));
    }
    Ok(())
}

/// The verified acknowledgement of `entry`, which `what` needs: an object a staff key signed is
/// checked against its certificate at the instant the log recorded it, which its acknowledgement
/// states, and a receipt or a slip is folded at that instant.
fn dated(trust: &TrustStore, entry: &BundleEntry, what: &str) -> Result<Verified<Acknowledgement>, BundleError> {
    let ack = entry
        .acknowledgement
        .as_ref()
        .ok_or_else(|| inconsistent(entry.index, format!("{what} without the acknowledgement that dates it")))?;
    trust.acknowledgement(&object_bytes(ack)?).map_err(untrusted(entry.index, Acknowledgement::KIND))
}

/// The staff certificate `named` by an object a staff key signed, and when the log recorded it.
fn staff_signer<'r>(
    trust: &TrustStore,
    roots: &'r Roots,
    entry: &BundleEntry,
    named: Digest,
) -> Result<(&'r Verified<StaffCertificate>, Timestamp), BundleError> {
    let ack = dated(trust, entry, "an object a staff key signed")?;
    let certificate = roots
        .staff_certificates
        .get(&named)
        .ok_or_else(|| inconsistent(entry.index, format!("its staff certificate {named} is not in the bundle")))?;
    Ok((certificate, ack.body().server_time))
}

/// Step 6: the receipts and the slips folded into the state of consent at `time`.
fn consent_at(
    trust: &TrustStore,
    student: &StudentId,
    roots: &Roots,
    found: &Dependents,
    time: Timestamp,
) -> Result<ConsentState, BundleError> {
    let acks: Vec<Verified<Acknowledgement>> =
        found.receipts.iter().map(|(_, _, entry)| dated(trust, entry, "a receipt")).collect::<Result<_, _>>()?;
    let paper_acks: Vec<Verified<Acknowledgement>> =
        found.papers.iter().map(|(_, entry, _)| dated(trust, entry, "a paper slip")).collect::<Result<_, _>>()?;
    let slips = found
        .papers
        .iter()
        .zip(&paper_acks)
        .map(|((record, entry, _), ack)| {
            LoggedPaper::new(record.signed(), ack.signed()).map_err(|e| inconsistent(entry.index, e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    // Without a certificate (a family that answered on paper only), the slips state the date.
    let birth_date =
        roots.birth_date.or_else(|| found.papers.last().map(|(record, _, _)| record.body().student_birth_date));
    let signed_forms: Vec<Signed<ConsentForm>> = forms_in_order(&roots.forms);
    let state = match birth_date {
        Some(birth_date) => {
            let context = FoldContext { student, birth_date, forms: &signed_forms };
            let logged = found
                .receipts
                .iter()
                .zip(&acks)
                .map(|((receipt, certificate, entry), ack)| {
                    LoggedReceipt::new(receipt.signed(), certificate.signed(), ack.signed())
                        .map_err(|e| inconsistent(entry.index, e.to_string()))
                })
                .collect::<Result<Vec<_>, _>>()?;
            consent_state(context, logged, slips, time)
        }
        None => consent_state(
            FoldContext { student, birth_date: NaiveDate::MIN, forms: &signed_forms },
            Vec::new(),
            Vec::new(),
            time,
        ),
    };
    Ok(state)
}

/// Step 6, last: a receipt or slip that does not follow from the bundle's objects means some
/// were left out.
fn complete(state: &ConsentState, found: &Dependents) -> Result<(), BundleError> {
    let Some(ignored) = state.ignored.first() else { return Ok(()) };
    let index = found
        .receipts
        .iter()
        .map(|(r, _, e)| (r.hash(), e.index))
        .chain(found.papers.iter().map(|(p, e, _)| (p.hash(), e.index)))
        .find(|(hash, _)| *hash == ignored.receipt)
        .map_or(0, |(_, index)| index);
    Err(inconsistent(index, format!("the receipt does not count ({:?}): the bundle is incomplete", ignored.reason)))
}

/// Form versions oldest first, following `supersedes` from the first version.
fn forms_in_order(forms: &BTreeMap<Digest, Verified<ConsentForm>>) -> Vec<Signed<ConsentForm>> {
    let mut ordered: Vec<&Verified<ConsentForm>> = forms.values().collect();
    ordered.sort_by_key(|f| f.body().version);
    ordered.into_iter().map(|f| f.signed().clone()).collect()
}
