//! IRR, NPV and payback on f64 cash flows (docs/model.md §8): every root on r ∈ (−0.99, 10) is
//! bracketed and refined by Brent's method, and when there are several the investment root
//! (NPV falling through zero) nearest the discount rate is chosen.

use serde::Serialize;

pub const R_MIN: f64 = -0.99;
pub const R_MAX: f64 = 10.0;
/// Roots are refined to |Δr| ≤ this.
pub const R_TOL: f64 = 1e-12;
/// Grid points of the root scan used when Descartes allows several roots.
const SCAN_POINTS: usize = 4000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The flows are all ≥ 0 or all ≤ 0: no rate can balance them.
    NoSignChange,
    /// The flows change sign but NPV has no zero on (−0.99, 10).
    NoRoot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// NPV falls through zero as r rises: an investment-type root.
    Down,
    Up,
}

/// Everything the solver found for one series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IrrDetail {
    #[serde(skip)]
    pub irr: Option<f64>,
    pub reason: Option<Reason>,
    pub multiple_roots: bool,
    pub roots: Vec<f64>,
    pub directions: Vec<Direction>,
    /// Descartes' bound: the number of sign changes in the flows.
    pub descartes_bound: usize,
}

/// NPV with the year-0 flow undiscounted: Σ CF_t (1+r)^-t. Horner in 1/(1+r).
#[inline]
pub fn pv(flows: &[f64], r: f64) -> f64 {
    poly(flows, 1.0 / (1.0 + r))
}

/// NPV in the Excel `NPV()` / 《建设项目经济评价方法与参数》 convention: Σ CF_t (1+r)^-(t+1).
pub fn npv(flows: &[f64], r: f64) -> f64 {
    pv(flows, r) / (1.0 + r)
}

/// A function with the same sign and roots as `pv` on (−1, ∞) that cannot overflow for long
/// series: for r < 0 the powers of 1/(1+r) grow, so it evaluates (1+r)^(n−1)·pv instead.
#[inline]
fn signed_pv(flows: &[f64], r: f64) -> f64 {
    signed_pv_by(flows, flows, r, r >= 0.0 || flows.len() < 2)
}

/// [`signed_pv`] for `r` of any [`Num`](crate::num::Num) (lanes: several rates at once, each
/// lane the scalar value to the bit), with `coeffs` the flows as that type and `right` the form
/// (r ≥ 0, or a series too short for the reversed form).
#[inline(always)]
fn signed_pv_by<T: crate::num::Num>(flows: &[f64], coeffs: &[T], r: T, right: bool) -> T {
    if right {
        poly(coeffs, T::one() / (T::one() + r))
    } else {
        // Σ CF_t (1+r)^(n−1−t): the reversed polynomial in 1 + r
        let y = T::one() + r;
        flows
            .iter()
            .fold(T::zero(), |acc, cf| acc * y + T::from_f64(*cf))
    }
}

/// Σ c_t x^t as four interleaved Horner chains (see `poly_and_slope`).
#[inline(always)]
fn poly<T: crate::num::Num>(c: &[T], x: T) -> T {
    let y = x * x * x * x;
    let mut p = [T::zero(); 4];
    let full = c.len() / 4 * 4;
    for (m, &cm) in c[full..].iter().enumerate() {
        p[m] = cm;
    }
    for j in (0..full / 4).rev() {
        for m in 0..4 {
            p[m] = p[m] * y + c[4 * j + m];
        }
    }
    p[0] + x * (p[1] + x * (p[2] + x * p[3]))
}

/// What the IRR rules read off a series' signs before any root is sought.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Signs {
    /// The first non-zero flow; 0 when every flow is zero.
    pub first: f64,
    /// [`sign_changes`].
    pub changes: usize,
}

impl Signs {
    pub fn of(flows: &[f64]) -> Signs {
        Signs {
            first: flows.iter().copied().find(|v| *v != 0.0).unwrap_or(0.0),
            changes: sign_changes(flows),
        }
    }
}

/// Sign changes in the flows, zeros skipped: Descartes' bound on the number of roots.
pub fn sign_changes(flows: &[f64]) -> usize {
    let mut last = 0.0f64;
    let mut n = 0;
    for &cf in flows {
        if cf != 0.0 {
            if last != 0.0 && (cf > 0.0) != (last > 0.0) {
                n += 1;
            }
            last = cf;
        }
    }
    n
}

/// The IRR of `flows` with every root found and the docs/model.md §8 choice among them.
pub fn irr_detail(flows: &[f64], discount_rate: f64) -> IrrDetail {
    irr_detail_scan(flows, discount_rate, SCAN_POINTS)
}

/// As [`irr_detail`]. When there can be several roots they are isolated by certified
/// subdivision; only if that runs out of budget are `points` grid points scanned instead.
pub fn irr_detail_scan(flows: &[f64], discount_rate: f64, points: usize) -> IrrDetail {
    detail(flows, discount_rate, points, true)
}

/// [`irr_detail_scan`]; `newton_first`: try [`proven_alone`] before isolating (a caller whose
/// own Newton root was not proven alone skips it).
fn detail(flows: &[f64], discount_rate: f64, points: usize, newton_first: bool) -> IrrDetail {
    let bound = sign_changes(flows);
    let mut d = IrrDetail {
        irr: None,
        reason: None,
        multiple_roots: false,
        roots: vec![],
        directions: vec![],
        descartes_bound: bound,
    };
    if bound == 0 {
        d.reason = Some(Reason::NoSignChange);
        return d;
    }
    let mut found = Vec::new();
    if bound == 1 {
        let (root, f_lo) = single_root_from_low(flows);
        if let Some(r) = root {
            let dir = if f_lo > 0.0 {
                Direction::Down
            } else {
                Direction::Up
            };
            found.push((r, dir));
        }
    } else if let Some(root) = newton_first
        .then(|| proven_alone(flows, discount_rate))
        .flatten()
    {
        found.push(root);
    } else if !isolate_roots(flows, &mut found) {
        scan_roots(flows, points.max(16), &mut found);
    }
    if found.is_empty() {
        d.reason = Some(Reason::NoRoot);
        return d;
    }
    d.multiple_roots = found.len() > 1;
    d.irr = Some(choose(&found, discount_rate));
    d.roots = found.iter().map(|x| x.0).collect();
    d.directions = found.iter().map(|x| x.1).collect();
    d
}

/// The one root of flows with several sign changes when Newton's method from the discount
/// rate converges and [`sole_root`] proves its root the only one: then the isolation would
/// find a single crossing, in the cell of its first grid that holds the root, and refine that
/// cell by Brent; this refines the same cell from the same end values, so the root is the
/// same to the bit without examining the other cells. `None` (the isolation decides) when
/// Newton fails, the proof does not hold, or the cell's ends do not differ in sign.
fn proven_alone(flows: &[f64], discount_rate: f64) -> Option<(f64, Direction)> {
    let r = newton::newton(flows, discount_rate)?;
    if !newton::sole_root(flows, r) {
        return None;
    }
    let grid = roots::isolation_grid();
    let j = grid.partition_point(|&g| g <= r);
    if j == 0 || j >= grid.len() {
        return None;
    }
    let f = |r: f64| signed_pv(flows, r);
    let (a, b) = (grid[j - 1], grid[j]);
    let (fa, fb) = (f(a), f(b));
    if fa == 0.0 || fb == 0.0 || (fa > 0.0) == (fb > 0.0) {
        return None;
    }
    let dir = if fa > 0.0 {
        Direction::Down
    } else {
        Direction::Up
    };
    Some((brent(f, a, b, fa, fb), dir))
}

/// docs/model.md §8: the one root where NPV falls through zero; among several such, or if there is
/// none, the root nearest the discount rate.
fn choose(roots: &[(f64, Direction)], discount_rate: f64) -> f64 {
    let down: Vec<f64> = roots
        .iter()
        .filter(|x| x.1 == Direction::Down)
        .map(|x| x.0)
        .collect();
    let pool: Vec<f64> = if down.is_empty() {
        roots.iter().map(|x| x.0).collect()
    } else {
        down
    };
    pool.iter().copied().fold(f64::NAN, |best, r| {
        if best.is_nan() || (r - discount_rate).abs() < (best - discount_rate).abs() {
            r
        } else {
            best
        }
    })
}

/// With one sign change there is exactly one root on (−1, ∞) (Descartes); find it if it lies in
/// (−0.99, 10). Splitting at r = 0 keeps each bracket inside one form of `signed_pv`.
fn single_root(flows: &[f64]) -> Option<f64> {
    single_root_from_low(flows).0
}

/// [`single_root`] and the value at the low end, `signed_pv(flows, R_MIN)`, which tells the
/// root's direction: computed once (for r < 0 it is a serial chain over every year).
fn single_root_from_low(flows: &[f64]) -> (Option<f64>, f64) {
    let f = |r: f64| signed_pv(flows, r);
    let (f_lo, f0, f_hi) = (f(R_MIN), f(0.0), f(R_MAX));
    let root = if f0 == 0.0 {
        Some(0.0)
    } else if (f_lo > 0.0) != (f0 > 0.0) && f_lo != 0.0 {
        Some(brent(f, R_MIN, 0.0, f_lo, f0))
    } else if (f0 > 0.0) != (f_hi > 0.0) && f_hi != 0.0 {
        Some(brent(f, 0.0, R_MAX, f0, f_hi))
    } else {
        None
    };
    (root, f_lo)
}

/// The IRR alone: the common case (one sign change) without allocating.
pub fn irr(flows: &[f64], discount_rate: f64) -> Option<f64> {
    match sign_changes(flows) {
        0 => None,
        1 => single_root(flows),
        _ => irr_detail(flows, discount_rate).irr,
    }
}

/// [`irr`] for flows whose Newton root (from another guess) was not proven alone: with several
/// sign changes, straight to the isolation.
pub(crate) fn irr_isolated(flows: &[f64], discount_rate: f64) -> Option<f64> {
    detail(flows, discount_rate, SCAN_POINTS, false).irr
}

/// Static payback in years from the start of t = 0 (Chinese convention, docs/model.md §8): the first
/// year whose cumulative flow is ≥ 0, interpolated within the year. Generic so the exact ledger
/// accumulates in Decimal (a cumulative that lands exactly on 0 counts).
pub fn payback<T: crate::num::Scalar>(flows: &[T]) -> Option<f64> {
    let mut cum = T::zero();
    for (t, &cf) in flows.iter().enumerate() {
        let prev = cum;
        cum += cf;
        if cum >= T::zero() {
            if t == 0 || cf.is_zero() {
                return Some(t as f64);
            }
            return Some(t as f64 + (prev.abs() / cf).to_f64());
        }
    }
    None
}

mod newton;
mod roots;
pub use newton::*;
pub use roots::brent_root;
use roots::{brent, isolate_roots, scan_roots};

#[cfg(test)]
mod tests {
    use super::newton::{newton, sole_root};
    use super::*;

    #[test]
    fn simple_investment() {
        let f = [-100.0, 110.0];
        assert!((irr(&f, 0.05).unwrap() - 0.1).abs() < 1e-12);
        let f = [-1000.0, 300.0, 400.0, 500.0];
        let r = irr(&f, 0.05).unwrap();
        assert!(pv(&f, r).abs() < 1e-9);
    }

    #[test]
    fn npv_follows_excel() {
        // Excel: =NPV(10%, -100, 60, 60) = -3.7566…/… computed by hand
        let v = npv(&[-100.0, 60.0, 60.0], 0.1);
        let hand = -100.0 / 1.1 + 60.0 / 1.21 + 60.0 / 1.331;
        assert!((v - hand).abs() < 1e-12);
    }

    #[test]
    fn no_sign_change_and_no_root() {
        let d = irr_detail(&[-1.0, -2.0, 0.0], 0.05);
        assert_eq!(d.reason, Some(Reason::NoSignChange));
        assert_eq!(d.irr, None);
        // root at r = 20 is outside (−0.99, 10)
        let d = irr_detail(&[-1.0, 21.0], 0.05);
        assert_eq!(d.reason, Some(Reason::NoRoot));
    }

    #[test]
    fn several_roots_pick_the_investment_root() {
        // (1+r)^-t polynomial with roots r = 0.1 and r = -0.5 (x = 1/1.1 and x = 2):
        // -(x - 1/1.1)(x - 2) scaled: flows c0 + c1 x + c2 x^2 with a large negative final flow
        let a = 1.0 / 1.1;
        let flows = [-(a * 2.0), a + 2.0, -1.0];
        let d = irr_detail(&flows, 0.045);
        assert!(d.multiple_roots);
        assert_eq!(d.roots.len(), 2);
        assert!((d.irr.unwrap() - 0.1).abs() < 1e-10, "{d:?}");
        assert!(d.roots.iter().any(|r| (r + 0.5).abs() < 1e-10));
    }

    #[test]
    fn large_negative_final_flow_spurious_negative_root_is_not_chosen() {
        // invest 1000, earn 260 a year for 10 years, then a 1500 clean-up: NPV rises through
        // zero slightly below r = 0 (a spurious root spreadsheets may return, depending on the
        // guess or the currency unit) and falls through zero at about 14.07%.
        let mut flows = vec![-1000.0];
        flows.extend([260.0; 10]);
        flows.push(-1500.0);
        let d = irr_detail(&flows, 0.045);
        assert!(d.multiple_roots);
        assert_eq!(d.roots.len(), 2, "{d:?}");
        assert!(
            d.roots[0] < 0.0 && d.directions[0] == Direction::Up,
            "{d:?}"
        );
        assert_eq!(d.directions[1], Direction::Down);
        let r = d.irr.unwrap();
        assert!((r - 0.14067630864).abs() < 1e-9, "{r}");
        assert!(pv(&flows, r).abs() < 1e-9);
        assert!(pv(&flows, d.roots[0]).abs() < 1e-9);
        // scaling the flows (yuan → 万元) changes nothing
        let scaled: Vec<f64> = flows.iter().map(|v| v * 1e8).collect();
        assert_eq!(irr_detail(&scaled, 0.045).roots.len(), 2);
        assert!((irr(&scaled, 0.045).unwrap() - r).abs() < 1e-10);
    }

    #[test]
    fn isolation_finds_every_root_a_fine_scan_finds() {
        // deterministic pseudo-random series with several sign changes: outlays, income,
        // a large mid-life payment (a LAT settlement), a terminal cost
        let mut next = crate::uniform_stream(0x2545_F491_4F6C_DD1Du64);
        let mut with_several = 0;
        let mut proven = 0;
        for case in 0..300 {
            let n = 8 + case % 45;
            let mut f: Vec<f64> = (0..n).map(|_| next() * 100.0 - 30.0).collect();
            f[0] = -500.0 * next() - 50.0;
            if n > 6 {
                f[n / 2] = -400.0 * next();
                // a terminal cost in two cases of three; the third keeps the shape whose
                // root a certificate can prove alone
                if case % 3 != 0 {
                    f[n - 1] = -300.0 * next();
                }
            }
            if sign_changes(&f) < 2 {
                continue;
            }
            let mut fine = Vec::new();
            scan_roots(&f, 50_000, &mut fine);
            let mut iso = Vec::new();
            assert!(isolate_roots(&f, &mut iso), "budget: {f:?}");
            with_several += usize::from(fine.len() > 1);
            // a root the certificate declares alone is the only one isolation finds
            for guess in [-0.5, 0.0, 0.05, 0.3, 2.0] {
                if let Some(r) = newton(&f, guess) {
                    if sole_root(&f, r) {
                        proven += 1;
                        assert_eq!(fine.len(), 1, "{f:?}: {r} declared alone, scan {fine:?}");
                        assert!((fine[0].0 - r).abs() < 1e-9);
                    }
                }
            }
            assert_eq!(iso.len(), fine.len(), "{f:?}\n{iso:?}\n{fine:?}");
            for (a, b) in iso.iter().zip(&fine) {
                assert!((a.0 - b.0).abs() < 1e-9, "{f:?}: {a:?} vs {b:?}");
                assert_eq!(a.1, b.1);
            }
        }
        assert!(
            with_several > 20,
            "the cases exercise several roots: {with_several}"
        );
        assert!(
            proven > 20,
            "the certificate proves some roots alone: {proven}"
        );
    }

    /// The proven-alone path gives the isolation's answer to the bit: the same root list,
    /// directions and choice, on realistic project series with several sign changes.
    #[test]
    fn a_root_proven_alone_is_the_isolations_root_to_the_bit() {
        let mut next = crate::uniform_stream(0x0DDB_1A5E_5BAD_5EEDu64);
        let (mut several, mut proven) = (0, 0);
        for case in 0..4000 {
            let n = 20 + case % 40;
            let mut f = vec![0.0; n];
            f[0] = -(5e8 + 1.5e9 * next());
            f[1] = -(2e8 + 6e8 * next());
            f[2] = 6e8 * next() - 6e8 * next();
            f[3] = 1.3e9 * next() - 1e8;
            f[4] = 9e8 * next();
            f[5] = 9e8 * next() - 6e8;
            let (rent, g) = (1e7 + 5e7 * next(), 0.05 * next());
            for (t, v) in f.iter_mut().enumerate().skip(6) {
                *v = rent * (1.0 + g).powi(t as i32 - 6) - 3e7 * next() * f64::from(next() < 0.2);
            }
            f[n - 1] += 1e9 * next() - 4e8 * f64::from(case % 4 == 0);
            if sign_changes(&f) < 2 {
                continue;
            }
            several += 1;
            proven += usize::from(proven_alone(&f, 0.045).is_some());
            let fast = detail(&f, 0.045, SCAN_POINTS, true);
            let full = detail(&f, 0.045, SCAN_POINTS, false);
            assert_eq!(
                fast.irr.map(f64::to_bits),
                full.irr.map(f64::to_bits),
                "{f:?}"
            );
            assert_eq!(fast, full, "{f:?}");
        }
        assert!(several > 1500 && proven > several / 2, "{several} {proven}");
    }

    #[test]
    fn a_settlement_after_the_sales_keeps_one_root_and_newton_proves_it() {
        // outlays, presales, a large 土地增值税 settlement, then rent: three sign changes
        let mut f = vec![-1530.5, -530.4, 344.4, 1189.1, 844.2, -495.8];
        f.extend((0..44).map(|k| 31.2 * 1.02f64.powi(k)));
        assert_eq!(sign_changes(&f), 3);
        let full = irr_detail(&f, 0.045);
        assert!(!full.multiple_roots);
        let r = irr_guess(&f, 0.045, 0.05).unwrap();
        assert!(sole_root(&f, r));
        assert!((r - full.irr.unwrap()).abs() < 1e-12);
        // a negative terminal value adds a second (negative) root: not provably alone
        let mut g = f.clone();
        *g.last_mut().unwrap() = -600.0;
        let d = irr_detail(&g, 0.045);
        assert!(d.multiple_roots, "{:?}", d.roots);
        let r = newton(&g, d.irr.unwrap()).unwrap();
        assert!(!sole_root(&g, r));
        assert_eq!(irr_guess(&g, 0.045, 0.05), d.irr);
    }

    #[test]
    fn interleaved_horner_matches_plain() {
        for n in 1..12 {
            let c: Vec<f64> = (0..n).map(|t| (t as f64 * 1.7).sin() * 100.0).collect();
            let x: f64 = 0.93;
            let plain: f64 = c
                .iter()
                .enumerate()
                .map(|(t, v)| v * x.powi(t as i32))
                .sum();
            let slope: f64 = c
                .iter()
                .enumerate()
                .skip(1)
                .map(|(t, v)| t as f64 * v * x.powi(t as i32 - 1))
                .sum();
            let (p, d) = poly_and_slope(&c, x);
            assert!(
                (p - plain).abs() < 1e-10 && (d - slope).abs() < 1e-9,
                "n={n}: {p} {plain} {d} {slope}"
            );
        }
    }

    #[test]
    fn newton_agrees_with_brent() {
        let mut flows = vec![-5000.0, -3000.0];
        flows.extend((0..48).map(|t| 300.0 + 5.0 * t as f64));
        let a = irr(&flows, 0.045).unwrap();
        for g in [-0.5, 0.0, 0.03, 0.2, 3.0] {
            let b = irr_guess(&flows, 0.045, g).unwrap();
            assert!((a - b).abs() < 1e-11, "guess {g}: {a} vs {b}");
        }
        assert_eq!(
            irr_guess(&[-1.0, 21.0], 0.05, 0.1),
            None,
            "root outside the range"
        );
    }

    #[test]
    fn payback_is_the_same_exact_or_in_floats() {
        use rust_decimal::Decimal;
        let d: Vec<Decimal> = [-100, 30, 30, 50]
            .iter()
            .map(|v| Decimal::from(*v))
            .collect();
        assert_eq!(payback(&d), payback(&[-100.0, 30.0, 30.0, 50.0]));
        assert_eq!(payback(&d), Some(3.8));
    }

    #[test]
    fn payback_interpolates_and_takes_the_first_crossing() {
        // year 2 is the first with cumulative ≥ 0: 2 + |−50| / 100
        assert_eq!(payback(&[-100.0, 50.0, 100.0]), Some(2.5));
        // cumulative reaches exactly 0 in year 1, then dips: the first crossing counts
        assert_eq!(payback(&[-100.0, 100.0, -50.0, 100.0]), Some(2.0));
        assert_eq!(payback(&[0.0, 10.0]), Some(0.0));
        assert_eq!(payback(&[-1.0, 0.5]), None);
    }

    #[test]
    fn lane_signs_equal_the_scalar_ones_on_zeros_and_non_numbers() {
        use crate::num::{Lanes, LANES};
        let series: [&[f64]; LANES] = [
            &[0.0, 0.0, 0.0],
            &[-0.0, 0.0, -0.0],
            &[0.0, -1.0, 0.0, 2.0],
            &[3.0, 0.0, -0.0, -1.0],
            &[f64::NAN, 1.0, -1.0],
            &[-1.0, f64::NAN, -1.0],
            &[-1.0, f64::INFINITY, f64::NEG_INFINITY, 0.0],
            &[0.0, 5.0, -5.0, 5.0],
        ];
        let n = series.iter().map(|s| s.len()).max().unwrap();
        let at = |l: usize, t: usize| series[l].get(t).copied().unwrap_or(0.0);
        let lanes: Vec<Lanes> = (0..n)
            .map(|t| Lanes(std::array::from_fn(|l| at(l, t))))
            .collect();
        let got = signs_lanes(&lanes);
        for (l, got) in got.iter().enumerate() {
            let f: Vec<f64> = (0..n).map(|t| at(l, t)).collect();
            let want = Signs::of(&f);
            // NaN is a first flow too, and equal to nothing: compare its bits
            assert_eq!(want.changes, got.changes, "lane {l}");
            assert!(
                want.first.to_bits() == got.first.to_bits() || want.first == got.first,
                "lane {l}: {want:?} {got:?}"
            );
        }
        assert_eq!(got[0].first, 0.0);
        assert_eq!((got[2].first, got[2].changes), (-1.0, 1));
        assert_eq!(got[7].changes, 2);
    }

    #[test]
    fn lockstep_kernels_equal_the_scalar_ones_lane_by_lane() {
        use crate::num::{Lanes, LANES};
        // a xorshift stream of flows shaped like schemes: outlays, sales, a settlement
        // outflow, rents; some with extra sign changes anywhere
        let mut next = crate::uniform_stream(0x2545_F491_4F6C_DD1D);
        let mut proofs = [0usize; 2];
        for round in 0..300 {
            let n = 8 + (round % 50);
            let mut series = [[0.0f64; 60]; LANES];
            for s in series.iter_mut() {
                for (t, v) in s.iter_mut().enumerate().take(n) {
                    *v = match t {
                        0..=1 => -1e9 * (0.5 + next()),
                        2..=3 => 1e9 * next(),
                        4 => -4e8 * next(),
                        _ => 3e7 * (0.5 + next()),
                    };
                    if round % 3 == 0 && next() < 0.1 {
                        *v = -*v;
                    }
                }
            }
            let lanes: Vec<Lanes> = (0..n)
                .map(|t| Lanes(std::array::from_fn(|l| series[l][t])))
                .collect();
            let guess = 0.02 + 0.06 * next();
            let newton_l = newton_lanes(&lanes, guess);
            let alone_l = sole_root_lanes(&lanes, newton_l);
            let npv_l = npv_lanes(&lanes, 0.045);
            let signs_l = signs_lanes(&lanes);
            for l in 0..LANES {
                let f = &series[l][..n];
                assert_eq!(Signs::of(f), signs_l[l], "round {round}");
                let r = newton(f, guess);
                assert_eq!(
                    r.map(f64::to_bits),
                    newton_l[l].map(f64::to_bits),
                    "round {round}"
                );
                assert_eq!(
                    r.is_some_and(|r| sole_root(f, r)),
                    alone_l[l],
                    "round {round}"
                );
                proofs[usize::from(alone_l[l])] += 1;
                assert_eq!(
                    npv(f, 0.045).to_bits(),
                    npv_l.0[l].to_bits(),
                    "round {round}"
                );
            }
        }
        // both answers of the proof were exercised
        assert!(proofs[0] > 100 && proofs[1] > 100, "{proofs:?}");
    }
}
