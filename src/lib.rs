//! shanglou (上楼): cash flows, IRR and the 保本微利 verdict for 工业上楼 (industrial-tower)
//! projects. The library knows nothing of files, terminals or command lines.

pub mod batch;
pub mod flows;
pub mod fuzzing;
pub mod irr;
pub mod mc;
pub mod metrics;
pub mod model;
pub mod num;
pub mod policy;
pub mod record;
pub mod report;
pub mod scenario;
pub mod sensitivity;
pub mod solve;
pub mod sweep;

/// Loads and validates a scenario from TOML text with `--set` overrides, looking policy packs
/// up among the built-in ones; every problem is returned at once.
pub fn load(
    src: &str,
    overrides: &[scenario::Override],
) -> Result<scenario::Scenario, scenario::ScenarioError> {
    scenario::load_with(src, overrides, &policy::BuiltIn)
}

/// Test data: a xorshift64 stream of bits, the same numbers on every machine.
#[cfg(test)]
pub(crate) fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

/// [`xorshift`] as uniform numbers on [0, 1), 53 bits each.
#[cfg(test)]
pub(crate) fn uniform_stream(seed: u64) -> impl FnMut() -> f64 {
    let mut bits = xorshift(seed);
    move || (bits() >> 11) as f64 / (1u64 << 53) as f64
}
