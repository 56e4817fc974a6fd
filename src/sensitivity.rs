//! One-at-a-time sensitivity for the tornado chart: the basis IRR with each input at its low
//! and high value (P10 / P90 of its distribution, or ±10% for fixed inputs) and the others at base.

use crate::mc::sample::Drawer;
use crate::model;
use crate::scenario::{Basis, Scenario, KEYS};
use crate::solve::irr_for;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bar {
    pub key: String,
    /// "p10-p90" or "±10%".
    pub spread: &'static str,
    pub low: f64,
    pub high: f64,
    pub base: f64,
    pub irr_low: f64,
    pub irr_high: f64,
    pub swing: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tornado {
    pub basis: Basis,
    pub base_irr: f64,
    pub bars: Vec<Bar>,
}

/// Inputs that are uncertain (P10/P90), and with `all` every other non-zero numeric input at
/// ±10%. Bars are sorted by swing, largest first.
pub fn tornado(sc: &Scenario, all: bool) -> Tornado {
    let base = &sc.inputs;
    let basis = base.policy.irr_basis;
    let mut ledger = model::Ledger::default();
    let base_irr = irr_for(base, basis, &mut ledger);
    let mut bars = Vec::new();
    let mut inp = base.clone();
    let mut eval = |key: usize, v: f64, inp: &mut crate::scenario::Inputs<f64>| {
        KEYS[key].set(inp, v.clamp(KEYS[key].lo, KEYS[key].hi));
        let r = irr_for(inp, basis, &mut ledger);
        *inp = base.clone();
        r
    };
    for u in &sc.uncertain {
        let d = Drawer::new(&u.dist);
        let spec = &KEYS[u.key];
        let (low, high) = (
            d.from_u(0.1).clamp(spec.lo, spec.hi),
            d.from_u(0.9).clamp(spec.lo, spec.hi),
        );
        let (irr_low, irr_high) = (eval(u.key, low, &mut inp), eval(u.key, high, &mut inp));
        bars.push(Bar {
            key: spec.name.into(),
            spread: "p10-p90",
            low,
            high,
            base: spec.get(base).unwrap_or(0.0),
            irr_low,
            irr_high,
            swing: (irr_high - irr_low).abs(),
        });
    }
    if all {
        for (k, spec) in KEYS.iter().enumerate() {
            if sc.uncertain.iter().any(|u| u.key == k) || spec.name == "project.start_year" {
                continue;
            }
            let Some(v) = spec.get(base).filter(|v| *v != 0.0) else {
                continue;
            };
            let (low, high) = (v * 0.9, v * 1.1);
            let (irr_low, irr_high) = (eval(k, low, &mut inp), eval(k, high, &mut inp));
            bars.push(Bar {
                key: spec.name.into(),
                spread: "±10%",
                low,
                high,
                base: v,
                irr_low,
                irr_high,
                swing: (irr_high - irr_low).abs(),
            });
        }
    }
    bars.sort_by(|a, b| b.swing.total_cmp(&a.swing).then(a.key.cmp(&b.key)));
    Tornado {
        basis,
        base_irr,
        bars,
    }
}
