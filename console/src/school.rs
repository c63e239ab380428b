//! The school as the console trusts it: `GET /v1/form` names its root key and the archive keys
//! it delegated; the delegations and the form are verified under that root key before anything
//! else is (the staff invitation, the certificates, the archive's decisions).
//!
//! The console is served by the school's own service, so the root key it names is the one the
//! staff member's link and this page come from; what is kept in the browser is kept per root
//! key, and a service naming another key finds nothing kept for it.

use crate::api::{Call, Transport};
use crate::problem::{bad_answer, Problem};
use crate::routes;
use serde::Deserialize;
use serde_json::Value;
use shared::objects::Method;
use shared::primitives::PublicKey;
use shared::trust::TrustStore;

/// `GET /v1/form` (its `fingerprint` is for people comparing keys by eye, and not read).
#[derive(Deserialize)]
struct FormResponse {
    school_key: PublicKey,
    form: Value,
    delegations: Vec<Value>,
}

/// The school's trust store and name.
#[derive(Debug, Clone)]
pub struct School {
    /// The root key and its verified delegations.
    pub trust: TrustStore,
    /// The school's name from its signed form, for headings and printed lists.
    pub name: String,
}

impl School {
    /// Fetches and verifies the school's key, delegations and form.
    pub async fn load(transport: &impl Transport) -> Result<School, Problem> {
        let call = Call { method: Method::Get, path: routes::FORM, authorization: None, body: None };
        let body = transport.send(call).await?.ok()?;
        let response: FormResponse = shared::encoding::from_json(&body).map_err(bad_answer)?;
        let mut trust = TrustStore::new(response.school_key);
        for delegation in &response.delegations {
            trust.add_delegation(&canonical(delegation)?).map_err(bad_answer)?;
        }
        let form = trust.form(&canonical(&response.form)?).map_err(bad_answer)?;
        Ok(School { name: form.body().controller.school.name.clone(), trust })
    }
}

/// The canonical bytes of a signed object the service sent as a JSON value.
pub fn canonical(value: &Value) -> Result<Vec<u8>, Problem> {
    shared::encoding::to_canonical(value).map_err(bad_answer)
}
