//! The fast path Monte Carlo takes: Newton's method from a fixed guess, accepted only when the
//! root is provably the only one; anything else goes to the full solver.

use super::*;

/// Grid points Monte Carlo scans for series with several sign changes.
pub const MC_SCAN_POINTS: usize = 256;

/// p(x) = Σ c_t x^t and p'(x), as four interleaved Horner chains in y = x⁴ so the CPU can
/// overlap them: a single chain is one dependent multiply-add per year.
#[inline]
pub(super) fn poly_and_slope(c: &[f64], x: f64) -> (f64, f64) {
    let y = x * x * x * x;
    let mut p = [0.0f64; 4];
    let mut d = [0.0f64; 4];
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
    let pv = p[0] + x * p[1] + x2 * p[2] + x3 * p[3];
    let slope = p[1]
        + 2.0 * x * p[2]
        + 3.0 * x2 * p[3]
        + 4.0 * x3 * (d[0] + x * d[1] + x2 * d[2] + x3 * d[3]);
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
    match sign_changes(flows) {
        0 => None,
        1 => newton(flows, guess).or_else(|| single_root(flows)),
        _ => match newton(flows, guess) {
            Some(r) if sole_root(flows, r) => Some(r),
            _ => irr(flows, discount_rate),
        },
    }
}
