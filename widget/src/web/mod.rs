//! The browser side: finds each `[data-consent-widget]` element and mounts the widget in it,
//! with `fetch`, `localStorage` and file downloads behind the traits the flows use.

mod app;
pub mod browser;
mod screens;
mod state;

use leptos::prelude::*;
use shared::primitives::PublicKey;
use shared::Lang;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// What the school's page configures on the element.
#[derive(Debug, Clone)]
pub struct Config {
    /// The verifier service, e.g. `https://consent.school.example` (no trailing slash).
    pub endpoint: String,
    /// The school's root key: everything shown must verify under it.
    pub school: Option<PublicKey>,
    /// The language to start in.
    pub lang: Lang,
}

impl Config {
    fn from_element(element: &web_sys::HtmlElement) -> Config {
        let data = element.dataset();
        let endpoint = data.get("endpoint").unwrap_or_default().trim_end_matches('/').to_owned();
        let school = data.get("schoolKey").and_then(|hex| PublicKey::from_hex(&hex).ok());
        let lang =
            data.get("lang").or_else(|| window().navigator().language()).map_or(Lang::En, |tag| Lang::negotiate(&tag));
        Config { endpoint, school, lang }
    }
}

/// Runs when the module is loaded: mounts one widget per marked element.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    let Ok(elements) = document().query_selector_all("[data-consent-widget]") else { return };
    for index in 0..elements.length() {
        let Some(element) = elements.item(index).and_then(|node| node.dyn_into::<web_sys::HtmlElement>().ok()) else {
            continue;
        };
        let config = Config::from_element(&element);
        element.set_inner_html("");
        leptos::mount::mount_to(element, move || view! { <app::App config=config /> }).forget();
    }
}
