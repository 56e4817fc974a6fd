//! Stage 3, revenues (营业收入): rents of the leased uses and the two kinds of sales
//! (docs/model.md §4).

use super::*;

/// Leased revenue of one use in operating year k. `full` is the year's rent at full occupancy
/// (area × 12 × rent), booked as money and advanced by one year's growth: growing the unit rent
/// instead would carry its 28 digits into every year's product.
#[inline(always)]
fn lease_revenue<T: Num>(lease: &Lease<T>, k: usize, full: &mut T) -> T {
    if k > 0 {
        let g = if lease.rent_growth_by_year.is_empty() {
            lease.rent_growth
        } else {
            at(&lease.rent_growth_by_year, k)
        };
        *full = (*full * (T::one() + g)).money();
    }
    let occ = if k < lease.occupancy_ramp.len() {
        lease.occupancy_ramp[k]
    } else if lease.occupancy_by_year.is_empty() {
        lease.occupancy.unwrap_or_default()
    } else {
        at(&lease.occupancy_by_year, k)
    };
    (*full * occ).money()
}

/// Stage 3, revenues (§4): rents of the three leased uses and the two kinds of sales.
#[inline(always)]
pub fn revenues<T: Num>(inp: &Inputs<T>, a: &Areas<T>, l: &mut Ledger<T>) {
    let t_op = inp.t_op();
    let twelve = T::from_usize(12);
    let (mut rf, mut rd, mut rs) = (
        (a.factory_leased * twelve * inp.factory.lease.rent).money(),
        (a.dormitory * twelve * inp.dormitory.rent).money(),
        (a.supporting * twelve * inp.supporting.rent).money(),
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
        l.rent_factory[t] = lease_revenue(&inp.factory.lease, k, &mut rf);
        l.rent_dormitory[t] = lease_revenue(&inp.dormitory, k, &mut rd);
        l.rent_supporting[t] = lease_revenue(&inp.supporting, k, &mut rs);
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
