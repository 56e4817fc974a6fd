//! The deterministic cash-flow model (docs/model.md §1–§7) as named stages that mirror the
//! statements of a feasibility study: areas → costs → revenues → VAT → LAT → cash flows →
//! income tax → financing. Generic over the number type: `Decimal` for the reported ledger,
//! `f64` for Monte Carlo, so both are the same arithmetic by construction.

mod costs;
mod flows;
mod revenue;
mod taxes;
#[cfg(test)]
mod tests;

pub use costs::*;
pub use flows::*;
pub use revenue::*;
pub use taxes::*;

use crate::num::Num;
use crate::scenario::{
    Basis, Inputs, InterestConvention, LatMethod, Lease, PriceBasis, Repayment, SubsidyBase,
};
use serde::Serialize;

/// Floor areas (docs/model.md §2, m²).
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

/// Stage 1, areas: GFA and its split by use and factory tenure.
#[inline(always)]
pub fn areas<T: Num>(inp: &Inputs<T>) -> Areas<T> {
    let gfa = inp.site.land_area_m2 * inp.site.far;
    let factory = gfa * inp.mix.factory;
    let h = inp.factory.self_held_share;
    let q = inp.factory.resettlement_share;
    // a sold share within ±1e-9 of zero is zero (e.g. h = 2/3, q = 1/3 in floats)
    let sold = (T::one() - h - q).zero_if_within(1e-9);
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

/// The investment figures of stage 2 (投资估算, docs/model.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Costs<T> {
    /// The land price paid to the government (土地出让金), without deed tax or other costs.
    pub land_price: T,
    /// LandOut: land price + deed tax 契税 + other land costs (拆迁补偿 …).
    pub land_out: T,
    /// Hard cost H.
    pub hard: T,
    /// H·(1 + soft)·(1 + contingency): the part of the build cost that carries input VAT.
    pub vatable_build: T,
    /// Build: the above plus the infrastructure fee.
    pub build: T,
    /// ΣIVb: input VAT on construction, credited against output VAT.
    pub input_vat_build: T,
    /// Capitalised cost K = LandOut + Build − ΣIVb.
    pub capital: T,
}

/// A sold object settled separately for 土地增值税 (清算对象).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SoldObject {
    Factory,
    Residential,
}

/// The progressive 土地增值税 of one sold object (docs/model.md §6).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatObject<T> {
    pub object: SoldObject,
    /// Σ net sales (VAT excluded).
    pub rev: T,
    /// Land cost deducted (LandOut by area).
    pub land: T,
    /// Development cost deducted (Build − ΣIVb by area).
    pub development: T,
    /// 开发费用: the expense rate × (land + development).
    pub expenses: T,
    /// Surcharges on the object's output VAT.
    pub taxes: T,
    /// 加计扣除: the extra deduction rate × (land + development).
    pub extra: T,
    /// Total deductions (扣除项目金额).
    pub ded: T,
    /// 增值额
    pub gain: T,
    /// gain / deductions; `None` when there are no deductions.
    pub ratio: Option<T>,
    /// The tax due on settlement (清算应纳税额).
    pub lat: T,
    /// Σ prepayments (预征).
    pub prepaid: T,
    /// Year index of the settlement (清算): the year after the last sale, at most N − 1.
    pub settlement_year: usize,
}

/// Every line item per year (positive amounts; `cf_*` are signed, and so are `lat` — a
/// settlement refund — and `terminal_value`), as in the cash-flow CSV.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ledger<T> {
    pub start_year: i64,
    pub t_op: usize,
    pub areas: Areas<T>,
    pub costs: Costs<T>,
    /// Capitalised construction interest ΣIcap (equity view only).
    pub interest_capitalised_total: T,
    /// Progressive 土地增值税 per sold object; empty under the effective method.
    pub lat_detail: Vec<LatObject<T>>,
    pub land: Vec<T>,
    pub construction: Vec<T>,
    pub rent_factory: Vec<T>,
    pub rent_dormitory: Vec<T>,
    pub rent_supporting: Vec<T>,
    pub sales_factory: Vec<T>,
    pub sales_residential: Vec<T>,
    pub subsidy: Vec<T>,
    pub terminal_value: Vec<T>,
    /// VAT paid (应纳增值税).
    pub vat: Vec<T>,
    pub surcharges: Vec<T>,
    pub property_tax: Vec<T>,
    pub land_use_tax: Vec<T>,
    /// 土地增值税 paid: prepayments and settlements (a refund is negative).
    pub lat: Vec<T>,
    pub opex: Vec<T>,
    pub cf_pre_tax: Vec<T>,
    pub income_tax_adjusted: Vec<T>,
    pub cf_after_tax: Vec<T>,
    pub loan_draw: Vec<T>,
    /// Interest paid in cash (0 while it is capitalised).
    pub interest: Vec<T>,
    pub principal: Vec<T>,
    pub income_tax_equity: Vec<T>,
    pub cf_equity: Vec<T>,
    /// 销项税额: rent VAT + sales VAT.
    pub vat_output: Vec<T>,
    /// 进项税额: construction + opex input VAT.
    pub vat_input: Vec<T>,
    /// The credit carried at the end of the year (at N − 1, the credit that is lost).
    pub vat_credit: Vec<T>,
    pub interest_capitalised: Vec<T>,
    /// The LAT income tax deducts (accrued with the sales it arises from).
    pub lat_accrued: Vec<T>,
    /// The income-tax and statement working.
    pub cost_of_sales: Vec<T>,
    pub depreciation: Vec<T>,
    pub ebit: Vec<T>,
    pub loan_balance: Vec<T>,
    pub vat_rent: Vec<T>,
    pub vat_sales_factory: Vec<T>,
    pub vat_sales_residential: Vec<T>,
    pub vat_input_opex: Vec<T>,
    /// Rnet and Snet: rent and sales less their output VAT.
    pub rent_net: Vec<T>,
    pub sales_net: Vec<T>,
    /// Cost of the factory space handed back to original owners, expensed at t_op.
    pub resettlement: Vec<T>,
    pub ebit_equity: Vec<T>,
    /// Scratch for loss carry-forward (remaining loss of each year).
    losses: Vec<T>,
    /// The stages the previous run into this ledger wrote: a cheaper run zeroes only the
    /// columns the previous one filled and this one skips.
    last: Option<Need>,
}

/// CSV column names: the statement columns, the v2 VAT/LAT/loan columns, then the working.
pub const COLUMNS: [&str; 40] = [
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
    "vat_output",
    "vat_input",
    "vat_credit",
    "interest_capitalised",
    "lat_accrued",
    "cost_of_sales",
    "depreciation",
    "ebit",
    "loan_balance",
    "vat_rent",
    "vat_sales_factory",
    "vat_sales_residential",
    "vat_input_opex",
    "rent_net",
    "sales_net",
    "resettlement",
    "ebit_equity",
];

/// How much of the ledger a caller needs: Monte Carlo on the pre-tax basis can skip the two
/// income-tax stages and the loan schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Need {
    /// Stages up to the pre-tax flow; income tax and financing columns read as zero.
    PreTax,
    /// Also the adjusted income tax and `cf_after_tax`.
    AfterTax,
    /// Everything, including the loan and `cf_equity`.
    All,
}

impl Need {
    /// What the verdict on `basis` needs.
    pub fn for_basis(basis: Basis) -> Need {
        match basis {
            Basis::ProjectPreTax => Need::PreTax,
            Basis::ProjectAfterTax => Need::AfterTax,
            Basis::Equity => Need::All,
        }
    }
}

impl<T: Num> Ledger<T> {
    pub fn years(&self) -> usize {
        self.cf_pre_tax.len()
    }

    /// The columns in [`COLUMNS`] order.
    pub fn columns(&self) -> [&[T]; 40] {
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
            &self.vat_output,
            &self.vat_input,
            &self.vat_credit,
            &self.interest_capitalised,
            &self.lat_accrued,
            &self.cost_of_sales,
            &self.depreciation,
            &self.ebit,
            &self.loan_balance,
            &self.vat_rent,
            &self.vat_sales_factory,
            &self.vat_sales_residential,
            &self.vat_input_opex,
            &self.rent_net,
            &self.sales_net,
            &self.resettlement,
            &self.ebit_equity,
        ]
    }

    pub fn series(&self, basis: Basis) -> &[T] {
        match basis {
            Basis::ProjectPreTax => &self.cf_pre_tax,
            Basis::ProjectAfterTax => &self.cf_after_tax,
            Basis::Equity => &self.cf_equity,
        }
    }

    /// The columns each group of stages writes in full (every year).
    #[inline(always)]
    fn pre_tax_columns(&mut self) -> [&mut Vec<T>; 26] {
        [
            &mut self.land,
            &mut self.construction,
            &mut self.rent_factory,
            &mut self.rent_dormitory,
            &mut self.rent_supporting,
            &mut self.sales_factory,
            &mut self.sales_residential,
            &mut self.subsidy,
            &mut self.terminal_value,
            &mut self.vat,
            &mut self.surcharges,
            &mut self.property_tax,
            &mut self.land_use_tax,
            &mut self.lat,
            &mut self.opex,
            &mut self.cf_pre_tax,
            &mut self.vat_output,
            &mut self.vat_input,
            &mut self.vat_credit,
            &mut self.vat_rent,
            &mut self.vat_sales_factory,
            &mut self.vat_sales_residential,
            &mut self.vat_input_opex,
            &mut self.lat_accrued,
            &mut self.rent_net,
            &mut self.sales_net,
        ]
    }
    #[inline(always)]
    fn after_tax_columns(&mut self) -> [&mut Vec<T>; 7] {
        [
            &mut self.cost_of_sales,
            &mut self.depreciation,
            &mut self.resettlement,
            &mut self.ebit,
            &mut self.income_tax_adjusted,
            &mut self.cf_after_tax,
            &mut self.losses,
        ]
    }
    #[inline(always)]
    fn equity_columns(&mut self) -> [&mut Vec<T>; 9] {
        [
            &mut self.loan_draw,
            &mut self.interest,
            &mut self.interest_capitalised,
            &mut self.principal,
            &mut self.loan_balance,
            &mut self.ebit_equity,
            &mut self.income_tax_equity,
            &mut self.cf_equity,
            &mut self.losses,
        ]
    }

    /// Sizes every column to `n` years. The stages a run performs overwrite their columns in
    /// full; the columns of skipped stages are zeroed only if the previous run filled them.
    #[inline(always)]
    fn reset(&mut self, n: usize, need: Need) {
        let resized = self.cf_pre_tax.len() != n;
        let last = if resized { None } else { self.last };
        for v in self.pre_tax_columns() {
            size_to(v, n);
        }
        let stale = |stage: Need| last.is_none_or(|l| l >= stage);
        let (after, eq) = (stale(Need::AfterTax), stale(Need::All));
        prepare(self.after_tax_columns(), need >= Need::AfterTax, after, n);
        prepare(self.equity_columns(), need >= Need::All, eq, n);
        self.last = Some(need);
    }
}

/// Sizes the columns of a group of stages: to be overwritten when the stages run, else zeroed
/// when a previous run may have filled them.
#[inline(always)]
fn prepare<T: Num, const K: usize>(cols: [&mut Vec<T>; K], written: bool, stale: bool, n: usize) {
    for v in cols {
        if written {
            size_to(v, n);
        } else if stale || v.len() != n {
            v.clear();
            v.resize(n, T::zero());
        }
    }
}

/// Gives `v` length `n` without touching its values when it already has it.
#[inline(always)]
fn size_to<T: Num>(v: &mut Vec<T>, n: usize) {
    if v.len() != n {
        v.clear();
        v.resize(n, T::zero());
    }
}

#[inline(always)]
fn at<T: Num>(v: &[T], i: usize) -> T {
    v.get(i).copied().unwrap_or_default()
}

/// Zeroes `col`, then writes `value × share` in the years a schedule starting at `start`
/// covers: the stages touch only the years where something happens.
#[inline(always)]
fn fill_schedule<T: Num>(col: &mut [T], schedule: &[T], start: usize, value: T) {
    col.fill(T::zero());
    if let Some(dst) = col.get_mut(start..) {
        for (d, s) in dst.iter_mut().zip(schedule) {
            *d = (value * *s).money();
        }
    }
}

/// Adds `value × share` in the years a schedule starting at `start` covers.
#[inline(always)]
fn add_schedule<T: Num>(col: &mut [T], schedule: &[T], start: usize, value: T) {
    if let Some(dst) = col.get_mut(start..) {
        for (d, s) in dst.iter_mut().zip(schedule) {
            *d += (value * *s).money();
        }
    }
}

/// Runs the model into a fresh ledger.
pub fn run<T: Num>(inp: &Inputs<T>) -> Ledger<T> {
    let mut l = Ledger::default();
    run_into(inp, &mut l, Need::All);
    l
}

/// Runs the stages `need` asks for into `l`, reusing its buffers (no allocation once they
/// are large enough); the columns of skipped stages read as zero.
pub fn run_into<T: Num>(inp: &Inputs<T>, l: &mut Ledger<T>, need: Need) {
    run_into_inlined(inp, l, need)
}

/// [`run_into`] with every stage inlined: the lockstep engine calls it from functions compiled
/// for wider vector units, which reach only the code inlined into them.
#[inline(always)]
pub fn run_into_inlined<T: Num>(inp: &Inputs<T>, l: &mut Ledger<T>, need: Need) {
    let n = inp.years();
    l.reset(n, need);
    l.start_year = inp.project.start_year;
    l.t_op = inp.t_op();
    let a = areas(inp);
    l.areas = a;
    l.interest_capitalised_total = T::zero();
    if n == 0 {
        l.lat_detail.clear();
        return;
    }
    let k = costs(inp, &a, l);
    l.costs = k;
    subsidies(inp, &a, l);
    revenues(inp, &a, l);
    output_vat(inp, &a, &k, l);
    opex(inp, &a, l);
    vat_and_other_taxes(inp, &k, l);
    land_appreciation_tax(inp, &a, &k, l);
    pre_tax_flow(l);
    if need == Need::PreTax {
        return;
    }
    income_tax_adjusted(inp, &a, &k, l);
    if need == Need::AfterTax {
        return;
    }
    let icap = loan(inp, l);
    l.interest_capitalised_total = icap;
    equity(inp, &a, icap, l);
}
