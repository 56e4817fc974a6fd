//! The reproducibility record every `summary.json` carries: what produced the figures (tool
//! version, the scenario's text and SHA-256, overrides, seed, paths, resolved parameters), so
//! any figure in a report can be traced and re-run.

use crate::scenario::{Scenario, KEYS};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub tool: String,
    pub version: String,
    /// `run` or `mc`.
    pub command: String,
    pub scenario_file: String,
    pub scenario_sha256: String,
    /// The scenario as read, so a re-run needs nothing else.
    pub scenario_source: String,
    /// `--set key=value` overrides, in order.
    pub overrides: Vec<String>,
    pub seed: Option<u64>,
    pub paths: Option<u64>,
    /// Every numeric input as the model used it (distributions at their central value), and
    /// the distributions of the uncertain ones.
    pub parameters: BTreeMap<String, f64>,
    pub distributions: BTreeMap<String, serde_json::Value>,
    /// The policy pack whose band and caps the figures used.
    #[serde(default)]
    pub pack: Option<String>,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Record {
    /// The record of `command` on `file` (whose text is `source`), with the `--set` overrides;
    /// `sampled` is the seed and path count of a Monte Carlo run.
    pub fn new(
        command: &str,
        file: &std::path::Path,
        source: &str,
        overrides: &[String],
        sc: &Scenario,
        sampled: Option<(u64, u64)>,
    ) -> Record {
        let parameters = KEYS
            .iter()
            .filter_map(|k| k.get(&sc.inputs).map(|v| (k.name.to_string(), v)))
            .collect();
        let distributions = sc
            .uncertain
            .iter()
            .map(|u| {
                let mut v = serde_json::to_value(&u.dist).unwrap_or_default();
                if u.per_year {
                    v["per_year"] = serde_json::Value::Bool(true);
                }
                if u.ar1 != 0.0 {
                    v["ar1"] = serde_json::json!(u.ar1);
                }
                (KEYS[u.key].name.to_string(), v)
            })
            .collect();
        Record {
            tool: "shanglou".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            command: command.into(),
            scenario_file: file.display().to_string(),
            scenario_sha256: sha256_hex(source.as_bytes()),
            scenario_source: source.into(),
            overrides: overrides.to_vec(),
            seed: sampled.map(|(seed, _)| seed),
            paths: sampled.map(|(_, paths)| paths),
            parameters,
            distributions,
            pack: sc.inputs.policy.pack.clone(),
        }
    }
}

/// Dotted paths where two JSON values differ (numbers compared exactly).
pub fn differences(
    a: &serde_json::Value,
    b: &serde_json::Value,
    path: &str,
    out: &mut Vec<String>,
) {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                differences(
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    &p,
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                differences(p, q, &format!("{path}[{i}]"), out);
            }
        }
        _ if a == b => {}
        _ => out.push(format!("{path}: {a} then, {b} now")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_text() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn differences_name_the_paths() {
        let a = serde_json::json!({"irr": {"x": 0.1, "y": null}, "n": [1, 2]});
        let b = serde_json::json!({"irr": {"x": 0.2, "y": null}, "n": [1, 3]});
        let mut d = Vec::new();
        differences(&a, &b, "", &mut d);
        assert_eq!(d.len(), 2);
        assert!(d[0].starts_with("irr.x") && d[1].starts_with("n[1]"));
    }
}
