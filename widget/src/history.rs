//! What the school's record says about the student, as this device verified it: the
//! certificates of everyone enrolled, their receipts and rights requests with the archive's
//! acknowledgements, the school's decisions, and the paper slips staff recorded. Read from
//! `GET /v1/history` and completed with what this device sent; every object is verified through
//! [`shared::trust`] before it counts.

use crate::problem::Problem;
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::Value;
use shared::ids::{PersonId, StudentId};
use shared::lists;
use shared::objects::{
    Acknowledgement, ConsentForm, ConsentReceipt, EnrolmentCertificate, PaperRecord, RequestDecision, RightsRequest,
    StaffRole,
};
use shared::primitives::Digest;
use shared::trust::{Signer, TrustStore, Verified};
use shared::Signed;
use std::fmt::Display;

/// What the service returned about the student, every object verified.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// Certificates of everyone enrolled for the student.
    pub certificates: Vec<Verified<EnrolmentCertificate>>,
    /// Receipts, with their acknowledgements, in log order.
    pub receipts: Vec<(Signed<ConsentReceipt>, Verified<Acknowledgement>)>,
    /// Rights requests, with their acknowledgements and the school's decision once made.
    pub requests: Vec<LoggedRequest>,
    /// Paper slips answering the form in force, in log order.
    pub papers: Vec<LoggedSlip>,
}

/// A paper slip a member of staff recorded for the student: weaker evidence than a signature on
/// a device, shown as such.
#[derive(Debug, Clone)]
pub struct LoggedSlip {
    /// The record, verified under its recorder's staff certificate.
    pub record: Verified<PaperRecord>,
    /// The school's acknowledgement of it.
    pub ack: Verified<Acknowledgement>,
    /// The recorder's role, from their certificate.
    pub recorded_by: StaffRole,
}

/// A rights request, the school's acknowledgement of it, and its decision once made.
pub type LoggedRequest = (Signed<RightsRequest>, Verified<Acknowledgement>, Option<Verified<RequestDecision>>);

impl History {
    /// Verifies every object of a `GET /v1/history` answer about `student`; on any failure
    /// nothing is returned. Every certificate must be for that student, so that no one else's
    /// decisions can be shown as the family's. Paper slips are checked against `form`, the
    /// version in force; a slip answering an earlier one is left out, as the fold would not count it.
    pub fn read(
        trust: &TrustStore,
        student: &StudentId,
        form: &Verified<ConsentForm>,
        body: &[u8],
    ) -> Result<History, Problem> {
        let response: HistoryResponse = shared::encoding::from_json(body).map_err(bad_answer)?;
        if response.student != *student {
            return Err(Problem::BadAnswer(format!("a history of student {}", response.student)));
        }
        let mut history = History::default();
        for item in &response.certificates {
            let certificate = trust.certificate(&canonical(&item.object)?).map_err(bad_answer)?;
            if certificate.body().student != *student {
                return Err(Problem::BadAnswer(format!("a certificate for student {}", certificate.body().student)));
            }
            history.add_certificate(certificate);
        }
        for item in &response.receipts {
            let bytes = canonical(&item.object)?;
            let named = shared::decode::<ConsentReceipt>(&bytes).map_err(bad_answer)?.unverified_body().certificate;
            let receipt = receipt_by(&bytes, history.certificate(named)?)?;
            let ack = acknowledgement_of(trust, &bytes, &canonical(item.acknowledged()?)?)?;
            history.add_receipt(receipt, ack);
        }
        for RequestItem { request: item, decision } in &response.requests {
            let bytes = canonical(&item.object)?;
            let named = shared::decode::<RightsRequest>(&bytes).map_err(bad_answer)?.unverified_body().certificate;
            let request = trust.request(&bytes, history.certificate(named)?).map_err(bad_answer)?;
            let ack = acknowledgement_of(trust, &bytes, &canonical(item.acknowledged()?)?)?;
            let decision = match decision {
                Some(decision) => {
                    let decision = trust.decision(&canonical(decision)?).map_err(bad_answer)?;
                    if decision.body().request != request.hash() {
                        return Err(Problem::BadAnswer("a decision on another request".into()));
                    }
                    Some(decision)
                }
                None => None,
            };
            history.add_request(request.signed().clone(), ack, decision);
        }
        for PaperItem { slip, staff } in &response.papers {
            let bytes = canonical(&slip.object)?;
            if shared::decode::<PaperRecord>(&bytes).map_err(bad_answer)?.unverified_body().form != form.hash() {
                continue;
            }
            let staff = trust.staff_certificate(&canonical(staff)?).map_err(bad_answer)?;
            let ack = acknowledgement_of(trust, &bytes, &canonical(slip.acknowledged()?)?)?;
            // Signed while the recorder's certificate was valid: when the log recorded it.
            let record = trust.paper_record(&bytes, &staff, form, ack.body().server_time).map_err(bad_answer)?;
            if record.body().student != *student {
                return Err(Problem::BadAnswer(format!("a paper slip for student {}", record.body().student)));
            }
            history.add_slip(LoggedSlip { record, ack, recorded_by: staff.body().role });
        }
        Ok(history)
    }

    /// Everything `other` holds that this history lacks, added; what both hold stays as this
    /// history has it. Returns the objects `other` acknowledges differently — the school signing
    /// a second acknowledgement for one object: (object, the index here, the index there).
    pub fn merge(&mut self, other: History) -> Vec<(Digest, u64, u64)> {
        let mut differ = Vec::new();
        let mut compare =
            |object: Digest, mine: Option<&Verified<Acknowledgement>>, theirs: &Verified<Acknowledgement>| {
                if let Some(mine) = mine.filter(|mine| mine.hash() != theirs.hash()) {
                    differ.push((object, mine.body().log_index, theirs.body().log_index));
                }
            };
        for certificate in other.certificates {
            self.add_certificate(certificate);
        }
        for (receipt, ack) in other.receipts {
            compare(
                receipt.hash(),
                self.receipts.iter().find(|(r, _)| r.hash() == receipt.hash()).map(|(_, a)| a),
                &ack,
            );
            self.add_receipt(receipt, ack);
        }
        for (request, ack, decision) in other.requests {
            let mine = self.requests.iter().find(|(r, _, _)| r.hash() == request.hash()).map(|(_, a, _)| a);
            compare(request.hash(), mine, &ack);
            self.add_request(request, ack, decision);
        }
        for slip in other.papers {
            let mine = self.papers.iter().find(|s| s.record.hash() == slip.record.hash()).map(|s| &s.ack);
            compare(slip.record.hash(), mine, &slip.ack);
            self.add_slip(slip);
        }
        differ
    }

    /// Whether the history holds the object `hash` (a receipt or a request).
    pub fn holds(&self, hash: Digest) -> bool {
        self.receipts.iter().any(|(r, _)| r.hash() == hash) || self.requests.iter().any(|(r, _, _)| r.hash() == hash)
    }

    /// The certificate with hash `named`.
    pub fn certificate(&self, named: Digest) -> Result<&Verified<EnrolmentCertificate>, Problem> {
        self.certificates
            .iter()
            .find(|c| c.hash() == named)
            .ok_or_else(|| Problem::BadAnswer(format!("no certificate {named}")))
    }

    /// The person whose certificate `named` is, if the history holds it.
    pub fn person_of(&self, named: Digest) -> Option<&PersonId> {
        self.certificate(named).ok().map(|c| &c.body().person)
    }

    /// Adds a certificate once.
    pub fn add_certificate(&mut self, certificate: Verified<EnrolmentCertificate>) {
        if !self.certificates.iter().any(|c| c.hash() == certificate.hash()) {
            self.certificates.push(certificate);
        }
    }

    /// Adds a receipt once, keeping log order.
    pub fn add_receipt(&mut self, receipt: Signed<ConsentReceipt>, ack: Verified<Acknowledgement>) {
        if !self.receipts.iter().any(|(r, _)| r.hash() == receipt.hash()) {
            self.receipts.push((receipt, ack));
            lists::sort_by_key(&mut self.receipts, |(_, ack)| ack.body().log_index);
        }
    }

    /// Adds a paper slip once, keeping log order.
    pub fn add_slip(&mut self, slip: LoggedSlip) {
        if !self.papers.iter().any(|s| s.record.hash() == slip.record.hash()) {
            self.papers.push(slip);
            lists::sort_by_key(&mut self.papers, |s| s.ack.body().log_index);
        }
    }

    /// Adds a request once, keeping log order, or completes it with its decision.
    pub fn add_request(
        &mut self,
        request: Signed<RightsRequest>,
        ack: Verified<Acknowledgement>,
        decision: Option<Verified<RequestDecision>>,
    ) {
        match self.requests.iter_mut().find(|(r, _, _)| r.hash() == request.hash()) {
            Some(existing) if existing.2.is_none() => existing.2 = decision,
            Some(_) => {}
            None => {
                self.requests.push((request, ack, decision));
                lists::sort_by_key(&mut self.requests, |(_, ack, _)| ack.body().log_index);
            }
        }
    }
}

/// `GET /v1/history`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HistoryResponse {
    /// Must be the student asked about; each certificate is checked for it too.
    student: StudentId,
    certificates: Vec<HistoryItem>,
    receipts: Vec<HistoryItem>,
    requests: Vec<RequestItem>,
    papers: Vec<PaperItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PaperItem {
    slip: HistoryItem,
    /// The recorder's staff certificate.
    staff: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HistoryItem {
    object: Value,
    acknowledgement: Option<Value>,
    /// The acknowledgement's signed server time is used instead.
    #[serde(rename = "logged_at")]
    _logged_at: IgnoredAny,
}

impl HistoryItem {
    fn acknowledged(&self) -> Result<&Value, Problem> {
        self.acknowledgement
            .as_ref()
            .ok_or_else(|| Problem::BadAnswer("a logged object without acknowledgement".into()))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestItem {
    request: HistoryItem,
    decision: Option<Value>,
}

/// The school's acknowledgement `ack` of `object`, verified and checked to be about it.
pub fn acknowledgement_of(trust: &TrustStore, object: &[u8], ack: &[u8]) -> Result<Verified<Acknowledgement>, Problem> {
    let ack = trust.acknowledgement(ack).map_err(bad_answer)?;
    if ack.body().object != Digest::of(object) {
        return Err(Problem::BadAnswer("the acknowledgement is for another object".into()));
    }
    Ok(ack)
}

/// A receipt signed by the holder of `certificate` and saying so. Unlike the archive, the widget
/// does not insist that it answers the form in force: history holds answers to earlier versions.
pub fn receipt_by(
    bytes: &[u8],
    certificate: &Verified<EnrolmentCertificate>,
) -> Result<Signed<ConsentReceipt>, Problem> {
    let receipt: Signed<ConsentReceipt> = shared::open(bytes, &certificate.body().key).map_err(bad_answer)?;
    Signer::of_receipt(&receipt).agrees_with(certificate.signed()).map_err(bad_answer)?;
    Ok(receipt)
}

/// The canonical bytes of an object embedded as a JSON value in a service answer.
pub fn canonical(value: &Value) -> Result<Vec<u8>, Problem> {
    shared::encoding::to_canonical(value).map_err(bad_answer)
}

/// A service answer that is not what the protocol says.
pub fn bad_answer(error: impl Display) -> Problem {
    Problem::BadAnswer(error.to_string())
}
