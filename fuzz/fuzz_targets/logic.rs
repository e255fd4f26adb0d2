//! Filter logic: first byte % 16 filters, then the text → `model::logic::parse`, round trip,
//! compiled rule evaluated against the expression (see `segcalc_fuzz::logic`).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = segcalc_fuzz::logic(data);
});
