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
    if flows.len() > 200 || !(guess > R_MIN && guess < R_MAX) {
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

/// Whether `r` is provably the only root of the NPV on r > −1. Discounted at rate ρ, the
/// running sums of the flows change sign at least as often as the NPV has roots above ρ, and
/// the tail sums at least as often as it has roots below ρ (Descartes' rule after the
/// substitution x = x(ρ)·y, the criterion of Norström generalised to any rate). No sign change
/// in either a little above and a little below `r` leaves `r` alone. Round-off can only add
/// sign changes, which makes the answer "not proven", never a false "alone".
pub(super) fn sole_root(flows: &[f64], r: f64) -> bool {
    let d = 1e-7 * (1.0 + r.abs());
    let changes = |seq: &mut dyn Iterator<Item = f64>| -> Option<usize> {
        let (mut acc, mut last, mut n) = (0.0f64, 0.0f64, 0usize);
        for v in seq {
            acc += v;
            if !acc.is_finite() {
                return None;
            }
            if acc != 0.0 {
                if last != 0.0 && (acc > 0.0) != (last > 0.0) {
                    n += 1;
                }
                last = acc;
            }
        }
        Some(n)
    };
    let discounted = |rate: f64| {
        let x = 1.0 / (1.0 + rate);
        let mut k = 1.0;
        flows.iter().map(move |c| {
            let v = c * k;
            k *= x;
            v
        })
    };
    // the tail sums run from the last year back: the discounted flows are kept on the stack
    // (Newton only runs on series of at most 200 years), so no allocation per path
    let mut below = [0.0f64; 200];
    if r - d <= -1.0 || flows.len() > below.len() {
        return false;
    }
    if changes(&mut discounted(r + d)) != Some(0) {
        return false;
    }
    for (b, v) in below.iter_mut().zip(discounted(r - d)) {
        *b = v;
    }
    changes(&mut below[..flows.len()].iter().rev().copied()) == Some(0)
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
