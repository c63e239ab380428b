//! The browser side: mounts the console in the page's `#console` element, with `fetch`,
//! `localStorage`, files and printing behind the traits the flows use.
//!
//! Stable `data-testid`s (ASCII lowercase) for the end-to-end tests, one page object per screen:
//! - frame: `whoami` (name and role), `status` (the status line), `error` (any failure shown),
//!   `language` (the picker); navigation links `nav-overview`, `nav-not-answered`,
//!   `nav-photo-check`, `nav-requests`, `nav-student` (a teacher sees only the first and third);
//! - tables: `overview-classes`, `overview-purposes`, `not-answered-table`, `photo-check-table`,
//!   `requests-inbox`, `requests-decided`, `student-now`, `student-history`; their rows are
//!   `row`, with `data-student="<id>"` where a row is a student's, `data-class` on the
//!   overview's, and `data-mark="<snake_case mark>"` on the photo check's;
//! - pickers: `photo-class`, `photo-purpose`, `photo-date`, `photo-run`, `student-class`,
//!   `student-pick`;
//! - buttons: `csv-download`, `print-letters` (whose page loads in the hidden frame
//!   `letters-frame`, then prints), `print`, `bundle-download`; per undecided request, inside the row
//!   with `data-request="<hash hex>"`: `decide-grant`, `decide-refuse` (radios),
//!   `decide-reason` (textarea), `decide-send`;
//! - paper slips (student view, DPO and director): `paper-form`; inside it `paper-signer`
//!   (checkboxes, `data-person="<person id>"`), per purpose a `paper-purpose` fieldset with
//!   `data-purpose="<id>"` holding the radios `paper-yes`, `paper-no`, `paper-blank`;
//!   `paper-date`, `paper-scan` (the file input), `paper-scan-hash` (its SHA-256, once read),
//!   `paper-send`; "Recorded" is said in `status`;
//! - "on paper": `data-paper="true|false"` on the rows of `student-now`, `student-history` and
//!   `photo-check-table`, and an `on-paper` note beside a mark whose state rests on a slip.

mod app;
mod browser;
mod parts;
mod screens;
mod state;

use wasm_bindgen::prelude::*;

/// Runs when the module is loaded: mounts the console in `#console`.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    let Some(element) = leptos::prelude::document().get_element_by_id("console") else { return };
    let Ok(element) = element.dyn_into::<web_sys::HtmlElement>() else { return };
    element.set_inner_html("");
    leptos::mount::mount_to(element, app::App).forget();
}
