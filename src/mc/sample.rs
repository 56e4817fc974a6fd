//! Drawing scenario inputs: each distribution as a function of a uniform or a normal score,
//! the Gaussian copula (Cholesky of the correlation matrix), and per-path random streams that
//! depend only on (seed, path) so results do not depend on the thread count.

use super::stream::{LaneRngs, PathRng};
use crate::num::LANES;
use crate::scenario::psd::cholesky;
use crate::scenario::{Dist, KeySpec, Kind, Scenario, KEYS};
use ndarray::Array2;
use rand::RngExt;
use rand_distr::StandardNormal;
use std::sync::Arc;

/// Standard normal CDF.
#[inline]
pub fn phi(z: f64) -> f64 {
    0.5 * libm::erfc(-z * std::f64::consts::FRAC_1_SQRT_2)
}

/// A random stream for one path: a SplitMix64-style mix of (seed, path) seeds xoshiro256++.
pub fn path_rng(seed: u64, path: u64) -> PathRng {
    let mut z = seed ^ 0x9E37_79B9_7F4A_7C15u64.wrapping_mul(path.wrapping_add(1));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    PathRng::seed_from_u64(z ^ seed.rotate_left(17))
}

/// Beta-PERT (λ = 4) quantile table: the CDF integrated on a fine grid and inverted by
/// interpolation, so PERT draws cost a binary search whether they come from a uniform or,
/// through the copula, a normal score.
#[derive(Debug)]
pub struct PertTable {
    min: f64,
    range: f64,
    cdf: Vec<f64>,
    /// `start[b]`: the first cell whose CDF can reach u = b / BUCKETS, so a lookup scans about
    /// one cell near the answer instead of binary-searching the whole (128 KB) table; as many
    /// buckets as cells, in 16 bits each, keep the index in 32 KB.
    start: Vec<u16>,
}

const BUCKETS: usize = PERT_CELLS;
const _: () = assert!(
    PERT_CELLS < u16::MAX as usize,
    "cell indices must fit the 16-bit index"
);

const PERT_CELLS: usize = 1 << 14;

impl PertTable {
    pub fn new(min: f64, mode: f64, max: f64) -> PertTable {
        let range = max - min;
        let a = 1.0 + 4.0 * (mode - min) / range;
        let b = 1.0 + 4.0 * (max - mode) / range;
        let pdf = |x: f64| x.powf(a - 1.0) * (1.0 - x).powf(b - 1.0);
        let mut cdf = Vec::with_capacity(PERT_CELLS + 1);
        cdf.push(0.0);
        let h = 1.0 / PERT_CELLS as f64;
        let mut acc = 0.0;
        // a cell's right end is the next cell's left one: its density is computed once
        let mut left = pdf(0.0);
        for i in 0..PERT_CELLS {
            let (x0, x1) = (i as f64 * h, (i + 1) as f64 * h);
            let right = pdf(x1);
            // Simpson on each cell
            acc += h / 6.0 * (left + 4.0 * pdf(0.5 * (x0 + x1)) + right);
            cdf.push(acc);
            left = right;
        }
        for v in cdf.iter_mut() {
            *v /= acc;
        }
        let start = (0..=BUCKETS)
            .map(|b| {
                cdf.partition_point(|&c| c <= b as f64 / BUCKETS as f64)
                    .saturating_sub(1) as u16
            })
            .collect();
        PertTable {
            min,
            range,
            cdf,
            start,
        }
    }

    #[inline]
    pub fn quantile(&self, u: f64) -> f64 {
        let b = ((u * BUCKETS as f64) as usize).min(BUCKETS);
        let mut i = (self.start[b] as usize).max(1);
        while i < PERT_CELLS && self.cdf[i] <= u {
            i += 1;
        }
        let (c0, c1) = (self.cdf[i - 1], self.cdf[i]);
        let frac = if c1 > c0 {
            ((u - c0) / (c1 - c0)).clamp(0.0, 1.0)
        } else {
            0.0
        };
        self.min + self.range * ((i - 1) as f64 + frac) / PERT_CELLS as f64
    }

    /// CDF at x (for tests and reports).
    pub fn cdf(&self, x: f64) -> f64 {
        let t = ((x - self.min) / self.range).clamp(0.0, 1.0) * PERT_CELLS as f64;
        let i = (t.floor() as usize).min(PERT_CELLS - 1);
        let f = t - i as f64;
        self.cdf[i] + f * (self.cdf[i + 1] - self.cdf[i])
    }
}

/// A distribution ready to draw from.
#[derive(Debug, Clone)]
pub enum Drawer {
    Fixed(f64),
    Uniform {
        min: f64,
        max: f64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
    Pert(Arc<PertTable>),
    Normal {
        mean: f64,
        sd: f64,
        lo: f64,
        hi: f64,
    },
    Lognormal {
        mu: f64,
        s: f64,
    },
    Discrete {
        values: Vec<f64>,
        cum: Vec<f64>,
    },
}

impl Drawer {
    pub fn new(d: &Dist) -> Drawer {
        if d.is_degenerate() {
            return Drawer::Fixed(d.central());
        }
        match d {
            Dist::Uniform { min, max } => Drawer::Uniform {
                min: *min,
                max: *max,
            },
            Dist::Triangular { min, mode, max } => Drawer::Triangular {
                min: *min,
                mode: *mode,
                max: *max,
            },
            Dist::Pert { min, mode, max } => {
                Drawer::Pert(Arc::new(PertTable::new(*min, *mode, *max)))
            }
            Dist::Normal { mean, sd, min, max } => Drawer::Normal {
                mean: *mean,
                sd: *sd,
                lo: min.unwrap_or(f64::NEG_INFINITY),
                hi: max.unwrap_or(f64::INFINITY),
            },
            Dist::Lognormal { mean, sd } => {
                let s2 = (1.0 + (sd / mean).powi(2)).ln();
                Drawer::Lognormal {
                    mu: mean.ln() - 0.5 * s2,
                    s: s2.sqrt(),
                }
            }
            Dist::Discrete { values, weights } => {
                let total: f64 = weights.iter().sum();
                let mut acc = 0.0;
                let cum = weights
                    .iter()
                    .map(|w| {
                        acc += w / total;
                        acc
                    })
                    .collect();
                Drawer::Discrete {
                    values: values.clone(),
                    cum,
                }
            }
        }
    }

    /// True when the draw is naturally a function of a normal score.
    fn wants_normal(&self) -> bool {
        matches!(self, Drawer::Normal { .. } | Drawer::Lognormal { .. })
    }

    /// Value at uniform score u ∈ [0, 1).
    #[inline]
    pub fn from_u(&self, u: f64) -> f64 {
        match self {
            Drawer::Fixed(v) => *v,
            Drawer::Uniform { min, max } => min + u * (max - min),
            Drawer::Triangular { min, mode, max } => {
                let (a, c, b) = (*min, *mode, *max);
                let fc = (c - a) / (b - a);
                if u < fc {
                    a + (u * (b - a) * (c - a)).sqrt()
                } else {
                    b - ((1.0 - u) * (b - a) * (b - c)).sqrt()
                }
            }
            Drawer::Pert(t) => t.quantile(u),
            Drawer::Discrete { values, cum } => {
                let i = cum.partition_point(|&c| c <= u).min(values.len() - 1);
                values[i]
            }
            // normal-type draws come from a score; from a uniform they go through Φ⁻¹
            Drawer::Normal { .. } | Drawer::Lognormal { .. } => self.from_z(inverse_phi(u)),
        }
    }

    /// Value at normal score z (the copula's input).
    #[inline]
    pub fn from_z(&self, z: f64) -> f64 {
        match self {
            Drawer::Normal { mean, sd, lo, hi } => within(mean + sd * z, *lo, *hi),
            Drawer::Lognormal { mu, s } => (mu + s * z).exp(),
            Drawer::Fixed(v) => *v,
            _ => self.from_u(phi(z).min(1.0 - f64::EPSILON)),
        }
    }

    /// One independent draw.
    #[inline]
    pub fn draw(&self, rng: &mut PathRng) -> f64 {
        if self.wants_normal() {
            let z: f64 = rng.sample(StandardNormal);
            self.from_z(z)
        } else {
            self.from_u(rng.random::<f64>())
        }
    }
}

/// Acklam's rational approximation of Φ⁻¹ with one Halley step (|error| < 1e-15).
pub fn inverse_phi(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.38357751867269e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    let pl = 0.02425;
    let x = if p < pl {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - pl {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    let e = phi(x) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * (0.5 * x * x).exp();
    x - u / (1.0 + 0.5 * x * u)
}

/// One uncertain scalar input ready to draw.
#[derive(Debug, Clone)]
pub struct ScalarVar {
    pub key: &'static KeySpec,
    pub drawer: Drawer,
    /// Position in the copula, when correlated.
    pub corr: Option<usize>,
}

/// One input drawn afresh for every operating year.
#[derive(Debug, Clone)]
pub struct YearVar {
    pub key: &'static KeySpec,
    pub drawer: Drawer,
    /// Position in the copula, when correlated (after every correlated scalar).
    pub corr: Option<usize>,
    /// AR(1) coefficient of its normal scores (0: independent years).
    pub ar1: f64,
}

/// Runs `$body` with `$value` the function from a normal score to a year's value clipped
/// into [`$lo`, `$hi`]: for a normal, its arithmetic written out (the operations of
/// `Drawer::from_z`), so a loop over years does not dispatch on the distribution each year.
macro_rules! score_value {
    ($var:expr, $lo:expr, $hi:expr, |$value:ident| $body:expr) => {
        match $var.drawer {
            Drawer::Normal {
                mean,
                sd,
                lo: dlo,
                hi: dhi,
            } => {
                let $value = |z: f64| within(within(mean + sd * z, dlo, dhi), $lo, $hi);
                $body
            }
            _ => {
                let $value = |z: f64| within($var.drawer.from_z(z), $lo, $hi);
                $body
            }
        }
    };
}

impl YearVar {
    /// One path's draws for every year into `out`, uncorrelated with other keys: independent
    /// years, or AR(1) scores. Per-year keys are real-valued (rent growth, occupancy), so
    /// clamping alone keeps the rounding of whole-number keys out of this loop.
    fn draw_years(&self, rng: &mut PathRng, out: &mut [f64]) {
        let (lo, hi) = (self.key.lo, self.key.hi);
        if self.ar1 == 0.0 {
            for o in out {
                *o = within(self.drawer.draw(rng), lo, hi);
            }
        } else {
            score_value!(self, lo, hi, |value| ar1_years(self.ar1, rng, out, value));
        }
    }

    /// Whether each year's value is a function of one normal score, drawn straight from the
    /// stream (AR(1) scores, or independent normal-type draws): the case
    /// [`YearVar::draw_years_lanes`] draws for several paths at once.
    fn is_normal_scores(&self) -> bool {
        self.ar1 != 0.0 || self.drawer.wants_normal()
    }

    /// [`YearVar::draw_years`] for the paths of `rngs` (up to [`LANES`]), whose years go to
    /// columns `col … col + h − 1` of rows `first …` of `out`: the scores of every lane drawn
    /// together, each lane's values and stream exactly its own path's.
    fn draw_years_lanes(
        &self,
        rngs: &mut [PathRng],
        out: &mut Array2<f64>,
        first: usize,
        col: usize,
        h: usize,
    ) {
        let mut lanes = LaneRngs::load(rngs);
        let (lo, hi) = (self.key.lo, self.key.hi);
        let count = rngs.len().min(LANES);
        score_value!(self, lo, hi, |value| {
            self.lane_years(&mut lanes, count, out, first, col, h, value)
        });
        lanes.store(rngs);
    }

    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn lane_years(
        &self,
        lanes: &mut LaneRngs,
        count: usize,
        out: &mut Array2<f64>,
        first: usize,
        col: usize,
        h: usize,
        value: impl Fn(f64) -> f64,
    ) {
        let phi = self.ar1;
        // the scalar order of the stream: AR(1) draws its first score even with no years,
        // independent years draw one score a year
        if h == 0 {
            if phi != 0.0 {
                lanes.normals();
            }
            return;
        }
        let s = (1.0 - phi * phi).sqrt();
        let mut z = lanes.normals();
        for t in 0..h {
            if t > 0 {
                let e = lanes.normals();
                if phi == 0.0 {
                    z = e;
                } else {
                    for l in 0..LANES {
                        z[l] = phi * z[l] + s * e[l];
                    }
                }
            }
            for (l, zl) in z.iter().enumerate().take(count) {
                out[[first + l, col + t]] = value(*zl);
            }
        }
    }
}

/// AR(1) normal scores z_k = φ z_{k−1} + √(1−φ²) e_k, which keep every year's score standard
/// normal, each turned into a value by `value`.
#[inline(always)]
fn ar1_years(phi: f64, rng: &mut PathRng, out: &mut [f64], value: impl Fn(f64) -> f64) {
    let s = (1.0 - phi * phi).sqrt();
    let mut zk: f64 = rng.sample(StandardNormal);
    for (k, o) in out.iter_mut().enumerate() {
        if k > 0 {
            let e: f64 = rng.sample(StandardNormal);
            zk = phi * zk + s * e;
        }
        *o = value(zk);
    }
}

/// Everything needed to draw one path's inputs.
#[derive(Debug, Clone)]
pub struct Sampler {
    pub scalars: Vec<ScalarVar>,
    pub years: Vec<YearVar>,
    /// Cholesky factor of the copula's correlation matrix (row-major), the correlated
    /// scalars first, then the correlated per-year keys.
    pub chol: Vec<f64>,
    pub ncorr: usize,
    /// How many of the copula's variables are scalars.
    pub ncorr_scalar: usize,
    /// Draws per per-year variable: the land term, so the stream layout is fixed.
    pub horizon: usize,
}

impl Sampler {
    /// Builds the sampler; the correlation matrix was validated with the scenario.
    pub fn new(sc: &Scenario) -> Sampler {
        // the copula's order: correlated scalars, then correlated per-year keys, each in
        // order of first appearance in the correlations
        let mut order: Vec<usize> = Vec::new();
        for per_year in [false, true] {
            for c in &sc.correlations {
                for u in [c.a, c.b] {
                    if sc.uncertain[u].per_year == per_year && !order.contains(&u) {
                        order.push(u);
                    }
                }
            }
        }
        let ncorr = order.len();
        let ncorr_scalar = order.iter().filter(|u| !sc.uncertain[**u].per_year).count();
        let pos = |u: usize| order.iter().position(|o| *o == u);
        let mut m = vec![0.0; ncorr * ncorr];
        for i in 0..ncorr {
            m[i * ncorr + i] = 1.0;
        }
        for c in &sc.correlations {
            if let (Some(i), Some(j)) = (pos(c.a), pos(c.b)) {
                m[i * ncorr + j] = c.rho;
                m[j * ncorr + i] = c.rho;
            }
        }
        let chol = cholesky(&m, ncorr).unwrap_or_else(|_| vec![0.0; ncorr * ncorr]);
        let mut scalars = Vec::new();
        let mut years = Vec::new();
        for (u, unc) in sc.uncertain.iter().enumerate() {
            let key = &KEYS[unc.key];
            let drawer = Drawer::new(&unc.dist);
            if unc.per_year {
                years.push(YearVar {
                    key,
                    drawer,
                    corr: pos(u),
                    ar1: unc.ar1,
                });
            } else {
                scalars.push(ScalarVar {
                    key,
                    drawer,
                    corr: pos(u),
                });
            }
        }
        Sampler {
            scalars,
            years,
            chol,
            ncorr,
            ncorr_scalar,
            horizon: sc.inputs.project.land_term_years,
        }
    }

    /// Numbers of scratch space `draw_path` needs.
    pub fn scratch_len(&self) -> usize {
        3 * self.ncorr
    }

    /// Normal scores of the correlated inputs after the copula (for tests and diagnostics):
    /// fills `z` (length `ncorr`) from `raw` independent normals.
    pub fn correlate(&self, raw: &[f64], z: &mut [f64]) {
        let n = self.ncorr;
        for (i, zi) in z.iter_mut().enumerate().take(n) {
            *zi = self.chol[i * n..=i * n + i]
                .iter()
                .zip(raw)
                .map(|(l, r)| l * r)
                .sum();
        }
    }

    /// Draws path `path`'s values: `scalars_out[j]` for each scalar variable and
    /// `years_out[v * horizon + k]` for per-year variable v in operating year k. `scratch`
    /// holds [`Sampler::scratch_len`] numbers. Values are clipped into each key's valid range.
    ///
    /// The stream: the copula's independent normals, one draw per uncorrelated scalar, the
    /// uncorrelated per-year keys (one score a year each), then the correlated per-year keys'
    /// fresh normals for years 1 … horizon − 1 (year 0 takes its scores from the first block).
    pub fn draw_path(
        &self,
        seed: u64,
        path: u64,
        scalars_out: &mut [f64],
        years_out: &mut [f64],
        scratch: &mut [f64],
    ) {
        let mut rng = path_rng(seed, path);
        let (raw, rest) = scratch.split_at_mut(self.ncorr);
        let (z, carry) = rest.split_at_mut(self.ncorr);
        for r in raw.iter_mut() {
            *r = rng.sample(StandardNormal);
        }
        self.correlate(raw, z);
        for (j, v) in self.scalars.iter().enumerate() {
            let x = match v.corr {
                Some(c) => v.drawer.from_z(z[c]),
                None => v.drawer.draw(&mut rng),
            };
            scalars_out[j] = clip(v.key, x);
        }
        let h = self.horizon;
        for (vi, v) in self.years.iter().enumerate() {
            if v.corr.is_some() {
                continue;
            }
            v.draw_years(&mut rng, &mut years_out[vi * h..(vi + 1) * h]);
        }
        if self.ncorr == self.ncorr_scalar {
            return;
        }
        let h = self.horizon;
        let mut put = |vi: usize, t: usize, x: f64| years_out[vi * h + t] = x;
        self.correlated_years(&mut rng, raw, z, carry, &mut put);
    }
}

/// A block's random streams and copula scores, reused from block to block.
#[derive(Debug, Default)]
pub struct BlockScratch {
    rngs: Vec<PathRng>,
    /// The copula's independent normals, then its scores: [variable × path].
    raw: Array2<f64>,
    z: Array2<f64>,
}

impl Sampler {
    /// Draws the paths `index(0) … index(count − 1)` into `out`, one row per path: column
    /// j < scalars is scalar variable j, then per-year variable v's year k is column
    /// scalars + v·horizon + k. Each path's values are exactly [`Sampler::draw_path`]'s: its stream is
    /// consumed in the same order, but one variable is drawn for every path of the block before
    /// the next, so each distribution's table stays in the cache and no dispatch is repeated
    /// per path.
    pub fn draw_block(
        &self,
        seed: u64,
        count: usize,
        index: impl Fn(usize) -> u64,
        out: &mut Array2<f64>,
        s: &mut BlockScratch,
    ) {
        let nc = self.ncorr;
        s.rngs.clear();
        s.rngs.extend((0..count).map(|k| path_rng(seed, index(k))));
        if s.raw.dim() != (nc, out.nrows()) {
            s.raw = Array2::zeros((nc, out.nrows()));
            s.z = Array2::zeros((nc, out.nrows()));
        }
        let mut raw = vec![0.0; nc];
        let mut z = vec![0.0; nc];
        let mut carry = vec![0.0; nc];
        for k in 0..count {
            let rng = &mut s.rngs[k];
            for r in raw.iter_mut() {
                *r = rng.sample(StandardNormal);
            }
            self.correlate(&raw, &mut z);
            for c in 0..nc {
                s.raw[[c, k]] = raw[c];
                s.z[[c, k]] = z[c];
            }
        }
        for (j, v) in self.scalars.iter().enumerate() {
            let mut row = out.column_mut(j);
            match v.corr {
                Some(c) => {
                    let z = s.z.row(c);
                    for k in 0..count {
                        row[k] = clip(v.key, v.drawer.from_z(z[k]));
                    }
                }
                None => {
                    for (k, rng) in s.rngs.iter_mut().enumerate() {
                        row[k] = clip(v.key, v.drawer.draw(rng));
                    }
                }
            }
        }
        let h = self.horizon;
        let ns = self.scalars.len();
        for (vi, v) in self.years.iter().enumerate() {
            if v.corr.is_some() {
                continue;
            }
            let rows = ns + vi * h;
            if v.is_normal_scores() {
                for (c, rngs) in s.rngs.chunks_mut(LANES).enumerate() {
                    v.draw_years_lanes(rngs, out, c * LANES, rows, h);
                }
                continue;
            }
            for (k, rng) in s.rngs.iter_mut().enumerate() {
                let mut row = out.row_mut(k);
                let row = row.as_slice_mut().expect("rows of a standard-layout array");
                v.draw_years(rng, &mut row[rows..rows + h]);
            }
        }
        let ncs = self.ncorr_scalar;
        if nc == ncs {
            return;
        }
        // correlated per-year keys: the same steps as `draw_path`, path by path, since they
        // come last in each path's stream
        for (k, rng) in s.rngs.iter_mut().enumerate() {
            for c in 0..nc {
                raw[c] = s.raw[[c, k]];
                z[c] = s.z[[c, k]];
            }
            let mut put = |vi: usize, t: usize, x: f64| out[[k, ns + vi * h + t]] = x;
            self.correlated_years(rng, &mut raw, &mut z, &mut carry, &mut put);
        }
    }

    /// The correlated per-year keys of one path, given its copula draws so far (`raw`, `z`),
    /// writing year t of per-year variable v through `put(v, t, value)`.
    fn correlated_years(
        &self,
        rng: &mut PathRng,
        raw: &mut [f64],
        z: &mut [f64],
        carry: &mut [f64],
        put: &mut impl FnMut(usize, usize, f64),
    ) {
        let ns = self.ncorr_scalar;
        let np = self.ncorr - ns;
        let n = self.ncorr;
        // each year's per-year scores given the path's scalar scores: the part the scalars
        // fix (L_ps e_s) plus a fresh draw through L_pp, so that every year's scores are
        // jointly normal with the scalar scores under the stated matrix
        for (j, c) in carry.iter_mut().enumerate().take(np) {
            let row = (ns + j) * n;
            *c = (0..ns).map(|m| self.chol[row + m] * raw[m]).sum();
        }
        for k in 0..self.horizon {
            if k > 0 {
                for e in raw[ns..].iter_mut() {
                    *e = rng.sample(StandardNormal);
                }
                for j in 0..np {
                    let row = (ns + j) * n;
                    z[ns + j] = carry[j]
                        + (0..=j)
                            .map(|m| self.chol[row + ns + m] * raw[ns + m])
                            .sum::<f64>();
                }
            }
            for (vi, v) in self.years.iter().enumerate() {
                if let Some(c) = v.corr {
                    put(vi, k, within(v.drawer.from_z(z[c]), v.key.lo, v.key.hi));
                }
            }
        }
    }
}

/// `x.clamp(lo, hi)` for bounds already known to be ordered (a key's range, a distribution's
/// validated min and max): the same value, NaN included, without clamp's check of the bounds on
/// every draw of the hot loops.
#[inline(always)]
fn within(x: f64, lo: f64, hi: f64) -> f64 {
    debug_assert!(lo <= hi);
    let x = if x < lo { lo } else { x };
    if x > hi {
        hi
    } else {
        x
    }
}

#[inline]
fn clip(key: &KeySpec, x: f64) -> f64 {
    let x = within(x, key.lo, key.hi);
    if key.kind == Kind::Int {
        crate::scenario::keys::round_whole(x)
    } else {
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_phi_inverts_phi() {
        for p in [1e-10, 0.001, 0.025, 0.3, 0.5, 0.9, 0.999] {
            assert!(
                (phi(inverse_phi(p)) - p).abs() < 1e-14 * p.max(1e-3) / 1e-3,
                "{p}"
            );
        }
        assert!((phi(1.959963984540054) - 0.975).abs() < 1e-15);
    }

    #[test]
    fn path_streams_differ_and_repeat() {
        let a: f64 = path_rng(1, 7).random();
        let b: f64 = path_rng(1, 7).random();
        let c: f64 = path_rng(1, 8).random();
        let d: f64 = path_rng(2, 7).random();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }

    #[test]
    fn pert_table_is_monotone_and_centred() {
        let t = PertTable::new(0.0, 0.25, 1.0);
        assert_eq!(t.quantile(0.0), 0.0);
        // draws never reach u = 1; near it the answer is within the last cells below max
        let top = t.quantile(1.0 - 1e-15);
        assert!(top > 0.99 && top <= 1.0, "{top}");
        let mut last = -1.0;
        for i in 0..=100 {
            let q = t.quantile(i as f64 / 100.0);
            assert!(q >= last);
            last = q;
        }
        // Beta(2, 4): mean 1/3, CDF at 0.5 = 0.8125
        assert!((t.cdf(0.5) - 0.8125).abs() < 1e-9, "{}", t.cdf(0.5));
    }
}
