//! Signing and storage in a real browser (headless Chromium, through `wasm-bindgen-test`): the
//! key comes from the browser's CSPRNG, signatures verify strictly, and what the device keeps —
//! key, queue — survives in `localStorage` as a reload would find it.
#![cfg(target_arch = "wasm32")]

use shared::ids::PurposeId;
use shared::objects::{Decision, HistoryRequest};
use shared::primitives::{Digest, Nonce, PublicKey};
use shared::{open, sign, Lang};
use std::collections::BTreeMap;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use widget::device::{Device, Slot};
use widget::outbox::Outgoing;
use widget::store::Store;
use widget::web::browser::{now, Local};

wasm_bindgen_test_configure!(run_in_browser);

fn slot(person: &str) -> Slot {
    let school = PublicKey([7; 32]);
    Slot::new(school, "s-1".try_into().expect("id"), person.try_into().expect("id"))
}

#[wasm_bindgen_test]
fn keys_come_from_the_browser_and_signatures_verify_strictly() {
    let mut device = Device::new(PublicKey([7; 32]), b"{}");
    let key = device.key().expect("generated");
    let other = Device::new(PublicKey([7; 32]), b"{}").key().expect("generated");
    assert_ne!(key.to_bytes(), other.to_bytes(), "two keys from the CSPRNG differ");
    assert_eq!(device.key().expect("same").to_bytes(), key.to_bytes(), "generated once, then kept");

    let body = HistoryRequest {
        school: PublicKey([7; 32]),
        certificate: Digest::of(b"certificate"),
        challenge: Nonce::random(&mut rand_core::OsRng),
        client_time: now(),
    };
    let signed = sign(body, &key).expect("signs in the browser");
    let signer = PublicKey::of(&key);
    assert!(open::<HistoryRequest>(signed.bytes(), &signer).is_ok());
    let mut forged = signed.bytes().to_vec();
    let at = forged.len() - 10;
    forged[at] ^= 1;
    assert!(open::<HistoryRequest>(&forged, &signer).is_err(), "a changed byte does not verify");
}

#[wasm_bindgen_test]
fn the_key_and_the_queue_survive_a_reload_in_local_storage() {
    let slot = slot("s-1-g1");
    let mut device = Device::new(PublicKey([7; 32]), b"{\"invitation\":1}");
    let key = device.key().expect("generated");
    let decisions = BTreeMap::from([(PurposeId::try_from("photos").expect("id"), Decision::Grant)]);
    device.outbox.push(Outgoing::Decisions {
        form: Digest::of(b"form"),
        after: None,
        decisions,
        client_time: now(),
        language: Lang::Pl,
    });
    device.save(&Local, &slot).expect("saved");

    // What a reload finds: the same key and the same queue, read back from localStorage.
    let reloaded = Device::load(&Local, &slot).expect("readable").expect("present");
    assert_eq!(reloaded, device);
    assert_eq!(reloaded.existing_key().expect("key").expect("present").to_bytes(), key.to_bytes());
    let last = Device::load_last(&Local, &PublicKey([7; 32])).expect("readable").expect("present");
    assert_eq!(last, device, "a visit without the link finds the last device");
    assert!(Local.load(&slot.key()).is_some_and(|json| json.contains("school-consent-device/2")));
}

#[wasm_bindgen_test]
fn a_corrupt_saved_state_is_reported_not_replaced() {
    let slot = slot("s-1-g2");
    Local.save(&slot.key(), "{\"format\":\"something else\"}").expect("saved");
    assert!(Device::load(&Local, &slot).is_err());
    assert_eq!(Local.load(&slot.key()).as_deref(), Some("{\"format\":\"something else\"}"), "left untouched");
}

/// Resolves after `ms` milliseconds.
async fn sleep(ms: i32) {
    let wait = js_sys::Promise::new(&mut |resolve, _| {
        let window = web_sys::window().expect("a window");
        window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms).expect("a timer");
    });
    wasm_bindgen_futures::JsFuture::from(wait).await.expect("the timer fires");
}

#[wasm_bindgen_test]
async fn two_flows_of_one_person_take_turns_under_the_lock_their_tabs_share() {
    use std::cell::RefCell;
    use std::rc::Rc;
    use widget::web::browser::exclusively;
    let order = Rc::new(RefCell::new(Vec::new()));
    let (first, second) = (order.clone(), order.clone());
    wasm_bindgen_futures::spawn_local(async move {
        exclusively("school-consent/test-lock", async {
            first.borrow_mut().push("first starts");
            sleep(100).await;
            first.borrow_mut().push("first ends");
        })
        .await;
    });
    sleep(10).await;
    wasm_bindgen_futures::spawn_local(async move {
        exclusively("school-consent/test-lock", async { second.borrow_mut().push("second runs") }).await;
    });
    sleep(300).await;
    assert_eq!(*order.borrow(), ["first starts", "first ends", "second runs"]);
}

/// The browser verifies exactly what the verifier verifies: every committed vector (generated
/// again from its seeds, which natively give the committed bytes) gets its verdict here too.
#[wasm_bindgen_test]
fn every_vector_gives_the_same_verdict_in_the_browser_as_natively() {
    let vectors = consent_tests::vectors::generate();
    assert!(vectors.len() >= 30, "the full set of vectors, not {}", vectors.len());
    for vector in vectors {
        assert_eq!(vector.run().as_deref(), Ok(vector.expect.as_str()), "{}", vector.name);
    }
}

/// Dates read as the browser itself writes them for the reader — `Intl.DateTimeFormat`, in the
/// browser's time zone — for every month in every language, though the widget writes them with
/// its own month names (making a formatter is slow on a first visit).
#[wasm_bindgen_test]
fn dates_read_as_the_browser_writes_them_in_each_language() {
    use widget::words;
    for lang in Lang::ALL {
        for month in 1..=12 {
            let iso = format!("2026-{month:02}-14T09:30:00Z");
            let at = shared::Timestamp::parse(&iso).expect("an instant");
            let date = js_sys::Date::new(&(at.unix() as f64 * 1000.0).into());
            let browser = format!("{}, {}", intl(lang, &date, None, false), intl(lang, &date, None, true));
            assert_eq!(words::instant(lang, at), browser, "{iso} in {lang:?}");
            // A date of birth is a day, which no time zone moves.
            assert_eq!(words::day(lang, &iso[..10]), intl(lang, &date, Some("UTC"), false), "{iso} in {lang:?}");
        }
    }
    assert_eq!(words::day(Lang::En, "2012-03-01"), "1 March 2012");
    assert_eq!(words::day(Lang::Pl, "2012-03-01"), "1 marca 2012");
    assert_eq!(words::day(Lang::Ro, "2012-03-01"), "1 martie 2012");
    assert_eq!(words::day(Lang::Uk, "2012-03-01"), "1 березня 2012 р.");
    assert_eq!(words::day(Lang::De, "2012-03-01"), "1. März 2012");
}

/// How the browser writes `date` in `lang`: the day, month and year, or the time of day.
fn intl(lang: Lang, date: &js_sys::Date, zone: Option<&str>, time: bool) -> String {
    use js_sys::Intl::{DateTimeFormat, DateTimeFormatOptions, DayFormat, MonthFormat, NumericFormat, YearFormat};
    let options = DateTimeFormatOptions::new();
    if time {
        options.set_hour(NumericFormat::TwoDigit);
        options.set_minute(NumericFormat::TwoDigit);
    } else {
        options.set_day(DayFormat::Numeric);
        options.set_month(MonthFormat::Long);
        options.set_year(YearFormat::Numeric);
    }
    if let Some(zone) = zone {
        options.set_time_zone(zone);
    }
    // British English writes the day before the month, as the other languages do.
    let locale = if lang == Lang::En { "en-GB" } else { lang.code() };
    let locales = js_sys::Array::of1(&locale.into());
    let format = DateTimeFormat::new(&locales, &options).format();
    format.call1(&wasm_bindgen::JsValue::UNDEFINED, date).ok().and_then(|text| text.as_string()).unwrap_or_default()
}
