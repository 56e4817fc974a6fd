//! Batch sweeps: the Cartesian product of values of several keys; at each point the exact
//! deterministic IRRs and verdict and, optionally, Monte Carlo statistics with common random
//! numbers (the same seed at every point, so differences between points are not noise).

use crate::mc::{self, McError, Observer, Settings};
use crate::metrics::{self, Status};
use crate::scenario::{cross_checks_of, keys, Problem, Scenario, KEYS};
use rayon::prelude::*;
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};

/// One swept key and its values. A word-valued key (`policy.pack`, `project.kind`, …) has
/// `labels`, and its values are the labels' indices, so the grid, the charts and the tables
/// handle both kinds alike.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Axis {
    pub key: &'static str,
    pub values: Vec<f64>,
    pub labels: Option<Vec<String>>,
}

impl Axis {
    /// A value as tables and charts show it: the word of a word-valued axis, else the number.
    pub fn label(&self, v: f64) -> String {
        match &self.labels {
            Some(l) => l.get(v as usize).cloned().unwrap_or_default(),
            None => format!("{v}"),
        }
    }
}

/// An axis read back (from a shard): the key must be a numeric or word-valued key.
pub fn axis_from(key: &str, values: Vec<f64>, labels: Option<Vec<String>>) -> Option<Axis> {
    let key = match keys::find(key) {
        Some((_, k)) => k.name,
        None => WORD_KEYS.iter().find(|k| **k == key).copied()?,
    };
    Some(Axis {
        key,
        values,
        labels,
    })
}

/// The word-valued keys a sweep may take as an axis, with what each word may be.
pub const WORD_KEYS: [&str; 4] = [
    "policy.pack",
    "project.kind",
    "finance.repayment",
    "tax.lat_method",
];

/// The words a word-valued key accepts.
fn words_of(key: &str) -> Option<Vec<String>> {
    use crate::scenario::{Choice, LatMethod, ProjectKind, Repayment};
    fn all<C: Choice>() -> Vec<String> {
        C::ALL.iter().map(|(_, n, _)| n.to_string()).collect()
    }
    Some(match key {
        "policy.pack" => crate::policy::names()
            .into_iter()
            .map(String::from)
            .collect(),
        "project.kind" => all::<ProjectKind>(),
        "finance.repayment" => all::<Repayment>(),
        "tax.lat_method" => all::<LatMethod>(),
        _ => return None,
    })
}

/// Builds a word-valued axis, checking each word.
pub fn word_axis(key: &str, words: Vec<String>) -> Result<Axis, String> {
    let Some(valid) = words_of(key) else {
        return Err(format!(
            "\"{key}\" is not a word-valued key a sweep can take; expected one of {}",
            WORD_KEYS.join(", ")
        ));
    };
    let bad: Vec<&String> = words.iter().filter(|w| !valid.contains(w)).collect();
    if !bad.is_empty() || words.is_empty() {
        return Err(format!(
            "{key}: {} not valid; expected some of {}",
            if words.is_empty() {
                "no value is".to_string()
            } else {
                format!(
                    "{} {}",
                    bad.iter()
                        .map(|w| format!("\"{w}\""))
                        .collect::<Vec<_>>()
                        .join(", "),
                    if bad.len() == 1 { "is" } else { "are" }
                )
            },
            valid.join(", ")
        ));
    }
    let key = WORD_KEYS
        .iter()
        .find(|k| **k == key)
        .copied()
        .unwrap_or("policy.pack");
    Ok(Axis {
        key,
        values: (0..words.len()).map(|i| i as f64).collect(),
        labels: Some(words),
    })
}

/// Sets a word-valued key on a scenario. A pack brings its band where its document sets one
/// (else the scenario's own band, or the defaults if that came from another pack) and turns
/// its caps on, as naming it in the file would.
fn apply_word(s: &mut Scenario, key: &str, word: &str) {
    use crate::scenario::{Choice, LatMethod, ProjectKind, Repayment};
    let i = &mut s.inputs;
    match key {
        "policy.pack" => {
            let Some(p) = crate::policy::pack(word) else {
                return;
            };
            if i.policy.band_from_pack {
                (i.policy.irr_floor, i.policy.irr_cap) = (0.0, 0.045);
                i.policy.band_from_pack = false;
            }
            if let Some((floor, cap)) = p.band() {
                (i.policy.irr_floor, i.policy.irr_cap) = (floor, cap);
                i.policy.band_from_pack = true;
            }
            i.policy.pack = Some(word.to_string());
            i.policy.enforce_caps = true;
        }
        "project.kind" => i.project.kind = ProjectKind::parse(word),
        "finance.repayment" => {
            if let Some(r) = Repayment::parse(word) {
                i.finance.repayment = r
            }
        }
        "tax.lat_method" => {
            if let Some(m) = LatMethod::parse(word) {
                i.tax.lat_method = m
            }
        }
        _ => {}
    }
}

/// Monte Carlo statistics of one point.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct PointMc {
    pub mean: Option<f64>,
    pub p5: Option<f64>,
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub p_within: f64,
    pub p_above_cap: f64,
    pub p_below_floor: f64,
}

/// One point of the grid: the swept values in axis order and the results.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Point {
    pub values: Vec<f64>,
    pub irr_pre_tax: Option<f64>,
    pub irr_after_tax: Option<f64>,
    pub irr_equity: Option<f64>,
    pub status: Status,
    /// The binding rules of the point's policy pack the point breaches (empty without a pack).
    pub breached: Vec<String>,
    pub mc: Option<PointMc>,
}

/// The columns after the swept keys, in the order sweep.csv, `--json` and the workbook use.
pub const IRR_COLUMNS: [&str; 3] = ["irr_pre_tax", "irr_after_tax", "irr_equity"];
pub const STATUS_COLUMN: &str = "status";
/// The rules of the point's pack it breaches, space-separated.
pub const BREACHED_COLUMN: &str = "breached_rules";
pub const MC_COLUMNS: [&str; 7] = [
    "mean",
    "p5",
    "p50",
    "p95",
    "p_within",
    "p_above_cap",
    "p_below_floor",
];

/// The header of a sweep table: the swept keys, the IRRs, the verdict and, with Monte Carlo,
/// its statistics.
pub fn header(axes: &[Axis], with_mc: bool) -> Vec<String> {
    let mut h: Vec<String> = axes.iter().map(|a| a.key.to_string()).collect();
    h.extend(IRR_COLUMNS.map(String::from));
    h.push(STATUS_COLUMN.into());
    h.push(BREACHED_COLUMN.into());
    if with_mc {
        h.extend(MC_COLUMNS.map(String::from));
    }
    h
}

impl Point {
    /// The values of [`IRR_COLUMNS`].
    pub fn irrs(&self) -> [Option<f64>; 3] {
        [self.irr_pre_tax, self.irr_after_tax, self.irr_equity]
    }
}

impl PointMc {
    /// The values of [`MC_COLUMNS`].
    pub fn values(&self) -> [Option<f64>; 7] {
        [
            self.mean,
            self.p5,
            self.p50,
            self.p95,
            Some(self.p_within),
            Some(self.p_above_cap),
            Some(self.p_below_floor),
        ]
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Mc(#[from] McError),
}

/// Builds an axis from a key name and values, checking each value against the key's range.
pub fn axis(key: &str, values: Vec<f64>) -> Result<Axis, String> {
    let (_, spec) = keys::check_values(key, &values).map_err(|p| p.join("; "))?;
    Ok(Axis {
        key: spec.name,
        values,
        labels: None,
    })
}

/// `LO:HI:STEP` → LO, LO+STEP, … ≤ HI (with a little slack for rounding).
pub fn range_values(lo: f64, hi: f64, step: f64) -> Result<Vec<f64>, String> {
    if !(step > 0.0 && hi >= lo && lo.is_finite() && hi.is_finite()) {
        return Err(format!(
            "{lo}:{hi}:{step} is not a range: expected LO:HI:STEP with LO ≤ HI and STEP > 0"
        ));
    }
    let n = ((hi - lo) / step + 1e-9).floor() as usize;
    if n > 100_000 {
        return Err(format!(
            "{lo}:{hi}:{step} has {n} values; use a larger step"
        ));
    }
    Ok((0..=n).map(|i| lo + step * i as f64).collect())
}

/// How many points a sweep has by default at most (`--max-points` raises it).
pub const DEFAULT_MAX_POINTS: u64 = 100_000;

/// The number of grid points, `None` when it does not fit a u64.
pub fn count_points(axes: &[Axis]) -> Option<u64> {
    axes.iter()
        .try_fold(1u64, |n, a| n.checked_mul(a.values.len() as u64))
}

/// The values of grid point `i`, first axis slowest: points are made one at a time, never
/// all at once.
pub fn point(axes: &[Axis], mut i: u64) -> Vec<f64> {
    let mut v = vec![0.0; axes.len()];
    for (k, a) in axes.iter().enumerate().rev() {
        let n = a.values.len().max(1) as u64;
        v[k] = a.values[(i % n) as usize];
        i /= n;
    }
    v
}

/// The grid's points, first axis slowest.
pub fn points(axes: &[Axis]) -> Vec<Vec<f64>> {
    let n = count_points(axes).unwrap_or(0);
    (0..n).map(|i| point(axes, i)).collect()
}

/// The scenario at one point, checked like a file (a point may break a rule that joins keys).
pub fn scenario_at(sc: &Scenario, axes: &[Axis], values: &[f64]) -> Result<Scenario, Vec<Problem>> {
    let mut s = sc.clone();
    for (a, v) in axes.iter().zip(values) {
        match &a.labels {
            Some(_) => apply_word(&mut s, a.key, &a.label(*v)),
            None => s = s.with_fixed(a.key, *v),
        }
    }
    let problems = cross_checks_of(&s.inputs);
    if problems.is_empty() {
        Ok(s)
    } else {
        Err(problems)
    }
}

struct Counter<'a> {
    done: &'a AtomicU64,
    total: u64,
    obs: &'a dyn Observer,
    last: AtomicU64,
}

impl Observer for Counter<'_> {
    fn progress(&self, done: u64, _total: u64) {
        // inner runs report their own running count; add only what is new
        let prev = self.last.swap(done, Ordering::Relaxed);
        let add = done.saturating_sub(prev);
        let d = self.done.fetch_add(add, Ordering::Relaxed) + add;
        self.obs.progress(d, self.total);
    }
    fn cancelled(&self) -> bool {
        self.obs.cancelled()
    }
}

/// A point's scenario, or the message that says why the point is not a valid scenario.
fn scenario_of(sc: &Scenario, axes: &[Axis], values: &[f64]) -> Result<Scenario, SweepError> {
    scenario_at(sc, axes, values).map_err(|problems| {
        let at: Vec<String> = axes
            .iter()
            .zip(values)
            .map(|(a, v)| format!("{} = {}", a.key, a.label(*v)))
            .collect();
        SweepError::Invalid(format!(
            "the point {} is not a valid scenario: {}",
            at.join(", "),
            problems
                .iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        ))
    })
}

/// Runs the sweep. Every point is checked first (a bad point is reported before any work);
/// each point's scenario is made when it runs, so memory does not grow with the grid beyond
/// its small result. Without Monte Carlo the points run in parallel; with it they run one
/// after another, each Monte Carlo run using every thread, so no parallel region nests in
/// another (nesting let rayon's work stealing recurse with the number of points).
pub fn run(
    sc: &Scenario,
    axes: &[Axis],
    mc: Option<(u64, u64)>,
    obs: &dyn Observer,
) -> Result<Vec<Point>, SweepError> {
    run_shard(sc, axes, mc, mc::Shard::WHOLE, obs)
}

/// [`run`] for one shard of the grid: the points whose index i has i mod n = k − 1, in order.
pub fn run_shard(
    sc: &Scenario,
    axes: &[Axis],
    mc: Option<(u64, u64)>,
    shard: mc::Shard,
    obs: &dyn Observer,
) -> Result<Vec<Point>, SweepError> {
    let all = count_points(axes)
        .ok_or_else(|| SweepError::Invalid("the grid has too many points".into()))?;
    // every point is checked, whichever shard runs it: a bad grid fails in every shard
    (0..all)
        .into_par_iter()
        .try_for_each(|i| scenario_of(sc, axes, &point(axes, i)).map(drop))?;
    let n = shard.count(all);
    let per_point = mc.map(|(n, _)| n).unwrap_or(1);
    let total = per_point.saturating_mul(n);
    let done = AtomicU64::new(0);
    // the sampler's tables depend on the uncertain inputs and the horizon only: built once
    // when no axis touches them
    let shares_sampler = axes.iter().all(|a| {
        a.key != "project.land_term_years"
            && !sc.uncertain.iter().any(|u| KEYS[u.key].name == a.key)
    });
    let shared = (mc.is_some() && shares_sampler).then(|| mc::sample::Sampler::new(sc));
    let one = |j: u64| -> Result<Point, SweepError> {
        if obs.cancelled() {
            return Err(SweepError::Mc(McError::Cancelled));
        }
        let values = point(axes, shard.index(j));
        let s = scenario_of(sc, axes, &values)?;
        let (ledger, summary) = metrics::evaluate(&s.inputs);
        let mc = match mc {
            None => {
                let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                obs.progress(d, total);
                None
            }
            Some((paths, seed)) => {
                let counter = Counter {
                    done: &done,
                    total,
                    obs,
                    last: AtomicU64::new(0),
                };
                let settings = Settings::basis_only(paths, seed);
                let out = match &shared {
                    Some(sampler) => mc::simulate_with(&s, sampler, settings, &counter)?,
                    None => mc::simulate(&s, settings, &counter)?,
                };
                let m = out.summary();
                Some(PointMc {
                    mean: m.irr.mean,
                    p5: m.irr.p5,
                    p50: m.irr.p50,
                    p95: m.irr.p95,
                    p_within: m.prob.within,
                    p_above_cap: m.prob.above_cap,
                    p_below_floor: m.prob.below_floor,
                })
            }
        };
        let breached = crate::policy::breached(&s.inputs, &ledger, summary.verdict.irr);
        Ok(Point {
            values,
            breached,
            irr_pre_tax: summary.irr.project_pre_tax,
            irr_after_tax: summary.irr.project_after_tax,
            irr_equity: summary.irr.equity,
            status: summary.verdict.status,
            mc,
        })
    };
    match mc {
        None => (0..n).into_par_iter().map(one).collect(),
        Some(_) => (0..n).map(one).collect(),
    }
}

/// The `[sweep] grid` of a scenario as axes (keys in file order of their names).
pub fn axes_of(sc: &Scenario) -> Vec<Axis> {
    sc.sweep_grid
        .iter()
        .map(|(k, v)| Axis {
            key: KEYS[*k].name,
            values: v.clone(),
            labels: None,
        })
        .collect()
}

/// What a chart plots for a point: the Monte Carlo median IRR, else the deterministic pre-tax IRR.
pub fn median_or_irr(p: &Point) -> Option<f64> {
    match &p.mc {
        Some(m) => m.p50,
        None => p.irr_pre_tax,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_is_the_cartesian_product_first_axis_slowest() {
        let axes = [
            Axis {
                key: "a",
                values: vec![1.0, 2.0],
                labels: None,
            },
            Axis {
                key: "b",
                values: vec![10.0, 20.0, 30.0],
                labels: None,
            },
        ];
        let p = points(&axes);
        assert_eq!(p.len(), 6);
        assert_eq!(p[0], vec![1.0, 10.0]);
        assert_eq!(p[2], vec![1.0, 30.0]);
        assert_eq!(p[3], vec![2.0, 10.0]);
        assert_eq!(range_values(0.0, 500.0, 50.0).unwrap().len(), 11);
        assert_eq!(
            range_values(25.0, 35.0, 5.0).unwrap(),
            vec![25.0, 30.0, 35.0]
        );
        assert!(range_values(1.0, 0.0, 1.0).is_err());
    }

    /// A thousand Monte Carlo points once overflowed the stack: parallel points each running a
    /// parallel Monte Carlo let rayon's work stealing recurse with the number of points. Points
    /// with Monte Carlo now run in turn; the grid is made one point at a time.
    #[test]
    fn many_monte_carlo_points_run_without_nesting() {
        let sc = crate::load(
            include_str!("../scenarios/shenzhen-renewal-uncertain.toml"),
            &[],
        )
        .unwrap();
        let rent = axis(
            "factory.rent",
            (0..300).map(|i| 10.0 + i as f64 * 0.1).collect(),
        )
        .unwrap();
        assert_eq!(count_points(std::slice::from_ref(&rent)), Some(300));
        let pts = run(&sc, &[rent], Some((2, 1)), &crate::mc::Silent).unwrap();
        assert_eq!(pts.len(), 300);
        assert!(pts.iter().all(|p| p.mc.is_some()));
        // the grid's size is counted without making it
        let big = Axis {
            key: "factory.rent",
            values: vec![1.0; 100_000],
            labels: None,
        };
        assert_eq!(
            count_points(&[big.clone(), big.clone(), big.clone(), big.clone()]),
            None
        );
        assert_eq!(point(&[big.clone(), big], 123_456), vec![1.0, 1.0]);
    }

    #[test]
    fn a_pack_axis_brings_each_pack_s_band_and_checks_its_words() {
        let sc = crate::load(
            include_str!("../tests/conformance/01-minimal-lease.toml"),
            &[],
        )
        .unwrap();
        let a = word_axis(
            "policy.pack",
            vec!["wuhan-2024".into(), "ningbo-2023".into()],
        )
        .unwrap();
        assert_eq!(a.label(1.0), "ningbo-2023");
        let wuhan = scenario_at(&sc, std::slice::from_ref(&a), &[0.0]).unwrap();
        assert_eq!(wuhan.inputs.policy.pack.as_deref(), Some("wuhan-2024"));
        assert!(wuhan.inputs.policy.band_from_pack);
        let ningbo = scenario_at(&wuhan, std::slice::from_ref(&a), &[1.0]).unwrap();
        assert!(
            !ningbo.inputs.policy.band_from_pack,
            "Ningbo's document sets no band"
        );
        assert_eq!(ningbo.inputs.policy.irr_cap, 0.045);
        let e = word_axis("policy.pack", vec!["atlantis".into()]).unwrap_err();
        assert!(
            e.contains("\"atlantis\" is not valid") && e.contains("shenzhen-2023"),
            "{e}"
        );
        assert!(word_axis("factory.rent", vec!["x".into()]).is_err());
        let k = word_axis("project.kind", vec!["new_supply".into()]).unwrap();
        let s = scenario_at(&sc, &[k], &[0.0]).unwrap();
        assert_eq!(
            s.inputs.project.kind,
            Some(crate::scenario::ProjectKind::NewSupply)
        );
    }
}
