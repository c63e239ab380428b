//! The consent rules as pure functions: who must sign for a student at an instant, and what every
//! purpose's state is at an instant, folded from verified receipts in log order.

mod age;
mod fold;

pub use age::{age_on, birthday_at, last_threshold, required_signers, rights_deadline, Signers};
pub use fold::{
    consent_state, ConsentState, FoldContext, Ignored, IgnoredReason, LinkError, LoggedPaper, LoggedReceipt,
    PurposeState, Status,
};
