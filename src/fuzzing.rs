//! The whole pipeline on arbitrary bytes, for the fuzz target and its regression tests: any
//! input must end in a value or an error, never a panic.

use crate::mc::{self, Settings, Silent};
use crate::{metrics, policy, sensitivity};

/// Parses `data` as a scenario and, when it is valid, runs everything a user could run on it.
pub fn scenario_bytes(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(sc) = crate::load(&text, &[]) else {
        return;
    };
    let _ = metrics::evaluate(&sc.inputs);
    let _ = crate::report::check::matrix(&sc.inputs);
    if let Some(p) = sc.inputs.policy.pack.as_deref().and_then(policy::pack) {
        let _ = policy::check_inputs(p, &sc.inputs);
    }
    let _ = mc::simulate(
        &sc,
        Settings {
            paths: 16,
            seed: 1,
            threads: 1,
            all_metrics: true,
        },
        &Silent,
    );
    let _ = sensitivity::tornado(&sc, false);
}

/// The scenario the `--set` target applies its overrides to.
const SET_BASE: &str = include_str!("../scenarios/wuhan-subsidy-loan.toml");

/// `data` as `--set` arguments, one per line, on a shipped scenario: each must parse or be
/// refused, and the scenario load, never panic.
pub fn set_values(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let overrides: Vec<crate::scenario::Override> = text
        .split('\n')
        .take(16)
        .filter_map(|l| crate::scenario::Override::parse(l).ok())
        .collect();
    if let Ok(sc) = crate::load(SET_BASE, &overrides) {
        let _ = metrics::evaluate(&sc.inputs);
    }
}

/// `data` as the CSV of `shanglou irr`, by column and by row, and every series through the
/// IRR, NPV and payback.
pub fn irr_csv(data: &[u8]) {
    for rows in [false, true] {
        if let Ok(series) = crate::flows::read_csv(data, rows) {
            for (_, flows) in series.iter().take(64) {
                let _ = crate::irr::irr_detail(flows, 0.045);
                let _ = crate::irr::npv(flows, 0.045);
                let _ = crate::irr::payback(flows);
            }
        }
    }
}
