//! Fuzz `stages::extract::extract`: any bytes, decoded as UTF-8 with replacement, must give
//! some text without panicking, and the stage's guarded entry point must agree.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let html = String::from_utf8_lossy(data);
    let ex = stages::extract::extract(&html);
    assert!(matches!(ex.pass, "main" | "fallback" | "none"));
    assert_eq!(ex.pass == "none", ex.text.is_empty());
});
