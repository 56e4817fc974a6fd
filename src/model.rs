//! The deterministic cash-flow model of MODEL.md §1–§7: one pass over the years that fills every
//! line item and the three cash-flow series. Generic over the number type: `Decimal` for the
//! reported ledger, `f64` for Monte Carlo, so both are the same arithmetic by construction.

use crate::num::Num;
use crate::scenario::{Inputs, Lease, PriceBasis, SubsidyBase};

/// Floor areas of MODEL.md §2 (m²).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Areas<T> {
    /// 计容建筑面积
    pub gfa: T,
    pub factory: T,
    pub factory_leased: T,
    pub factory_sold: T,
    pub factory_resettled: T,
    pub dormitory: T,
    pub supporting: T,
    pub residential: T,
    pub basement: T,
}

pub fn areas<T: Num>(inp: &Inputs<T>) -> Areas<T> {
    let gfa = inp.site.land_area_m2 * inp.site.far;
    let factory = gfa * inp.mix.factory;
    let h = inp.factory.self_held_share;
    let q = inp.factory.resettlement_share;
    let mut sold = T::one() - h - q;
    // MODEL.md §2: a sold share within ±1e-9 of zero is zero (e.g. h = 2/3, q = 1/3 in floats).
    if sold.abs() <= T::from_f64(1e-9) {
        sold = T::zero();
    }
    Areas {
        gfa,
        factory,
        factory_leased: factory * h,
        factory_sold: factory * sold.max0(),
        factory_resettled: factory * q,
        dormitory: gfa * inp.mix.dormitory,
        supporting: gfa * inp.mix.supporting,
        residential: gfa * inp.mix.residential,
        basement: inp.site.basement_area_m2,
    }
}

/// Every line item per year (positive amounts; only `cf_*` are signed), as in the CSV of §12.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ledger<T> {
    pub start_year: i64,
    pub t_op: usize,
    pub areas: Areas<T>,
    /// Capitalised cost K = LandOut + Build.
    pub capital: T,
    pub land: Vec<T>,
    pub construction: Vec<T>,
    pub rent_factory: Vec<T>,
    pub rent_dormitory: Vec<T>,
    pub rent_supporting: Vec<T>,
    pub sales_factory: Vec<T>,
    pub sales_residential: Vec<T>,
    pub subsidy: Vec<T>,
    pub terminal_value: Vec<T>,
    pub vat: Vec<T>,
    pub surcharges: Vec<T>,
    pub property_tax: Vec<T>,
    pub land_use_tax: Vec<T>,
    pub lat: Vec<T>,
    pub opex: Vec<T>,
    pub cf_pre_tax: Vec<T>,
    pub income_tax_adjusted: Vec<T>,
    pub cf_after_tax: Vec<T>,
    pub loan_draw: Vec<T>,
    pub interest: Vec<T>,
    pub principal: Vec<T>,
    pub income_tax_equity: Vec<T>,
    pub cf_equity: Vec<T>,
    /// Extra columns after the §12 ones: the income-tax working.
    pub cost_of_sales: Vec<T>,
    pub depreciation: Vec<T>,
    pub ebit: Vec<T>,
    pub loan_balance: Vec<T>,
    /// Scratch for loss carry-forward (remaining loss of each year).
    losses: Vec<T>,
    /// Years and extent of the previous run into this ledger: columns a pre-tax run skipped
    /// are still zero, so the next pre-tax run of the same length need not zero them again.
    last: Option<(usize, Need)>,
}

/// CSV column names in §12 order, then the extra working columns.
pub const COLUMNS: [&str; 27] = [
    "land",
    "construction",
    "rent_factory",
    "rent_dormitory",
    "rent_supporting",
    "sales_factory",
    "sales_residential",
    "subsidy",
    "terminal_value",
    "vat",
    "surcharges",
    "property_tax",
    "land_use_tax",
    "lat",
    "opex",
    "cf_pre_tax",
    "income_tax_adjusted",
    "cf_after_tax",
    "loan_draw",
    "interest",
    "principal",
    "income_tax_equity",
    "cf_equity",
    "cost_of_sales",
    "depreciation",
    "ebit",
    "loan_balance",
];

impl<T: Num> Ledger<T> {
    pub fn years(&self) -> usize {
        self.cf_pre_tax.len()
    }

    /// The columns in [`COLUMNS`] order.
    pub fn columns(&self) -> [&[T]; 27] {
        [
            &self.land,
            &self.construction,
            &self.rent_factory,
            &self.rent_dormitory,
            &self.rent_supporting,
            &self.sales_factory,
            &self.sales_residential,
            &self.subsidy,
            &self.terminal_value,
            &self.vat,
            &self.surcharges,
            &self.property_tax,
            &self.land_use_tax,
            &self.lat,
            &self.opex,
            &self.cf_pre_tax,
            &self.income_tax_adjusted,
            &self.cf_after_tax,
            &self.loan_draw,
            &self.interest,
            &self.principal,
            &self.income_tax_equity,
            &self.cf_equity,
            &self.cost_of_sales,
            &self.depreciation,
            &self.ebit,
            &self.loan_balance,
        ]
    }

    /// Sizes every column to `n` years. Only the columns the model writes in some years (or
    /// adds into) are zeroed: the rest are overwritten year by year, and zeroing them for
    /// every Monte Carlo path would cost more than the arithmetic.
    fn reset(&mut self, n: usize, need: Need) {
        for v in [
            &mut self.land,
            &mut self.construction,
            &mut self.subsidy,
            &mut self.terminal_value,
        ] {
            v.clear();
            v.resize(n, T::zero());
        }
        let still_zero = self.last == Some((n, Need::PreTax));
        self.last = Some((n, need));
        // the line items are written by every pass but the pre-tax one, which keeps only the
        // flows: skipping eleven stores a year is a third of Monte Carlo's time
        let lines = [
            &mut self.rent_factory,
            &mut self.rent_dormitory,
            &mut self.rent_supporting,
            &mut self.sales_factory,
            &mut self.sales_residential,
            &mut self.vat,
            &mut self.surcharges,
            &mut self.property_tax,
            &mut self.land_use_tax,
            &mut self.lat,
            &mut self.opex,
        ];
        for v in lines {
            fill_or_zero(v, n, need != Need::PreTax, still_zero);
        }
        let overwritten = [&mut self.cf_pre_tax];
        for v in overwritten {
            size_to(v, n);
        }
        let tax = [
            &mut self.cost_of_sales,
            &mut self.depreciation,
            &mut self.ebit,
            &mut self.income_tax_adjusted,
            &mut self.cf_after_tax,
            &mut self.losses,
        ];
        for v in tax {
            fill_or_zero(v, n, need >= Need::AfterTax, still_zero);
        }
        // the loan pass writes draws and principal in some years only: zero them when it runs
        for v in [&mut self.loan_draw, &mut self.principal] {
            fill_or_zero(v, n, false, still_zero && need != Need::All);
        }
        let equity = [
            &mut self.interest,
            &mut self.loan_balance,
            &mut self.income_tax_equity,
            &mut self.cf_equity,
        ];
        for v in equity {
            fill_or_zero(v, n, need == Need::All, still_zero);
        }
    }

    pub fn series(&self, basis: crate::scenario::Basis) -> &[T] {
        match basis {
            crate::scenario::Basis::ProjectPreTax => &self.cf_pre_tax,
            crate::scenario::Basis::ProjectAfterTax => &self.cf_after_tax,
            crate::scenario::Basis::Equity => &self.cf_equity,
        }
    }
}

/// The construction subsidy 建设补助 paid (MODEL.md §5), after its cap.
pub fn construction_subsidy<T: Num>(inp: &Inputs<T>, a: &Areas<T>) -> T {
    let s = &inp.subsidy;
    let base = match s.construction_base {
        SubsidyBase::Factory => a.factory,
        SubsidyBase::FactoryDormitory => a.factory + a.dormitory,
        SubsidyBase::NonResidential => a.gfa - a.residential,
    };
    let amount = s.construction_per_m2 * base;
    match s.construction_cap {
        Some(cap) => amount.min(cap),
        None => amount,
    }
}

/// The basement subsidy 地下室补助 paid (MODEL.md §5), after its cap.
pub fn basement_subsidy<T: Num>(inp: &Inputs<T>, a: &Areas<T>) -> T {
    let amount = inp.subsidy.basement_per_m2 * a.basement;
    match inp.subsidy.basement_cap {
        Some(cap) => amount.min(cap),
        None => amount,
    }
}

/// Gives `v` length `n` without touching its values when it already has it.
fn size_to<T: Num>(v: &mut Vec<T>, n: usize) {
    if v.len() != n {
        v.clear();
        v.resize(n, T::zero());
    }
}

/// Sizes a column the model will overwrite, or zeroes one whose pass is skipped (so skipped
/// columns read as zeros rather than a previous run's values).
fn fill_or_zero<T: Num>(v: &mut Vec<T>, n: usize, written: bool, still_zero: bool) {
    if written {
        size_to(v, n);
    } else if !still_zero {
        v.clear();
        v.resize(n, T::zero());
    }
}

/// Runs the model into a fresh ledger.
pub fn run<T: Num>(inp: &Inputs<T>) -> Ledger<T> {
    let mut l = Ledger::default();
    run_into(inp, &mut l);
    l
}

#[inline]
fn at<T: Num>(v: &[T], i: usize) -> T {
    v.get(i).copied().unwrap_or_default()
}

/// Leased revenue of one use in operating year k, advancing its rent by one year's growth.
#[inline]
fn lease_revenue<T: Num>(lease: &Lease<T>, area: T, k: usize, rent: &mut T) -> T {
    if k > 0 {
        let g = if lease.rent_growth_by_year.is_empty() {
            lease.rent_growth
        } else {
            at(&lease.rent_growth_by_year, k)
        };
        *rent = *rent * (T::one() + g);
    }
    let occ = if k < lease.occupancy_ramp.len() {
        lease.occupancy_ramp[k]
    } else if lease.occupancy_by_year.is_empty() {
        lease.occupancy.unwrap_or_default()
    } else {
        at(&lease.occupancy_by_year, k)
    };
    area * *rent * T::from_usize(12) * occ
}

/// Tax on `base` with losses carried forward `carry` years, oldest first (MODEL.md §7).
fn income_tax<T: Num>(
    base: impl Fn(usize) -> T,
    n: usize,
    rate: T,
    carry: usize,
    losses: &mut [T],
    out: &mut [T],
) {
    for v in losses.iter_mut() {
        *v = T::zero();
    }
    for t in 0..n {
        let e = base(t);
        if e < T::zero() {
            losses[t] = -e;
            out[t] = T::zero();
            continue;
        }
        let mut left = e;
        for pool in losses.iter_mut().take(t).skip(t.saturating_sub(carry)) {
            if left.is_zero() {
                break;
            }
            let used = pool.min(left);
            *pool -= used;
            left -= used;
        }
        out[t] = rate * left;
    }
}

/// How much of the ledger a caller needs: Monte Carlo on the pre-tax basis can skip the two
/// income-tax passes and the loan schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Need {
    /// `cf_pre_tax` and the investment and subsidy columns only; the other columns read as zero.
    PreTax,
    /// Also the adjusted income tax and `cf_after_tax`.
    AfterTax,
    /// Everything, including the loan and `cf_equity`.
    All,
}

impl Need {
    /// What the verdict on `basis` needs.
    pub fn for_basis(basis: crate::scenario::Basis) -> Need {
        match basis {
            crate::scenario::Basis::ProjectPreTax => Need::PreTax,
            crate::scenario::Basis::ProjectAfterTax => Need::AfterTax,
            crate::scenario::Basis::Equity => Need::All,
        }
    }
}

/// Runs the model into `l`, reusing its buffers (no allocation once they are large enough).
pub fn run_into<T: Num>(inp: &Inputs<T>, l: &mut Ledger<T>) {
    run_part(inp, l, Need::All)
}

/// Runs as much of the model as `need` asks; the columns it skips are left at zero.
pub fn run_part<T: Num>(inp: &Inputs<T>, l: &mut Ledger<T>, need: Need) {
    let n = inp.years();
    let c = &inp.construction;
    let t_op = inp.t_op();
    l.reset(n, need);
    l.start_year = inp.project.start_year;
    l.t_op = t_op;
    let a = areas(inp);
    l.areas = a;
    if n == 0 {
        return;
    }

    // §3 costs
    let basis = match inp.land.price_basis {
        PriceBasis::Land => inp.site.land_area_m2,
        PriceBasis::Gfa => a.gfa,
        PriceBasis::Total => T::one(),
    };
    let land_price = inp.land.price * basis;
    let land_out = land_price + land_price * inp.land.deed_tax_rate + inp.land.other_costs;
    let res_cost = c.residential_cost_per_m2.unwrap_or(c.cost_per_m2);
    let hard = c.cost_per_m2 * (a.gfa - a.residential)
        + res_cost * a.residential
        + c.basement_cost_per_m2 * a.basement;
    let build = hard * (T::one() + c.soft_cost_rate) * (T::one() + c.contingency_rate)
        + c.infrastructure_fee_per_m2 * a.gfa;
    let capital = land_out + build;
    l.capital = capital;
    l.land[0] = land_out;
    for (t, share) in c.schedule.iter().enumerate().take(n) {
        l.construction[t] = build * *share;
    }

    // §5 subsidies
    let s = &inp.subsidy;
    let cons_sub = construction_subsidy(inp, &a);
    let base_sub = basement_subsidy(inp, &a);
    if t_op + s.construction_lag < n {
        l.subsidy[t_op + s.construction_lag] += cons_sub;
    }
    if t_op < n {
        l.subsidy[t_op] += base_sub;
    }
    for t in t_op..(t_op + s.operating_years).min(n) {
        l.subsidy[t] += s.operating_per_year;
    }
    l.terminal_value[n - 1] = inp.project.terminal_value;

    // §4 revenues, §6 taxes, §3 opex, §7 pre-tax flow
    let tx = &inp.tax;
    let one = T::one();
    let vr_k = tx.vat_rent_rate / (one + tx.vat_rent_rate);
    let vs_k = tx.vat_sale_rate / (one + tx.vat_sale_rate);
    let lut = tx.land_use_tax_per_m2 * inp.site.land_area_m2;
    let fixed_opex =
        inp.opex.per_m2_month * T::from_usize(12) * (a.factory_leased + a.dormitory + a.supporting);
    let (mut rf, mut rd, mut rs) = (
        inp.factory.lease.rent,
        inp.dormitory.rent,
        inp.supporting.rent,
    );
    let res_start = inp.residential.sale_start.unwrap_or(t_op);
    let sold_value_f = a.factory_sold * inp.factory.sale_price;
    let sold_value_r = a.residential * inp.residential.sale_price;
    // §7 income-tax working
    let disposed = (a.factory_sold + a.factory_resettled + a.residential) / a.gfa;
    let dep_years = tx.depreciation_years.min(n - t_op.min(n));
    let dep = if dep_years > 0 {
        capital * (one - disposed) / T::from_usize(dep_years)
    } else {
        T::zero()
    };
    let resettle = capital * a.factory_resettled / a.gfa;
    // cost of sales per unit of schedule share (K·A/GFA), hoisted out of the year loop
    let cogs_f = capital * a.factory_sold / a.gfa;
    let cogs_r = capital * a.residential / a.gfa;

    for t in 0..n {
        let (mut r_f, mut r_d, mut r_s, mut opex) = (T::zero(), T::zero(), T::zero(), T::zero());
        let mut sf = T::zero();
        let mut cogs = T::zero();
        if t >= t_op {
            let k = t - t_op;
            r_f = lease_revenue(&inp.factory.lease, a.factory_leased, k, &mut rf);
            r_d = lease_revenue(&inp.dormitory, a.dormitory, k, &mut rd);
            r_s = lease_revenue(&inp.supporting, a.supporting, k, &mut rs);
            let share = at(&inp.factory.sale_schedule, k);
            sf = sold_value_f * share;
            cogs += cogs_f * share;
        }
        let sr = if t >= res_start {
            let share = at(&inp.residential.sale_schedule, t - res_start);
            cogs += cogs_r * share;
            sold_value_r * share
        } else {
            T::zero()
        };
        let rent = r_f + r_d + r_s;
        let sales = sf + sr;
        let vr = rent * vr_k;
        let vs = sales * vs_k;
        let rnet = rent - vr;
        let snet = sales - vs;
        let sur = (vr + vs) * tx.surcharge_rate;
        let pt = rnet * tx.property_tax_rent_rate;
        let lat = snet * tx.lat_rate;
        if t >= t_op {
            opex =
                inp.opex.rate_of_revenue * rnet + inp.opex.capex_reserve_rate * rnet + fixed_opex;
        }
        let inflow = rent + sales + l.subsidy[t] + l.terminal_value[t];
        let outflow = vr + vs + sur + pt + lut + lat + opex + l.land[t] + l.construction[t];
        l.cf_pre_tax[t] = inflow - outflow;
        if need == Need::PreTax {
            continue;
        }
        l.rent_factory[t] = r_f;
        l.rent_dormitory[t] = r_d;
        l.rent_supporting[t] = r_s;
        l.sales_factory[t] = sf;
        l.sales_residential[t] = sr;
        l.vat[t] = vr + vs;
        l.surcharges[t] = sur;
        l.property_tax[t] = pt;
        l.land_use_tax[t] = lut;
        l.lat[t] = lat;
        l.opex[t] = opex;
        l.cost_of_sales[t] = cogs;
        let d = if t >= t_op && t < t_op + dep_years {
            dep
        } else {
            T::zero()
        };
        l.depreciation[t] = d;
        let settle = if t == t_op { resettle } else { T::zero() };
        l.ebit[t] = rnet + snet + l.subsidy[t] + l.terminal_value[t]
            - sur
            - pt
            - lut
            - lat
            - opex
            - cogs
            - settle
            - d;
    }

    if need == Need::PreTax {
        return;
    }
    // §7 adjusted income tax
    let Ledger {
        ebit,
        losses,
        income_tax_adjusted,
        ..
    } = l;
    income_tax(
        |t| ebit[t],
        n,
        tx.income_tax_rate,
        tx.loss_carry_years,
        losses,
        income_tax_adjusted,
    );
    for t in 0..n {
        l.cf_after_tax[t] = l.cf_pre_tax[t] - l.income_tax_adjusted[t];
    }

    if need == Need::AfterTax {
        return;
    }
    // §7 loan and equity
    let f = &inp.finance;
    let mut drawn = T::zero();
    for t in 0..t_op.min(n) {
        let d = f.loan_share * (l.land[t] + l.construction[t]);
        l.loan_draw[t] = d;
        drawn += d;
    }
    let repay = if f.repayment_years > 0 {
        drawn / T::from_usize(f.repayment_years)
    } else {
        T::zero()
    };
    let mut bal = T::zero();
    for t in 0..n {
        l.interest[t] = bal * f.interest_rate;
        if t >= t_op && t < t_op + f.repayment_years {
            l.principal[t] = repay;
        }
        bal = bal + l.loan_draw[t] - l.principal[t];
        l.loan_balance[t] = bal;
    }
    let Ledger {
        ebit,
        interest,
        losses,
        income_tax_equity,
        ..
    } = l;
    income_tax(
        |t| ebit[t] - interest[t],
        n,
        tx.income_tax_rate,
        tx.loss_carry_years,
        losses,
        income_tax_equity,
    );
    for t in 0..n {
        l.cf_equity[t] = l.cf_pre_tax[t] + l.loan_draw[t]
            - l.interest[t]
            - l.principal[t]
            - l.income_tax_equity[t];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = include_str!("../tests/conformance/03-wuhan-subsidy-loan.toml");

    #[test]
    fn a_reused_ledger_equals_a_fresh_one_whatever_was_run_before() {
        let sc = crate::scenario::load(SRC, &[]).unwrap();
        let mut other = sc.inputs.clone();
        other.construction.delay_years = 2;
        other.finance.loan_share = 0.3;
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
            run_part(inp, &mut l, need);
            let fresh = {
                let mut f = Ledger::default();
                run_part(inp, &mut f, need);
                f
            };
            assert_eq!(l.columns(), fresh.columns(), "{need:?}");
        }
        run_part(&sc.inputs, &mut l, Need::All);
        assert_eq!(l.columns(), fresh_all.columns());
        // skipped passes leave zeros
        run_part(&sc.inputs, &mut l, Need::PreTax);
        assert!(l
            .cf_equity
            .iter()
            .chain(&l.loan_draw)
            .chain(&l.income_tax_adjusted)
            .chain(&l.rent_factory)
            .chain(&l.opex)
            .all(|v| *v == 0.0));
        assert_eq!(l.cf_pre_tax, fresh_all.cf_pre_tax);
    }
}
