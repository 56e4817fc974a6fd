//! Numerical edge cases of the model (docs/model.md) and the solver, each with the outcome it must have.

use shanglou::irr::{self, Reason};
use shanglou::metrics::{self, Status};

const BASE: &str = "[project]\nstart_year = 2025\nland_term_years = 30\n[site]\nland_area_m2 = 20000\nfar = 3.0\n[mix]\nfactory = 1.0\n[construction]\nschedule = [0.4, 0.6]\ncost_per_m2 = 5000\n[factory]\nrent = 28\noccupancy = 0.9\n";

fn problems(src: &str) -> String {
    shanglou::load(src, &[])
        .unwrap_err()
        .problems
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn all_negative_flows_have_no_irr() {
    let d = irr::irr_detail(&[-5.0, -1.0, 0.0, -3.0], 0.045);
    assert_eq!(
        (d.irr, d.reason, d.descartes_bound),
        (None, Some(Reason::NoSignChange), 0)
    );
    assert_eq!(
        metrics::verdict(&[-5.0, -1.0], 0.0, 0.045),
        Status::BelowFloor
    );
    assert_eq!(metrics::verdict(&[0.0, 0.0], 0.0, 0.045), Status::Undefined);
}

#[test]
fn irr_near_minus_99_percent_and_above_100_percent() {
    // −100 then 1.5: r = −98.5%
    let r = irr::irr(&[-100.0, 1.5], 0.045).unwrap();
    assert!((r + 0.985).abs() < 1e-10, "{r}");
    // below −99%: outside the search range
    assert_eq!(
        irr::irr_detail(&[-100.0, 0.5], 0.045).reason,
        Some(Reason::NoRoot)
    );
    // 200% and 900%
    assert!((irr::irr(&[-100.0, 300.0], 0.045).unwrap() - 2.0).abs() < 1e-10);
    assert!((irr::irr(&[-1.0, 10.0], 0.045).unwrap() - 9.0).abs() < 1e-9);
    // a long series whose root is far negative: no overflow in the scan
    let mut f = vec![-1.0];
    f.extend(std::iter::repeat_n(0.004, 200)); // 0.8 back for 1 out: a negative IRR
    let r = irr::irr(&f, 0.045).unwrap();
    assert!(r < 0.0 && irr::pv(&f, r).abs() < 1e-9, "{r}");
}

#[test]
fn amounts_from_one_yuan_to_a_trillion_give_the_same_irr() {
    let small = [-1.0, 0.3, 0.4, 0.5];
    let big: Vec<f64> = small.iter().map(|v| v * 1e12).collect();
    let (a, b) = (
        irr::irr(&small, 0.045).unwrap(),
        irr::irr(&big, 0.045).unwrap(),
    );
    assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    assert!((irr::irr_guess(&big, 0.045, 0.1).unwrap() - a).abs() < 1e-10);
}

#[test]
fn zero_rent_never_breaks_even() {
    let sc = shanglou::load(&BASE.replace("rent = 28", "rent = 0"), &[]).unwrap();
    let (_, s) = metrics::evaluate(&sc.inputs);
    assert_eq!(s.irr.project_pre_tax, None);
    assert_eq!(
        s.irr_detail.project_pre_tax.reason,
        Some(Reason::NoSignChange)
    );
    assert_eq!(s.verdict.status, Status::BelowFloor);
    assert_eq!(s.payback_years.project_pre_tax, None);
}

#[test]
fn zero_areas_are_errors_or_empty_uses() {
    assert!(
        problems(&BASE.replace("land_area_m2 = 20000", "land_area_m2 = 0"))
            .contains("site.land_area_m2: 0 is not valid: the land area must be > 0")
    );
    // no factory at all: an all-dormitory scheme runs, with no factory revenue
    let src = BASE.replace("factory = 1.0", "dormitory = 1.0").replace(
        "[factory]\nrent = 28\noccupancy = 0.9\n",
        "[dormitory]\nrent = 20\noccupancy = 0.9\n",
    );
    let sc = shanglou::load(&src, &[]).unwrap();
    let (l, s) = metrics::evaluate(&sc.inputs);
    assert!(l.rent_factory.iter().all(|v| v.is_zero()));
    assert!(s.irr.project_pre_tax.is_some());
}

#[test]
fn a_one_year_land_term_cannot_hold_construction() {
    let p = problems(&BASE.replace("land_term_years = 30", "land_term_years = 1"));
    assert!(
        p.contains("construction.schedule") && p.contains("not inside the land term of 1 years"),
        "{p}"
    );
    // one year of building and one of operation is the shortest valid scheme
    let sc = shanglou::load(
        &BASE
            .replace("land_term_years = 30", "land_term_years = 2")
            .replace("[0.4, 0.6]", "[1]"),
        &[],
    )
    .unwrap();
    let (l, _) = metrics::evaluate(&sc.inputs);
    assert_eq!(l.years(), 2);
    assert!(!l.rent_factory[1].is_zero());
}

#[test]
fn a_seventy_year_term_runs_every_year() {
    let sc = shanglou::load(
        &BASE
            .replace("land_term_years = 30", "land_term_years = 70")
            .replace("rent = 28", "rent = 28\nrent_growth = 0.03"),
        &[],
    )
    .unwrap();
    let (l, s) = metrics::evaluate(&sc.inputs);
    assert_eq!(l.years(), 70);
    assert!(l.rent_factory[69] > l.rent_factory[2]);
    let flows: Vec<f64> = l
        .cf_pre_tax
        .iter()
        .map(|d| shanglou::num::Num::to_f64(*d))
        .collect();
    assert!(irr::pv(&flows, s.irr.project_pre_tax.unwrap()).abs() < 1e-6 * 1e9);
}

#[test]
fn nan_and_infinity_in_distributions_are_errors() {
    let p = problems(&BASE.replace(
        "rent = 28",
        "rent = { dist = \"normal\", mean = nan, sd = inf }",
    ));
    assert!(
        p.contains("factory.rent: normal `mean` = NaN is not a finite number")
            && p.contains("`sd` = inf is not a finite number"),
        "{p}"
    );
    let p = problems(&BASE.replace(
        "rent = 28",
        "rent = { dist = \"uniform\", min = 20, max = inf }",
    ));
    assert!(
        p.contains("uniform `max` = inf is not a finite number"),
        "{p}"
    );
    let p = problems(&BASE.replace("rent = 28", "rent = inf"));
    assert!(p.contains("factory.rent: inf is not valid"), "{p}");
}
