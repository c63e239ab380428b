//! The browser's services behind the widget's traits: `fetch`, `localStorage`, the clock, a lock
//! the tabs share, and saving a file.

use crate::problem::Problem;
use crate::transport::{Reply, Transport};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestCredentials, RequestInit, Response};

/// How long one request to the service may take before it counts as offline: longer than the
/// service's own limit (15 s), so that its answer, when there is one, arrives first.
const REQUEST_TIMEOUT_MS: u32 = 20_000;

/// `fetch` against the verifier service at `endpoint`, without cookies.
#[derive(Debug, Clone)]
pub struct Fetch {
    endpoint: String,
}

impl Fetch {
    /// Requests go to `endpoint` + path.
    pub fn new(endpoint: &str) -> Fetch {
        Fetch { endpoint: endpoint.to_owned() }
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        authorization: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Result<Reply, Problem> {
        let url = format!("{}{path}", self.endpoint);
        let pending = match prefetched(method, &url, authorization) {
            Some(pending) => pending,
            None => start(method, &url, authorization, body)?,
        };
        let response: Response = JsFuture::from(pending).await.map_err(offline)?.dyn_into().map_err(offline)?;
        let buffer = JsFuture::from(response.array_buffer().map_err(offline)?).await.map_err(offline)?;
        Ok(Reply { status: response.status(), body: js_sys::Uint8Array::new(&buffer).to_vec() })
    }
}

/// Starts a `fetch`, without cookies and with a time limit.
fn start(
    method: &str,
    url: &str,
    authorization: Option<&str>,
    body: Option<Vec<u8>>,
) -> Result<js_sys::Promise, Problem> {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(RequestCredentials::Omit);
    // A request that never ends would hold the lock the person's tabs share.
    init.set_signal(Some(&web_sys::AbortSignal::timeout_with_u32(REQUEST_TIMEOUT_MS)));
    let headers = web_sys::Headers::new().map_err(offline)?;
    if let Some(authorization) = authorization {
        headers.set("Authorization", authorization).map_err(offline)?;
    }
    if let Some(body) = body {
        headers.set("Content-Type", "application/json").map_err(offline)?;
        init.set_body(&JsValue::from_str(&String::from_utf8_lossy(&body)));
    }
    init.set_headers(&headers);
    let request = Request::new_with_str_and_init(url, &init).map_err(offline)?;
    let window = web_sys::window().ok_or_else(|| Problem::Unreachable("no window".into()))?;
    Ok(window.fetch_with_request(&request))
}

impl Transport for Fetch {
    async fn get(&self, path: &str, authorization: Option<&str>) -> Result<Reply, Problem> {
        self.send("GET", path, authorization, None).await
    }

    async fn post(&self, path: &str, body: Vec<u8>) -> Result<Reply, Problem> {
        self.send("POST", path, None, Some(body)).await
    }
}

/// The name under which the loader (`assets/consent-widget.js`) leaves the requests it started
/// before the module ran: a `Map` from URL to the pending `fetch`.
const PREFETCHED: &str = "consentWidgetPrefetched";

/// The answer the loader already asked for, if it asked for this plain `GET`: taken out, so that
/// it serves one request and any retry asks the service anew.
fn prefetched(method: &str, url: &str, authorization: Option<&str>) -> Option<js_sys::Promise> {
    if method != "GET" || authorization.is_some() {
        return None;
    }
    let started: js_sys::Map = js_sys::Reflect::get(&js_sys::global(), &PREFETCHED.into()).ok()?.dyn_into().ok()?;
    let key = JsValue::from_str(url);
    let pending = started.get(&key).dyn_into::<js_sys::Promise>().ok()?;
    started.delete(&key);
    Some(pending)
}

/// A request that failed before any answer: `fetch` rejects alike for a device without network
/// and for a service that cannot be reached, so the browser's own word on its connection decides.
fn offline(error: JsValue) -> Problem {
    let online = web_sys::window().is_none_or(|window| window.navigator().on_line());
    crate::transport::not_answered(online, format!("{error:?}"))
}

pub use consent_web::{now, Local};

/// Offers `contents` to the person as a file named `name`.
pub fn save_file(name: &str, mime: &str, contents: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(contents));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = leptos::prelude::document();
    let anchor: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    web_sys::Url::revoke_object_url(&url)
}

/// The text of the first file chosen in `input`.
pub async fn read_chosen_file(input: &web_sys::HtmlInputElement) -> Option<String> {
    let file = input.files()?.get(0)?;
    JsFuture::from(file.text()).await.ok()?.as_string()
}

/// Writes a problem to the browser console for whoever supports the family.
pub fn log(problem: &Problem) {
    web_sys::console::warn_1(&JsValue::from_str(&problem.to_string()));
}

/// Runs `work` while holding the Web Lock `name` (`navigator.locks`), which every tab of this
/// origin shares: two tabs of one person never change what this browser keeps for them at the
/// same time. Where the browser has no Web Locks, `work` runs without one (each step still
/// starts by reading what other tabs saved).
pub async fn exclusively<T>(name: &str, work: impl std::future::Future<Output = T>) -> T {
    match acquire(name) {
        Some(acquired) => {
            // The lock's callback hands over the function that releases it.
            let release = JsFuture::from(acquired).await.ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok());
            let done = work.await;
            if let Some(release) = release {
                let _ = release.call0(&JsValue::NULL);
            }
            done
        }
        None => work.await,
    }
}

/// Asks for the lock `name`; the promise resolves, once it is held, with the function that
/// releases it. `None` when the browser has no Web Locks.
fn acquire(name: &str) -> Option<js_sys::Promise> {
    let locks = js_sys::Reflect::get(&web_sys::window()?.navigator(), &JsValue::from_str("locks")).ok()?;
    let request: js_sys::Function =
        js_sys::Reflect::get(&locks, &JsValue::from_str("request")).ok()?.dyn_into().ok()?;
    let name = JsValue::from_str(name);
    Some(js_sys::Promise::new(&mut |resolve: js_sys::Function, _reject| {
        let granted = resolve.clone();
        // Called when the lock is granted; the lock is held until the promise it returns settles.
        let callback = wasm_bindgen::closure::Closure::once_into_js(move |_lock: JsValue| {
            js_sys::Promise::new(&mut |release, _| {
                let _ = granted.call1(&JsValue::NULL, &release);
            })
        });
        let without = {
            let resolve = resolve.clone();
            move || {
                let _ = resolve.call1(&JsValue::NULL, &JsValue::UNDEFINED);
            }
        };
        match request.call2(&locks, &name, &callback).map(|promise| promise.unchecked_into::<js_sys::Promise>()) {
            Ok(requested) => {
                // Refused or failed, the work runs without the lock rather than never. (The
                // closure lives as long as the page: one per flow, a few bytes.)
                let refused = wasm_bindgen::closure::Closure::<dyn FnMut(JsValue)>::new(move |_| without());
                let _ = requested.catch(&refused);
                refused.forget();
            }
            Err(_) => without(),
        }
    }))
}

/// Shows `fragment` in the address bar in place of the current one, without a new history entry
/// (a fragment alone resolves against the page's own address).
pub fn replace_fragment(fragment: &str) {
    if let Ok(history) = leptos::prelude::window().history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(fragment));
    }
}
