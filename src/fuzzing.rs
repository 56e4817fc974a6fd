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
