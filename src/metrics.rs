//! The indicators and the 保本微利 verdict of docs/model.md §8, and the summary object of `run --json` built
//! from an exact ledger.

use crate::irr::{self, IrrDetail, Signs};
use crate::model::{Areas, LatObject, Ledger, SoldObject};
use crate::num::Num;
use crate::scenario::{Basis, Inputs};
use rust_decimal::Decimal;
use serde::Serialize;

/// Where the basis IRR falls against the band (docs/model.md §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 保本微利: between the floor and the cap.
    Within,
    /// Above the cap: 收益调配 would reclaim the excess.
    AboveCap,
    /// Does not break even.
    BelowFloor,
    /// All flows zero.
    Undefined,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Within => "within",
            Status::AboveCap => "above_cap",
            Status::BelowFloor => "below_floor",
            Status::Undefined => "undefined",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Status::Within => "符合保本微利",
            Status::AboveCap => "超过微利上限",
            Status::BelowFloor => "未能保本",
            Status::Undefined => "无法判定",
        }
    }
}

/// The verdict read from NPV signs, defined even when the IRR is not unique.
pub fn verdict(flows: &[f64], floor: f64, cap: f64) -> Status {
    verdict_from(
        Signs::of(flows),
        || irr::npv(flows, floor),
        || irr::npv(flows, cap),
    )
}

/// [`verdict`] with the flows' signs and the NPVs at the floor and at the cap given (the
/// lockstep engine computes them for several paths at once).
pub fn verdict_from(
    signs: Signs,
    npv_floor: impl FnOnce() -> f64,
    npv_cap: impl FnOnce() -> f64,
) -> Status {
    if signs.first == 0.0 {
        // every flow is zero
        Status::Undefined
    } else if npv_floor() < 0.0 {
        Status::BelowFloor
    } else if npv_cap() > 0.0 {
        Status::AboveCap
    } else {
        Status::Within
    }
}

/// The same verdict, faster when the IRR is known: with one sign change NPV has a single
/// root on (−1, ∞), so its sign at the floor and the cap follows from which side of the IRR
/// they lie (NPV falls through the root when the first flow is an outlay). Ties and every
/// other case fall back to the NPV signs.
pub fn verdict_with_irr(flows: &[f64], irr: Option<f64>, floor: f64, cap: f64) -> Status {
    let signs = Signs::of(flows);
    verdict_with_irr_from(signs, irr, floor, cap, || {
        verdict_from(signs, || irr::npv(flows, floor), || irr::npv(flows, cap))
    })
}

/// [`verdict_with_irr`] given the flows' signs, with the NPV-sign verdict, where it is
/// needed, from `by_npv`.
pub fn verdict_with_irr_from(
    signs: Signs,
    irr: Option<f64>,
    floor: f64,
    cap: f64,
    by_npv: impl FnOnce() -> Status,
) -> Status {
    if let Some(r) = irr {
        if signs.first < 0.0 && signs.changes == 1 && r != floor && r != cap {
            return if r < floor {
                Status::BelowFloor
            } else if r > cap {
                Status::AboveCap
            } else {
                Status::Within
            };
        }
    }
    by_npv()
}

/// One value per series, keyed as in §12.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PerSeries<T> {
    pub project_pre_tax: T,
    pub project_after_tax: T,
    pub equity: T,
}

impl<T> PerSeries<T> {
    pub fn get(&self, b: Basis) -> &T {
        match b {
            Basis::ProjectPreTax => &self.project_pre_tax,
            Basis::ProjectAfterTax => &self.project_after_tax,
            Basis::Equity => &self.equity,
        }
    }
    fn build(mut f: impl FnMut(Basis) -> T) -> Self {
        PerSeries {
            project_pre_tax: f(Basis::ProjectPreTax),
            project_after_tax: f(Basis::ProjectAfterTax),
            equity: f(Basis::Equity),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreasOut {
    pub gfa: f64,
    pub factory: f64,
    pub factory_leased: f64,
    pub factory_sold: f64,
    pub factory_resettled: f64,
    pub dormitory: f64,
    pub supporting: f64,
    pub residential: f64,
    pub basement: f64,
}

/// Totals over all years: exact sums of the ledger columns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    #[serde(with = "rust_decimal::serde::float")]
    pub land: Decimal,
    #[serde(with = "rust_decimal::serde::float")]
    pub construction: Decimal,
    #[serde(with = "rust_decimal::serde::float")]
    pub rent: Decimal,
    #[serde(with = "rust_decimal::serde::float")]
    pub sales: Decimal,
    #[serde(with = "rust_decimal::serde::float")]
    pub subsidy: Decimal,
    #[serde(with = "rust_decimal::serde::float")]
    pub vat: Decimal,
    #[serde(with = "rust_decimal::serde::float")]
    pub surcharges: Decimal,
    #[serde(with = "rust_decimal::serde::float")]
    pub property_tax: Decimal,
    #[serde(with = "rust_decimal::serde::float")]
    pub land_use_tax: Decimal,
    #[serde(with = "rust_decimal::serde::float")]
    pub lat: Decimal,
    #[serde(with = "rust_decimal::serde::float")]
    pub opex: Decimal,
    #[serde(with = "rust_decimal::serde::float")]
    pub income_tax_adjusted: Decimal,
    #[serde(with = "rust_decimal::serde::float")]
    pub income_tax_equity: Decimal,
    /// 销项税额: ΣVR + ΣVS (`vat` is the VAT paid after the input credit).
    #[serde(with = "rust_decimal::serde::float")]
    pub vat_output: Decimal,
    /// 进项税额: ΣIV.
    #[serde(with = "rust_decimal::serde::float")]
    pub vat_input: Decimal,
    #[serde(with = "rust_decimal::serde::float")]
    pub interest_capitalised: Decimal,
}

/// One 清算 object of the progressive 土地增值税, as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LatOut {
    pub object: SoldObject,
    pub rev: f64,
    pub land: f64,
    pub development: f64,
    pub expenses: f64,
    pub taxes: f64,
    pub extra: f64,
    pub ded: f64,
    pub gain: f64,
    pub ratio: Option<f64>,
    pub lat: f64,
    pub prepaid: f64,
    pub settlement_year: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub basis: Basis,
    pub irr: Option<f64>,
    pub floor: f64,
    pub cap: f64,
    pub status: Status,
}

/// The §12 object of `shanglou run --json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub irr: PerSeries<Option<f64>>,
    pub npv: PerSeries<f64>,
    pub payback_years: PerSeries<Option<f64>>,
    pub peak_funding: f64,
    pub excess_pv: f64,
    pub areas: AreasOut,
    pub totals: Totals,
    pub verdict: Verdict,
    pub irr_detail: PerSeries<IrrDetail>,
    /// Progressive 土地增值税 per sold object; empty under the effective method.
    pub lat_detail: Vec<LatOut>,
    /// 动态投资回收期: the payback rule on the flows discounted at the discount rate.
    pub payback_dynamic_years: PerSeries<Option<f64>>,
    /// 项目总投资: land, construction and construction-period interest (docs/model.md §8).
    pub total_investment: f64,
    /// 项目资本金: the total investment less the loan drawn.
    pub equity_capital: f64,
    /// 总投资收益率 ROI: average operating-year EBIT / total investment.
    pub roi: Option<f64>,
    /// 项目资本金净利润率 ROE: average operating-year net profit / equity capital.
    pub roe: Option<f64>,
}

/// 动态投资回收期 (years from the start of t = 0): the static payback of the flows discounted
/// at `rate` as NPV discounts them, `CF_t (1+r)^−(t+1)`; `None` if they never pay back.
pub fn dynamic_payback(flows: &[f64], rate: f64) -> Option<f64> {
    let mut k = 1.0;
    let discounted: Vec<f64> = flows
        .iter()
        .map(|c| {
            k /= 1.0 + rate;
            c * k
        })
        .collect();
    irr::payback(&discounted)
}

/// Total investment, equity capital, ROI and ROE of a ledger, as 《建设项目经济评价方法与参数》
/// defines them: EBIT and net profit averaged over the operating years.
pub fn returns(l: &Ledger<Decimal>) -> (f64, f64, Option<f64>, Option<f64>) {
    let f = |d: Decimal| Num::to_f64(d);
    let t_op = l.t_op.min(l.years());
    let building = 0..t_op;
    let invest: Decimal = building
        .clone()
        .map(|t| l.land[t] + l.construction[t] + l.interest[t] + l.interest_capitalised[t])
        .sum();
    let drawn: Decimal = l.loan_draw.iter().copied().sum();
    let years = l.years() - t_op;
    let avg = |v: &dyn Fn(usize) -> Decimal| -> Option<f64> {
        (years > 0).then(|| f((t_op..l.years()).map(v).sum::<Decimal>()) / years as f64)
    };
    let ebit = avg(&|t| l.ebit[t]);
    let profit = avg(&|t| l.ebit_equity[t] - l.income_tax_equity[t]);
    let (ti, ec) = (f(invest), f(invest - drawn));
    let roi = ebit.filter(|_| ti > 0.0).map(|e| e / ti);
    let roe = profit.filter(|_| ec > 0.0).map(|p| p / ec);
    (ti, ec, roi, roe)
}

fn sum(v: &[Decimal]) -> Decimal {
    v.iter().copied().sum()
}

fn to_f64(v: &[Decimal]) -> Vec<f64> {
    v.iter().map(|d| Num::to_f64(*d)).collect()
}

fn areas_out(a: &Areas<Decimal>) -> AreasOut {
    let f = |d: Decimal| Num::to_f64(d);
    AreasOut {
        gfa: f(a.gfa),
        factory: f(a.factory),
        factory_leased: f(a.factory_leased),
        factory_sold: f(a.factory_sold),
        factory_resettled: f(a.factory_resettled),
        dormitory: f(a.dormitory),
        supporting: f(a.supporting),
        residential: f(a.residential),
        basement: f(a.basement),
    }
}

/// What a portfolio row reports (`batch`), computed exactly as [`summarize`] computes the same
/// figures, without the rest of the summary (the root lists, the other paybacks, the LAT
/// detail, eleven more totals): a row costs a third less.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    pub irr: PerSeries<Option<f64>>,
    /// NPV and static payback of the basis series.
    pub npv: f64,
    pub payback_years: Option<f64>,
    pub status: Status,
    pub areas: AreasOut,
    /// Land, construction, rent, sales and subsidy, as in [`Totals`].
    pub money: [Decimal; 5],
}

pub fn headline(inp: &Inputs<f64>, l: &Ledger<Decimal>) -> Headline {
    let dr = inp.finance.discount_rate;
    let pol = &inp.policy;
    let series = PerSeries::build(|b| to_f64(l.series(b)));
    let basis = series.get(pol.irr_basis);
    Headline {
        // irr::irr is irr_detail's root choice without the lists
        irr: PerSeries::build(|b| irr::irr(series.get(b), dr)),
        npv: irr::npv(basis, dr),
        payback_years: irr::payback(l.series(pol.irr_basis)),
        status: verdict(basis, pol.irr_floor, pol.irr_cap),
        areas: areas_out(&l.areas),
        money: headline_money(l),
    }
}

/// The five totals [`Headline`] and [`Totals`] share.
fn headline_money(l: &Ledger<Decimal>) -> [Decimal; 5] {
    [
        sum(&l.land),
        sum(&l.construction),
        sum(&l.rent_factory) + sum(&l.rent_dormitory) + sum(&l.rent_supporting),
        sum(&l.sales_factory) + sum(&l.sales_residential),
        sum(&l.subsidy),
    ]
}

/// Totals of the exact ledger (§12 names).
pub fn totals(l: &Ledger<Decimal>) -> Totals {
    let [land, construction, rent, sales, subsidy] = headline_money(l);
    Totals {
        land,
        construction,
        rent,
        sales,
        subsidy,
        vat: sum(&l.vat),
        surcharges: sum(&l.surcharges),
        property_tax: sum(&l.property_tax),
        land_use_tax: sum(&l.land_use_tax),
        lat: sum(&l.lat),
        opex: sum(&l.opex),
        income_tax_adjusted: sum(&l.income_tax_adjusted),
        income_tax_equity: sum(&l.income_tax_equity),
        vat_output: sum(&l.vat_output),
        vat_input: sum(&l.vat_input),
        interest_capitalised: sum(&l.interest_capitalised),
    }
}

fn lat_out(o: &LatObject<Decimal>) -> LatOut {
    let f = |d: Decimal| Num::to_f64(d);
    LatOut {
        object: o.object,
        rev: f(o.rev),
        land: f(o.land),
        development: f(o.development),
        expenses: f(o.expenses),
        taxes: f(o.taxes),
        extra: f(o.extra),
        ded: f(o.ded),
        gain: f(o.gain),
        ratio: o.ratio.map(f),
        lat: f(o.lat),
        prepaid: f(o.prepaid),
        settlement_year: o.settlement_year,
    }
}

/// Metrics and verdict of an exact ledger.
pub fn summarize(inp: &Inputs<f64>, l: &Ledger<Decimal>) -> Summary {
    let dr = inp.finance.discount_rate;
    let series = PerSeries::build(|b| to_f64(l.series(b)));
    let detail = PerSeries::build(|b| irr::irr_detail(series.get(b), dr));
    let pol = &inp.policy;
    let basis = series.get(pol.irr_basis);
    let mut cum = Decimal::ZERO;
    let mut min_cum = Decimal::ZERO;
    for v in &l.cf_pre_tax {
        cum += *v;
        min_cum = min_cum.min(cum);
    }
    let (total_investment, equity_capital, roi, roe) = returns(l);
    Summary {
        irr: PerSeries::build(|b| detail.get(b).irr),
        npv: PerSeries::build(|b| irr::npv(series.get(b), dr)),
        payback_years: PerSeries::build(|b| irr::payback(l.series(b))),
        peak_funding: Num::to_f64(-min_cum),
        excess_pv: irr::npv(basis, pol.irr_cap),
        areas: areas_out(&l.areas),
        totals: totals(l),
        verdict: Verdict {
            basis: pol.irr_basis,
            irr: detail.get(pol.irr_basis).irr,
            floor: pol.irr_floor,
            cap: pol.irr_cap,
            status: verdict(basis, pol.irr_floor, pol.irr_cap),
        },
        irr_detail: detail,
        lat_detail: l.lat_detail.iter().map(lat_out).collect(),
        payback_dynamic_years: PerSeries::build(|b| dynamic_payback(series.get(b), dr)),
        total_investment,
        equity_capital,
        roi,
        roe,
    }
}

/// Runs the exact model on a scenario's deterministic inputs.
pub fn evaluate(inp: &Inputs<f64>) -> (Ledger<Decimal>, Summary) {
    let ledger = crate::model::run(&inp.convert::<Decimal>());
    let summary = summarize(inp, &ledger);
    (ledger, summary)
}

/// The basis IRR and verdict of the f64 model (Monte Carlo's view of the deterministic run).
pub fn evaluate_f64(inp: &Inputs<f64>) -> (Option<f64>, Status) {
    let l = crate::model::run(inp);
    let flows = l.series(inp.policy.irr_basis);
    (
        irr::irr(flows, inp.finance.discount_rate),
        verdict(flows, inp.policy.irr_floor, inp.policy.irr_cap),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dynamic_payback_discounts_before_the_static_rule() {
        let f = [-100.0, 60.0, 60.0];
        assert!((irr::payback(&f).unwrap() - (2.0 + 40.0 / 60.0)).abs() < 1e-12);
        // discounted at 10%: −90.91, 49.59, 45.08; cumulative −90.91, −41.32, 3.76
        let want = 2.0 + (100.0 / 1.1 - 60.0 / 1.21) / (60.0 / 1.331);
        assert!((dynamic_payback(&f, 0.10).unwrap() - want).abs() < 1e-12);
        assert_eq!(dynamic_payback(&[-100.0, 60.0, 60.0], 0.5), None);
    }

    /// Every tax at zero, land 1 M, construction 9 M, rent 1.2 M a year for nine years: EBIT is
    /// the rent less straight-line depreciation of 10 M over 9 years.
    const PLAIN: &str = "[project]\nstart_year = 2025\nland_term_years = 10\n[site]\nland_area_m2 = 1000\nfar = 1\n[mix]\nfactory = 1\n[land]\nprice = 1000000\nprice_basis = \"total\"\ndeed_tax_rate = 0\n[construction]\nschedule = [1]\ncost_per_m2 = 9000\n[factory]\nrent = 100\noccupancy = 1\n[tax]\nvat_rent_rate = 0\nsurcharge_rate = 0\nproperty_tax_rent_rate = 0\nincome_tax_rate = 0\n[finance]\nloan_share = 0.5\ninterest_rate = 0.05\nrepayment_years = 5\n";

    #[test]
    fn roi_and_roe_follow_the_standard_definitions() {
        let sc = crate::load(PLAIN, &[]).unwrap();
        let (_, s) = evaluate(&sc.inputs);
        assert!((s.total_investment - 10_000_000.0).abs() < 1e-6);
        assert!((s.equity_capital - 5_000_000.0).abs() < 1e-6);
        let ebit = 1_200_000.0 - 10_000_000.0 / 9.0;
        assert!((s.roi.unwrap() - ebit / 10_000_000.0).abs() < 1e-12);
        // interest 5% on 5, 4, 3, 2, 1 M in years 1–5; no income tax
        let profit = ebit - 750_000.0 / 9.0;
        assert!((s.roe.unwrap() - profit / 5_000_000.0).abs() < 1e-12);
    }
}
