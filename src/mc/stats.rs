//! Summary statistics of a Monte Carlo run (MODEL.md §12): percentiles as numpy's default
//! (linear interpolation) over paths whose IRR exists, sample sd, and verdict shares over all
//! paths.

use crate::metrics::Status;
use crate::scenario::Basis;
use serde::Serialize;

/// numpy.percentile(v, 100·p) with the default linear interpolation; `v` sorted ascending.
pub fn percentile_sorted(v: &[f64], p: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let h = (v.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(v.len() - 1);
    Some(v[lo] + (h - lo as f64) * (v[hi] - v[lo]))
}

/// Mean and sample sd (n − 1) in index order, so the figures do not depend on threads.
pub fn mean_sd(v: &[f64]) -> (Option<f64>, Option<f64>) {
    if v.is_empty() {
        return (None, None);
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let sd = if v.len() > 1 {
        Some((v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt())
    } else {
        None
    };
    (Some(mean), sd)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IrrStats {
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub p5: Option<f64>,
    pub p25: Option<f64>,
    pub p50: Option<f64>,
    pub p75: Option<f64>,
    pub p95: Option<f64>,
    /// Paths without an IRR.
    pub undefined: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Probabilities {
    pub within: f64,
    pub above_cap: f64,
    pub below_floor: f64,
    pub undefined: f64,
}

/// The `mc --json` object of MODEL.md §12.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct McSummary {
    pub paths: u64,
    pub seed: u64,
    pub basis: Basis,
    pub irr: IrrStats,
    pub prob: Probabilities,
    pub clipped_share: f64,
}

pub fn irr_stats(irrs: &[f64]) -> IrrStats {
    let mut ok: Vec<f64> = irrs.iter().copied().filter(|v| !v.is_nan()).collect();
    let undefined = (irrs.len() - ok.len()) as u64;
    let (mean, sd) = mean_sd(&ok);
    ok.sort_unstable_by(f64::total_cmp);
    let p = |q| percentile_sorted(&ok, q);
    IrrStats {
        mean,
        sd,
        p5: p(0.05),
        p25: p(0.25),
        p50: p(0.5),
        p75: p(0.75),
        p95: p(0.95),
        undefined,
    }
}

pub fn probabilities(status: impl Iterator<Item = Status>, paths: u64) -> Probabilities {
    let mut c = [0u64; 4];
    for s in status {
        c[s as usize] += 1;
    }
    let n = paths.max(1) as f64;
    Probabilities {
        within: c[Status::Within as usize] as f64 / n,
        above_cap: c[Status::AboveCap as usize] as f64 / n,
        below_floor: c[Status::BelowFloor as usize] as f64 / n,
        undefined: c[Status::Undefined as usize] as f64 / n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_match_numpy() {
        // numpy.percentile([1, 2, 3, 4], [5, 25, 50, 75, 95]) = [1.15, 1.75, 2.5, 3.25, 3.85]
        let v = [1.0, 2.0, 3.0, 4.0];
        for (p, want) in [
            (0.05, 1.15),
            (0.25, 1.75),
            (0.5, 2.5),
            (0.75, 3.25),
            (0.95, 3.85),
        ] {
            assert!((percentile_sorted(&v, p).unwrap() - want).abs() < 1e-12);
        }
        assert_eq!(percentile_sorted(&[], 0.5), None);
        let (m, sd) = mean_sd(&v);
        assert_eq!(m, Some(2.5));
        assert!((sd.unwrap() - 1.2909944487358056).abs() < 1e-15);
    }
}
