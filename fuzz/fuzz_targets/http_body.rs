#![no_main]
libfuzzer_sys::fuzz_target!(init: verifier::fuzzing::write_seeds("http_body"), |data: &[u8]| {
    verifier::fuzzing::http_body(data);
});
