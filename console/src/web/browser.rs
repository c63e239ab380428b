//! The browser's services behind the console's traits: `fetch` to the page's own origin,
//! `localStorage`, the clock and its time zone, saving a file, printing, and the address bar.

use crate::api::{Call, Reply, Transport};
use crate::problem::Problem;
use shared::objects::Method;
use shared::primitives::Digest;
use shared::Timestamp;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestCredentials, RequestInit, Response};

/// How long one call may take: longer than the service's own limit (15 s), so that its answer,
/// when there is one, arrives first.
const REQUEST_TIMEOUT_MS: u32 = 20_000;

/// `fetch` to the origin that served the console, without cookies: a staff call is authorised by
/// its signature alone.
#[derive(Debug, Clone, Copy)]
pub struct Fetch;

impl Transport for Fetch {
    async fn send(&self, call: Call<'_>) -> Result<Reply, Problem> {
        let pending = start(call)?;
        let response: Response = JsFuture::from(pending).await.map_err(unreachable)?.dyn_into().map_err(unreachable)?;
        let buffer = JsFuture::from(response.array_buffer().map_err(unreachable)?).await.map_err(unreachable)?;
        Ok(Reply { status: response.status(), body: js_sys::Uint8Array::new(&buffer).to_vec() })
    }
}

fn start(call: Call<'_>) -> Result<js_sys::Promise, Problem> {
    let init = RequestInit::new();
    init.set_method(match call.method {
        Method::Get => "GET",
        Method::Post => "POST",
    });
    init.set_credentials(RequestCredentials::Omit);
    init.set_signal(Some(&web_sys::AbortSignal::timeout_with_u32(REQUEST_TIMEOUT_MS)));
    let headers = web_sys::Headers::new().map_err(unreachable)?;
    if let Some(authorization) = call.authorization {
        headers.set("Authorization", authorization).map_err(unreachable)?;
    }
    if let Some(body) = call.body {
        headers.set("Content-Type", "application/json").map_err(unreachable)?;
        init.set_body(&js_sys::Uint8Array::from(body));
    }
    init.set_headers(&headers);
    let request = Request::new_with_str_and_init(call.path, &init).map_err(unreachable)?;
    Ok(leptos::prelude::window().fetch_with_request(&request))
}

fn unreachable(error: JsValue) -> Problem {
    Problem::Unreachable(format!("{error:?}"))
}

pub use consent_web::{now, Local};

/// The staff member's time zone at `at`, in minutes east of UTC (summer time included).
pub fn offset_minutes(at: Timestamp) -> i32 {
    let date = js_sys::Date::new(&JsValue::from_f64(at.unix() as f64 * 1000.0));
    -(date.get_timezone_offset() as i32)
}

fn failed(error: JsValue) -> Problem {
    Problem::Storage(format!("{error:?}"))
}

/// A `blob:` URL of this page's origin for `contents` of type `mime`, until [`forget_url`].
pub fn document_url(contents: &[u8], mime: &str) -> Result<String, Problem> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(contents));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(failed)?;
    web_sys::Url::create_object_url_with_blob(&blob).map_err(failed)
}

/// Lets the browser free what a [`document_url`] holds.
pub fn forget_url(url: &str) {
    let _ = web_sys::Url::revoke_object_url(url);
}

/// Offers `contents` to the staff member as a file named `name`.
pub fn save_file(name: &str, mime: &str, contents: &[u8]) -> Result<(), Problem> {
    let url = document_url(contents, mime)?;
    let anchor: web_sys::HtmlAnchorElement =
        leptos::prelude::document().create_element("a").map_err(failed)?.unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    web_sys::Url::revoke_object_url(&url).map_err(failed)
}

/// The SHA-256 of the bytes of the file chosen in `input`: `Ok(None)` when none is chosen, an
/// `Err` with the browser's words when it would not read the file.
pub async fn chosen_file_digest(input: &web_sys::HtmlInputElement) -> Result<Option<Digest>, String> {
    let Some(file) = input.files().and_then(|files| files.get(0)) else { return Ok(None) };
    let buffer = JsFuture::from(file.array_buffer()).await.map_err(|e| format!("{e:?}"))?;
    Ok(Some(Digest::of(&js_sys::Uint8Array::new(&buffer).to_vec())))
}

/// The browser's print dialog; the print stylesheet keeps only the list and its heading.
pub fn print() {
    let _ = leptos::prelude::window().print();
}

/// The print dialog of the document loaded in `frame` (the letters), not of the console.
pub fn print_frame(frame: &web_sys::HtmlIFrameElement) {
    if let Some(window) = frame.content_window() {
        let _ = window.print();
    }
}

/// The page's fragment, `#…`.
pub fn fragment() -> String {
    leptos::prelude::window().location().hash().unwrap_or_default()
}

/// Sets the fragment to `hash` without a new history entry: the used invitation leaves the
/// address bar (and any bookmark made of it).
pub fn replace_fragment(hash: &str) {
    let window = leptos::prelude::window();
    let url = format!("{}{}", window.location().pathname().unwrap_or_default(), hash);
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// Reloads the page: a new invitation link opened in a tab already showing the console.
pub fn reload() {
    let _ = leptos::prelude::window().location().reload();
}
