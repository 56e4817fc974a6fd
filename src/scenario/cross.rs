//! Rules that join several keys: the mix, schedules and the timeline (docs/model.md §1–§7),
//! checked on the deterministic inputs and, for uncertain whole-number keys, at their largest
//! draws; and the correlation matrix of the copula.

use super::validate::{list_ok, sums_to_one, Collector};
use super::*;

/// The Gaussian copula needs a positive semi-definite matrix; a per-year key with serial
/// correlation (ar1) cannot also take part in it.
pub(super) fn check_correlation_matrix(
    c: &mut Collector,
    uncertain: &[Uncertain],
    corr: &[Correlation],
) {
    let key = "monte_carlo.correlation";
    let mut order: Vec<usize> = Vec::new();
    for k in corr {
        for u in [k.a, k.b] {
            if !order.contains(&u) {
                order.push(u);
            }
            if uncertain[u].ar1 != 0.0 {
                c.push(key, format!("\"{}\" has serial correlation (ar1) and cannot also be correlated with another key; remove ar1 or the correlation", KEYS[uncertain[u].key].name));
                return;
            }
        }
    }
    for (i, a) in corr.iter().enumerate() {
        if corr[..i]
            .iter()
            .any(|b| (a.a, a.b) == (b.a, b.b) || (a.a, a.b) == (b.b, b.a))
        {
            c.push(
                key,
                format!(
                    "the pair {} / {} is listed twice",
                    KEYS[uncertain[a.a].key].name, KEYS[uncertain[a.b].key].name
                ),
            );
            return;
        }
    }
    let n = order.len();
    let mut m = vec![0.0; n * n];
    for i in 0..n {
        m[i * n + i] = 1.0;
    }
    for k in corr {
        let (i, j) = (
            order.iter().position(|u| *u == k.a).unwrap(),
            order.iter().position(|u| *u == k.b).unwrap(),
        );
        m[i * n + j] = k.rho;
        m[j * n + i] = k.rho;
    }
    if let Err(row) = psd::cholesky(&m, n) {
        let within: Vec<usize> = order[..=row].to_vec();
        let pairs: Vec<String> = corr
            .iter()
            .filter(|k| within.contains(&k.a) && within.contains(&k.b))
            .map(|k| {
                format!(
                    "{} ~ {} (rho {})",
                    KEYS[uncertain[k.a].key].name,
                    KEYS[uncertain[k.b].key].name,
                    super::keys::fmt_num(k.rho)
                )
            })
            .collect();
        c.push(key, format!("the correlations are not positive semi-definite (no set of variables can have them all): {}; weaken some of these rho values", pairs.join(", ")));
    }
}

/// Timeline rules must hold for every value an uncertain whole-number key can draw (a delay
/// of up to 2 years must still leave room for repayment inside the land term).
pub(super) fn check_timeline_extremes(
    c: &mut Collector,
    inp: &Inputs<f64>,
    uncertain: &[Uncertain],
) {
    let ints: Vec<&Uncertain> = uncertain
        .iter()
        .filter(|u| KEYS[u.key].kind == Kind::Int)
        .collect();
    if ints.is_empty() {
        return;
    }
    let mut hi = inp.clone();
    for u in &ints {
        let spec = &KEYS[u.key];
        let (_, top) = u.dist.support();
        spec.set(&mut hi, top.min(spec.hi));
    }
    let names: Vec<&str> = ints.iter().map(|u| KEYS[u.key].name).collect();
    for p in cross_checks_of(&hi) {
        c.cross(
            &p.key,
            format!(
                "{} (at the largest values {} can draw)",
                p.message,
                names.join(", ")
            ),
        );
    }
}

/// Rules that join several keys (docs/model.md §1–§7). Run on the deterministic inputs; Monte Carlo
/// re-runs the timeline rules at the extremes of uncertain whole-number keys.
pub fn cross_checks_of(inp: &Inputs<f64>) -> Vec<Problem> {
    let mut c = Collector {
        src: "",
        overridden: &[],
        problems: Vec::new(),
        rejected: Vec::new(),
    };
    cross_checks(&mut c, inp, true);
    c.problems
}

pub(super) fn cross_checks(c: &mut Collector, inp: &Inputs<f64>, has_mix: bool) {
    let n = inp.project.land_term_years;
    if inp.site.land_area_m2 <= 0.0 && n > 0 {
        c.cross(
            "site.land_area_m2",
            format!(
                "{} is not valid: the land area must be > 0 m²",
                inp.site.land_area_m2
            ),
        );
    }
    if inp.site.far <= 0.0 && n > 0 {
        c.cross(
            "site.far",
            format!(
                "{} is not valid: the floor-area ratio (容积率) must be > 0",
                inp.site.far
            ),
        );
    }
    let m = &inp.mix;
    if !has_mix {
        c.cross("mix", "the [mix] section is required: give factory, dormitory, supporting and residential shares of GFA summing to 1".into());
    } else {
        let s = m.factory + m.dormitory + m.supporting + m.residential;
        if (s - 1.0).abs() > 1e-9 {
            let n = super::keys::fmt_num;
            c.cross("mix", format!("factory {} + dormitory {} + supporting {} + residential {} = {}; the shares of GFA must sum to 1", n(m.factory), n(m.dormitory), n(m.supporting), n(m.residential), n(s)));
        }
    }
    let sched = &inp.construction.schedule;
    if sched.is_empty() {
        c.cross(
            "construction.schedule",
            "is required: a non-empty list of yearly spending shares summing to 1, e.g. [0.4, 0.6]"
                .into(),
        );
    } else {
        list_ok(c, "construction.schedule", sched, 0.0, 1.0);
        sums_to_one(
            c,
            "construction.schedule",
            sched,
            "as shares of the construction cost",
        );
    }
    let h = inp.factory.self_held_share;
    let q = inp.factory.resettlement_share;
    if h + q > 1.0 + 1e-9 {
        c.cross("factory.resettlement_share", format!("self_held_share {} + resettlement_share {} = {} exceeds 1: the sold share 1 − h − q cannot be negative", super::keys::fmt_num(h), super::keys::fmt_num(q), super::keys::fmt_num(h + q)));
    }
    let t_op = inp.t_op();
    if n == 0 {
        return; // no valid land term: project.land_term_years is already reported
    }
    if !sched.is_empty() && t_op >= n {
        c.cross(
            "construction.schedule",
            format!(
                "construction ({} years) + delay ({} years) ends at year {t_op}, not inside the land term of {n} years: shorten the schedule or lengthen project.land_term_years",
                sched.len(),
                inp.construction.delay_years
            ),
        );
        return; // the remaining timeline rules would only repeat this
    }
    let sold = if (1.0 - h - q).abs() <= 1e-9 {
        0.0
    } else {
        1.0 - h - q
    };
    let leased = [
        ("factory", m.factory * h, &inp.factory.lease),
        ("dormitory", m.dormitory, &inp.dormitory),
        ("supporting", m.supporting, &inp.supporting),
    ];
    for (name, share, lease) in leased {
        list_ok(
            c,
            &format!("{name}.occupancy_ramp"),
            &lease.occupancy_ramp,
            0.0,
            1.0,
        );
        if share > 0.0 && lease.occupancy.is_none() {
            c.cross(&format!("{name}.occupancy"), format!("is required because the {name} has leased area: give the stabilised occupancy, a number from 0 to 1"));
        }
    }
    let fs = &inp.factory.sale_schedule;
    list_ok(c, "factory.sale_schedule", fs, 0.0, 1.0);
    if m.factory * sold > 0.0 {
        sums_to_one(c, "factory.sale_schedule", fs, &format!("the factory has a sold share of {sold:.4} (1 − self_held − resettlement), so as shares of that area"));
    }
    if !fs.is_empty() && t_op + fs.len() > n {
        c.cross(
            "factory.sale_schedule",
            format!(
                "starts at t_op = {t_op} and runs {} years, past the last year {} of the land term",
                fs.len(),
                n.saturating_sub(1)
            ),
        );
    }
    let rs = &inp.residential.sale_schedule;
    list_ok(c, "residential.sale_schedule", rs, 0.0, 1.0);
    if m.residential > 0.0 {
        sums_to_one(
            c,
            "residential.sale_schedule",
            rs,
            &format!(
                "the scheme has residential area (mix.residential = {}), so as shares of that area",
                super::keys::fmt_num(m.residential)
            ),
        );
    }
    let start = inp.residential.sale_start.unwrap_or(t_op);
    if !rs.is_empty() && start + rs.len() > n {
        c.cross("residential.sale_start", format!("sales start at year {start} and run {} years, past the last year {} of the land term", rs.len(), n.saturating_sub(1)));
    }
    let s = &inp.subsidy;
    if s.construction_per_m2 > 0.0 && t_op + s.construction_lag >= n {
        c.cross("subsidy.construction_lag", format!("the construction subsidy would be paid in year {}, past the last year {} of the land term", t_op + s.construction_lag, n.saturating_sub(1)));
    }
    if s.operating_years > 0 && t_op + s.operating_years > n {
        c.cross("subsidy.operating_years", format!("{} years of operating subsidy from year {t_op} run past the last year {} of the land term", s.operating_years, n.saturating_sub(1)));
    }
    let f = &inp.finance;
    if f.loan_share > 0.0 {
        if f.repayment_years < 1 {
            c.cross(
                "finance.repayment_years",
                format!(
                    "a loan (loan_share = {}) needs repayment_years ≥ 1",
                    super::keys::fmt_num(f.loan_share)
                ),
            );
        } else if t_op + f.grace_years + f.repayment_years > n {
            let key = if f.grace_years > 0 {
                "finance.grace_years"
            } else {
                "finance.repayment_years"
            };
            c.cross(key, format!("repaying over {} years after {} grace years from year {t_op} runs past the last year {} of the land term: shorten grace_years or repayment_years", f.repayment_years, f.grace_years, n.saturating_sub(1)));
        }
    }
}
