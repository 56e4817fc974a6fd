//! Fuzz target: any bytes as `--set KEY=VALUE` arguments (one per line) on a shipped scenario.
//! A bad value must come back as an error naming `--set`, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    shanglou::fuzzing::set_values(data);
});
