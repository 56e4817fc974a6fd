//! Summary statistics of a Monte Carlo run (docs/model.md §12): percentiles as numpy's default
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

/// The `mc --json` object of docs/model.md §12.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct McSummary {
    pub paths: u64,
    pub seed: u64,
    pub basis: Basis,
    pub irr: IrrStats,
    pub prob: Probabilities,
    pub clipped_share: f64,
}

/// The values at 0-based `ranks` among the non-NaN values of `v`, as if sorted, without a
/// sorted copy of `v`: one pass counts values into 65,536 equal bins, a second gathers only the
/// bins holding a wanted rank, which are then sorted. Memory stays at the bins plus those few
/// values, so a run's memory is its per-path results alone.
pub fn order_stats(v: &[f64], ranks: &[usize]) -> Vec<f64> {
    const BINS: usize = 1 << 16;
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for x in v.iter().filter(|x| !x.is_nan()) {
        lo = lo.min(*x);
        hi = hi.max(*x);
    }
    if lo >= hi {
        return ranks.iter().map(|_| lo).collect();
    }
    let scale = BINS as f64 / (hi - lo);
    let bin = |x: f64| (((x - lo) * scale) as usize).min(BINS - 1);
    let mut count = vec![0usize; BINS];
    for x in v.iter().filter(|x| !x.is_nan()) {
        count[bin(*x)] += 1;
    }
    let mut before = vec![0usize; BINS];
    let mut acc = 0;
    for b in 0..BINS {
        before[b] = acc;
        acc += count[b];
    }
    let rank_bin: Vec<usize> = ranks
        .iter()
        .map(|r| before.partition_point(|&c| c <= *r) - 1)
        .collect();
    // bin → index into `gathered`, for the bins that hold a wanted rank
    let mut slot = vec![u32::MAX; BINS];
    let mut gathered: Vec<Vec<f64>> = Vec::new();
    for b in &rank_bin {
        if slot[*b] == u32::MAX {
            slot[*b] = gathered.len() as u32;
            gathered.push(Vec::with_capacity(count[*b]));
        }
    }
    for x in v.iter().filter(|x| !x.is_nan()) {
        let s = slot[bin(*x)];
        if s != u32::MAX {
            gathered[s as usize].push(*x);
        }
    }
    for g in gathered.iter_mut() {
        g.sort_unstable_by(f64::total_cmp);
    }
    ranks
        .iter()
        .zip(&rank_bin)
        .map(|(r, b)| gathered[slot[*b] as usize][r - before[*b]])
        .collect()
}

/// numpy-style percentiles (linear interpolation) of the non-NaN values of `v`.
pub fn percentiles(v: &[f64], ps: &[f64]) -> Vec<Option<f64>> {
    let n = v.iter().filter(|x| !x.is_nan()).count();
    if n == 0 {
        return ps.iter().map(|_| None).collect();
    }
    let mut ranks = Vec::new();
    for p in ps {
        let lo = ((n - 1) as f64 * p).floor() as usize;
        ranks.push(lo);
        ranks.push((lo + 1).min(n - 1));
    }
    let vals = order_stats(v, &ranks);
    ps.iter()
        .enumerate()
        .map(|(i, p)| {
            let h = (n - 1) as f64 * p;
            let (a, b) = (vals[2 * i], vals[2 * i + 1]);
            Some(a + (h - h.floor()) * (b - a))
        })
        .collect()
}

pub fn irr_stats(irrs: &[f64]) -> IrrStats {
    let ok = irrs.iter().filter(|v| !v.is_nan()).count();
    // mean and sd in index order over the paths that have an IRR
    let defined = || irrs.iter().filter(|v| !v.is_nan());
    let mean = (ok > 0).then(|| defined().sum::<f64>() / ok as f64);
    let sd = mean
        .filter(|_| ok > 1)
        .map(|m| (defined().map(|x| (x - m).powi(2)).sum::<f64>() / (ok as f64 - 1.0)).sqrt());
    let p = percentiles(irrs, &[0.05, 0.25, 0.5, 0.75, 0.95]);
    IrrStats {
        mean,
        sd,
        p5: p[0],
        p25: p[1],
        p50: p[2],
        p75: p[3],
        p95: p[4],
        undefined: (irrs.len() - ok) as u64,
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

    #[test]
    fn order_statistics_equal_a_full_sort() {
        let mut x: Vec<f64> = (0..50_000u64)
            .map(|i| ((i * 2_654_435_761) % 1_000_003) as f64 / 7.0 - 3e4)
            .collect();
        x[17] = f64::NAN;
        x.extend(std::iter::repeat_n(12.5, 3000)); // a heavy atom
        let mut sorted: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
        sorted.sort_unstable_by(f64::total_cmp);
        for p in [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0] {
            assert_eq!(
                percentiles(&x, &[p])[0],
                percentile_sorted(&sorted, p),
                "p = {p}"
            );
        }
        assert_eq!(percentiles(&[3.0, 3.0], &[0.5])[0], Some(3.0));
        assert_eq!(percentiles(&[f64::NAN], &[0.5])[0], None);
    }
}
