//! Batch sweeps: the Cartesian product of values of several keys; at each point the exact
//! deterministic IRRs and verdict and, optionally, Monte Carlo statistics with common random
//! numbers (the same seed at every point, so differences between points are not noise).

use crate::mc::{self, McError, Observer, Settings};
use crate::metrics::{self, Status};
use crate::scenario::{cross_checks_of, keys, Problem, Scenario, KEYS};
use rayon::prelude::*;
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};

/// One swept key and its values.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub key: &'static str,
    pub values: Vec<f64>,
}

/// Monte Carlo statistics of one point.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub values: Vec<f64>,
    pub irr_pre_tax: Option<f64>,
    pub irr_after_tax: Option<f64>,
    pub irr_equity: Option<f64>,
    pub status: Status,
    pub mc: Option<PointMc>,
}

/// The columns after the swept keys, in the order sweep.csv, `--json` and the workbook use.
pub const IRR_COLUMNS: [&str; 3] = ["irr_pre_tax", "irr_after_tax", "irr_equity"];
pub const STATUS_COLUMN: &str = "status";
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

/// The grid's points, first axis slowest.
pub fn points(axes: &[Axis]) -> Vec<Vec<f64>> {
    let mut out = vec![vec![]];
    for a in axes {
        out = out
            .into_iter()
            .flat_map(|p| a.values.iter().map(move |v| [p.clone(), vec![*v]].concat()))
            .collect();
    }
    out
}

/// The scenario at one point, checked like a file (a point may break a rule that joins keys).
pub fn scenario_at(sc: &Scenario, axes: &[Axis], values: &[f64]) -> Result<Scenario, Vec<Problem>> {
    let mut s = sc.clone();
    for (a, v) in axes.iter().zip(values) {
        s = s.with_fixed(a.key, *v);
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

/// Runs the sweep: points in parallel; with `mc` each point runs that many paths from `seed`.
pub fn run(
    sc: &Scenario,
    axes: &[Axis],
    mc: Option<(u64, u64)>,
    obs: &dyn Observer,
) -> Result<Vec<Point>, SweepError> {
    let pts = points(axes);
    let scenarios: Vec<Scenario> = pts
        .iter()
        .map(|p| {
            scenario_at(sc, axes, p).map_err(|problems| {
                let at: Vec<String> = axes
                    .iter()
                    .zip(p)
                    .map(|(a, v)| format!("{} = {v}", a.key))
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
        })
        .collect::<Result<_, _>>()?;
    let per_point = mc.map(|(n, _)| n).unwrap_or(1);
    let total = per_point * pts.len() as u64;
    let done = AtomicU64::new(0);
    scenarios
        .par_iter()
        .zip(pts.par_iter())
        .map(|(s, values)| {
            let (_, summary) = metrics::evaluate(&s.inputs);
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
                    let out = mc::simulate(s, Settings::basis_only(paths, seed), &counter)?;
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
            Ok(Point {
                values: values.clone(),
                irr_pre_tax: summary.irr.project_pre_tax,
                irr_after_tax: summary.irr.project_after_tax,
                irr_equity: summary.irr.equity,
                status: summary.verdict.status,
                mc,
            })
        })
        .collect()
}

/// The `[sweep] grid` of a scenario as axes (keys in file order of their names).
pub fn axes_of(sc: &Scenario) -> Vec<Axis> {
    sc.sweep_grid
        .iter()
        .map(|(k, v)| Axis {
            key: KEYS[*k].name,
            values: v.clone(),
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
            },
            Axis {
                key: "b",
                values: vec![10.0, 20.0, 30.0],
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
}
