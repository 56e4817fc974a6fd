//! Stages 6 to 8, cash flows (现金流量): the pre-tax project flow, the adjusted income tax,
//! the loan and the equity flow (docs/model.md §7).

use super::*;

/// Stage 6, the project cash flow before income tax (§7).
#[inline(always)]
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
#[inline(always)]
fn income_tax<T: Num>(base: &[T], rate: T, carry: usize, losses: &mut [T], out: &mut [T]) {
    let n = base.len();
    for v in losses.iter_mut() {
        *v = T::zero();
    }
    for t in 0..n {
        // a loss year books its loss and pays nothing; written without a branch on the
        // value so that lanes with and without a loss run the same steps (a loss year's
        // `left` is zero, so it draws nothing from the pools)
        let e = base[t];
        losses[t] = (-e).max0();
        let mut left = e.max0();
        for pool in losses.iter_mut().take(t).skip(t.saturating_sub(carry)) {
            if left.is_zero() {
                break;
            }
            // an empty pool gives nothing (min(0, left) is 0): skipping it changes no value
            if pool.is_zero() {
                continue;
            }
            let used = pool.min(left);
            *pool -= used;
            left -= used;
        }
        out[t] = (rate * left).money();
    }
}

/// Depreciation years `n = min(depreciation_years, N − t_op)` and the share of K disposed
/// of by sale or resettlement, σ.
#[inline(always)]
fn depreciation_terms<T: Num>(inp: &Inputs<T>, a: &Areas<T>, n: usize) -> (usize, T) {
    let dep_years = inp.tax.depreciation_years.min(n - inp.t_op().min(n));
    let disposed = (a.factory_sold + a.factory_resettled + a.residential).ratio(a.gfa);
    (dep_years, disposed)
}

/// Stage 7, adjusted income tax (调整所得税) and the project flow after it (§7).
#[inline(always)]
pub fn income_tax_adjusted<T: Num>(inp: &Inputs<T>, a: &Areas<T>, k: &Costs<T>, l: &mut Ledger<T>) {
    let n = l.years();
    let t_op = inp.t_op();
    let tx = &inp.tax;
    let (dep_years, disposed) = depreciation_terms(inp, a, n);
    let dep = if dep_years > 0 {
        (k.capital * (T::one() - disposed) / T::from_usize(dep_years)).money()
    } else {
        T::zero()
    };
    let resettle = (k.capital * a.factory_resettled).ratio(a.gfa).money();
    // cost of sales per unit of schedule share (K·A/GFA)
    let cogs_f = (k.capital * a.factory_sold).ratio(a.gfa).money();
    let cogs_r = (k.capital * a.residential).ratio(a.gfa).money();
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
    let (rate, carry) = (tx.income_tax_rate, tx.loss_carry_years);
    income_tax(
        &l.ebit[..n],
        rate,
        carry,
        &mut l.losses,
        &mut l.income_tax_adjusted,
    );
    for t in 0..n {
        l.cf_after_tax[t] = l.cf_pre_tax[t] - l.income_tax_adjusted[t];
    }
}

/// Stage 8a, the loan (§7): draws during construction, interest (start-of-year or mid-year,
/// paid or capitalised), grace years and the repayment method. Returns ΣIcap.
#[inline(always)]
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
            (f.loan_share * (l.land[t] + l.construction[t])).money()
        } else {
            T::zero()
        };
        l.loan_draw[t] = d;
        let accruing = match f.interest_convention {
            InterestConvention::StartOfYear => bal,
            InterestConvention::MidYear => bal + d * half,
        };
        let it = (accruing * i).money();
        let cap = f.capitalise_interest && t < t_op;
        l.interest[t] = if cap { T::zero() } else { it };
        l.interest_capitalised[t] = if cap { it } else { T::zero() };
        if cap {
            capitalised += it;
        }
        if t == t_op && m > 0 {
            b = bal;
            payment = match f.repayment {
                Repayment::EqualPayment => T::map2(b, i, |b, i| annuity(b, i, m)),
                _ => b / T::from_usize(m),
            }
            .money();
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

/// The constant 等额本息 payment on `b` over `m` years at rate `i` (at a zero rate, b / m).
#[inline(always)]
fn annuity<S: Num>(b: S, i: S, m: usize) -> S {
    if i.is_zero() {
        b / S::from_usize(m)
    } else {
        let v = (S::one() / (S::one() + i)).powu(m);
        (b * i).ratio(S::one() - v)
    }
}

/// Stage 8b, equity (资本金) income tax on EBIT less cash interest and the capitalised
/// interest released with cost of sales and depreciation, and the equity flow (§7).
#[inline(always)]
pub fn equity<T: Num>(inp: &Inputs<T>, a: &Areas<T>, icap: T, l: &mut Ledger<T>) {
    let n = l.years();
    let t_op = inp.t_op();
    let tx = &inp.tax;
    let (dep_years, disposed) = depreciation_terms(inp, a, n);
    let icap_dep = if dep_years > 0 {
        (icap * (T::one() - disposed) / T::from_usize(dep_years)).money()
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
            -(icap * a.factory_sold).ratio(a.gfa).money(),
        );
        add_schedule(
            release,
            &inp.residential.sale_schedule,
            res_start,
            -(icap * a.residential).ratio(a.gfa).money(),
        );
        if t_op < n {
            release[t_op] -= (icap * a.factory_resettled).ratio(a.gfa).money();
        }
        for v in release.iter_mut().take(t_op + dep_years).skip(t_op) {
            *v -= icap_dep;
        }
    }
    let (rate, carry) = (tx.income_tax_rate, tx.loss_carry_years);
    income_tax(
        &l.ebit_equity[..n],
        rate,
        carry,
        &mut l.losses,
        &mut l.income_tax_equity,
    );
    for t in 0..n {
        l.cf_equity[t] = l.cf_pre_tax[t] + l.loan_draw[t]
            - l.interest[t]
            - l.principal[t]
            - l.income_tax_equity[t];
    }
}
