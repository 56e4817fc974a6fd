//! Stages 4 and 5, taxes other than income tax: output VAT with the land deduction, opex and
//! its input VAT, VAT payable with the carried credit, surcharges, property and land use tax,
//! and 土地增值税 (docs/model.md §3, §6).

use super::*;

/// Output VAT on one kind of sale: on the price less the land under the area sold when the
/// land deduction applies (`land_per_share` per unit of schedule share), never below zero.
#[inline(always)]
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
            None => (sales[t] * rate).money(),
            Some(land) => ((sales[t] - (land * *share).money()).max0() * rate).money(),
        };
    }
}

/// Stage 4a, output VAT (§6): on rent, and on each kind of sale after the land-price
/// deduction (差额征税) when it applies.
#[inline(always)]
pub fn output_vat<T: Num>(inp: &Inputs<T>, a: &Areas<T>, k: &Costs<T>, l: &mut Ledger<T>) {
    let tx = &inp.tax;
    let one = T::one();
    let n = l.years();
    let vr = tx.vat_rent_rate / (one + tx.vat_rent_rate);
    let vs = tx.vat_sale_rate / (one + tx.vat_sale_rate);
    // equal-length slices let the compiler drop the bounds checks and vectorise
    let (rf, rd, rs) = (
        &l.rent_factory[..n],
        &l.rent_dormitory[..n],
        &l.rent_supporting[..n],
    );
    let (vat, net) = (&mut l.vat_rent[..n], &mut l.rent_net[..n]);
    for t in 0..n {
        let rent = rf[t] + rd[t] + rs[t];
        vat[t] = (rent * vr).money();
        net[t] = rent - vat[t];
    }
    // the land price under the area sold, per unit of schedule share (spread over GFA)
    let deduct = |area: T| {
        tx.vat_sale_land_deduction
            .then(|| (k.land_price * area).ratio(a.gfa).money())
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
    let (vf, vres, vrent) = (
        &l.vat_sales_factory[..n],
        &l.vat_sales_residential[..n],
        &l.vat_rent[..n],
    );
    let (sf, sr) = (&l.sales_factory[..n], &l.sales_residential[..n]);
    let (out, net) = (&mut l.vat_output[..n], &mut l.sales_net[..n]);
    for t in 0..n {
        let vs = vf[t] + vres[t];
        out[t] = vrent[t] + vs;
        net[t] = sf[t] + sr[t] - vs;
    }
}

/// Stage 4b, operating costs (§3): a share of net rent plus a fixed cost per leased m², with
/// the input VAT they carry.
#[inline(always)]
pub fn opex<T: Num>(inp: &Inputs<T>, a: &Areas<T>, l: &mut Ledger<T>) {
    let t_op = inp.t_op();
    let o = &inp.opex;
    let rate = o.rate_of_revenue + o.capex_reserve_rate;
    let fixed =
        (o.per_m2_month * T::from_usize(12) * (a.factory_leased + a.dormitory + a.supporting))
            .money();
    let io = o.input_vat_rate / (T::one() + o.input_vat_rate);
    let before = t_op.min(l.opex.len());
    l.opex[..before].fill(T::zero());
    for t in t_op..l.years() {
        l.opex[t] = (rate * l.rent_net[t] + fixed).money();
    }
    if io.is_zero() {
        l.vat_input_opex.fill(T::zero());
    } else {
        for (v, x) in l.vat_input_opex.iter_mut().zip(&l.opex) {
            *v = (*x * io).money();
        }
    }
}

/// Stage 4c, VAT payable with the carried credit (§6), surcharges on the VAT paid, property
/// tax on net rent and land use tax.
#[inline(always)]
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
        fill_schedule(
            &mut l.vat_input,
            &c.schedule,
            0,
            build_credit(c, k.vatable_build),
        );
        let mut credit = T::zero();
        let (input, opex_in, output) = (
            &mut l.vat_input[..n],
            &l.vat_input_opex[..n],
            &l.vat_output[..n],
        );
        let (vat, carried) = (&mut l.vat[..n], &mut l.vat_credit[..n]);
        for t in 0..n {
            input[t] += opex_in[t];
            let due = output[t] - input[t] - credit;
            let paid = due.max0();
            credit = (-due).max0();
            vat[t] = paid;
            carried[t] = credit;
        }
    }
    for (s, v) in l.surcharges[..n].iter_mut().zip(&l.vat) {
        *s = (*v * tx.surcharge_rate).money();
    }
    for (p, r) in l.property_tax[..n].iter_mut().zip(&l.rent_net[..n]) {
        *p = (*r * tx.property_tax_rent_rate).money();
    }
    l.land_use_tax
        .fill((tx.land_use_tax_per_m2 * inp.site.land_area_m2).money());
}

/// The progressive tax on a gain over its deductions (土地增值税暂行条例 第七条).
#[inline(always)]
pub fn lat_tiers<T: crate::num::Scalar>(gain: T, ded: T, ordinary: bool) -> (T, Option<T>) {
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
#[inline(always)]
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
                l.lat[t] = (l.sales_net[t] * tx.lat_rate).money();
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
        // nothing sold in any lane (a lane without sales would book zeros below)
        if area.max0().is_zero() {
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
        let land = (k.land_out * area).ratio(a.gfa).money();
        let development = ((k.build - k.input_vat_build) * area).ratio(a.gfa).money();
        let base = land + development;
        let expenses = (tx.lat_expense_rate * base).money();
        let taxes = (vat_total * tx.surcharge_rate).money();
        let extra = (tx.lat_extra_deduction_rate * base).money();
        let ded = base + expenses + taxes + extra;
        let gain = rev - ded;
        let lat = T::map2(gain, ded, |g, d| lat_tiers(g, d, ordinary).0).money();
        let ratio = T::ratio_of(gain, ded, |g, d| lat_tiers(g, d, ordinary).1);
        let last_sale = schedule
            .iter()
            .rposition(|s| s.all_positive())
            .map_or(start, |i| start + i);
        let settlement_year = (last_sale + 1).min(n - 1);
        // a year without net sales adds ±0 to each sum below when the amounts are finite, and
        // sums that start at +0 are never −0, so adding it changes nothing: the year is
        // skipped (most years sell nothing, and the accrual divides)
        let finite = [lat, rev, tx.lat_prepay_rate]
            .iter()
            .all(|v| v.all_finite());
        let mut prepaid = T::zero();
        for t in 0..n {
            let snet = sales[t] - vat[t];
            if finite && snet.is_zero() {
                continue;
            }
            let pre = (tx.lat_prepay_rate * snet).money();
            prepaid += pre;
            l.lat[t] += pre;
            l.lat_accrued[t] += (lat * snet).ratio(rev).money();
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
