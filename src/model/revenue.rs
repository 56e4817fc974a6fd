//! Stage 3, revenues (营业收入): rents of the leased uses and the two kinds of sales
//! (docs/model.md §4).

use super::*;

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
