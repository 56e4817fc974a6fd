//! Goal seek: the value of an input at which the basis IRR hits a target (bracketing on a grid,
//! then Brent), or at which the Monte Carlo probability of breaking even reaches a target
//! (bisection with common random numbers, so the answer is stable for a seed).

use crate::irr;
use crate::mc::{self, Settings, Silent};
use crate::metrics::Status;
use crate::model;
use crate::scenario::{keys, Basis, Inputs, KeySpec, Kind, Scenario};
use serde::Serialize;

/// What is varied.
#[derive(Debug, Clone, Copy)]
pub enum Vary {
    Key(&'static KeySpec),
    /// `mix.residential` = v with the change taken from `mix.factory` (住宅平衡).
    ResidentialFromFactory,
}

impl Vary {
    pub fn name(&self) -> &'static str {
        match self {
            Vary::Key(k) => k.name,
            Vary::ResidentialFromFactory => "mix.residential",
        }
    }

    pub fn apply(&self, base: &Inputs<f64>, inp: &mut Inputs<f64>, v: f64) {
        match self {
            Vary::Key(k) => k.set(inp, v),
            Vary::ResidentialFromFactory => {
                inp.mix.residential = v;
                inp.mix.factory = base.mix.factory + base.mix.residential - v;
            }
        }
    }

    /// The widest range that keeps the scenario valid.
    pub fn valid_range(&self, base: &Inputs<f64>) -> (f64, f64) {
        match self {
            Vary::Key(k) => (k.lo, k.hi),
            Vary::ResidentialFromFactory => (0.0, base.mix.factory + base.mix.residential),
        }
    }

    /// The default search range: around the current value, inside the valid range.
    pub fn default_range(&self, base: &Inputs<f64>) -> (f64, f64) {
        let (lo, hi) = self.valid_range(base);
        match self {
            Vary::Key(k) => {
                let v = k.get(base).unwrap_or(0.0);
                if v > 0.0 && k.kind == Kind::Real {
                    (lo.max(0.0), hi.min(v * 4.0))
                } else {
                    (lo, hi.min(if lo >= 0.0 { 1e4 } else { hi }))
                }
            }
            Vary::ResidentialFromFactory => (lo, hi),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Solution {
    pub key: String,
    pub value: f64,
    pub target: f64,
    pub basis: Basis,
    pub achieved_irr: Option<f64>,
    /// With a probability target: P(IRR ≥ floor) at `value`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub achieved_prob: Option<f64>,
    /// Why the answer is an end of the search range rather than a crossing: the goal already
    /// holds there (no subsidy needed; the IRR stays under the cap however high the rent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound: Option<EndOfRange>,
}

/// A one-sided goal: the smallest value that reaches at least a target IRR (a subsidy, a
/// residential share), or the largest that keeps it at most a target (a rent, a land price).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    AtLeast(f64),
    AtMost(f64),
}

/// The goal holds at an end of the range, so that end is the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EndOfRange {
    /// The IRR already reaches the target at the lowest value searched (e.g. no subsidy).
    HoldsAtLowest,
    /// The IRR stays within the target up to the highest value searched.
    HoldsAtHighest,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SolveError {
    #[error("the target {target} is not reachable for {key} in [{lo}, {hi}]: the {what} runs from {at_lo} to {at_hi} there; widen --range or choose another key")]
    Unreachable {
        key: String,
        lo: f64,
        hi: f64,
        target: f64,
        what: &'static str,
        at_lo: String,
        at_hi: String,
    },
    #[error("the IRR is not monotonic in {key} on [{lo}, {hi}] (it turns near {turn}): the target may be met at several values; narrow --range to one side of the turn")]
    NotMonotonic {
        key: String,
        lo: f64,
        hi: f64,
        turn: f64,
    },
    #[error("--range {lo},{hi} is not valid for {key}: expected LO < HI inside [{valid_lo}, {valid_hi}]")]
    BadRange {
        key: String,
        lo: f64,
        hi: f64,
        valid_lo: f64,
        valid_hi: f64,
    },
}

/// The IRR used for goal seeking: a series that never turns positive counts as −99%, one that
/// never turns negative as +1000%, so the search still sees which way to go.
pub fn irr_for(inp: &Inputs<f64>, basis: Basis, ledger: &mut model::Ledger<f64>) -> f64 {
    model::run_into(inp, ledger, model::Need::All);
    let flows = ledger.series(basis);
    match irr::irr(flows, inp.finance.discount_rate) {
        Some(r) => r,
        None if flows.iter().sum::<f64>() < 0.0 => irr::R_MIN,
        None => irr::R_MAX,
    }
}

const GRID: usize = 40;

fn check_range(
    vary: &Vary,
    base: &Inputs<f64>,
    range: Option<(f64, f64)>,
) -> Result<(f64, f64), SolveError> {
    let (vlo, vhi) = vary.valid_range(base);
    let (lo, hi) = range.unwrap_or_else(|| vary.default_range(base));
    if !(lo < hi && lo >= vlo && hi <= vhi) {
        return Err(SolveError::BadRange {
            key: vary.name().into(),
            lo,
            hi,
            valid_lo: vlo,
            valid_hi: vhi,
        });
    }
    Ok((lo, hi))
}

/// The value of `vary` in `range` at which the basis IRR equals `target`.
pub fn solve_irr(
    sc: &Scenario,
    vary: Vary,
    target: f64,
    basis: Basis,
    range: Option<(f64, f64)>,
) -> Result<Solution, SolveError> {
    let base = &sc.inputs;
    let (lo, hi) = check_range(&vary, base, range)?;
    let mut inp = base.clone();
    let mut ledger = model::Ledger::default();
    let mut f = |v: f64| {
        vary.apply(base, &mut inp, v);
        irr_for(&inp, basis, &mut ledger)
    };
    let xs: Vec<f64> = (0..=GRID)
        .map(|i| lo + (hi - lo) * i as f64 / GRID as f64)
        .collect();
    let ys: Vec<f64> = xs.iter().map(|x| f(*x)).collect();
    let tol = 1e-9;
    let up = ys.windows(2).all(|w| w[1] >= w[0] - tol);
    let down = ys.windows(2).all(|w| w[1] <= w[0] + tol);
    if !up && !down {
        let turn = (1..GRID)
            .find(|i| (ys[*i] - ys[i - 1]) * (ys[i + 1] - ys[*i]) < 0.0)
            .map(|i| xs[i])
            .unwrap_or(lo);
        return Err(SolveError::NotMonotonic {
            key: vary.name().into(),
            lo,
            hi,
            turn,
        });
    }
    let bracket = xs
        .windows(2)
        .zip(ys.windows(2))
        .find(|(_, y)| (y[0] - target) * (y[1] - target) <= 0.0);
    let Some((x, _)) = bracket else {
        let pct = |v: f64| format!("{:.2}%", v * 100.0);
        return Err(SolveError::Unreachable {
            key: vary.name().into(),
            lo,
            hi,
            target,
            what: "IRR",
            at_lo: pct(ys[0]),
            at_hi: pct(ys[GRID]),
        });
    };
    let (a, b) = (x[0], x[1]);
    let value = irr::brent_root(|v| f(v) - target, a, b, 1e-13);
    let value = if let Vary::Key(k) = vary {
        if k.kind == Kind::Int {
            keys::round_whole(value)
        } else {
            value
        }
    } else {
        value
    };
    vary.apply(base, &mut inp, value);
    let achieved = model::run(&inp);
    let achieved_irr = irr::irr(achieved.series(basis), base.finance.discount_rate);
    Ok(Solution {
        key: vary.name().into(),
        value,
        target,
        basis,
        achieved_irr,
        achieved_prob: None,
        bound: None,
    })
}

/// The smallest value of `vary` in `range` whose IRR is at least the target, or the largest
/// whose IRR is at most it. Where the goal already holds at the end of the range that counts
/// (no subsidy at all, say), that end is the answer and `bound` says so; where it holds nowhere,
/// the error gives the IRR at both ends.
pub fn solve_bound(
    sc: &Scenario,
    vary: Vary,
    goal: Bound,
    basis: Basis,
    range: Option<(f64, f64)>,
) -> Result<Solution, SolveError> {
    let base = &sc.inputs;
    let (lo, hi) = check_range(&vary, base, range)?;
    // the end of the range that counts: the lowest value for "at least", the highest for
    // "at most"
    let (end, target, kind) = match goal {
        Bound::AtLeast(t) => (lo, t, EndOfRange::HoldsAtLowest),
        Bound::AtMost(t) => (hi, t, EndOfRange::HoldsAtHighest),
    };
    let mut inp = base.clone();
    vary.apply(base, &mut inp, end);
    let mut ledger = model::Ledger::default();
    let at_end = irr_for(&inp, basis, &mut ledger);
    let holds = match goal {
        Bound::AtLeast(_) => at_end >= target,
        Bound::AtMost(_) => at_end <= target,
    };
    if !holds {
        return solve_irr(sc, vary, target, basis, Some((lo, hi)));
    }
    Ok(Solution {
        key: vary.name().into(),
        value: end,
        target,
        basis,
        achieved_irr: irr::irr(ledger.series(basis), base.finance.discount_rate),
        achieved_prob: None,
        bound: Some(kind),
    })
}

/// P(IRR ≥ floor) over `paths` Monte Carlo paths with `vary` fixed at `v`; the same seed every
/// time (common random numbers), so the function of `v` is a deterministic step function.
pub fn prob_at_floor(sc: &Scenario, vary: Vary, v: f64, paths: u64, seed: u64) -> f64 {
    let mut s = sc.with_fixed(vary.name(), v);
    // a derived change (residential taken from factory) also moves the factory share
    vary.apply(&sc.inputs, &mut s.inputs, v);
    let out =
        mc::simulate(&s, Settings::basis_only(paths, seed), &Silent).expect("no cancellation");
    let ok = (0..out.irr.len())
        .filter(|i| matches!(out.status(*i), Status::Within | Status::AboveCap))
        .count();
    ok as f64 / paths as f64
}

/// The value of `vary` at which P(IRR ≥ floor) first reaches `p` (bisection to 1e-6 of the range).
pub fn solve_prob(
    sc: &Scenario,
    vary: Vary,
    p: f64,
    range: Option<(f64, f64)>,
    paths: u64,
    seed: u64,
) -> Result<Solution, SolveError> {
    let base = &sc.inputs;
    let (lo, hi) = check_range(&vary, base, range)?;
    let f = |v: f64| prob_at_floor(sc, vary, v, paths, seed);
    let (plo, phi) = (f(lo), f(hi));
    let increasing = phi >= plo;
    let (good, bad) = if increasing { (hi, lo) } else { (lo, hi) };
    if f(good) < p {
        return Err(SolveError::Unreachable {
            key: vary.name().into(),
            lo,
            hi,
            target: p,
            what: "probability of breaking even",
            at_lo: format!("{:.2}%", plo * 100.0),
            at_hi: format!("{:.2}%", phi * 100.0),
        });
    }
    let (mut good, mut bad) = (good, bad);
    if f(bad) >= p {
        good = bad;
    } else {
        while (good - bad).abs() > 1e-6 * (hi - lo) {
            let mid = 0.5 * (good + bad);
            if f(mid) >= p {
                good = mid;
            } else {
                bad = mid;
            }
        }
    }
    let mut inp = base.clone();
    vary.apply(base, &mut inp, good);
    let achieved = model::run(&inp);
    let basis = base.policy.irr_basis;
    Ok(Solution {
        key: vary.name().into(),
        value: good,
        target: p,
        basis,
        achieved_irr: irr::irr(achieved.series(basis), base.finance.discount_rate),
        achieved_prob: Some(f(good)),
        bound: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_rent_for_a_target_irr() {
        let sc = crate::load(
            include_str!("../tests/conformance/01-minimal-lease.toml"),
            &[],
        )
        .unwrap();
        let rent = crate::scenario::keys::find("factory.rent").unwrap().1;
        let s = solve_irr(&sc, Vary::Key(rent), 0.045, Basis::ProjectPreTax, None).unwrap();
        assert!((s.achieved_irr.unwrap() - 0.045).abs() < 1e-9, "{s:?}");
        let e = solve_irr(
            &sc,
            Vary::Key(rent),
            0.9,
            Basis::ProjectPreTax,
            Some((10.0, 40.0)),
        )
        .unwrap_err();
        assert!(matches!(e, SolveError::Unreachable { .. }), "{e}");
    }

    #[test]
    fn a_goal_that_already_holds_answers_with_the_end_of_the_range() {
        let sc = crate::load(
            include_str!("../tests/conformance/01-minimal-lease.toml"),
            &[],
        )
        .unwrap();
        let subsidy = crate::scenario::keys::find("subsidy.construction_per_m2")
            .unwrap()
            .1;
        let b = Basis::ProjectPreTax;
        let base = irr_for(&sc.inputs, b, &mut model::Ledger::default());
        // the floor is already met without subsidy: the smallest subsidy is 0
        let s = solve_bound(
            &sc,
            Vary::Key(subsidy),
            Bound::AtLeast(base - 0.01),
            b,
            None,
        )
        .unwrap();
        assert_eq!((s.value, s.bound), (0.0, Some(EndOfRange::HoldsAtLowest)));
        // a floor above the base IRR needs a subsidy, found at the crossing
        let s = solve_bound(
            &sc,
            Vary::Key(subsidy),
            Bound::AtLeast(base + 0.002),
            b,
            None,
        )
        .unwrap();
        assert!(s.value > 0.0 && s.bound.is_none());
        assert!((s.achieved_irr.unwrap() - (base + 0.002)).abs() < 1e-9);
        // the highest rent keeping the IRR under an unreachable cap is the top of the range
        let rent = crate::scenario::keys::find("factory.rent").unwrap().1;
        let s = solve_bound(
            &sc,
            Vary::Key(rent),
            Bound::AtMost(0.9),
            b,
            Some((1.0, 40.0)),
        )
        .unwrap();
        assert_eq!((s.value, s.bound), (40.0, Some(EndOfRange::HoldsAtHighest)));
    }
}
