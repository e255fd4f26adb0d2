//! model.json: any bytes → parse, shape checks, compile against a fixed people schema, and every
//! compiled rule evaluated on edge values (see `segcalc_fuzz::model`).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = segcalc_fuzz::model(data);
});
