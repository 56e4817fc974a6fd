//! Every rule of every shipped policy pack at its limit and just past it, citing its article:
//! a binding rule passes exactly at the limit and is breached just beyond; an advisory rule is
//! never a failure. A new rule on a new quantity will not compile here until it gets a setter.

use shanglou::model;
use shanglou::policy::{
    self, BasisFlows, Facts, Limit, Op, Outcome, Quantity, Rule, RuleKind, WhenKey,
};
use shanglou::scenario::{Grant, Inputs, Location, ProjectKind};

const BASE: &str = include_str!("conformance/01-minimal-lease.toml");

/// A two-flow series whose IRR is `r` exactly: −1 now, 1 + r a year on.
fn flows_with_irr(r: f64) -> BasisFlows {
    BasisFlows {
        flows: vec![-1.0, 1.0 + r],
        irr: Some(r),
    }
}

/// Makes `Facts::value(q)` equal `v` on `inp` (or on the IRR).
fn set(inp: &mut Inputs<f64>, basis: &mut BasisFlows, q: Quantity, v: f64) {
    let m = &mut inp.mix;
    match q {
        Quantity::Irr => *basis = flows_with_irr(v),
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
        Quantity::LandAreaM2 => inp.site.land_area_m2 = v,
        Quantity::Floors => inp.site.floors = Some(v),
        Quantity::HeightM => inp.site.height_m = Some(v),
        Quantity::InfrastructureFeePerM2 => inp.construction.infrastructure_fee_per_m2 = v,
        Quantity::ConstructionSubsidyPerM2 => inp.subsidy.construction_per_m2 = v,
        Quantity::ConstructionSubsidyPerFactoryM2 => {
            inp.subsidy.construction_base = shanglou::scenario::SubsidyBase::Factory;
            inp.subsidy.construction_per_m2 = v;
            inp.subsidy.construction_cap = None;
        }
        Quantity::ConstructionSubsidyAmount => {
            let a = model::areas(inp);
            inp.subsidy.construction_base = shanglou::scenario::SubsidyBase::Factory;
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
        Quantity::FarNetOfSplitSale => {
            // sell half the factory space and set the FAR so that far − A_fs/land = v
            inp.site.land_area_m2 = 20_000.0;
            (m.factory, m.dormitory, m.supporting, m.residential) = (0.8, 0.1, 0.1, 0.0);
            inp.factory.self_held_share = 0.5;
            inp.factory.resettlement_share = 0.0;
            // A_fs / land = far × 0.8 × 0.5 = 0.4 far, so far − 0.4 far = v
            inp.site.far = v / 0.6;
        }
        Quantity::SplitSaleLandAreaM2 => {
            inp.factory.self_held_share = 0.5;
            inp.factory.resettlement_share = 0.0;
            inp.site.land_area_m2 = v;
        }
    }
}

/// The value just past a limit, on the breaching side: a whole step for whole-number
/// quantities, else a relative 1e-6.
fn past(q: Quantity, v: f64, up: bool) -> f64 {
    let whole = matches!(q, Quantity::Floors | Quantity::LandTermYears);
    let step = if whole { 1.0 } else { 1e-6 * v.abs().max(1.0) };
    if up {
        v + step
    } else {
        v - step
    }
}

/// (the limit values to pass at, the values just past them)
fn cases(q: Quantity, op: Op, limit: &Limit) -> (Vec<f64>, Vec<f64>) {
    match (op, limit) {
        (Op::Le, Limit::One(l)) => (vec![*l], vec![past(q, *l, true)]),
        (Op::Ge, Limit::One(l)) => (vec![*l], vec![past(q, *l, false)]),
        (Op::Between, Limit::Range([lo, hi])) => (
            vec![*lo, *hi],
            vec![past(q, *lo, false), past(q, *hi, true)],
        ),
        other => panic!("a rule with {other:?} has no test cases"),
    }
}

/// Makes every `when` condition of the rule hold.
fn satisfy_when(rule: &Rule, inp: &mut Inputs<f64>) {
    for w in &rule.when {
        let word = w.is.first().cloned().unwrap_or_else(|| {
            // "not X": any other value
            match w.key {
                WhenKey::ProjectKind => ["urban_renewal", "new_supply"]
                    .into_iter()
                    .find(|k| !w.not.iter().any(|n| n == k))
                    .unwrap()
                    .to_string(),
                _ => unreachable!("no `not` on {:?}", w.key),
            }
        });
        match w.key {
            WhenKey::ProjectKind => {
                inp.project.kind = Some(match word.as_str() {
                    "urban_renewal" => ProjectKind::UrbanRenewal,
                    "new_supply" => ProjectKind::NewSupply,
                    "land_preparation" => ProjectKind::LandPreparation,
                    "retained_land" => ProjectKind::RetainedLand,
                    w => panic!("{w}"),
                })
            }
            WhenKey::RentOnly => inp.project.rent_only = Some(word == "true"),
            WhenKey::Location => {
                inp.site.location = Some(if word == "city" {
                    Location::City
                } else {
                    Location::County
                })
            }
            WhenKey::Grant => {
                inp.land.grant = Some(if word == "flexible" {
                    Grant::Flexible
                } else {
                    Grant::Standard
                })
            }
        }
    }
}

fn status(rule: &Rule, inp: &Inputs<f64>, basis: &BasisFlows) -> Outcome {
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
            basis: Some(basis),
        },
    )[0]
    .status
}

#[test]
fn every_binding_rule_passes_at_its_limit_and_is_breached_just_past_it() {
    let base = shanglou::load(BASE, &[]).unwrap().inputs;
    let mut n = 0;
    for pack in policy::packs() {
        for rule in &pack.rules {
            let (at, beyond) = cases(rule.quantity, rule.op, &rule.limit);
            let mut inp = base.clone();
            let mut basis = flows_with_irr(0.03);
            satisfy_when(rule, &mut inp);
            // the alternative of a rule must fail too for the rule to fail
            for c in &rule.alternative {
                let (l, _) = cases(c.quantity, c.op, &c.limit);
                let (_, f) = cases(c.quantity, c.op, &Limit::One(l[0]));
                set(&mut inp, &mut basis, c.quantity, f[0]);
            }
            let cite = format!(
                "{} {} ({} {})",
                pack.id, rule.id, pack.document, rule.article
            );
            for v in at {
                set(&mut inp, &mut basis, rule.quantity, v);
                assert_eq!(
                    status(rule, &inp, &basis),
                    Outcome::Pass,
                    "{cite}: exactly at the limit {v} passes"
                );
            }
            let want = match rule.kind {
                RuleKind::Advisory => Outcome::Advisory,
                RuleKind::Binding | RuleKind::InPrinciple => Outcome::Fail,
            };
            for v in beyond {
                set(&mut inp, &mut basis, rule.quantity, v);
                assert_eq!(
                    status(rule, &inp, &basis),
                    want,
                    "{cite}: {v}, just past the limit"
                );
            }
            n += 1;
        }
    }
    assert!(n >= 35, "{n} rules");
}

#[test]
fn advisory_rules_never_fail_check() {
    let mut n = 0;
    for pack in policy::packs() {
        for rule in pack.rules.iter().filter(|r| r.kind == RuleKind::Advisory) {
            let mut inp = shanglou::load(BASE, &[]).unwrap().inputs;
            satisfy_when(rule, &mut inp);
            let mut basis = flows_with_irr(0.03);
            // far past the limit in the failing direction
            let (_, beyond) = cases(rule.quantity, rule.op, &rule.limit);
            let far = match rule.op {
                Op::Le => beyond[0] * 10.0 + 100.0,
                _ => 0.0,
            };
            set(&mut inp, &mut basis, rule.quantity, far);
            let s = status(rule, &inp, &basis);
            assert_ne!(s, Outcome::Fail, "{} {}", pack.id, rule.id);
            assert_eq!(s, Outcome::Advisory, "{} {}", pack.id, rule.id);
            n += 1;
        }
    }
    assert!(n >= 3, "{n} advisory rules");
}

#[test]
fn jiaxing_far_rule_passes_through_its_alternative() {
    let pack = policy::pack("jiaxing-2025").unwrap();
    let rule = pack.rules.iter().find(|r| r.id == "JX-FAR").unwrap();
    let mut inp = shanglou::load(BASE, &[]).unwrap().inputs;
    let basis = flows_with_irr(0.03);
    inp.site.far = 2.0;
    inp.site.floors = Some(7.0);
    inp.site.height_m = Some(30.0);
    assert_eq!(
        status(rule, &inp, &basis),
        Outcome::Pass,
        "FAR 2.0 but 7 floors and 30 m"
    );
    inp.site.height_m = Some(20.0);
    assert_eq!(status(rule, &inp, &basis), Outcome::Fail);
}

#[test]
fn rules_on_missing_figures_are_not_applicable_and_name_the_key() {
    let inp = shanglou::load(BASE, &[]).unwrap().inputs;
    let wuhan = policy::pack("wuhan-2024").unwrap();
    let rows = policy::check_inputs(wuhan, &inp);
    let row = |id: &str| rows.iter().find(|r| r.id == id).unwrap();
    assert_eq!(row("WH-FLOORS").status, Outcome::NotApplicable);
    assert_eq!(row("WH-FLOORS").missing.as_deref(), Some("site.floors"));
    // no subsidy claimed: nothing to check, and no key would change that
    assert_eq!(row("WH-SUBSIDY-RATE").status, Outcome::NotApplicable);
    // a rule for one kind of project names project.kind when the scenario does not say
    let sz = policy::pack("shenzhen-2023").unwrap();
    let rows = policy::check_inputs(sz, &inp);
    let r = rows.iter().find(|r| r.id == "SZ-UR-SELF-HELD").unwrap();
    assert_eq!(
        (r.status, r.missing.as_deref()),
        (Outcome::NotApplicable, Some("project.kind"))
    );
    let r = rows
        .iter()
        .find(|r| r.id == "SZ-RENT-ONLY-SELF-HELD")
        .unwrap();
    assert_eq!(r.missing.as_deref(), Some("project.rent_only"));
    // Jiaxing's 30-year limit binds flexible-term grants only
    let jx = policy::pack("jiaxing-2025").unwrap();
    let mut long = inp.clone();
    long.project.land_term_years = 50;
    let flex = |g: Option<Grant>| {
        let mut i = long.clone();
        i.land.grant = g;
        policy::check_inputs(jx, &i)
            .into_iter()
            .find(|r| r.id == "JX-FLEX-TERM")
            .unwrap()
    };
    assert_eq!(flex(None).missing.as_deref(), Some("land.grant"));
    assert_eq!(flex(Some(Grant::Standard)).status, Outcome::NotApplicable);
    assert_eq!(flex(Some(Grant::Flexible)).status, Outcome::Fail);
}

#[test]
fn ningbo_checks_the_city_figure_when_the_location_is_not_given() {
    let nb = policy::pack("ningbo-2023").unwrap();
    let mut inp = shanglou::load(BASE, &[]).unwrap().inputs;
    inp.site.far = 1.8;
    let rule = |inp: &Inputs<f64>, id: &str| {
        policy::check_inputs(nb, inp)
            .into_iter()
            .find(|r| r.id == id)
            .unwrap()
    };
    let city = rule(&inp, "NB-FAR-CITY");
    assert_eq!(city.status, Outcome::Fail);
    assert!(city
        .notes
        .iter()
        .any(|n| n.contains("site.location not given")));
    assert!(city.notes.iter().any(|n| n.contains("exception")), "原则上");
    assert_eq!(
        rule(&inp, "NB-FAR-COUNTY").missing.as_deref(),
        Some("site.location")
    );
    inp.site.location = Some(Location::County);
    assert_eq!(rule(&inp, "NB-FAR-COUNTY").status, Outcome::Pass);
    assert_eq!(rule(&inp, "NB-FAR-CITY").status, Outcome::NotApplicable);
}

#[test]
fn a_scheme_that_never_recovers_breaches_break_even_rather_than_being_na() {
    let sz = policy::pack("shenzhen-2023").unwrap();
    let rule = sz.rules.iter().find(|r| r.id == "SZ-BREAK-EVEN").unwrap();
    let inp = shanglou::load(BASE, &[]).unwrap().inputs;
    // all outflows: no IRR at all
    let never = BasisFlows {
        flows: vec![-100.0, -5.0, -5.0],
        irr: None,
    };
    assert_eq!(status(rule, &inp, &never), Outcome::Fail);
}
