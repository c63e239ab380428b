#![no_main]
libfuzzer_sys::fuzz_target!(init: verifier::fuzzing::write_seeds("bundle"), |data: &[u8]| {
    verifier::fuzzing::bundle(data);
});
