//! The bodies of the signed objects, one module per kind, and who signs each:
//!
//! | kind | body | signed by |
//! |---|---|---|
//! | `consent-form/1` | [`ConsentForm`] | school root key |
//! | `archive-delegation/1` | [`ArchiveDelegation`] | school root key |
//! | `invitation/1` | [`Invitation`] | school root key |
//! | `enrolment-request/1` | [`EnrolmentRequest`] | the new person key (proof of possession) |
//! | `enrolment/1` | [`EnrolmentCertificate`] | archive key |
//! | `consent-receipt/1` | [`ConsentReceipt`] | person key |
//! | `rights-request/1` | [`RightsRequest`] | person key |
//! | `request-decision/1` | [`RequestDecision`] | archive key |
//! | `history-request/1` | [`HistoryRequest`] | person key (answers a service challenge) |
//! | `staff-invitation/1` | [`StaffInvitation`] | school root key |
//! | `staff-enrolment-request/1` | [`StaffEnrolmentRequest`] | the new staff key (proof of possession) |
//! | `staff-certificate/1` | [`StaffCertificate`] | archive key |
//! | `staff-request/1` | [`StaffRequest`] | staff key (answers a service challenge, for one call) |
//! | `staff-decision/1` | [`StaffDecision`] | staff key (a DPO's or director's decision on a request) |
//! | `staff-revocation/1` | [`StaffRevocation`] | archive key |
//! | `paper-record/1` | [`PaperRecord`] | staff key (a DPO's or director's record of a family's paper slip) |
//! | `acknowledgement/1` | [`Acknowledgement`] | archive key |
//! | `checkpoint/1` | [`Checkpoint`] | archive key |
//!
//! Every body names its school by the school's root public key, so an object from one school can
//! never be presented as another's.

mod enrolment;
mod form;
mod history;
mod invitation;
mod log;
mod paper;
mod receipt;
mod request;
mod staff;

pub use enrolment::{EnrolmentCertificate, EnrolmentRequest, StaffEnrolmentRequest};
pub use form::{ArchiveDelegation, ConsentForm, Contact, Controller, FormContent, Localized, Policy, Purpose};
pub use history::HistoryRequest;
pub use invitation::{Invitation, Role};
pub use log::{Acknowledgement, Checkpoint};
pub use paper::{PaperRecord, PaperSigner, MAX_PAPER_SIGNERS};
pub use receipt::{ConsentReceipt, Decision};
pub use request::{Outcome, RequestDecision, Right, RightsRequest};
pub use staff::{
    Method, StaffCertificate, StaffDecision, StaffInvitation, StaffRequest, StaffRevocation, StaffRole, MAX_CLASSES,
    MAX_PATH,
};

/// The format tag of the receipts file a family downloads from the widget: a JSON object
/// `{"format": …, "school": <hex>, "objects": [<signed objects>]}` holding what is needed to check
/// their decisions offline (delegations, form, certificate, receipts and requests with their
/// acknowledgements, decisions). `verifier verify` checks each object as if it were its own file.
pub const RECEIPTS_FILE_FORMAT: &str = "school-consent-receipts/1";
