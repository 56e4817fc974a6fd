//! Every rule of every shipped policy pack, on a scenario built to pass it and one built to fail
//! it: a new rule on a new quantity will not compile here until it gets a setter.

use shanglou::model;
use shanglou::policy::{self, Facts, Limit, Op, Outcome, Quantity, Rule};
use shanglou::scenario::Inputs;

const BASE: &str = include_str!("conformance/01-minimal-lease.toml");

/// Makes `Facts::value(q)` equal `v` on `inp` (or on the IRR).
fn set(inp: &mut Inputs<f64>, irr: &mut Option<f64>, q: Quantity, v: f64) {
    let m = &mut inp.mix;
    match q {
        Quantity::Irr => *irr = Some(v),
        Quantity::Far => inp.site.far = v,
        Quantity::FactoryShare => {
            (m.factory, m.dormitory, m.supporting, m.residential) =
                (v, (1.0 - v) / 2.0, (1.0 - v) / 2.0, 0.0);
        }
        Quantity::ResidentialShare => {
            (m.factory, m.dormitory, m.supporting, m.residential) = (0.9 - v, 0.05, 0.05, v)
        }
        Quantity::DormitoryToFactory => {
            (m.factory, m.dormitory, m.supporting, m.residential) =
                (0.6, 0.6 * v, 0.4 - 0.6 * v, 0.0)
        }
        Quantity::SupportingDormitoryShare => {
            (m.factory, m.dormitory, m.supporting, m.residential) = (1.0 - v, v / 2.0, v / 2.0, 0.0)
        }
        Quantity::SelfHeldShare => inp.factory.self_held_share = v,
        Quantity::SelfHeldGfaShare => {
            (m.factory, m.dormitory, m.supporting, m.residential) = (1.0, 0.0, 0.0, 0.0);
            inp.factory.self_held_share = v;
        }
        Quantity::FactoryRent => inp.factory.lease.rent = v,
        Quantity::FactoryRentGrowth => inp.factory.lease.rent_growth = v,
        Quantity::LandTermYears => inp.project.land_term_years = v as usize,
        Quantity::Floors => inp.site.floors = Some(v),
        Quantity::HeightM => inp.site.height_m = Some(v),
        Quantity::ConstructionSubsidyPerM2 => inp.subsidy.construction_per_m2 = v,
        Quantity::ConstructionSubsidyAmount => {
            let a = model::areas(inp);
            inp.subsidy.construction_per_m2 = v / a.factory;
            inp.subsidy.construction_cap = None;
        }
        Quantity::BasementSubsidyPerM2 => {
            inp.site.basement_area_m2 = 5000.0;
            inp.subsidy.basement_per_m2 = v;
        }
        Quantity::BasementSubsidyAmount => {
            inp.site.basement_area_m2 = 5000.0;
            inp.subsidy.basement_per_m2 = v / 5000.0;
            inp.subsidy.basement_cap = None;
        }
    }
}

/// (passing value, failing values) for a limit.
fn cases(op: Op, limit: &Limit) -> (f64, Vec<f64>) {
    match (op, limit) {
        (Op::Le, Limit::One(l)) => (l * 0.9, vec![l * 1.1 + 0.01]),
        (Op::Ge, Limit::One(l)) => (l * 1.1 + 0.01, vec![l * 0.9 - 0.01]),
        (Op::Between, Limit::Range([lo, hi])) => {
            ((lo + hi) / 2.0, vec![lo * 0.9 - 0.01, hi * 1.1 + 0.01])
        }
        other => panic!("a rule with {other:?} has no test cases"),
    }
}

fn status(rule: &Rule, inp: &Inputs<f64>, irr: Option<f64>) -> Outcome {
    let areas = model::areas(inp);
    let pack = policy::Pack {
        rules: vec![rule.clone()],
        ..policy::pack("shenzhen-2023").unwrap().clone()
    };
    policy::check(
        &pack,
        &Facts {
            inputs: inp,
            areas: &areas,
            irr,
        },
    )[0]
    .status
}

#[test]
fn every_rule_of_every_pack_passes_and_fails() {
    let base = shanglou::load(BASE, &[]).unwrap().inputs;
    let mut n = 0;
    for pack in policy::packs() {
        for rule in &pack.rules {
            let (pass, fails) = cases(rule.op, &rule.limit);
            let mut inp = base.clone();
            let mut irr = Some(0.03);
            // the alternative of a rule must fail too for the rule to fail
            for c in &rule.alternative {
                let (_, f) = cases(c.op, &c.limit);
                set(&mut inp, &mut irr, c.quantity, f[0]);
            }
            set(&mut inp, &mut irr, rule.quantity, pass);
            assert_eq!(
                status(rule, &inp, irr),
                Outcome::Pass,
                "{} {}: {pass} should pass",
                pack.id,
                rule.id
            );
            for f in fails {
                set(&mut inp, &mut irr, rule.quantity, f);
                assert_eq!(
                    status(rule, &inp, irr),
                    Outcome::Fail,
                    "{} {}: {f} should fail",
                    pack.id,
                    rule.id
                );
            }
            assert!(!rule.article.is_empty());
            n += 1;
        }
    }
    assert!(n >= 25, "{n} rules");
}

#[test]
fn jiaxing_form_rule_passes_through_its_alternative() {
    let pack = policy::pack("jiaxing-2025").unwrap();
    let rule = pack.rules.iter().find(|r| r.id == "JX-FORM").unwrap();
    let mut inp = shanglou::load(BASE, &[]).unwrap().inputs;
    inp.site.far = 2.0;
    inp.site.floors = Some(7.0);
    inp.site.height_m = Some(30.0);
    assert_eq!(
        status(rule, &inp, None),
        Outcome::Pass,
        "FAR 2.0 but 7 floors and 30 m"
    );
    inp.site.height_m = Some(20.0);
    assert_eq!(status(rule, &inp, None), Outcome::Fail);
}

#[test]
fn rules_on_missing_figures_are_not_applicable() {
    let pack = policy::pack("wuhan-2024").unwrap();
    let inp = shanglou::load(BASE, &[]).unwrap().inputs;
    for id in ["WH-FLOORS", "WH-HEIGHT", "WH-SUBSIDY-RATE"] {
        let rule = pack.rules.iter().find(|r| r.id == id).unwrap();
        assert_eq!(status(rule, &inp, None), Outcome::NotApplicable, "{id}");
    }
}
