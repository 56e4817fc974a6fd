//! Bracketing: Brent's method, and the isolation of every root of the NPV on (−0.99, 10) by
//! certified subdivision, with a fixed grid scan as the fallback.

use super::*;
use crate::num::{Lanes, Num, LANES};

/// A root of `f` on [a, b] (f(a), f(b) of opposite signs) by Brent's method, to |Δx| ≤
/// `tol` (relative to |x| + 1).
pub fn brent_root(mut f: impl FnMut(f64) -> f64, a: f64, b: f64, tol: f64) -> f64 {
    let (fa, fb) = (f(a), f(b));
    brent_tol(f, a, b, fa, fb, tol)
}

/// Brent's method on [a, b] where f(a), f(b) have opposite signs.
pub(super) fn brent(f: impl Fn(f64) -> f64, a: f64, b: f64, fa: f64, fb: f64) -> f64 {
    brent_tol(f, a, b, fa, fb, R_TOL)
}

fn brent_tol(
    mut f: impl FnMut(f64) -> f64,
    mut a: f64,
    mut b: f64,
    mut fa: f64,
    mut fb: f64,
    xtol: f64,
) -> f64 {
    if fa == 0.0 {
        return a;
    }
    if fb == 0.0 {
        return b;
    }
    let (mut c, mut fc) = (a, fa);
    let mut d = b - a;
    let mut e = d;
    for _ in 0..200 {
        if (fb > 0.0) == (fc > 0.0) {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol = 2.0 * f64::EPSILON * b.abs() + 0.5 * xtol * (1.0 + b.abs());
        let m = 0.5 * (c - b);
        if m.abs() <= tol || fb == 0.0 {
            return b;
        }
        if e.abs() >= tol && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                p = 2.0 * m * s;
                q = 1.0 - s;
            } else {
                let qa = fa / fc;
                let r = fb / fc;
                p = s * (2.0 * m * qa * (qa - r) - (b - a) * (r - 1.0));
                q = (qa - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if 2.0 * p < (3.0 * m * q - (tol * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = m;
                e = m;
            }
        } else {
            d = m;
            e = m;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol { d } else { tol.copysign(m) };
        fb = f(b);
    }
    b
}

/// `points` + 1 rates from −0.99 to 10, evenly spaced in log(1+r), with r = 0 added so no
/// cell straddles the change of form in `signed_pv`.
fn log_grid(points: usize) -> Vec<f64> {
    let (l0, l1) = ((1.0 + R_MIN).ln(), (1.0 + R_MAX).ln());
    let mut grid: Vec<f64> = (0..=points)
        .map(|i| (l0 + (l1 - l0) * i as f64 / points as f64).exp() - 1.0)
        .collect();
    grid[0] = R_MIN;
    grid[points] = R_MAX;
    let pos = grid.partition_point(|&r| r < 0.0);
    if grid.get(pos) != Some(&0.0) {
        grid.insert(pos, 0.0);
    }
    grid
}

/// Roots of `signed_pv` in (lo, hi) by sign changes on a log grid of 1+r, with 0 on the grid
/// so no bracket straddles the change of form in `signed_pv`.
pub(super) fn scan_roots(flows: &[f64], points: usize, roots: &mut Vec<(f64, Direction)>) {
    let f = |r: f64| signed_pv(flows, r);
    let grid = log_grid(points);
    let mut prev_r = grid[0];
    let mut prev_f = f(prev_r);
    for &r in &grid[1..] {
        let fr = f(r);
        if prev_f == 0.0 {
            // an exact zero on the grid: a root if the sign differs on both sides
            prev_r = r;
            prev_f = fr;
            continue;
        }
        if fr == 0.0 || (fr > 0.0) != (prev_f > 0.0) {
            let root = if fr == 0.0 {
                r
            } else {
                brent(f, prev_r, r, prev_f, fr)
            };
            let dir = if prev_f > 0.0 {
                Direction::Down
            } else {
                Direction::Up
            };
            if fr == 0.0 {
                // confirm the crossing on the far side; a touch is not a crossing
                let next = f(r + 1e-7 * (1.0 + r.abs()));
                if next == 0.0 || (next > 0.0) == (prev_f > 0.0) {
                    prev_r = r;
                    prev_f = fr;
                    continue;
                }
            }
            roots.push((root, dir));
        }
        if fr != 0.0 {
            prev_f = fr;
        }
        prev_r = r;
    }
}

/// A bound on |d signed_pv / dr| over [a, b], a cell that lies on one side of r = 0 (each side
/// has its own polynomial form, see `signed_pv`): the scalar definition the lane forms
/// ([`first_cells`], [`splits`]) are tested against.
#[cfg(test)]
fn slope_bound(flows: &[f64], a: f64, b: f64) -> f64 {
    slope_bound_by(flows, a, b, a >= 0.0)
}

/// [`slope_bound`] for cells given as any [`Num`] (lanes: several cells of one side at once,
/// each lane the scalar bound to the bit); `right`: the cells lie at r ≥ 0.
#[inline(always)]
fn slope_bound_by<T: Num>(flows: &[f64], a: T, b: T, right: bool) -> T {
    let n = flows.len();
    if right {
        // Σ c_t y^t, y = 1/(1+r) ≤ y(a): |d/dr| = y²·|Σ t c_t y^(t−1)| ≤ Σ t |c_t| y^(t+1)
        let y = T::one() / (T::one() + a);
        flows
            .iter()
            .enumerate()
            .rev()
            .fold(T::zero(), |acc, (t, c)| {
                acc * y + T::from_f64(t as f64 * c.abs())
            })
            * y
            * y
    } else {
        // Σ c_t u^(n−1−t), u = 1+r ≤ 1+b: |d/dr| ≤ Σ (n−1−t) |c_t| u^(n−2−t)
        let u = T::one() + b;
        let mut acc = T::zero();
        for (t, c) in flows.iter().enumerate().take(n.saturating_sub(1)) {
            acc = acc * u + T::from_f64((n - 1 - t) as f64 * c.abs());
        }
        acc
    }
}

/// `signed_pv` at the grid's points and [`slope_bound`] on its cells, [`LANES`] points or
/// cells of one side of r = 0 at a time: every lane runs the scalar operations, so the figures
/// are the scalar ones to the bit, but eight Horner chains overlap where one would wait on each
/// multiply and add. Most cells of the first grid are settled by these alone.
fn first_cells(flows: &[f64], coeffs: &[Lanes], grid: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let at = |ix: [usize; LANES]| Lanes(ix.map(|i| grid[i]));
    // the grid ascends through r = 0: the points and cells left of it take one form, the
    // rest the other (a series of under two flows has only the first-year form)
    let zero = grid.partition_point(|r| *r < 0.0);
    let left = if flows.len() < 2 { 0 } else { zero };
    let mut values = vec![0.0; grid.len()];
    let (l, r) = values.split_at_mut(left);
    in_lanes(l, 0, |ix| signed_pv_by(flows, coeffs, at(ix), false));
    in_lanes(r, left, |ix| signed_pv_by(flows, coeffs, at(ix), true));
    let mut bounds = vec![0.0; grid.len() - 1];
    let bound =
        |ix: [usize; LANES], right| slope_bound_by(flows, at(ix), at(ix.map(|i| i + 1)), right);
    let (l, r) = bounds.split_at_mut(zero);
    in_lanes(l, 0, |ix| bound(ix, false));
    in_lanes(r, zero, |ix| bound(ix, true));
    (values, bounds)
}

/// `out[k] = f(first + k)`, [`LANES`] indices at a time (a short last group repeats its last
/// index in the spare lanes).
fn in_lanes(out: &mut [f64], first: usize, f: impl Fn([usize; LANES]) -> Lanes) {
    for (g, chunk) in out.chunks_mut(LANES).enumerate() {
        let base = first + g * LANES;
        let v = f(std::array::from_fn(|l| base + l.min(chunk.len() - 1)));
        chunk.copy_from_slice(&v.0[..chunk.len()]);
    }
}

/// What halving a cell takes: the value at its midpoint and its halves' slope bounds.
#[derive(Debug, Clone, Copy)]
struct Split {
    mid: f64,
    left: f64,
    right: f64,
}

/// The [`Split`] of the cell [a, b] and those of both its halves, in one pass over the flows
/// for the three midpoints' values and one for the six cells' bounds: chains side by side cost
/// about the time of one, and every lane runs the scalar operations ([`signed_pv`],
/// [`slope_bound`]), so the figures are the scalar ones to the bit whichever cells are split
/// later. `coeffs` are the flows as lanes.
fn splits(flows: &[f64], coeffs: &[Lanes], a: f64, b: f64) -> [Split; 3] {
    let m = 0.5 * (a + b);
    let (q1, q3) = (0.5 * (a + m), 0.5 * (m + b));
    // a cell lies on one side of r = 0, and so do its points
    let points = Lanes([m, q1, q3, m, m, m, m, m]);
    let mids = signed_pv_by(flows, coeffs, points, m >= 0.0 || flows.len() < 2).0;
    let (lo, hi) = ([a, m, a, q1, m, q3, a, a], [m, b, q1, m, q3, b, m, m]);
    let bounds = slope_bound_by(flows, Lanes(lo), Lanes(hi), a >= 0.0).0;
    std::array::from_fn(|k| Split {
        mid: mids[k],
        left: bounds[2 * k],
        right: bounds[2 * k + 1],
    })
}

/// The first cells of [`isolate_roots`]: 32 cells of the log grid (and r = 0), made once.
pub(super) fn isolation_grid() -> &'static [f64] {
    static GRID: std::sync::OnceLock<Vec<f64>> = std::sync::OnceLock::new();
    GRID.get_or_init(|| log_grid(32))
}

/// Evaluations [`isolate_roots`] may spend before it falls back to the fixed scan.
const ISOLATION_BUDGET: usize = 20_000;

/// Every root of `signed_pv` on (−0.99, 10), found by certified subdivision: a cell whose end
/// values share a sign and are too far from zero for the slope bound to reach it holds no
/// root; a cell whose ends differ in sign holds a crossing, refined by Brent; any other cell
/// is halved. Work goes only where roots are or nearly are, instead of a fixed fine grid.
/// Returns false when the budget ran out (the caller then scans).
pub(super) fn isolate_roots(flows: &[f64], roots: &mut Vec<(f64, Direction)>) -> bool {
    let f = |r: f64| signed_pv(flows, r);
    let grid = isolation_grid();
    let mut evals = grid.len();
    let coeffs: Vec<Lanes> = flows.iter().map(|c| Lanes::splat(*c)).collect();
    let (values, bounds) = first_cells(flows, &coeffs, grid);
    // cells still to examine, left to right (a stack popped from the end, pushed reversed),
    // with their slope bound and, for a half of a cell just split, its own split, made with
    // its parent's
    let mut stack: Vec<(f64, f64, f64, f64, f64, Option<Split>)> = (0..grid.len() - 1)
        .rev()
        .map(|i| {
            (
                grid[i],
                grid[i + 1],
                values[i],
                values[i + 1],
                bounds[i],
                None,
            )
        })
        .collect();
    let mut prev_sign = 0.0f64;
    while let Some((a, b, fa, fb, bound, split)) = stack.pop() {
        if evals > ISOLATION_BUDGET {
            roots.clear();
            return false;
        }
        let crosses = fa != 0.0 && fb != 0.0 && (fa > 0.0) != (fb > 0.0);
        if crosses {
            let dir = if fa > 0.0 {
                Direction::Down
            } else {
                Direction::Up
            };
            roots.push((brent(f, a, b, fa, fb), dir));
            prev_sign = fb.signum();
            continue;
        }
        if fb == 0.0 {
            // an exact zero at a cell end: a root if the sign differs on both sides of it
            if b < R_MAX {
                let next = f(b + 1e-7 * (1.0 + b.abs()));
                evals += 1;
                let before = if fa != 0.0 { fa.signum() } else { prev_sign };
                if next != 0.0 && before != 0.0 && next.signum() != before {
                    roots.push((
                        b,
                        if before > 0.0 {
                            Direction::Down
                        } else {
                            Direction::Up
                        },
                    ));
                }
            }
            continue;
        }
        if fa != 0.0 {
            prev_sign = fa.signum();
        }
        let width = b - a;
        // a root c inside would need |f(a)| ≤ B(c − a) and |f(b)| ≤ B(b − c)
        if fa.abs() + fb.abs() > bound * width {
            prev_sign = fb.signum();
            continue;
        }
        evals += 1;
        if width <= 1e-13 * (1.0 + a.abs()) {
            // a touch (double root) or a near miss narrower than the tolerance: not a crossing
            prev_sign = fb.signum();
            continue;
        }
        let m = 0.5 * (a + b);
        let (this, halves) = match split {
            Some(s) => (s, [None; 2]),
            None => {
                let [s, l, r] = splits(flows, &coeffs, a, b);
                (s, [Some(l), Some(r)])
            }
        };
        let fm = this.mid;
        evals += 1;
        stack.push((m, b, fm, fb, this.right, halves[1]));
        stack.push((a, m, fa, fm, this.left, halves[0]));
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lane_values_and_bounds_equal_the_scalar_ones_to_the_bit() {
        let mut next = crate::uniform_stream(0x5EED_0FCE_1150u64);
        let grid = isolation_grid();
        for case in 0..200 {
            // short series (the one-form case below two flows) and scheme-like long ones
            let n = [1, 2, 3, 17, 53][case % 5];
            let flows: Vec<f64> = (0..n)
                .map(|t| (next() - if t < 2 { 0.9 } else { 0.3 }) * 1e9)
                .collect();
            let coeffs: Vec<Lanes> = flows.iter().map(|c| Lanes::splat(*c)).collect();
            let (values, bounds) = first_cells(&flows, &coeffs, grid);
            for (r, v) in grid.iter().zip(&values) {
                assert_eq!(
                    signed_pv(&flows, *r).to_bits(),
                    v.to_bits(),
                    "{flows:?} at {r}"
                );
            }
            for (i, b) in bounds.iter().enumerate() {
                let want = slope_bound(&flows, grid[i], grid[i + 1]);
                assert_eq!(want.to_bits(), b.to_bits(), "{flows:?} on cell {i}");
            }
            // a cell's split and its halves' splits, as subdivision makes them in one pass
            for i in [0, 1, grid.len() / 2 - 1, grid.len() / 2, grid.len() - 2] {
                let (a, b) = (grid[i], grid[i + 1]);
                let m = 0.5 * (a + b);
                let [this, left, right] = splits(&flows, &coeffs, a, b);
                for (s, (a, b)) in [(this, (a, b)), (left, (a, m)), (right, (m, b))] {
                    let m = 0.5 * (a + b);
                    assert_eq!(s.mid.to_bits(), signed_pv(&flows, m).to_bits(), "{a} {b}");
                    assert_eq!(s.left.to_bits(), slope_bound(&flows, a, m).to_bits());
                    assert_eq!(s.right.to_bits(), slope_bound(&flows, m, b).to_bits());
                }
            }
        }
    }
}
