//! Fuzz target: any bytes as a scenario file through parsing, validation, the exact ledger,
//! the metrics and a short Monte Carlo run. Bad input must come back as an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    shanglou::fuzzing::scenario_bytes(data);
});
