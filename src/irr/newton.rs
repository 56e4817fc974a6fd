//! The fast path Monte Carlo takes: Newton's method from a fixed guess, accepted only when the
//! root is provably the only one; anything else goes to the full solver.

use super::*;
use crate::num::{Lanes, Num, LANES};

/// Grid points Monte Carlo scans for series with several sign changes.
pub const MC_SCAN_POINTS: usize = 256;

/// p(x) = Σ c_t x^t and p'(x), as four interleaved Horner chains in y = x⁴ so the CPU can
/// overlap them: a single chain is one dependent multiply-add per year.
#[inline(always)]
pub(super) fn poly_and_slope<T: Num>(c: &[T], x: T) -> (T, T) {
    let y = x * x * x * x;
    let mut p = [T::zero(); 4];
    let mut d = [T::zero(); 4];
    let full = c.len() / 4 * 4;
    // the partial group of the highest powers first, then whole groups downwards
    for (m, &cm) in c[full..].iter().enumerate() {
        p[m] = cm;
    }
    for j in (0..full / 4).rev() {
        for m in 0..4 {
            d[m] = d[m] * y + p[m];
            p[m] = p[m] * y + c[4 * j + m];
        }
    }
    // p = Σ_m x^m P_m(y);  p' = Σ_m (m x^(m−1) P_m(y) + 4 x^(m+3) P_m'(y))
    let (x2, x3) = (x * x, x * x * x);
    let k = T::from_f64;
    let pv = p[0] + x * p[1] + x2 * p[2] + x3 * p[3];
    let slope = p[1]
        + k(2.0) * x * p[2]
        + k(3.0) * x2 * p[3]
        + k(4.0) * x3 * (d[0] + x * d[1] + x2 * d[2] + x3 * d[3]);
    (pv, slope)
}

/// Newton's method for a root of the NPV from `guess`: `Some` only when it converged inside
/// (−0.99, 10). Monte Carlo passes the deterministic IRR as the guess: a fixed guess keeps
/// results independent of the order paths run in.
pub(super) fn newton(flows: &[f64], guess: f64) -> Option<f64> {
    if flows.len() > MAX_NEWTON_YEARS || !(guess > R_MIN && guess < R_MAX) {
        return None;
    }
    let mut r = guess;
    for _ in 0..40 {
        let x = 1.0 / (1.0 + r);
        // d pv / dr = −x² p'(x)
        let (p, dp) = poly_and_slope(flows, x);
        let d = -x * x * dp;
        if d == 0.0 || !d.is_finite() || !p.is_finite() {
            return None;
        }
        let step = p / d;
        let next = r - step;
        if !(next > R_MIN && next < R_MAX) {
            return None;
        }
        // Newton converges quadratically: after a step of 1e-8 the error is of order
        // (f''/2f')·1e-16, far inside the 1e-10 tolerance of docs/model.md §8
        if step.abs() <= 1e-8 * (1.0 + next.abs()) {
            return Some(next);
        }
        r = next;
    }
    None
}

/// Whether `r` is provably the only root of the NPV on r > −1.
///
/// Roots above a rate ρ are the roots y ∈ (0, 1) of Q(y) = Σ c_t x(ρ)^t y^t, x(ρ) = 1/(1+ρ).
/// Dividing by (1 − y)^k keeps those roots and makes the coefficients the k-fold running sums
/// of the discounted flows; 1/(1 − y) has a Pólya frequency sequence of coefficients, so each
/// summation can only remove sign changes (Schoenberg's variation diminishing), and none left
/// proves no root (Descartes). One summation is the criterion of Norström; a few more prove
/// uniqueness for schemes such as a sold-then-settled LAT year, where a negative flow after
/// the first inflows defeats it. Roots below ρ are the same question on the flows reversed.
/// A sum too close to zero for its sign to be certain after round-off counts as a change, so
/// the answer is "not proven", never a false "alone".
pub(super) fn sole_root(flows: &[f64], r: f64) -> bool {
    let d = 1e-7 * (1.0 + r.abs());
    let n = flows.len();
    // the discounted flows live on the stack (Newton only runs on series of at most 200
    // years), so no allocation per path
    if r - d <= -1.0 || n > MAX_NEWTON_YEARS || n == 0 {
        return false;
    }
    let mut a = [0.0f64; MAX_NEWTON_YEARS];
    let mut b = [0.0f64; MAX_NEWTON_YEARS];
    let load = |rate: f64, reversed: bool, a: &mut [f64], b: &mut [f64]| {
        let x = 1.0 / (1.0 + rate);
        let mut k = 1.0;
        for (t, c) in flows.iter().enumerate() {
            let i = if reversed { n - 1 - t } else { t };
            a[i] = c * k;
            b[i] = a[i].abs();
            k *= x;
        }
    };
    load(r + d, false, &mut a[..n], &mut b[..n]);
    if !no_root_in_unit(&mut a[..n], &mut b[..n]) {
        return false;
    }
    load(r - d, true, &mut a[..n], &mut b[..n]);
    no_root_in_unit(&mut a[..n], &mut b[..n])
}

/// The longest series Newton's fast path takes.
const MAX_NEWTON_YEARS: usize = 200;

/// How many running summations [`no_root_in_unit`] tries.
const SUMMATIONS: usize = 6;

/// Whether Σ a_t y^t is proven free of roots on 0 < y < 1 (see [`sole_root`]): after some
/// k ≤ [`SUMMATIONS`] running summations every coefficient, and every coefficient of the
/// infinite tail (nonnegative combinations of the last sum of each order), has one sign.
/// `b` carries the same sums of |a|, the scale of each sum's round-off.
fn no_root_in_unit(a: &mut [f64], b: &mut [f64]) -> bool {
    let n = a.len();
    // the sign the tail sums so far have fixed (0: none yet)
    let mut tail_sign = 0.0f64;
    for _ in 0..SUMMATIONS {
        let (mut sa, mut sb) = (0.0f64, 0.0f64);
        for t in 0..n {
            sa += a[t];
            sb += b[t];
            a[t] = sa;
            b[t] = sb;
        }
        if !sa.is_finite() || !sb.is_finite() {
            return false;
        }
        let certain = |v: f64, scale: f64| v.abs() > 1e-12 * scale;
        let mut sign = tail_sign;
        let mut proven = true;
        for t in 0..n {
            if a[t] == 0.0 && b[t] == 0.0 {
                continue;
            }
            if !certain(a[t], b[t]) || (sign != 0.0 && a[t].signum() != sign) {
                proven = false;
                break;
            }
            sign = a[t].signum();
        }
        if proven && sign != 0.0 {
            return true;
        }
        // the last sum of this order joins the tail's coefficients for the next order
        if a[n - 1] != 0.0 || b[n - 1] != 0.0 {
            if !certain(a[n - 1], b[n - 1]) || (tail_sign != 0.0 && a[n - 1].signum() != tail_sign)
            {
                return false;
            }
            tail_sign = a[n - 1].signum();
        }
    }
    false
}

/// The IRR with Newton's method from `guess` (see [`newton`]). With one sign change the root is
/// unique, so any converged point is it; with several, a converged point is accepted when
/// [`sole_root`] proves no other root exists. Everything else goes to the full solver.
pub fn irr_guess(flows: &[f64], discount_rate: f64, guess: f64) -> Option<f64> {
    let changes = sign_changes(flows);
    // no sign change needs no Newton
    let newton = (changes > 0).then(|| newton(flows, guess)).flatten();
    irr_after_proof(
        || flows,
        discount_rate,
        changes,
        newton,
        |r| sole_root(flows, r),
    )
}

/// The rule of [`irr_guess`] given the flows' sign changes, what Newton's method from the guess
/// found, and the proof that its root is alone ([`sole_root`]; asked only when the flows change
/// sign more than once). The lockstep engine runs Newton and the proof for several series at
/// once ([`signs_lanes`], [`newton_lanes`], [`sole_root_lanes`]), then decides each series here.
/// `flows` is asked for only when the full solver runs: the engine holds the series in lanes
/// and lays one out contiguously only then.
pub fn irr_after_proof<'f>(
    flows: impl FnOnce() -> &'f [f64],
    discount_rate: f64,
    changes: usize,
    newton: Option<f64>,
    alone: impl FnOnce(f64) -> bool,
) -> Option<f64> {
    match changes {
        0 => None,
        1 => newton.or_else(|| single_root(flows())),
        _ => match newton {
            Some(r) if alone(r) => Some(r),
            _ => irr_isolated(flows(), discount_rate),
        },
    }
}

/// [`newton`] for [`LANES`] series at once, `flows[t]` holding year t of each: every lane
/// takes exactly the steps, in the same floating-point order, that [`newton`] takes on it
/// alone, so each lane's answer is bit for bit the scalar one.
#[inline(always)]
pub fn newton_lanes(flows: &[Lanes], guess: f64) -> [Option<f64>; LANES] {
    let mut out = [None; LANES];
    if flows.len() > MAX_NEWTON_YEARS || !(guess > R_MIN && guess < R_MAX) {
        return out;
    }
    let mut r = Lanes::splat(guess);
    let mut active = [true; LANES];
    for _ in 0..40 {
        let x = Lanes::one() / (Lanes::one() + r);
        let (p, dp) = poly_and_slope(flows, x);
        let d = -x * x * dp;
        let step = p / d;
        let next = r - step;
        for l in 0..LANES {
            if !active[l] {
                continue;
            }
            let (d, p, step, next) = (d.0[l], p.0[l], step.0[l], next.0[l]);
            if !(d != 0.0 && d.is_finite() && p.is_finite() && next > R_MIN && next < R_MAX) {
                active[l] = false;
            } else if step.abs() <= 1e-8 * (1.0 + next.abs()) {
                out[l] = Some(next);
                active[l] = false;
            }
        }
        if !active.contains(&true) {
            break;
        }
        r = next;
    }
    out
}

/// [`Signs::of`] for [`LANES`] series at once, each lane's exactly the scalar one: the same
/// comparisons, made without branches so they run over lanes together.
#[inline(always)]
pub fn signs_lanes(flows: &[Lanes]) -> [Signs; LANES] {
    let mut first = [0.0f64; LANES];
    let mut last = [0.0f64; LANES];
    let mut changes = [0u64; LANES];
    for f in flows {
        for l in 0..LANES {
            let cf = f.0[l];
            let live = cf != 0.0;
            // `&` rather than `&&`: no branch, so the lanes run as one vector
            let change = live & (last[l] != 0.0) & ((cf > 0.0) != (last[l] > 0.0));
            changes[l] += u64::from(change);
            last[l] = if live { cf } else { last[l] };
            first[l] = if first[l] == 0.0 { cf } else { first[l] };
        }
    }
    std::array::from_fn(|l| Signs {
        first: first[l],
        changes: changes[l] as usize,
    })
}

/// [`npv`] for [`LANES`] series at once, each lane bit for bit the scalar value.
#[inline(always)]
pub fn npv_lanes(flows: &[Lanes], r: f64) -> Lanes {
    let (one, r) = (Lanes::one(), Lanes::splat(r));
    poly(flows, one / (one + r)) / (one + r)
}

/// [`sole_root`] for [`LANES`] series at once, at each lane's root `r` (a lane without one
/// answers false): the running sums run over lanes together, and each lane's answer is the
/// scalar one.
pub fn sole_root_lanes(flows: &[Lanes], r: [Option<f64>; LANES]) -> [bool; LANES] {
    let mut scratch = vec![Lanes::zero(); 2 * flows.len()];
    sole_root_lanes_in(flows, r, &mut scratch)
}

/// [`sole_root_lanes`] with its working space given: `scratch` holds at least twice as many
/// values as `flows` (the engine keeps one per worker, so a proof clears no memory).
#[inline(always)]
pub fn sole_root_lanes_in(
    flows: &[Lanes],
    r: [Option<f64>; LANES],
    scratch: &mut [Lanes],
) -> [bool; LANES] {
    let n = flows.len();
    let mut live = [false; LANES];
    let (mut up, mut down) = (Lanes::zero(), Lanes::zero());
    for l in 0..LANES {
        if let Some(r) = r[l] {
            let d = 1e-7 * (1.0 + r.abs());
            live[l] = !(r - d <= -1.0 || n > MAX_NEWTON_YEARS || n == 0);
            up.0[l] = r + d;
            down.0[l] = r - d;
        }
    }
    if !live.contains(&true) {
        return live;
    }
    let (a, b) = scratch[..2 * n].split_at_mut(n);
    load_discounted(flows, up, false, a, b);
    let above = no_root_in_unit_lanes(a, b, live);
    let mut live2 = [false; LANES];
    for l in 0..LANES {
        live2[l] = live[l] && above[l];
    }
    if !live2.contains(&true) {
        return live2;
    }
    load_discounted(flows, down, true, a, b);
    let below = no_root_in_unit_lanes(a, b, live2);
    let mut out = [false; LANES];
    for l in 0..LANES {
        out[l] = live2[l] && below[l];
    }
    out
}

/// Each lane's flows discounted at its `rate` into `a` (reversed: year t at n − 1 − t), their
/// magnitudes into `b`: the coefficients [`no_root_in_unit_lanes`] sums.
#[inline(always)]
fn load_discounted(flows: &[Lanes], rate: Lanes, reversed: bool, a: &mut [Lanes], b: &mut [Lanes]) {
    let n = flows.len();
    let x = Lanes::one() / (Lanes::one() + rate);
    let mut k = Lanes::one();
    for (t, c) in flows.iter().enumerate() {
        let i = if reversed { n - 1 - t } else { t };
        a[i] = *c * k;
        b[i] = a[i].abs();
        k = k * x;
    }
}

/// [`no_root_in_unit`] lane by lane for the lanes in `live`, the sums taken over lanes at
/// once; a lane's answer follows the scalar rule exactly (every non-zero sum certain and of
/// the sign the tail allows; otherwise the last sum joins the tail).
#[inline(always)]
fn no_root_in_unit_lanes(a: &mut [Lanes], b: &mut [Lanes], live: [bool; LANES]) -> [bool; LANES] {
    let n = a.len();
    let mut out = [false; LANES];
    let mut open = live;
    let mut tail_sign = [0.0f64; LANES];
    for _ in 0..SUMMATIONS {
        // one pass per order: the running sums, and each lane's verdict on them from three
        // running extremes: a positive sum (max > 0), a negative one (min < 0), and an
        // uncertain non-zero one (min of |a| − 1e-12·b ≤ 0). A sum of the |a| is zero only
        // where every a before it is, so b = 0 alone marks the exact zeros the scalar test
        // skips. A lane whose sums meet an infinity or a NaN ends with a non-finite sum and is
        // closed below before its extremes are read, so the plain comparisons (no NaN rules)
        // decide only finite lanes, as the scalar test does. The pass is written in whole-lane
        // operations: written lane by lane, the compiler split it into pieces of different
        // widths and shuffled between them.
        let (mut sa, mut sb) = (Lanes::zero(), Lanes::zero());
        let (mut lo, mut hi, mut margin) = (
            Lanes::splat(f64::INFINITY),
            Lanes::splat(f64::NEG_INFINITY),
            Lanes::splat(f64::INFINITY),
        );
        let smaller = |x: f64, y: f64| if x < y { x } else { y };
        for (av, bv) in a.iter_mut().zip(b.iter_mut()) {
            sa += *av;
            sb += *bv;
            *av = sa;
            *bv = sb;
            lo = Lanes::map2(sa, lo, smaller);
            hi = Lanes::map2(sa, hi, |x, y| if x > y { x } else { y });
            let m = Lanes::map2(sa, sb, |s, w| {
                if w == 0.0 {
                    f64::INFINITY
                } else {
                    s.abs() - 1e-12 * w
                }
            });
            margin = Lanes::map2(m, margin, smaller);
        }
        let (sa, sb, lo, hi, margin) = (sa.0, sb.0, lo.0, hi.0, margin.0);
        let pos: [bool; LANES] = std::array::from_fn(|l| hi[l] > 0.0);
        let neg: [bool; LANES] = std::array::from_fn(|l| lo[l] < 0.0);
        let bad: [bool; LANES] = std::array::from_fn(|l| margin[l] <= 0.0);
        for l in 0..LANES {
            if !open[l] {
                continue;
            }
            if !sa[l].is_finite() || !sb[l].is_finite() {
                open[l] = false;
                continue;
            }
            let certain = |v: f64, scale: f64| v.abs() > 1e-12 * scale;
            let (pos, neg) = (pos[l], neg[l]);
            let ts = tail_sign[l];
            // one sign among the sums and the tail, all of them certain, and some sign at all
            let mixed = neg && (pos || ts > 0.0) || pos && ts < 0.0;
            let proven = !bad[l] && !mixed && (pos || neg || ts != 0.0);
            if proven {
                out[l] = true;
                open[l] = false;
                continue;
            }
            let (av, bv) = (a[n - 1].0[l], b[n - 1].0[l]);
            if av != 0.0 || bv != 0.0 {
                if !certain(av, bv) || (ts != 0.0 && av.signum() != ts) {
                    open[l] = false;
                    continue;
                }
                tail_sign[l] = av.signum();
            }
        }
        if !open.contains(&true) {
            break;
        }
    }
    out
}
