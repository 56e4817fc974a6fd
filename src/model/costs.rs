//! Stage 2, costs (投资估算): land, construction by schedule with its input VAT, and the
//! subsidies and terminal value that come with them (docs/model.md §3, §5).

use super::*;

/// The construction subsidy 建设补助 paid (docs/model.md §5), after its cap.
#[inline(always)]
pub fn construction_subsidy<T: Num>(inp: &Inputs<T>, a: &Areas<T>) -> T {
    let s = &inp.subsidy;
    let base = match s.construction_base {
        SubsidyBase::Factory => a.factory,
        SubsidyBase::FactoryDormitory => a.factory + a.dormitory,
        SubsidyBase::NonResidential => a.gfa - a.residential,
    };
    let amount = (s.construction_per_m2 * base).money();
    match s.construction_cap {
        Some(cap) => amount.min(cap),
        None => amount,
    }
}

/// The input VAT on construction per unit of schedule share: the VAT stage books
/// `schedule[t]` of it in year t, and ΣIVb is the sum of those credits.
#[inline(always)]
pub fn build_credit<T: Num>(c: &crate::scenario::Construction<T>, vatable_build: T) -> T {
    (vatable_build * (c.input_vat_rate / (T::one() + c.input_vat_rate))).money()
}

/// The basement subsidy 地下室补助 paid (docs/model.md §5), after its cap.
#[inline(always)]
pub fn basement_subsidy<T: Num>(inp: &Inputs<T>, a: &Areas<T>) -> T {
    let amount = (inp.subsidy.basement_per_m2 * a.basement).money();
    match inp.subsidy.basement_cap {
        Some(cap) => amount.min(cap),
        None => amount,
    }
}

/// Stage 2, costs (§3): land at t = 0 and the construction spending by schedule.
#[inline(always)]
pub fn costs<T: Num>(inp: &Inputs<T>, a: &Areas<T>, l: &mut Ledger<T>) -> Costs<T> {
    let c = &inp.construction;
    let one = T::one();
    let basis = match inp.land.price_basis {
        PriceBasis::Land => inp.site.land_area_m2,
        PriceBasis::Gfa => a.gfa,
        PriceBasis::Total => one,
    };
    let land_price = (inp.land.price * basis).money();
    let land_out =
        land_price + (land_price * inp.land.deed_tax_rate).money() + inp.land.other_costs;
    let res_cost = c.residential_cost_per_m2.unwrap_or(c.cost_per_m2);
    let hard = (c.cost_per_m2 * (a.gfa - a.residential)).money()
        + (res_cost * a.residential).money()
        + (c.basement_cost_per_m2 * a.basement).money();
    let vatable_build = (hard * (one + c.soft_cost_rate) * (one + c.contingency_rate)).money();
    let build = vatable_build + (c.infrastructure_fee_per_m2 * a.gfa).money();
    l.land.fill(T::zero());
    l.land[0] = land_out;
    fill_schedule(&mut l.construction, &c.schedule, 0, build);
    // ΣIVb as the sum of the yearly credits the VAT stage books, so the statement adds up
    // (each term is what fill_schedule books for its year)
    let per_share = build_credit(c, vatable_build);
    let mut input_vat_build = T::zero();
    if !per_share.is_zero() {
        for share in &c.schedule {
            input_vat_build += (per_share * *share).money();
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
#[inline(always)]
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
