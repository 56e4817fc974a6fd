//! The deterministic cash-flow model (docs/model.md §1–§7) as named stages that mirror the
//! statements of a feasibility study: areas → costs → revenues → VAT → LAT → cash flows →
//! income tax → financing. Generic over the number type: `Decimal` for the reported ledger,
//! `f64` for Monte Carlo, so both are the same arithmetic by construction.

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
pub fn areas<T: Num>(inp: &Inputs<T>) -> Areas<T> {
    let gfa = inp.site.land_area_m2 * inp.site.far;
    let factory = gfa * inp.mix.factory;
    let h = inp.factory.self_held_share;
    let q = inp.factory.resettlement_share;
    let mut sold = T::one() - h - q;
    // a sold share within ±1e-9 of zero is zero (e.g. h = 2/3, q = 1/3 in floats)
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
fn size_to<T: Num>(v: &mut Vec<T>, n: usize) {
    if v.len() != n {
        v.clear();
        v.resize(n, T::zero());
    }
}

#[inline]
fn at<T: Num>(v: &[T], i: usize) -> T {
    v.get(i).copied().unwrap_or_default()
}

/// The share of a sale schedule that falls in year `t` when sales start in year `start`.
#[inline]
fn share_in<T: Num>(schedule: &[T], start: usize, t: usize) -> T {
    if t >= start {
        at(schedule, t - start)
    } else {
        T::zero()
    }
}

impl<T: Num> Inputs<T> {
    /// The factory sale share falling in year t (sales start at t_op).
    pub fn factory_sale_share(&self, t: usize) -> T {
        share_in(&self.factory.sale_schedule, self.t_op(), t)
    }
    /// The residential sale share falling in year t (sales start at `sale_start`, else t_op).
    pub fn residential_sale_share(&self, t: usize) -> T {
        let start = self.residential.sale_start.unwrap_or(self.t_op());
        share_in(&self.residential.sale_schedule, start, t)
    }
}

/// The construction subsidy 建设补助 paid (docs/model.md §5), after its cap.
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

/// The basement subsidy 地下室补助 paid (docs/model.md §5), after its cap.
pub fn basement_subsidy<T: Num>(inp: &Inputs<T>, a: &Areas<T>) -> T {
    let amount = inp.subsidy.basement_per_m2 * a.basement;
    match inp.subsidy.basement_cap {
        Some(cap) => amount.min(cap),
        None => amount,
    }
}

/// Zeroes `col`, then writes `value × share` in the years a schedule starting at `start`
/// covers: the stages touch only the years where something happens.
fn fill_schedule<T: Num>(col: &mut [T], schedule: &[T], start: usize, value: T) {
    col.fill(T::zero());
    if let Some(dst) = col.get_mut(start..) {
        for (d, s) in dst.iter_mut().zip(schedule) {
            *d = value * *s;
        }
    }
}

/// Adds `value × share` in the years a schedule starting at `start` covers.
fn add_schedule<T: Num>(col: &mut [T], schedule: &[T], start: usize, value: T) {
    if let Some(dst) = col.get_mut(start..) {
        for (d, s) in dst.iter_mut().zip(schedule) {
            *d += value * *s;
        }
    }
}

/// Stage 2, costs (§3): land at t = 0 and the construction spending by schedule.
pub fn costs<T: Num>(inp: &Inputs<T>, a: &Areas<T>, l: &mut Ledger<T>) -> Costs<T> {
    let c = &inp.construction;
    let one = T::one();
    let basis = match inp.land.price_basis {
        PriceBasis::Land => inp.site.land_area_m2,
        PriceBasis::Gfa => a.gfa,
        PriceBasis::Total => one,
    };
    let land_price = inp.land.price * basis;
    let land_out = land_price + land_price * inp.land.deed_tax_rate + inp.land.other_costs;
    let res_cost = c.residential_cost_per_m2.unwrap_or(c.cost_per_m2);
    let hard = c.cost_per_m2 * (a.gfa - a.residential)
        + res_cost * a.residential
        + c.basement_cost_per_m2 * a.basement;
    let vatable_build = hard * (one + c.soft_cost_rate) * (one + c.contingency_rate);
    let build = vatable_build + c.infrastructure_fee_per_m2 * a.gfa;
    l.land.fill(T::zero());
    l.land[0] = land_out;
    fill_schedule(&mut l.construction, &c.schedule, 0, build);
    // ΣIVb as the sum of the yearly credits the VAT stage books, so the statement adds up
    let ib = c.input_vat_rate / (one + c.input_vat_rate);
    let mut input_vat_build = T::zero();
    if !ib.is_zero() {
        for share in &c.schedule {
            input_vat_build += vatable_build * *share * ib;
        }
    }
    Costs {
        land_price,
        land_out,
        hard,
        vatable_build,
        build,
        input_vat_build,
        capital: land_out + build - input_vat_build,
    }
}

/// Subsidies (§5) and the terminal value (§4), which carry no VAT.
pub fn subsidies<T: Num>(inp: &Inputs<T>, a: &Areas<T>, l: &mut Ledger<T>) {
    let n = l.years();
    let t_op = inp.t_op();
    let s = &inp.subsidy;
    l.subsidy.fill(T::zero());
    for v in l
        .subsidy
        .iter_mut()
        .take(t_op + s.operating_years)
        .skip(t_op)
    {
        *v = s.operating_per_year;
    }
    if t_op + s.construction_lag < n {
        l.subsidy[t_op + s.construction_lag] += construction_subsidy(inp, a);
    }
    if t_op < n {
        l.subsidy[t_op] += basement_subsidy(inp, a);
    }
    l.terminal_value.fill(T::zero());
    l.terminal_value[n - 1] = inp.project.terminal_value;
}

/// Leased revenue of one use in operating year k, advancing its rent by one year's growth.
#[inline]
fn lease_revenue<T: Num>(lease: &Lease<T>, area_year: T, k: usize, rent: &mut T) -> T {
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
    area_year * *rent * occ
}

/// Stage 3, revenues (§4): rents of the three leased uses and the two kinds of sales.
pub fn revenues<T: Num>(inp: &Inputs<T>, a: &Areas<T>, l: &mut Ledger<T>) {
    let t_op = inp.t_op();
    let twelve = T::from_usize(12);
    let (mut rf, mut rd, mut rs) = (
        inp.factory.lease.rent,
        inp.dormitory.rent,
        inp.supporting.rent,
    );
    let (af, ad, asp) = (
        a.factory_leased * twelve,
        a.dormitory * twelve,
        a.supporting * twelve,
    );
    for col in [
        &mut l.rent_factory,
        &mut l.rent_dormitory,
        &mut l.rent_supporting,
    ] {
        let before = t_op.min(col.len());
        col[..before].fill(T::zero());
    }
    for t in t_op..l.years() {
        let k = t - t_op;
        l.rent_factory[t] = lease_revenue(&inp.factory.lease, af, k, &mut rf);
        l.rent_dormitory[t] = lease_revenue(&inp.dormitory, ad, k, &mut rd);
        l.rent_supporting[t] = lease_revenue(&inp.supporting, asp, k, &mut rs);
    }
    let res_start = inp.residential.sale_start.unwrap_or(t_op);
    fill_schedule(
        &mut l.sales_factory,
        &inp.factory.sale_schedule,
        t_op,
        a.factory_sold * inp.factory.sale_price,
    );
    fill_schedule(
        &mut l.sales_residential,
        &inp.residential.sale_schedule,
        res_start,
        a.residential * inp.residential.sale_price,
    );
}

/// Output VAT on one kind of sale: on the price less the land under the area sold when the
/// land deduction applies (`land_per_share` per unit of schedule share), never below zero.
fn sales_vat<T: Num>(
    vat: &mut [T],
    sales: &[T],
    schedule: &[T],
    start: usize,
    land_per_share: Option<T>,
    rate: T,
) {
    vat.fill(T::zero());
    let years = vat.len().min(sales.len());
    for (i, share) in schedule.iter().enumerate() {
        let t = start + i;
        if t >= years {
            break;
        }
        vat[t] = match land_per_share {
            None => sales[t] * rate,
            Some(land) => (sales[t] - land * *share).max0() * rate,
        };
    }
}

/// Stage 4a, output VAT (§6): on rent, and on each kind of sale after the land-price
/// deduction (差额征税) when it applies.
pub fn output_vat<T: Num>(inp: &Inputs<T>, a: &Areas<T>, k: &Costs<T>, l: &mut Ledger<T>) {
    let tx = &inp.tax;
    let one = T::one();
    let n = l.years();
    let vr = tx.vat_rent_rate / (one + tx.vat_rent_rate);
    let vs = tx.vat_sale_rate / (one + tx.vat_sale_rate);
    for t in 0..n {
        let rent = l.rent_factory[t] + l.rent_dormitory[t] + l.rent_supporting[t];
        let vat = rent * vr;
        l.vat_rent[t] = vat;
        l.rent_net[t] = rent - vat;
    }
    // the land price under the area sold, per unit of schedule share (spread over GFA)
    let deduct = |area: T| {
        tx.vat_sale_land_deduction
            .then(|| (k.land_price * area).ratio(a.gfa))
    };
    let t_op = inp.t_op();
    sales_vat(
        &mut l.vat_sales_factory,
        &l.sales_factory,
        &inp.factory.sale_schedule,
        t_op,
        deduct(a.factory_sold),
        vs,
    );
    sales_vat(
        &mut l.vat_sales_residential,
        &l.sales_residential,
        &inp.residential.sale_schedule,
        inp.residential.sale_start.unwrap_or(t_op),
        deduct(a.residential),
        vs,
    );
    for t in 0..n {
        let vs = l.vat_sales_factory[t] + l.vat_sales_residential[t];
        l.vat_output[t] = l.vat_rent[t] + vs;
        l.sales_net[t] = l.sales_factory[t] + l.sales_residential[t] - vs;
    }
}

/// Stage 4b, operating costs (§3): a share of net rent plus a fixed cost per leased m², with
/// the input VAT they carry.
pub fn opex<T: Num>(inp: &Inputs<T>, a: &Areas<T>, l: &mut Ledger<T>) {
    let t_op = inp.t_op();
    let o = &inp.opex;
    let rate = o.rate_of_revenue + o.capex_reserve_rate;
    let fixed =
        o.per_m2_month * T::from_usize(12) * (a.factory_leased + a.dormitory + a.supporting);
    let io = o.input_vat_rate / (T::one() + o.input_vat_rate);
    let before = t_op.min(l.opex.len());
    l.opex[..before].fill(T::zero());
    for t in t_op..l.years() {
        l.opex[t] = rate * l.rent_net[t] + fixed;
    }
    if io.is_zero() {
        l.vat_input_opex.fill(T::zero());
    } else {
        for (v, x) in l.vat_input_opex.iter_mut().zip(&l.opex) {
            *v = *x * io;
        }
    }
}

/// Stage 4c, VAT payable with the carried credit (§6), surcharges on the VAT paid, property
/// tax on net rent and land use tax.
pub fn vat_and_other_taxes<T: Num>(inp: &Inputs<T>, k: &Costs<T>, l: &mut Ledger<T>) {
    let tx = &inp.tax;
    let c = &inp.construction;
    let n = l.years();
    let one = T::one();
    let ib = c.input_vat_rate / (one + c.input_vat_rate);
    let io = inp.opex.input_vat_rate / (one + inp.opex.input_vat_rate);
    if ib.is_zero() && io.is_zero() {
        // nothing to credit: the VAT paid is the output VAT
        l.vat_input.fill(T::zero());
        l.vat_credit.fill(T::zero());
        l.vat[..n].copy_from_slice(&l.vat_output[..n]);
    } else {
        fill_schedule(&mut l.vat_input, &c.schedule, 0, k.vatable_build * ib);
        let mut credit = T::zero();
        for t in 0..n {
            l.vat_input[t] += l.vat_input_opex[t];
            let due = l.vat_output[t] - l.vat_input[t] - credit;
            let paid = due.max0();
            credit = (-due).max0();
            l.vat[t] = paid;
            l.vat_credit[t] = credit;
        }
    }
    for (s, v) in l.surcharges[..n].iter_mut().zip(&l.vat) {
        *s = *v * tx.surcharge_rate;
    }
    for t in 0..n {
        l.property_tax[t] = l.rent_net[t] * tx.property_tax_rent_rate;
    }
    l.land_use_tax
        .fill(tx.land_use_tax_per_m2 * inp.site.land_area_m2);
}

/// The progressive tax on a gain over its deductions (土地增值税暂行条例 第七条).
pub fn lat_tiers<T: Num>(gain: T, ded: T, ordinary: bool) -> (T, Option<T>) {
    let f = T::from_f64;
    if gain <= T::zero() {
        return (T::zero(), (!ded.is_zero()).then(|| gain / ded));
    }
    if ded <= T::zero() {
        return (f(0.60) * gain - f(0.35) * ded, None);
    }
    let a = gain / ded;
    let tax = if ordinary && a <= f(0.20) {
        T::zero()
    } else if a <= f(0.5) {
        f(0.30) * gain
    } else if a <= T::one() {
        f(0.40) * gain - f(0.05) * ded
    } else if a <= f(2.0) {
        f(0.50) * gain - f(0.15) * ded
    } else {
        f(0.60) * gain - f(0.35) * ded
    };
    (tax, Some(a))
}

/// Stage 5, 土地增值税 (§6): the cash paid (`lat`) and the accrual income tax deducts
/// (`lat_accrued`), effective or progressive per sold object with prepayment and settlement.
pub fn land_appreciation_tax<T: Num>(
    inp: &Inputs<T>,
    a: &Areas<T>,
    k: &Costs<T>,
    l: &mut Ledger<T>,
) {
    let n = l.years();
    let tx = &inp.tax;
    l.lat_detail.clear();
    if tx.lat_method == LatMethod::Effective {
        if tx.lat_rate.is_zero() {
            l.lat.fill(T::zero());
        } else {
            for t in 0..n {
                l.lat[t] = l.sales_net[t] * tx.lat_rate;
            }
        }
        l.lat_accrued[..n].copy_from_slice(&l.lat[..n]);
        return;
    }
    for t in 0..n {
        l.lat[t] = T::zero();
        l.lat_accrued[t] = T::zero();
    }
    let res_start = inp.residential.sale_start.unwrap_or(inp.t_op());
    let objects = [
        (
            SoldObject::Factory,
            a.factory_sold,
            &inp.factory.sale_schedule,
            inp.t_op(),
            false,
        ),
        (
            SoldObject::Residential,
            a.residential,
            &inp.residential.sale_schedule,
            res_start,
            inp.residential.ordinary,
        ),
    ];
    for (object, area, schedule, start, ordinary) in objects {
        if area <= T::zero() {
            continue;
        }
        let (sales, vat) = match object {
            SoldObject::Factory => (&l.sales_factory, &l.vat_sales_factory),
            SoldObject::Residential => (&l.sales_residential, &l.vat_sales_residential),
        };
        let mut rev = T::zero();
        let mut vat_total = T::zero();
        for t in 0..n {
            rev += sales[t] - vat[t];
            vat_total += vat[t];
        }
        let land = (k.land_out * area).ratio(a.gfa);
        let development = ((k.build - k.input_vat_build) * area).ratio(a.gfa);
        let base = land + development;
        let expenses = tx.lat_expense_rate * base;
        let taxes = vat_total * tx.surcharge_rate;
        let extra = tx.lat_extra_deduction_rate * base;
        let ded = base + expenses + taxes + extra;
        let gain = rev - ded;
        let (lat, ratio) = lat_tiers(gain, ded, ordinary);
        let last_sale = schedule
            .iter()
            .rposition(|s| *s > T::zero())
            .map_or(start, |i| start + i);
        let settlement_year = (last_sale + 1).min(n - 1);
        let mut prepaid = T::zero();
        for t in 0..n {
            let snet = sales[t] - vat[t];
            let pre = tx.lat_prepay_rate * snet;
            prepaid += pre;
            l.lat[t] += pre;
            l.lat_accrued[t] += (lat * snet).ratio(rev);
        }
        l.lat[settlement_year] += lat - prepaid;
        l.lat_detail.push(LatObject {
            object,
            rev,
            land,
            development,
            expenses,
            taxes,
            extra,
            ded,
            gain,
            ratio,
            lat,
            prepaid,
            settlement_year,
        });
    }
}

/// Stage 6, the project cash flow before income tax (§7).
pub fn pre_tax_flow<T: Num>(l: &mut Ledger<T>) {
    let n = l.years();
    // equal-length slices let the compiler drop the bounds checks
    let (rf, rd, rs) = (
        &l.rent_factory[..n],
        &l.rent_dormitory[..n],
        &l.rent_supporting[..n],
    );
    let (sf, sr, sub, tv) = (
        &l.sales_factory[..n],
        &l.sales_residential[..n],
        &l.subsidy[..n],
        &l.terminal_value[..n],
    );
    let (vat, sur, pt, lut) = (
        &l.vat[..n],
        &l.surcharges[..n],
        &l.property_tax[..n],
        &l.land_use_tax[..n],
    );
    let (lat, opex, land, cons) = (
        &l.lat[..n],
        &l.opex[..n],
        &l.land[..n],
        &l.construction[..n],
    );
    let cf = &mut l.cf_pre_tax[..n];
    for t in 0..n {
        let inflow = rf[t] + rd[t] + rs[t] + sf[t] + sr[t] + sub[t] + tv[t];
        let outflow = vat[t] + sur[t] + pt[t] + lut[t] + lat[t] + opex[t] + land[t] + cons[t];
        cf[t] = inflow - outflow;
    }
}

/// Tax on `base` with losses carried forward `carry` years, oldest first (§7).
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

/// Depreciation years `n = min(depreciation_years, N − t_op)` and the share of K disposed
/// of by sale or resettlement, σ.
fn depreciation_terms<T: Num>(inp: &Inputs<T>, a: &Areas<T>, n: usize) -> (usize, T) {
    let dep_years = inp.tax.depreciation_years.min(n - inp.t_op().min(n));
    let disposed = (a.factory_sold + a.factory_resettled + a.residential).ratio(a.gfa);
    (dep_years, disposed)
}

/// Stage 7, adjusted income tax (调整所得税) and the project flow after it (§7).
pub fn income_tax_adjusted<T: Num>(inp: &Inputs<T>, a: &Areas<T>, k: &Costs<T>, l: &mut Ledger<T>) {
    let n = l.years();
    let t_op = inp.t_op();
    let tx = &inp.tax;
    let (dep_years, disposed) = depreciation_terms(inp, a, n);
    let dep = if dep_years > 0 {
        k.capital * (T::one() - disposed) / T::from_usize(dep_years)
    } else {
        T::zero()
    };
    let resettle = (k.capital * a.factory_resettled).ratio(a.gfa);
    // cost of sales per unit of schedule share (K·A/GFA)
    let cogs_f = (k.capital * a.factory_sold).ratio(a.gfa);
    let cogs_r = (k.capital * a.residential).ratio(a.gfa);
    let res_start = inp.residential.sale_start.unwrap_or(t_op);
    fill_schedule(
        &mut l.cost_of_sales,
        &inp.factory.sale_schedule,
        t_op,
        cogs_f,
    );
    add_schedule(
        &mut l.cost_of_sales,
        &inp.residential.sale_schedule,
        res_start,
        cogs_r,
    );
    for t in 0..n {
        let cogs = l.cost_of_sales[t];
        l.resettlement[t] = if t == t_op { resettle } else { T::zero() };
        l.depreciation[t] = if t >= t_op && t < t_op + dep_years {
            dep
        } else {
            T::zero()
        };
        l.ebit[t] = l.rent_net[t] + l.sales_net[t] + l.subsidy[t] + l.terminal_value[t]
            - l.surcharges[t]
            - l.property_tax[t]
            - l.land_use_tax[t]
            - l.lat_accrued[t]
            - (l.opex[t] - l.vat_input_opex[t])
            - cogs
            - l.resettlement[t]
            - l.depreciation[t];
    }
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
}

/// Stage 8a, the loan (§7): draws during construction, interest (start-of-year or mid-year,
/// paid or capitalised), grace years and the repayment method. Returns ΣIcap.
pub fn loan<T: Num>(inp: &Inputs<T>, l: &mut Ledger<T>) -> T {
    let n = l.years();
    let t_op = inp.t_op();
    let f = &inp.finance;
    let i = f.interest_rate;
    let half = T::from_f64(0.5);
    let m = f.repayment_years;
    let first = t_op + f.grace_years;
    let mut bal = T::zero();
    let mut capitalised = T::zero();
    // the balance at t_op and the constant payment, set when t_op is reached
    let mut b = T::zero();
    let mut payment = T::zero();
    for t in 0..n {
        let d = if t < t_op {
            f.loan_share * (l.land[t] + l.construction[t])
        } else {
            T::zero()
        };
        l.loan_draw[t] = d;
        let accruing = match f.interest_convention {
            InterestConvention::StartOfYear => bal,
            InterestConvention::MidYear => bal + d * half,
        };
        let it = accruing * i;
        let cap = f.capitalise_interest && t < t_op;
        l.interest[t] = if cap { T::zero() } else { it };
        l.interest_capitalised[t] = if cap { it } else { T::zero() };
        if cap {
            capitalised += it;
        }
        if t == t_op && m > 0 {
            b = bal;
            payment = match f.repayment {
                Repayment::EqualPayment if !i.is_zero() => {
                    let v = (T::one() / (T::one() + i)).powu(m);
                    (b * i).ratio(T::one() - v)
                }
                _ => b / T::from_usize(m),
            };
        }
        l.principal[t] = if t >= first && t < first + m {
            match f.repayment {
                Repayment::EqualPrincipal => payment,
                Repayment::EqualPayment => payment - it,
                Repayment::Bullet if t + 1 == first + m => b,
                Repayment::Bullet => T::zero(),
            }
        } else {
            T::zero()
        };
        bal = bal + d + l.interest_capitalised[t] - l.principal[t];
        l.loan_balance[t] = bal;
    }
    capitalised
}

/// Stage 8b, equity (资本金) income tax on EBIT less cash interest and the capitalised
/// interest released with cost of sales and depreciation, and the equity flow (§7).
pub fn equity<T: Num>(inp: &Inputs<T>, a: &Areas<T>, icap: T, l: &mut Ledger<T>) {
    let n = l.years();
    let t_op = inp.t_op();
    let tx = &inp.tax;
    let (dep_years, disposed) = depreciation_terms(inp, a, n);
    let icap_dep = if dep_years > 0 {
        icap * (T::one() - disposed) / T::from_usize(dep_years)
    } else {
        T::zero()
    };
    for t in 0..n {
        l.ebit_equity[t] = l.ebit[t] - l.interest[t];
    }
    // the capitalised interest is released with the cost of sales and depreciation
    if !icap.is_zero() {
        let release = &mut l.ebit_equity;
        let res_start = inp.residential.sale_start.unwrap_or(t_op);
        add_schedule(
            release,
            &inp.factory.sale_schedule,
            t_op,
            -(icap * a.factory_sold).ratio(a.gfa),
        );
        add_schedule(
            release,
            &inp.residential.sale_schedule,
            res_start,
            -(icap * a.residential).ratio(a.gfa),
        );
        if t_op < n {
            release[t_op] -= (icap * a.factory_resettled).ratio(a.gfa);
        }
        for v in release.iter_mut().take(t_op + dep_years).skip(t_op) {
            *v -= icap_dep;
        }
    }
    let Ledger {
        ebit_equity,
        losses,
        income_tax_equity,
        ..
    } = l;
    income_tax(
        |t| ebit_equity[t],
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

/// Runs the model into a fresh ledger.
pub fn run<T: Num>(inp: &Inputs<T>) -> Ledger<T> {
    let mut l = Ledger::default();
    run_into(inp, &mut l, Need::All);
    l
}

/// Runs the stages `need` asks for into `l`, reusing its buffers (no allocation once they
/// are large enough); the columns of skipped stages read as zero.
pub fn run_into<T: Num>(inp: &Inputs<T>, l: &mut Ledger<T>, need: Need) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    const SRC: &str = include_str!("../tests/conformance/03-wuhan-subsidy-loan.toml");

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
}
