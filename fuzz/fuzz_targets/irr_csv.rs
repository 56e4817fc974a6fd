//! Fuzz target: any bytes as the CSV of cash flows `shanglou irr` reads, through the reader,
//! the IRR solver, NPV and payback. Bad input must come back as an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    shanglou::fuzzing::irr_csv(data);
});
