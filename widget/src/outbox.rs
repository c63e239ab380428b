//! What the family decided but the school has not acknowledged yet. The outbox is saved before
//! anything is sent, so a reload, a closed tab or a dead network loses nothing; it is sent in
//! order, because each receipt names the one before it. Decisions wait unsigned until they are
//! about to be sent: the device has its certificate then (a receipt must name it), and has just
//! read the person's latest receipt from the school, which the new one must follow.
//!
//! What the school refused for good, or what another tab or device overtook, leaves the queue
//! and is [`SetAside`]: shown to the person with the reason, to give again or to discard.

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
        /// The person's latest receipt when they decided (`None`: they had none). If another
        /// device or tab has signed since, these decisions were made without seeing that one,
        /// so they are set aside and offered again rather than signed over it.
        after: Option<Digest>,
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

    /// Takes out every item `leaves` picks, keeping the others in order.
    pub fn take_out(&mut self, mut leaves: impl FnMut(&Outgoing) -> bool) -> Vec<Outgoing> {
        let (out, kept): (VecDeque<Outgoing>, VecDeque<Outgoing>) = self.0.drain(..).partition(|item| leaves(item));
        self.0 = kept;
        out.into()
    }

    /// Decisions that were taken after `previous` was the person's latest receipt now follow
    /// `signed`, which this device signed in their place from an earlier queued decision.
    pub fn rebase(&mut self, previous: Option<Digest>, signed: Digest) {
        for item in &mut self.0 {
            if let Outgoing::Decisions { after, .. } = item {
                if *after == previous {
                    *after = Some(signed);
                }
            }
        }
    }

    /// The purposes with a decision still waiting, and the decision.
    pub fn pending_decisions(&self) -> BTreeMap<PurposeId, Decision> {
        let mut pending = BTreeMap::new();
        for item in &self.0 {
            pending.extend(item.decisions());
        }
        pending
    }
}

impl Outgoing {
    /// The decisions this item carries (none for a rights request).
    pub fn decisions(&self) -> BTreeMap<PurposeId, Decision> {
        match self {
            Outgoing::Decisions { decisions, .. } => decisions.clone(),
            Outgoing::Receipt { receipt } => shared::decode::<shared::objects::ConsentReceipt>(receipt.as_bytes())
                .map(|envelope| envelope.unverified_body().decisions.clone())
                .unwrap_or_default(),
            Outgoing::Rights { .. } | Outgoing::Request { .. } => BTreeMap::new(),
        }
    }
}

/// Why decisions were set aside instead of sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum SetAsideReason {
    /// Another device or tab of this person changed their decisions first.
    ChangedElsewhere,
    /// The link can no longer enrol this device (used on another device, replaced, expired).
    LinkClosed,
    /// The school refused them for good, with its stable error code.
    Refused {
        /// The service's code, e.g. `unknown_form`.
        code: String,
    },
}

/// Decisions the person took that were not signed or not accepted as they were: shown with the
/// current state, to give again with one action or to discard. Nothing is signed from here
/// without the person pressing the button again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetAside {
    /// The decisions, later ones over earlier ones.
    pub decisions: BTreeMap<PurposeId, Decision>,
    /// Why.
    pub reason: SetAsideReason,
}
