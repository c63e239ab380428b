//! What the family decided but the school has not acknowledged yet. The outbox is saved before
//! anything is sent, so a reload, a closed tab or a dead network loses nothing; it is sent in
//! order, because each receipt names the one before it. Decisions taken before the device has
//! its certificate wait unsigned (a receipt must name the certificate); enrolment runs first
//! whenever the certificate is missing.

use serde::{Deserialize, Serialize};
use shared::ids::PurposeId;
use shared::objects::{Decision, Right};
use shared::primitives::{Digest, Nonce};
use shared::{Lang, Timestamp};
use std::collections::{BTreeMap, VecDeque};

/// One item waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Outgoing {
    /// Decisions taken before the device had its certificate: they are signed, at the instant the
    /// person took them, as soon as the certificate arrives (a receipt must name it).
    Decisions {
        /// The form version the person was shown.
        form: Digest,
        /// One decision per purpose.
        decisions: BTreeMap<PurposeId, Decision>,
        /// When the person pressed the button.
        client_time: Timestamp,
        /// The language they read the form in.
        language: Lang,
    },
    /// A rights request taken before the device had its certificate.
    Rights {
        /// The right exercised.
        right: Right,
        /// The purposes concerned (empty: all).
        purposes: Vec<PurposeId>,
        /// The person's own words.
        text: String,
        /// When the person pressed the button.
        client_time: Timestamp,
        /// Fixed when the request was taken, so that signing it twice gives the same object.
        nonce: Nonce,
    },
    /// A signed consent receipt (canonical JSON).
    Receipt {
        /// The signed `consent-receipt/1`.
        receipt: String,
    },
    /// A signed rights request (canonical JSON).
    Request {
        /// The signed `rights-request/1`.
        request: String,
    },
}

/// The queue, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Outbox(VecDeque<Outgoing>);

impl Outbox {
    /// Adds an item at the end.
    pub fn push(&mut self, item: Outgoing) {
        self.0.push_back(item);
    }

    /// The item to send next.
    pub fn front(&self) -> Option<&Outgoing> {
        self.0.front()
    }

    /// Replaces the next item (a decision, once signed, becomes a receipt in its place).
    pub fn replace_front(&mut self, item: Outgoing) {
        if let Some(front) = self.0.front_mut() {
            *front = item;
        }
    }

    /// Removes the next item, once the school has acknowledged it or refused it for good.
    pub fn pop_front(&mut self) -> Option<Outgoing> {
        self.0.pop_front()
    }

    /// How many items wait.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every waiting item, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Outgoing> {
        self.0.iter()
    }

    /// The purposes with a decision still waiting, and the decision.
    pub fn pending_decisions(&self) -> BTreeMap<PurposeId, Decision> {
        let mut pending = BTreeMap::new();
        for item in &self.0 {
            match item {
                Outgoing::Decisions { decisions, .. } => pending.extend(decisions.clone()),
                Outgoing::Receipt { receipt } => {
                    if let Ok(envelope) = shared::decode::<shared::objects::ConsentReceipt>(receipt.as_bytes()) {
                        pending.extend(envelope.unverified_body().decisions.clone());
                    }
                }
                _ => {}
            }
        }
        pending
    }
}
