//! How a staff member gets in: the first time with the link from the school's letter (verify the
//! staff invitation, generate a key in this browser, prove it and have the archive certify it),
//! then with what this browser kept. Nothing here touches the DOM: the transport, the store and
//! the clock are passed in.

use crate::api::{Call, Transport};
use crate::keyring::{Held, Store};
use crate::link::Fragment;
use crate::problem::{bad_answer, Problem};
use crate::routes;
use crate::school::School;
use crate::session::Session;
use ed25519_dalek::SigningKey;
use shared::objects::{Method, StaffEnrolmentRequest, StaffInvitation};
use shared::primitives::PublicKey;
use shared::trust::{TrustError, Verified};
use shared::{sign, Timestamp};

/// How the console opens.
#[derive(Debug, Clone)]
pub enum Opened {
    /// Neither a link nor a kept key: the staff member is asked to open their link.
    NoAccess,
    /// A certified key, kept or just enrolled (`enrolled`).
    Session {
        /// The session (boxed: it holds the trust store and the certificate).
        session: Box<Session>,
        /// Whether the link was used just now, so the page says that access is set up.
        enrolled: bool,
    },
}

/// Opens the console for the page's `fragment`: enrols with a link, else resumes what was kept.
/// A link this browser already enrolled with (opened again) resumes, rather than being refused
/// as used.
pub async fn open(
    transport: &impl Transport,
    store: &impl Store,
    school: &School,
    fragment: Fragment,
    now: Timestamp,
) -> Result<Opened, Problem> {
    let kept = Held::load(store, school.trust.root())?;
    let invitation = match fragment {
        Fragment::Damaged => return Err(Problem::LinkDamaged),
        Fragment::Absent => None,
        Fragment::Object(bytes) => Some(verify_invitation(school, &bytes, now)?),
    };
    let resumed = kept.map(|held| Session::resume(school.trust.clone(), &held, now)).transpose()?;
    match (invitation, resumed) {
        (None, None) => Ok(Opened::NoAccess),
        (None, Some(session)) => Ok(Opened::Session { session: Box::new(session), enrolled: false }),
        (Some(invitation), Some(session)) if session.certificate().body().invitation == invitation.hash() => {
            Ok(Opened::Session { session: Box::new(session), enrolled: false })
        }
        (Some(invitation), _) => {
            let session = enrol(transport, school, &invitation, now).await?;
            session.held().save(store)?;
            Ok(Opened::Session { session: Box::new(session), enrolled: true })
        }
    }
}

/// The invitation, signed by the school's root key and unexpired.
fn verify_invitation(school: &School, bytes: &[u8], now: Timestamp) -> Result<Verified<StaffInvitation>, Problem> {
    school.trust.staff_invitation(bytes, now).map_err(|error| match error {
        TrustError::Expired { .. } => Problem::LinkExpired,
        other => Problem::LinkInvalid(other.to_string()),
    })
}

/// Generates a key from the browser's CSPRNG, proves it for `invitation` and returns the session
/// of the certificate the archive issued, once it verifies and certifies this key for this
/// invitation's person, role and classes. `POST /v1/console/enrol` takes `{"invitation": …, "request": …}` as canonical JSON,
/// as the family's `POST /v1/enrol` does.
async fn enrol(
    transport: &impl Transport,
    school: &School,
    invitation: &Verified<StaffInvitation>,
    now: Timestamp,
) -> Result<Session, Problem> {
    let key = SigningKey::generate(&mut rand_core::OsRng);
    let request = StaffEnrolmentRequest {
        school: *school.trust.root(),
        invitation: invitation.hash(),
        key: PublicKey::of(&key),
        client_time: now,
    };
    let request = sign(request, &key).map_err(bad_answer)?;
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    let body = format!(r#"{{"invitation":{},"request":{}}}"#, text(invitation.bytes()), text(request.bytes()));
    let call = Call { method: Method::Post, path: routes::ENROL, authorization: None, body: Some(body.as_bytes()) };
    let answer = transport.send(call).await?.ok()?;
    let certificate = school.trust.staff_certificate(&answer).map_err(bad_answer)?;
    let (cert, inv) = (certificate.body(), invitation.body());
    if cert.invitation != invitation.hash()
        || cert.person != inv.person
        || cert.role != inv.role
        || cert.classes != inv.classes
    {
        return Err(bad_answer("the certificate is not the one the invitation asks for"));
    }
    Session::new(school.trust.clone(), key, certificate, now)
}
