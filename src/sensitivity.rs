//! Sensitivity as a feasibility study reports it: the 敏感性分析表 (the basis IRR with each input
//! changed by −20 … +20%, its 敏感度系数 and the 临界点 at which the IRR reaches the floor and
//! the cap), a two-way table for the two strongest inputs, the 盈亏平衡分析 (break-even rent,
//! occupancy and sale price with their margins of safety), and the tornado (P10/P90 of each
//! uncertain input). Every point moves an input only within what a scenario file may say:
//! the key's valid range, the rules joining keys, and the pack rules the base passes.

use crate::irr;
use crate::mc::sample::Drawer;
use crate::model;
use crate::policy::{self, Outcome, Quantity};
use crate::scenario::{self, keys, Basis, Inputs, Kind, Scenario, KEYS};
use crate::solve::{irr_for, solve_irr, Vary};
use serde::Serialize;

/// The changes of the table, as shares of the base value.
pub const CHANGES: [f64; 5] = [-0.2, -0.1, 0.0, 0.1, 0.2];

/// The inputs a table shows besides the uncertain ones (when non-zero in the scenario).
const KEY_INPUTS: [&str; 10] = [
    "factory.rent",
    "factory.occupancy",
    "construction.cost_per_m2",
    "land.price",
    "land.other_costs",
    "residential.sale_price",
    "factory.sale_price",
    "subsidy.construction_per_m2",
    "finance.interest_rate",
    "mix.residential",
];

/// A key set to a value, as `--set KEY=VALUE` would set it.
pub type Override = (String, f64);

/// One input moved to one value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    /// The change asked for, as a share of the base (−0.2 = −20%).
    pub change: f64,
    /// The value used: the asked one, or the nearest valid one when `clamped`.
    pub value: f64,
    pub clamped: bool,
    /// The basis IRR there (`None`: the flows have none).
    pub irr: Option<f64>,
    /// Every key this point sets (a mix share moves factory space too): `run --set` of each
    /// reproduces the point.
    pub overrides: Vec<Override>,
}

/// The change at which the IRR reaches a level (临界点).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Critical {
    pub change: f64,
    pub value: f64,
    pub overrides: Vec<Override>,
}

/// One row of the 敏感性分析表.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub key: String,
    pub base: f64,
    pub points: Vec<Point>,
    /// 敏感度系数: (ΔIRR/IRR) / (ΔX/X), from the ±10% points.
    pub coefficient: Option<f64>,
    /// The change at which the IRR reaches the floor (保本) and the cap (微利), within the valid
    /// range of the input; `None` when it is not reached there, or for a whole-number input
    /// (whose IRR moves in steps).
    pub critical_floor: Option<Critical>,
    pub critical_cap: Option<Critical>,
}

/// The IRR over the changes of two inputs (rows: the first, columns: the second).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TwoWay {
    pub keys: [String; 2],
    pub changes: [f64; 5],
    pub irr: Vec<Vec<Option<f64>>>,
}

/// A break-even value (IRR = floor) and how far the base may fall to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakeven {
    pub key: String,
    pub base: f64,
    pub value: f64,
    /// (base − break-even) / base: the share the input may fall and still break even
    /// (negative when the scheme is below the floor and the input must rise).
    pub margin_of_safety: f64,
    /// The scheme breaks even even with this input at zero (the value is then 0).
    pub holds_at_zero: bool,
}

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
    /// The overrides at the low and the high end.
    pub overrides_low: Vec<Override>,
    pub overrides_high: Vec<Override>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tornado {
    pub basis: Basis,
    pub base_irr: f64,
    pub bars: Vec<Bar>,
}

/// The whole analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    pub basis: Basis,
    pub base_irr: Option<f64>,
    pub floor: f64,
    pub cap: f64,
    pub table: Vec<Row>,
    pub two_way: Option<TwoWay>,
    pub breakeven: Vec<Breakeven>,
    pub tornado: Tornado,
}

/// The pack rules other than the IRR ones that the base passes: a point may not break them.
fn passing_rules(sc: &Scenario) -> Vec<String> {
    let Some(pack) = sc.inputs.policy.pack.as_deref().and_then(policy::pack) else {
        return vec![];
    };
    policy::check_structure(pack, &sc.inputs)
        .into_iter()
        .filter(|c| c.status == Outcome::Pass && c.quantity != Quantity::Irr)
        .map(|c| c.id)
        .collect()
}

/// Sets `key` to `v` in a copy of `base` as a file would: a mix share other than factory is
/// taken from (or given to) factory space. `None` when the result is not a valid scenario or
/// breaks a pack rule the base passes.
pub fn apply(
    sc: &Scenario,
    rules: &[String],
    base: &Inputs<f64>,
    key: &str,
    v: f64,
) -> Option<(Inputs<f64>, Vec<Override>)> {
    let (_, spec) = keys::find(key)?;
    let v = if spec.kind == Kind::Int {
        keys::round_whole(v)
    } else {
        v
    };
    if !spec.in_range(v) {
        return None;
    }
    let mut inp = base.clone();
    spec.set(&mut inp, v);
    let mut overrides = vec![(key.to_string(), v)];
    if key.starts_with("mix.") && key != "mix.factory" {
        let old = spec.get(base).unwrap_or(0.0);
        inp.mix.factory = base.mix.factory - (v - old);
        if !(0.0..=1.0).contains(&inp.mix.factory) {
            return None;
        }
        overrides.push(("mix.factory".to_string(), inp.mix.factory));
    }
    if !scenario::cross_checks_of(&inp).is_empty() {
        return None;
    }
    if !rules.is_empty() {
        let pack = sc.inputs.policy.pack.as_deref().and_then(policy::pack)?;
        let broken = policy::check_structure(pack, &inp)
            .into_iter()
            .any(|c| c.status == Outcome::Fail && rules.contains(&c.id));
        if broken {
            return None;
        }
    }
    Some((inp, overrides))
}

/// `apply` at the change `c`, or at the valid change nearest to it on the way from the base.
fn apply_clamped(
    sc: &Scenario,
    rules: &[String],
    key: &str,
    base_value: f64,
    c: f64,
) -> Option<(f64, bool, Inputs<f64>, Vec<Override>)> {
    let at = |c: f64| apply(sc, rules, &sc.inputs, key, base_value * (1.0 + c));
    if let Some((inp, o)) = at(c) {
        return Some((c, false, inp, o));
    }
    // bisect between the base (valid) and c (not) for the furthest valid change
    let (mut good, mut bad) = (0.0, c);
    for _ in 0..40 {
        let mid = 0.5 * (good + bad);
        if at(mid).is_some() {
            good = mid;
        } else {
            bad = mid;
        }
    }
    at(good).map(|(inp, o)| (good, true, inp, o))
}

fn basis_irr(inp: &Inputs<f64>, basis: Basis, ledger: &mut model::Ledger<f64>) -> Option<f64> {
    model::run_into(inp, ledger, model::Need::All);
    irr::irr(ledger.series(basis), inp.finance.discount_rate)
}

/// The change in [lo, hi] at which the IRR of `key` reaches `target`, by bisection on the sign
/// of IRR − target (the IRR as `irr_for` reads it: −0.99 / 10 where none exists).
fn critical(
    sc: &Scenario,
    rules: &[String],
    key: &str,
    base_value: f64,
    (lo, hi): (f64, f64),
    target: f64,
) -> Option<Critical> {
    let basis = sc.inputs.policy.irr_basis;
    let mut ledger = model::Ledger::default();
    let mut f = |c: f64| {
        apply(sc, rules, &sc.inputs, key, base_value * (1.0 + c))
            .map(|(inp, _)| irr_for(&inp, basis, &mut ledger) - target)
    };
    let (mut a, mut b) = (lo, hi);
    let (fa, fb) = (f(a)?, f(b)?);
    if fa == 0.0 {
        b = a;
    } else if fb == 0.0 {
        a = b;
    } else if (fa > 0.0) == (fb > 0.0) {
        return None;
    }
    for _ in 0..80 {
        if (b - a).abs() <= 1e-12 {
            break;
        }
        let m = 0.5 * (a + b);
        let fm = f(m)?;
        if (fm > 0.0) == (fa > 0.0) {
            a = m;
        } else {
            b = m;
        }
    }
    let c = 0.5 * (a + b);
    let (_, overrides) = apply(sc, rules, &sc.inputs, key, base_value * (1.0 + c))?;
    Some(Critical {
        change: c,
        value: base_value * (1.0 + c),
        overrides,
    })
}

/// The furthest valid change from the base towards `limit` (a share of the base value).
fn valid_reach(sc: &Scenario, rules: &[String], key: &str, base_value: f64, limit: f64) -> f64 {
    apply_clamped(sc, rules, key, base_value, limit)
        .map(|(c, ..)| c)
        .unwrap_or(0.0)
}

fn row(sc: &Scenario, rules: &[String], key: &str, base_value: f64, base_irr: Option<f64>) -> Row {
    let basis = sc.inputs.policy.irr_basis;
    let mut ledger = model::Ledger::default();
    let points: Vec<Point> = CHANGES
        .iter()
        .map(|&c| match apply_clamped(sc, rules, key, base_value, c) {
            Some((used, clamped, inp, overrides)) => Point {
                change: c,
                value: base_value * (1.0 + used),
                clamped,
                irr: basis_irr(&inp, basis, &mut ledger),
                overrides,
            },
            None => Point {
                change: c,
                value: base_value,
                clamped: true,
                irr: base_irr,
                overrides: vec![],
            },
        })
        .collect();
    // 敏感度系数 from the ±10% points, when both moved the input
    let coefficient = match (base_irr, &points[1], &points[3]) {
        (Some(r0), lo, hi) if r0 != 0.0 && !lo.clamped && !hi.clamped => match (lo.irr, hi.irr) {
            (Some(a), Some(b)) => Some(((b - a) / r0) / 0.2),
            _ => None,
        },
        _ => None,
    };
    let range = (
        valid_reach(sc, rules, key, base_value, -0.99),
        valid_reach(sc, rules, key, base_value, 3.0),
    );
    let pol = &sc.inputs.policy;
    // a whole-number input moves the IRR in steps: no value of it lands on a level
    let continuous = keys::find(key).is_some_and(|(_, s)| s.kind == Kind::Real);
    let at = |level: f64| {
        continuous
            .then(|| critical(sc, rules, key, base_value, range, level))
            .flatten()
    };
    Row {
        key: key.to_string(),
        base: base_value,
        coefficient,
        critical_floor: at(pol.irr_floor),
        critical_cap: at(pol.irr_cap),
        points,
    }
}

/// The keys of the table: the uncertain inputs, then the key inputs (with `all`, every
/// non-zero numeric key), each once and only when its base value is not zero.
fn table_keys(sc: &Scenario, all: bool) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = sc.uncertain.iter().map(|u| KEYS[u.key].name).collect();
    let extra: Vec<&'static str> = if all {
        KEYS.iter().map(|k| k.name).collect()
    } else {
        KEY_INPUTS.to_vec()
    };
    for k in extra {
        if !out.contains(&k) && !matches!(k, "project.start_year" | "mix.factory") {
            out.push(k);
        }
    }
    out.retain(|k| {
        keys::find(k)
            .and_then(|(_, s)| s.get(&sc.inputs))
            .is_some_and(|v| v != 0.0)
    });
    out
}

/// The break-even rent, occupancy and sale prices: the value at which the basis IRR reaches the
/// floor, below the base (or above it when the scheme is below the floor); an input the scheme
/// breaks even without is reported at 0 with a 100% margin.
fn breakeven(sc: &Scenario) -> Vec<Breakeven> {
    let mut out = Vec::new();
    for key in [
        "factory.rent",
        "factory.occupancy",
        "residential.sale_price",
        "factory.sale_price",
    ] {
        let Some((_, spec)) = keys::find(key) else {
            continue;
        };
        let Some(base) = spec.get(&sc.inputs).filter(|v| *v > 0.0) else {
            continue;
        };
        let pol = &sc.inputs.policy;
        let mut ledger = model::Ledger::default();
        let irr_at = |v: f64, ledger: &mut model::Ledger<f64>| {
            let mut inp = sc.inputs.clone();
            spec.set(&mut inp, v);
            irr_for(&inp, pol.irr_basis, ledger)
        };
        // below the floor already: the break-even lies above the base
        let range = if irr_at(base, &mut ledger) < pol.irr_floor {
            (base, (base * 10.0).min(spec.hi))
        } else if irr_at(0.0, &mut ledger) >= pol.irr_floor {
            out.push(Breakeven {
                key: key.to_string(),
                base,
                value: 0.0,
                margin_of_safety: 1.0,
                holds_at_zero: true,
            });
            continue;
        } else {
            (0.0, base)
        };
        if let Ok(s) = solve_irr(
            sc,
            Vary::Key(spec),
            pol.irr_floor,
            pol.irr_basis,
            Some(range),
        ) {
            out.push(Breakeven {
                key: key.to_string(),
                base,
                value: s.value,
                margin_of_safety: (base - s.value) / base,
                holds_at_zero: false,
            });
        }
    }
    out
}

/// The tornado: uncertain inputs at P10 / P90 (clamped into what a file may say), and with
/// `all` every other row of the table at ±10%; largest swing first, `top` bars at most.
fn tornado_of(sc: &Scenario, rules: &[String], table: &[Row], top: usize) -> Tornado {
    let basis = sc.inputs.policy.irr_basis;
    let mut ledger = model::Ledger::default();
    let base_irr = irr_for(&sc.inputs, basis, &mut ledger);
    let mut bars = Vec::new();
    for u in &sc.uncertain {
        let spec = &KEYS[u.key];
        let base = spec.get(&sc.inputs).unwrap_or(0.0);
        let d = Drawer::new(&u.dist);
        let mut end = |q: f64| {
            let v = d.from_u(q).clamp(spec.lo, spec.hi);
            apply(sc, rules, &sc.inputs, spec.name, v)
                .map(|(inp, o)| (v, irr_for(&inp, basis, &mut ledger), o))
        };
        if let (Some(lo), Some(hi)) = (end(0.1), end(0.9)) {
            bars.push(Bar {
                key: spec.name.into(),
                spread: "p10-p90",
                low: lo.0,
                high: hi.0,
                base,
                irr_low: lo.1,
                irr_high: hi.1,
                swing: (hi.1 - lo.1).abs(),
                overrides_low: lo.2,
                overrides_high: hi.2,
            });
        }
    }
    for r in table {
        if bars.iter().any(|b| b.key == r.key) {
            continue;
        }
        let (lo, hi) = (&r.points[1], &r.points[3]);
        if let (Some(a), Some(b)) = (lo.irr, hi.irr) {
            bars.push(Bar {
                key: r.key.clone(),
                spread: "±10%",
                low: lo.value,
                high: hi.value,
                base: r.base,
                irr_low: a,
                irr_high: b,
                swing: (b - a).abs(),
                overrides_low: lo.overrides.clone(),
                overrides_high: hi.overrides.clone(),
            });
        }
    }
    bars.sort_by(|a, b| b.swing.total_cmp(&a.swing).then(a.key.cmp(&b.key)));
    bars.truncate(top);
    Tornado {
        basis,
        base_irr,
        bars,
    }
}

/// The full sensitivity analysis of a scenario; `all` adds every fixed input to the table and
/// the tornado, `top` bounds the tornado.
pub fn analyse(sc: &Scenario, all: bool, top: usize) -> Analysis {
    let basis = sc.inputs.policy.irr_basis;
    let rules = passing_rules(sc);
    let mut ledger = model::Ledger::default();
    let base_irr = basis_irr(&sc.inputs, basis, &mut ledger);
    let keys = table_keys(sc, all);
    let table: Vec<Row> = keys
        .iter()
        .map(|k| {
            let base = keys::find(k)
                .and_then(|(_, s)| s.get(&sc.inputs))
                .unwrap_or(0.0);
            row(sc, &rules, k, base, base_irr)
        })
        .collect();
    // the two-way table for the two inputs with the largest coefficients
    let mut strongest: Vec<&Row> = table.iter().filter(|r| r.coefficient.is_some()).collect();
    strongest.sort_by(|a, b| {
        b.coefficient
            .unwrap_or(0.0)
            .abs()
            .total_cmp(&a.coefficient.unwrap_or(0.0).abs())
    });
    let two_way = (strongest.len() >= 2).then(|| {
        let (a, b) = (strongest[0], strongest[1]);
        let irr = CHANGES
            .iter()
            .map(|ca| {
                CHANGES
                    .iter()
                    .map(|cb| {
                        let (first, _) =
                            apply(sc, &rules, &sc.inputs, &a.key, a.base * (1.0 + ca))?;
                        let (both, _) = apply(sc, &rules, &first, &b.key, b.base * (1.0 + cb))?;
                        basis_irr(&both, basis, &mut ledger)
                    })
                    .collect()
            })
            .collect();
        TwoWay {
            keys: [a.key.clone(), b.key.clone()],
            changes: CHANGES,
            irr,
        }
    });
    let tornado = tornado_of(sc, &rules, &table, top);
    Analysis {
        basis,
        base_irr,
        floor: sc.inputs.policy.irr_floor,
        cap: sc.inputs.policy.irr_cap,
        table,
        two_way,
        breakeven: breakeven(sc),
        tornado,
    }
}

/// The tornado alone (the HTML report and the fuzz target draw it): uncertain inputs at
/// P10 / P90, and with `all` the ±10% rows of the table.
pub fn tornado(sc: &Scenario, all: bool) -> Tornado {
    if all {
        return analyse(sc, true, usize::MAX).tornado;
    }
    tornado_of(sc, &passing_rules(sc), &[], usize::MAX)
}
