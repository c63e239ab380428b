//! Two entries on the browser's User Timing timeline, so that the widget's speed can be read
//! where a family meets it: the benchmark (`xtask/src/widget_timing.rs`) reads them in headless
//! Chromium, and anyone can see them in the devtools performance panel ("Timings" track).
//!
//! They only record: nothing in the widget reads them back, and natively (the flows' tests)
//! they record nothing at all.

/// The mark set once per page load, at the first moment a click on the widget acts: the consents
/// screen shows the verified form and the person's decisions, and no flow is running — the first
/// sync after opening (the log witnessed and, for a co-signing student, the enrolment and the
/// history read) has finished, so "Sign and send" and every other control are enabled. Its
/// `startTime` is milliseconds since the navigation started.
pub const INTERACTIVE: &str = "consent:interactive";

/// The measure around signing one consent receipt with the person's Ed25519 key (the receipt's
/// canonical encoding and its signature; not the key's decoding, not the send), from the mark
/// `consent:sign:start`. Its `duration` is in milliseconds, at the resolution the browser allows
/// a page (0.1 ms in Chromium unless the page is cross-origin isolated).
pub const SIGN: &str = "consent:sign";

const SIGN_START: &str = "consent:sign:start";

/// Marks [`INTERACTIVE`], the first time only. The widget calls it whenever a flow ends, in the
/// same turn of the event loop as the render that enables the controls, so no click comes
/// between the mark and the moment it would act.
pub fn interactive() {
    static MARKED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if !MARKED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        mark(INTERACTIVE);
    }
}

/// Runs `sign`, the signing of one consent receipt, as the measure [`SIGN`].
pub fn signing<T>(sign: impl FnOnce() -> T) -> T {
    mark(SIGN_START);
    let signed = sign();
    #[cfg(target_arch = "wasm32")]
    if let Some(performance) = web_sys::window().and_then(|window| window.performance()) {
        // A page that refuses a measure loses a measurement, never a receipt.
        let _ = performance.measure_with_start_mark(SIGN, SIGN_START);
    }
    signed
}

fn mark(name: &str) {
    #[cfg(target_arch = "wasm32")]
    if let Some(performance) = web_sys::window().and_then(|window| window.performance()) {
        let _ = performance.mark(name);
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = name;
}
