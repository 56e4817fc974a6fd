//! Invariants of the model and the IRR solver, on generated scenarios and flows.

mod common;

use proptest::prelude::*;
use shanglou::irr;
use shanglou::metrics;
use shanglou::scenario::Override;

fn pre_tax_irr(src: &str, sets: &[&str]) -> Option<(f64, bool)> {
    let ov: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    let sc = shanglou::load(src, &ov).unwrap();
    let (_, s) = metrics::evaluate(&sc.inputs);
    s.irr
        .project_pre_tax
        .map(|r| (r, s.irr_detail.project_pre_tax.multiple_roots))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64), .. ProptestConfig::default() })]

    #[test]
    fn npv_at_the_irr_is_zero(g in common::gen()) {
        let sc = shanglou::load(&common::scenario(&g), &[]).unwrap();
        let (ledger, s) = metrics::evaluate(&sc.inputs);
        for b in shanglou::scenario::Basis::ALL {
            let flows: Vec<f64> = ledger.series(b).iter().map(|d| shanglou::num::Num::to_f64(*d)).collect();
            let scale = flows.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            if let Some(r) = *s.irr.get(b) {
                prop_assert!(irr::pv(&flows, r).abs() <= 1e-7 * scale, "{b:?} r={r} pv={}", irr::pv(&flows, r));
            }
        }
    }

    /// The exact ledger is fixed point: every amount it books carries at most MONEY_DP places,
    /// so each year's pre-tax flow is its inflows less its outflows to the last digit.
    #[test]
    fn every_booked_amount_has_the_money_scale(g in common::gen()) {
        let sc = shanglou::load(&common::scenario(&g), &[]).unwrap();
        let (l, _) = metrics::evaluate(&sc.inputs);
        assert_money_scale(&l);
    }

    #[test]
    fn more_rent_never_lowers_the_pre_tax_irr(g in common::gen(), extra in 0.5f64..10.0) {
        let src = common::scenario(&g);
        let up = format!("factory.rent={}", g.rent + extra);
        if let (Some((a, false)), Some((b, false))) = (pre_tax_irr(&src, &[]), pre_tax_irr(&src, &[&up])) {
            prop_assert!(b >= a - 1e-9, "rent {} → {}: IRR {a} → {b}", g.rent, g.rent + extra);
        }
    }

    #[test]
    fn more_subsidy_never_lowers_the_pre_tax_irr(g in common::gen(), extra in 10.0f64..500.0) {
        let src = common::scenario(&g);
        let up = format!("subsidy.construction_per_m2={}", g.subsidy + extra);
        if let (Some((a, false)), Some((b, false))) = (pre_tax_irr(&src, &[]), pre_tax_irr(&src, &[&up])) {
            prop_assert!(b >= a - 1e-9, "subsidy {} → {}: IRR {a} → {b}", g.subsidy, g.subsidy + extra);
        }
    }

    #[test]
    fn solver_roots_are_roots(flows in prop::collection::vec(-1e9f64..1e9, 2..60)) {
        let d = irr::irr_detail(&flows, 0.045);
        let scale = flows.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        for r in &d.roots {
            prop_assert!(*r > irr::R_MIN && *r < irr::R_MAX);
            // NPV is steep near r = -0.99; compare in the overflow-safe scaled form
            let v = if *r >= 0.0 { irr::pv(&flows, *r) } else { irr::pv(&flows, *r) * (1.0 + r).powi(flows.len() as i32 - 1) };
            let slope_scale = scale * flows.len() as f64 * flows.len() as f64;
            prop_assert!(v.abs() <= 1e-9 * slope_scale, "root {r}: {v}");
        }
        if let Some(r) = d.irr {
            prop_assert!(d.roots.contains(&r));
        }
        prop_assert_eq!(d.multiple_roots, d.roots.len() > 1);
    }

    /// Monte Carlo's fast path (Newton, accepted only when the root is proven alone) never
    /// answers differently from the full solver, on series shaped like a sold-then-settled
    /// scheme (outlays, sales, a settlement outflow, then rents) and on arbitrary ones.
    #[test]
    fn the_fast_path_agrees_with_the_full_solver(
        build in prop::collection::vec(-2e9f64..-1e6, 1..4),
        sales in prop::collection::vec(0.0f64..2e9, 0..4),
        settle in -1e9f64..0.0,
        rent in 1e6f64..1e8,
        growth in -0.05f64..0.08,
        years in 5usize..60,
        noise in prop::collection::vec(-1e9f64..1e9, 0..60),
        guess in -0.5f64..0.5,
        arbitrary in any::<bool>(),
    ) {
        let flows: Vec<f64> = if arbitrary && noise.len() >= 2 {
            noise
        } else {
            let mut f = build.clone();
            f.extend(&sales);
            f.push(settle);
            f.extend((0..years).map(|k| rent * (1.0 + growth).powi(k as i32)));
            f
        };
        let fast = irr::irr_guess(&flows, 0.045, guess);
        let full = irr::irr_detail(&flows, 0.045);
        match (fast, full.irr) {
            (None, None) => {}
            (Some(a), Some(b)) => prop_assert!((a - b).abs() <= 1e-9 * (1.0 + b.abs()), "{a} vs {b}: {:?}", full.roots),
            (a, b) => prop_assert!(false, "fast {a:?}, full {b:?}, roots {:?}", full.roots),
        }
    }

    #[test]
    fn conventional_flows_have_one_root(inv in 1.0f64..1e12, n in 2usize..60, cf in 0.01f64..0.5) {
        let mut flows = vec![-inv];
        flows.extend(std::iter::repeat_n(inv * cf, n));
        let d = irr::irr_detail(&flows, 0.045);
        prop_assert!(!d.multiple_roots);
        if let Some(r) = d.irr {
            prop_assert!(irr::pv(&flows, r).abs() <= 1e-9 * inv * n as f64);
        }
    }
}

/// Inputs the fuzzer or a reviewer found hostile: each must end in a value or an error.
#[test]
fn fuzz_regressions_never_panic() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        shanglou::fuzzing::scenario_bytes(&std::fs::read(&p).unwrap());
        n += 1;
    }
    // SHANGLOU_FUZZ_CORPUS=fuzz/corpus/scenario replays a whole fuzzing corpus in this (debug,
    // overflow-checked) build: the fuzzer itself runs optimised, where overflow wraps silently
    if let Ok(extra) = std::env::var("SHANGLOU_FUZZ_CORPUS") {
        for e in std::fs::read_dir(extra).unwrap() {
            let p = e.unwrap().path();
            eprintln!("{}", p.display());
            shanglou::fuzzing::scenario_bytes(&std::fs::read(&p).unwrap());
        }
    }
    assert!(n >= 15, "{n} regression inputs");
}

/// The text of every shipped scenario.
fn shipped_scenarios() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    v.sort();
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    /// `check`'s IRR rules and `run`'s verdict never disagree: a breach of the cap rule is an
    /// above-cap verdict, a breach of the break-even rule a below-floor one, on every shipped
    /// scenario and on random perturbations of it.
    #[test]
    fn check_irr_rules_and_the_verdict_never_disagree(
        which in 0usize..7,
        rent in 0.2f64..2.5,
        cost in 0.4f64..3.0,
        sale in 0.2f64..2.0,
        subsidy in 0.0f64..3.0,
    ) {
        use shanglou::metrics::Status;
        use shanglou::policy::{self, Outcome, Quantity, Op};
        let all = shipped_scenarios();
        let src = &all[which % all.len()];
        let mut inp = shanglou::load(src, &[]).unwrap().inputs;
        inp.factory.lease.rent *= rent;
        inp.construction.cost_per_m2 *= cost;
        inp.residential.sale_price *= sale;
        inp.factory.sale_price *= sale;
        inp.subsidy.construction_per_m2 *= subsidy;
        let (_, summary) = metrics::evaluate(&inp);
        let Some(pack) = inp.policy.pack.as_deref().and_then(policy::pack) else { return Ok(()) };
        for r in policy::check_inputs(pack, &inp) {
            if r.quantity != Quantity::Irr || r.status == Outcome::NotApplicable {
                continue;
            }
            let v = summary.verdict.status;
            match r.op {
                Op::Le => prop_assert_eq!(
                    r.status == Outcome::Fail,
                    v == Status::AboveCap,
                    "{}: {:?} vs verdict {:?}", r.id, r.status, v
                ),
                Op::Ge => prop_assert_eq!(
                    r.status == Outcome::Fail,
                    v == Status::BelowFloor,
                    "{}: {:?} vs verdict {:?}", r.id, r.status, v
                ),
                Op::Between => {}
            }
            // never n/a for a scheme whose flows do not recover
            if v == Status::BelowFloor && r.op == Op::Ge {
                prop_assert_eq!(r.status, Outcome::Fail);
            }
        }
    }
}

/// Every column value at most MONEY_DP places, and the pre-tax flow exactly inflows − outflows.
fn assert_money_scale(l: &shanglou::model::Ledger<rust_decimal::Decimal>) {
    use shanglou::num::MONEY_DP;
    for (name, col) in shanglou::model::COLUMNS.iter().zip(l.columns()) {
        for (t, v) in col.iter().enumerate() {
            assert!(
                v.scale() <= MONEY_DP,
                "{name}[{t}] = {v} has {} places",
                v.scale()
            );
        }
    }
    for t in 0..l.years() {
        let inflow = l.rent_factory[t]
            + l.rent_dormitory[t]
            + l.rent_supporting[t]
            + l.sales_factory[t]
            + l.sales_residential[t]
            + l.subsidy[t]
            + l.terminal_value[t];
        let outflow = l.vat[t]
            + l.surcharges[t]
            + l.property_tax[t]
            + l.land_use_tax[t]
            + l.lat[t]
            + l.opex[t]
            + l.land[t]
            + l.construction[t];
        assert_eq!(l.cf_pre_tax[t], inflow - outflow, "t = {t}");
        // an exact sum: adding the items back in another order gives the same digits
        assert_eq!(l.cf_pre_tax[t] + outflow, inflow, "t = {t}");
    }
    // ΣIVb is exactly the construction credits the VAT stage books (the opex part aside)
    let booked: rust_decimal::Decimal = (0..l.years())
        .map(|t| l.vat_input[t] - l.vat_input_opex[t])
        .sum();
    assert_eq!(booked, l.costs.input_vat_build, "ΣIVb");
}

/// The shipped scenarios and the conformance vectors, each at the money scale.
#[test]
fn shipped_and_conformance_ledgers_have_the_money_scale() {
    let mut seen = 0;
    for dir in ["scenarios", "tests/conformance"] {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "toml") {
                let src = std::fs::read_to_string(&p).unwrap();
                let sc = shanglou::load(&src, &[]).unwrap();
                let (l, _) = metrics::evaluate(&sc.inputs);
                assert_money_scale(&l);
                seen += 1;
            }
        }
    }
    assert!(seen >= 17, "found the scenarios ({seen})");
}
