//! `verifier verify FILE...`: checks signed objects and proof bundles offline with only the school
//! key. Loose objects are checked as a pool: delegations first (they make archive keys trusted),
//! then what the root or a delegated archive key signed, then receipts and requests, whose
//! certificate (and form) must be among the files. A bundle is also checked against the
//! acknowledgements among the files: if the archive acknowledged a receipt or request of the
//! bundle's student before the bundle's checkpoint, the bundle must contain it.

use crate::bundle::{verify_bundle, FORMAT};
use serde_json::Value;
use shared::objects::{
    Acknowledgement, ArchiveDelegation, Checkpoint, ConsentForm, ConsentReceipt, EnrolmentCertificate, Invitation,
    RequestDecision, RightsRequest, RECEIPTS_FILE_FORMAT,
};
use shared::primitives::{Digest, PublicKey};
use shared::trust::{TrustError, TrustStore, Verified};
use shared::SignedObject;
use std::collections::BTreeMap;

/// One file's verdict: what it proves, or why it is invalid.
pub type Verdict = Result<String, String>;

/// Verifies every document; the verdicts are in the order given.
pub fn verify_documents(documents: &[(String, Vec<u8>)], school: &PublicKey) -> Vec<(String, Verdict)> {
    let documents = &expand_receipts_files(documents);
    let kinds: Vec<Option<String>> = documents.iter().map(|(_, bytes)| kind_of(bytes)).collect();
    // The pool: loose objects, and the objects inside bundles (a family's acknowledgement is
    // checked with the delegation its school's bundle carries).
    let mut pool: Vec<(Option<String>, Vec<u8>)> = Vec::new();
    for ((_, bytes), kind) in documents.iter().zip(&kinds) {
        match kind.as_deref() {
            Some(FORMAT) => pool.extend(bundle_objects(bytes)),
            _ => pool.push((kind.clone(), bytes.clone())),
        }
    }
    let mut trust = TrustStore::new(*school);
    for (kind, bytes) in &pool {
        if kind.as_deref() == Some(ArchiveDelegation::KIND) {
            // A bad delegation gets its verdict below; it just does not add trust.
            let _ = trust.add_delegation(bytes);
        }
    }
    let mut certificates: BTreeMap<Digest, Verified<EnrolmentCertificate>> = BTreeMap::new();
    let mut forms: BTreeMap<Digest, Verified<ConsentForm>> = BTreeMap::new();
    for (kind, bytes) in &pool {
        match kind.as_deref() {
            Some(EnrolmentCertificate::KIND) => {
                if let Ok(certificate) = trust.certificate(bytes) {
                    certificates.insert(certificate.hash(), certificate);
                }
            }
            Some(ConsentForm::KIND) => {
                if let Ok(form) = trust.form(bytes) {
                    forms.insert(form.hash(), form);
                }
            }
            _ => {}
        }
    }
    let acknowledged = acknowledged_objects(documents, &kinds, &trust);
    let pool = Pool { trust: &trust, certificates: &certificates, forms: &forms, acknowledged: &acknowledged };
    documents
        .iter()
        .zip(&kinds)
        .map(|((name, bytes), kind)| (name.clone(), pool.verify(bytes, kind.as_deref(), school)))
        .collect()
}

/// The receipts and requests among the files that an acknowledgement among them covers:
/// object hash → (student, log index).
fn acknowledged_objects(
    documents: &[(String, Vec<u8>)],
    kinds: &[Option<String>],
    trust: &TrustStore,
) -> BTreeMap<Digest, (String, u64)> {
    let students: BTreeMap<Digest, String> = documents
        .iter()
        .zip(kinds)
        .filter_map(|((_, bytes), kind)| match kind.as_deref() {
            Some(ConsentReceipt::KIND) => Some((
                Digest::of(bytes),
                shared::decode::<ConsentReceipt>(bytes).ok()?.unverified_body().student.to_string(),
            )),
            Some(RightsRequest::KIND) => Some((
                Digest::of(bytes),
                shared::decode::<RightsRequest>(bytes).ok()?.unverified_body().student.to_string(),
            )),
            _ => None,
        })
        .collect();
    documents
        .iter()
        .zip(kinds)
        .filter(|(_, kind)| kind.as_deref() == Some(Acknowledgement::KIND))
        .filter_map(|((_, bytes), _)| trust.acknowledgement(bytes).ok())
        .filter_map(|ack| {
            let student = students.get(&ack.body().object)?;
            Some((ack.body().object, (student.clone(), ack.body().log_index)))
        })
        .collect()
}

/// Every signed object the documents hold — loose, in a family's receipts file or in a proof
/// bundle — as canonical bytes, none of them checked yet: what `verifier recover` is given back.
pub(crate) fn signed_objects(documents: &[(String, Vec<u8>)]) -> Vec<Vec<u8>> {
    expand_receipts_files(documents)
        .into_iter()
        .flat_map(|(_, bytes)| match kind_of(&bytes).as_deref() {
            Some(FORMAT) => bundle_objects(&bytes).into_iter().map(|(_, object)| object).collect(),
            _ => vec![bytes],
        })
        .collect()
}

/// A family's receipts file stands for its objects, each checked as its own document and named
/// `file[i]`; every other document is kept as it is.
fn expand_receipts_files(documents: &[(String, Vec<u8>)]) -> Vec<(String, Vec<u8>)> {
    #[derive(serde::Deserialize)]
    struct ReceiptsFile {
        format: String,
        objects: Vec<Value>,
    }
    let mut expanded = Vec::new();
    for (name, bytes) in documents {
        match serde_json::from_slice::<ReceiptsFile>(bytes) {
            Ok(file) if file.format == RECEIPTS_FILE_FORMAT => {
                for (index, object) in file.objects.iter().enumerate() {
                    let bytes = shared::encoding::to_canonical(object).unwrap_or_default();
                    expanded.push((format!("{name}[{index}]"), bytes));
                }
            }
            _ => expanded.push((name.clone(), bytes.clone())),
        }
    }
    expanded
}

/// The signed objects inside a bundle, with their kinds (unchecked: they are only candidates).
fn bundle_objects(bytes: &[u8]) -> Vec<(Option<String>, Vec<u8>)> {
    let Ok(bundle) = serde_json::from_slice::<crate::bundle::Bundle>(bytes) else { return Vec::new() };
    bundle
        .entries
        .iter()
        .flat_map(|entry| std::iter::once(&entry.object).chain(&entry.acknowledgement))
        .filter_map(|object| {
            let bytes = shared::encoding::to_canonical(object).ok()?;
            Some((kind_of(&bytes), bytes))
        })
        .collect()
}

fn kind_of(bytes: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(bytes).ok()?;
    if value.get("format").and_then(Value::as_str) == Some(FORMAT) {
        return Some(FORMAT.to_owned());
    }
    value.get("kind").and_then(Value::as_str).map(str::to_owned)
}

struct Pool<'a> {
    trust: &'a TrustStore,
    certificates: &'a BTreeMap<Digest, Verified<EnrolmentCertificate>>,
    forms: &'a BTreeMap<Digest, Verified<ConsentForm>>,
    acknowledged: &'a BTreeMap<Digest, (String, u64)>,
}

impl Pool<'_> {
    fn verify(&self, bytes: &[u8], kind: Option<&str>, school: &PublicKey) -> Verdict {
        let trust = self.trust;
        let shown = |e: TrustError| e.to_string();
        match kind {
            Some(FORMAT) => {
                let report = verify_bundle(bytes, school).map_err(|e| e.to_string())?;
                let tree_size = report.checkpoint.tree_size;
                let beyond = self
                    .acknowledged
                    .iter()
                    .find(|(_, (student, index))| *student == report.student.as_str() && *index >= tree_size);
                if let Some((hash, (_, index))) = beyond {
                    return Err(format!(
                        "the archive acknowledged {hash} at log index {index}, at or beyond this bundle's checkpoint of \
                         {tree_size} entries: the bundle is older than what the school confirmed to the family and \
                         cannot show it. Ask for a new bundle; if a new one still ends before it, the school's log \
                         lost entries"
                    ));
                }
                let elsewhere = self.acknowledged.iter().find_map(|(hash, (_, index))| {
                    report.objects.get(hash).filter(|logged| *logged != index).map(|logged| (hash, index, logged))
                });
                if let Some((hash, index, logged)) = elsewhere {
                    return Err(format!(
                        "the archive acknowledged {hash} at log index {index}, but the bundle holds it at index \
                         {logged}: one object acknowledged at two positions"
                    ));
                }
                let omitted = self.acknowledged.iter().find(|(hash, (student, index))| {
                    *student == report.student.as_str()
                        && *index < report.checkpoint.tree_size
                        && !report.objects.contains_key(*hash)
                });
                if let Some((hash, (_, index))) = omitted {
                    return Err(format!(
                        "the bundle omits {hash}, which the archive acknowledged at log index {index} before the bundle's checkpoint"
                    ));
                }
                let objects: usize = report.counts.values().sum();
                let in_effect: Vec<&str> = report
                    .state
                    .purposes
                    .iter()
                    .filter(|(_, p)| matches!(p.status, shared::policy::Status::InEffect { .. }))
                    .map(|(id, _)| id.as_str())
                    .collect();
                let on_paper = paper_line(&report.paper);
                let devices = report.counts.get(ConsentReceipt::KIND).copied().unwrap_or_default();
                Ok(format!(
                    "proof bundle for student {}: {objects} objects verified and included in the log of {} entries; \
                     {devices} receipts signed on the family's devices{on_paper}; in effect at {}: {}",
                    report.student,
                    report.checkpoint.tree_size,
                    report.checkpoint.time,
                    if in_effect.is_empty() { "none".to_owned() } else { in_effect.join(", ") }
                ))
            }
            Some(ArchiveDelegation::KIND) => {
                let delegation = trust.delegation(bytes).map_err(shown)?;
                let d = delegation.body();
                Ok(format!("archive key {} delegated from {} to {}", d.archive_key, d.valid_from, d.valid_until))
            }
            Some(ConsentForm::KIND) => {
                let form = trust.form(bytes).map_err(shown)?;
                Ok(format!("consent form version {} with {} purposes", form.body().version, form.body().purposes.len()))
            }
            Some(Invitation::KIND) => {
                // Offline the question is who signed it, not whether it is still open.
                let expires = shared::decode::<Invitation>(bytes).map_err(|e| e.to_string())?.unverified_body().expires;
                let invitation = trust.invitation(bytes, expires).map_err(shown)?;
                Ok(format!("invitation for student {} (expires {expires})", invitation.body().student))
            }
            Some(EnrolmentCertificate::KIND) => {
                let c = trust.certificate(bytes).map_err(shown)?;
                Ok(format!("enrolment certificate of {} for student {}", c.body().person, c.body().student))
            }
            Some(Checkpoint::KIND) => {
                let c = trust.checkpoint(bytes).map_err(shown)?;
                Ok(format!("checkpoint: {} entries, root {}", c.body().tree_size, c.body().root_hash))
            }
            Some(Acknowledgement::KIND) => {
                let a = trust.acknowledgement(bytes).map_err(shown)?;
                Ok(format!(
                    "acknowledgement of {} at log index {}, {}",
                    a.body().object,
                    a.body().log_index,
                    a.body().server_time
                ))
            }
            Some(RequestDecision::KIND) => {
                let d = trust.decision(bytes).map_err(shown)?;
                Ok(format!("decision on request {}: {:?}", d.body().request, d.body().outcome))
            }
            Some(ConsentReceipt::KIND) => {
                let body =
                    shared::decode::<ConsentReceipt>(bytes).map_err(|e| e.to_string())?.unverified_body().clone();
                let certificate = self.certificate(body.certificate)?;
                let form = self.forms.get(&body.form).ok_or_else(|| missing("form", body.form))?;
                let receipt = trust.receipt(bytes, certificate, form).map_err(shown)?;
                Ok(format!(
                    "consent receipt of {} for student {}, {} decisions",
                    certificate.body().person,
                    receipt.body().student,
                    receipt.body().decisions.len()
                ))
            }
            Some(RightsRequest::KIND) => {
                let body = shared::decode::<RightsRequest>(bytes).map_err(|e| e.to_string())?.unverified_body().clone();
                let request = trust.request(bytes, self.certificate(body.certificate)?).map_err(shown)?;
                Ok(format!("rights request ({}) for student {}", request.body().right.name(), request.body().student))
            }
            Some(other) => Err(format!("unknown kind {other:?}")),
            None => Err("not a signed object or proof bundle (no `kind` or `format`)".into()),
        }
    }

    fn certificate(&self, hash: Digest) -> Result<&Verified<EnrolmentCertificate>, String> {
        self.certificates.get(&hash).ok_or_else(|| missing("enrolment certificate", hash))
    }
}

/// The bundle's paper slips, apart from the receipts: each is what a member of staff recorded,
/// never a family's signature; nothing when there are none.
fn paper_line(paper: &[crate::bundle::PaperEntry]) -> String {
    if paper.is_empty() {
        return String::new();
    }
    let each: Vec<String> = paper
        .iter()
        .map(|entry| {
            let (person, role) = &entry.recorded_by;
            format!("entry {} dated {}, recorded by {person} ({})", entry.index, entry.record.signed_on, role.name())
        })
        .collect();
    format!("; {} on paper, recorded by staff, not signed by the family: {}", paper.len(), each.join("; "))
}

fn missing(what: &str, hash: Digest) -> String {
    format!("its {what} {hash} is not among the files: pass it too (with the archive delegation), or verify the student's proof bundle from `verifier export`")
}
