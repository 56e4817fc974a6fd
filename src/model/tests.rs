//! Unit tests of the ledger stages, each against a hand calculation.

use super::*;
use rust_decimal::Decimal;

const SRC: &str = include_str!("../../tests/conformance/03-wuhan-subsidy-loan.toml");

fn inputs(src: &str) -> Inputs<f64> {
    crate::load(src, &[]).unwrap().inputs
}

/// A 10-year scheme: one construction year, then rent; the stages below change one input
/// at a time and check the column it drives against a hand calculation.
const TINY: &str = "[project]\nstart_year = 2025\nland_term_years = 10\n[site]\nland_area_m2 = 1000\nfar = 2\n[mix]\nfactory = 0.5\nresidential = 0.5\n[land]\nprice = 1000\ndeed_tax_rate = 0\n[construction]\nschedule = [1]\ncost_per_m2 = 3000\n[factory]\nrent = 30\noccupancy = 1\n[residential]\nsale_price = 10000\nsale_schedule = [0.5, 0.5]\n[tax]\nsurcharge_rate = 0\nproperty_tax_rent_rate = 0\n";

fn approx(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1.0)
}

#[test]
fn areas_split_gfa_by_use_and_tenure() {
    let mut inp = inputs(TINY);
    inp.factory.self_held_share = 0.5;
    inp.factory.resettlement_share = 0.2;
    inp.factory.sale_schedule = vec![1.0];
    let a = areas(&inp);
    assert_eq!(a.gfa, 2000.0);
    assert_eq!(a.factory, 1000.0);
    assert_eq!(a.factory_leased, 500.0);
    assert!(approx(a.factory_sold, 300.0));
    assert_eq!(a.factory_resettled, 200.0);
    assert_eq!(a.residential, 1000.0);
}

#[test]
fn costs_credit_input_vat_on_the_vatable_build_only() {
    let mut inp = inputs(TINY);
    inp.construction.infrastructure_fee_per_m2 = 100.0;
    inp.construction.input_vat_rate = 0.09;
    let l = run(&inp);
    let k = l.costs;
    assert_eq!(k.land_out, 1_000_000.0);
    assert_eq!(k.vatable_build, 6_000_000.0);
    assert_eq!(k.build, 6_200_000.0);
    assert!(approx(k.input_vat_build, 6_000_000.0 * 0.09 / 1.09));
    assert!(approx(k.capital, 7_200_000.0 - k.input_vat_build));
    assert_eq!(l.construction[0], 6_200_000.0);
}

#[test]
fn vat_credit_is_carried_until_output_vat_uses_it() {
    let mut inp = inputs(TINY);
    inp.construction.input_vat_rate = 0.09;
    let l = run(&inp);
    let ivb = 6_000_000.0 * 0.09 / 1.09;
    assert_eq!(l.vat[0], 0.0);
    assert!(approx(l.vat_credit[0], ivb));
    // year 1: output VAT of the first half of the sales and a year of rent
    let out1 = 5_000_000.0 * 0.09 / 1.09 + 1000.0 * 30.0 * 12.0 * 0.09 / 1.09;
    assert!(approx(l.vat_output[1], out1));
    assert!(approx(l.vat[1], (out1 - ivb).max(0.0)));
    assert!(approx(l.vat_credit[1], (ivb - out1).max(0.0)));
    let paid: f64 = l.vat.iter().sum();
    let output: f64 = l.vat_output.iter().sum();
    assert!(approx(paid, output - ivb), "all the credit is used");
}

#[test]
fn land_deduction_lowers_sales_vat_by_the_land_under_the_area_sold() {
    let mut inp = inputs(TINY);
    inp.tax.vat_sale_land_deduction = true;
    let l = run(&inp);
    // residential is half of GFA: half the land price, spread over the two sale years
    let want = (5_000_000.0 - 0.5 * 1_000_000.0 * 0.5) * 0.09 / 1.09;
    assert!(approx(l.vat_sales_residential[1], want));
}

#[test]
fn progressive_lat_settles_after_the_last_sale_and_refunds_overpayment() {
    let mut inp = inputs(TINY);
    inp.tax.lat_method = LatMethod::Progressive;
    inp.tax.lat_prepay_rate = 0.5;
    inp.residential.sale_price = 9000.0;
    let l = run(&inp);
    let o = &l.lat_detail[0];
    assert_eq!(o.object, SoldObject::Residential);
    assert_eq!(
        o.settlement_year, 3,
        "last sale t = 2, settled the year after"
    );
    let rev = 9_000_000.0 / 1.09;
    assert!(approx(o.rev, rev));
    let base = 0.5 * (1_000_000.0 + 6_000_000.0);
    assert!(approx(o.ded, base * 1.3));
    let gain = rev - base * 1.3;
    let a = gain / (base * 1.3);
    assert!(a > 0.5 && a <= 1.0, "{a}");
    assert!(approx(o.lat, 0.4 * gain - 0.05 * base * 1.3));
    assert!(approx(o.prepaid, 0.5 * rev));
    assert!(
        approx(l.lat[3], o.lat - o.prepaid) && l.lat[3] < 0.0,
        "a refund"
    );
    // the accrual follows the sales, and sums to the tax
    assert!(approx(l.lat_accrued[1], o.lat / 2.0));
    assert!(approx(l.lat_accrued.iter().sum::<f64>(), o.lat));
    assert!(approx(l.lat.iter().sum::<f64>(), o.lat));
}

#[test]
fn lat_tiers_follow_the_four_bands_and_the_ordinary_housing_exemption() {
    let t = |g: f64, d: f64, o: bool| lat_tiers(g, d, o).0;
    assert_eq!(t(-5.0, 100.0, false), 0.0);
    assert!(approx(t(50.0, 100.0, false), 15.0));
    assert!(approx(t(100.0, 100.0, false), 40.0 - 5.0));
    assert!(approx(t(200.0, 100.0, false), 100.0 - 15.0));
    assert!(approx(t(300.0, 100.0, false), 180.0 - 35.0));
    assert_eq!(t(20.0, 100.0, true), 0.0, "普通住宅, a = 0.2: exempt");
    assert!(approx(t(21.0, 100.0, true), 6.3));
    assert!(approx(t(10.0, 0.0, false), 6.0), "no deductions: top tier");
}

#[test]
fn loan_methods_repay_the_balance_at_t_op() {
    let mut inp = inputs(TINY);
    inp.finance.loan_share = 0.5;
    inp.finance.interest_rate = 0.05;
    inp.finance.repayment_years = 4;
    let drawn = 0.5 * 7_000_000.0;
    for (method, grace) in [
        (Repayment::EqualPrincipal, 0),
        (Repayment::EqualPayment, 2),
        (Repayment::Bullet, 1),
    ] {
        inp.finance.repayment = method;
        inp.finance.grace_years = grace;
        let l = run(&inp);
        let repaid: f64 = l.principal.iter().sum();
        assert!(approx(repaid, drawn), "{method:?}");
        assert!(l.loan_balance[9].abs() < 1e-6, "{method:?}");
        let first = 1 + grace;
        assert!(l.principal[..first].iter().all(|p| *p == 0.0), "{method:?}");
        match method {
            Repayment::EqualPayment => {
                let pay = |t: usize| l.principal[t] + l.interest[t];
                assert!(approx(pay(first), pay(first + 3)));
                let a = drawn * 0.05 / (1.0 - 1.05f64.powi(-4));
                assert!(approx(pay(first), a));
            }
            Repayment::Bullet => assert_eq!(l.principal[first + 3], drawn),
            Repayment::EqualPrincipal => assert_eq!(l.principal[1], drawn / 4.0),
        }
    }
}

#[test]
fn mid_year_interest_is_capitalised_and_compounds_during_construction() {
    let mut inp = inputs(TINY);
    inp.construction.schedule = vec![0.5, 0.5];
    inp.finance.loan_share = 1.0;
    inp.finance.interest_rate = 0.1;
    inp.finance.repayment_years = 2;
    inp.finance.interest_convention = InterestConvention::MidYear;
    inp.finance.capitalise_interest = true;
    let l = run(&inp);
    let d0 = 1_000_000.0 + 3_000_000.0;
    let i0 = d0 / 2.0 * 0.1;
    let d1 = 3_000_000.0;
    let i1 = (d0 + i0 + d1 / 2.0) * 0.1;
    assert!(approx(l.interest_capitalised[0], i0));
    assert!(approx(l.interest_capitalised[1], i1));
    assert_eq!(
        l.interest[0] + l.interest[1],
        0.0,
        "no cash interest while building"
    );
    assert!(approx(l.interest_capitalised_total, i0 + i1));
    assert!(approx(l.principal[2], (d0 + d1 + i0 + i1) / 2.0));
}

#[test]
fn a_reused_ledger_equals_a_fresh_one_whatever_was_run_before() {
    let sc = crate::load(SRC, &[]).unwrap();
    let mut other = sc.inputs.clone();
    other.construction.delay_years = 2;
    other.finance.loan_share = 0.3;
    other.tax.lat_method = LatMethod::Progressive;
    let fresh_all = run(&sc.inputs);
    let mut l = Ledger::default();
    for (inp, need) in [
        (&other, Need::All),
        (&sc.inputs, Need::PreTax),
        (&other, Need::PreTax),
        (&sc.inputs, Need::All),
        (&other, Need::AfterTax),
        (&sc.inputs, Need::PreTax),
    ] {
        run_into(inp, &mut l, need);
        let mut fresh = Ledger::default();
        run_into(inp, &mut fresh, need);
        assert_eq!(l.columns(), fresh.columns(), "{need:?}");
        assert_eq!(l.lat_detail, fresh.lat_detail, "{need:?}");
    }
    run_into(&sc.inputs, &mut l, Need::All);
    assert_eq!(l.columns(), fresh_all.columns());
    // skipped stages leave zeros
    run_into(&sc.inputs, &mut l, Need::PreTax);
    assert!(l
        .cf_equity
        .iter()
        .chain(&l.loan_draw)
        .chain(&l.income_tax_adjusted)
        .chain(&l.ebit)
        .all(|v| *v == 0.0));
    assert_eq!(l.cf_pre_tax, fresh_all.cf_pre_tax);
}

#[test]
fn the_decimal_ledger_and_the_f64_ledger_agree() {
    let mut inp = inputs(TINY);
    inp.tax.lat_method = LatMethod::Progressive;
    inp.construction.input_vat_rate = 0.09;
    inp.finance.loan_share = 0.6;
    inp.finance.interest_rate = 0.042;
    inp.finance.repayment_years = 5;
    inp.finance.repayment = Repayment::EqualPayment;
    let f = run(&inp);
    let d = run(&inp.convert::<Decimal>());
    for (name, (a, b)) in COLUMNS.iter().zip(f.columns().iter().zip(d.columns())) {
        for (x, y) in a.iter().zip(b) {
            assert!(approx(*x, Num::to_f64(*y)), "{name}: {x} vs {y}");
        }
    }
}
