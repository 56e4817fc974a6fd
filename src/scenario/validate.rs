//! Stage two of loading: the raw file checked key by key against the registry, every problem
//! collected with its key and line, into the validated [`Scenario`].

use super::cross::{check_correlation_matrix, check_timeline_extremes, cross_checks};
use super::raw::{RawNum, RawScenario};
use super::*;

pub(super) struct Collector<'a> {
    pub(super) src: &'a str,
    pub(super) overridden: &'a [&'a str],
    pub(super) problems: Vec<Problem>,
    /// Keys whose own value was rejected: their default stands in, so rules joining several
    /// keys stay quiet about them rather than report a misleading second problem.
    pub(super) rejected: Vec<String>,
}

impl Collector<'_> {
    pub(super) fn reject(&mut self, key: &str, message: String) {
        self.rejected.push(key.to_string());
        self.push(key, message);
    }
    pub(super) fn cross(&mut self, key: &str, message: String) {
        if !self.rejected.iter().any(|k| k == key) {
            self.push(key, message);
        }
    }
    pub(super) fn push(&mut self, key: &str, message: String) {
        let from_set = self
            .overridden
            .iter()
            .any(|o| key == *o || key.starts_with(&format!("{o}.")));
        let line = if from_set {
            None
        } else {
            locate::line_of(self.src, key)
        };
        let message = if from_set {
            format!("{message} (value given with --set)")
        } else {
            message
        };
        self.problems.push(Problem {
            key: key.to_string(),
            line,
            message,
        });
    }
}

pub(super) fn list_ok(c: &mut Collector, key: &str, v: &[f64], lo: f64, hi: f64) {
    for (i, x) in v.iter().enumerate() {
        if !(x.is_finite() && *x >= lo && *x <= hi) {
            c.push(
                key,
                format!(
                    "element {} is {}: every element must be a number from {lo} to {hi}",
                    i + 1,
                    keys::fmt_num(*x)
                ),
            );
        }
    }
}

pub(super) fn sums_to_one(c: &mut Collector, key: &str, v: &[f64], why: &str) {
    // from +0: an empty list sums to 0, not the −0 an f64 `sum` starts from
    let s = v.iter().fold(0.0, |a, x| a + x);
    if (s - 1.0).abs() > 1e-9 {
        let what = if v.is_empty() {
            "there are no shares".to_string()
        } else {
            format!("the shares {v:?} sum to {}", super::keys::fmt_num(s))
        };
        c.push(key, format!("{what}, but {why} they must sum to 1"));
    }
}

/// Reads a word-valued key, or reports the words it takes; `None` when absent or invalid.
pub(super) fn parse_choice<C: Choice>(
    c: &mut Collector,
    key: &str,
    raw: &Option<String>,
) -> Option<C> {
    let word = raw.as_ref()?;
    let v = C::parse(word);
    if v.is_none() {
        c.push(
            key,
            format!("\"{word}\" is not valid: expected {}", C::expected()),
        );
    }
    v
}

/// A word-valued key with a default: `slot` keeps it unless the file gives a valid word.
pub(super) fn choose<C: Choice>(c: &mut Collector, key: &str, raw: &Option<String>, slot: &mut C) {
    if let Some(v) = parse_choice(c, key, raw) {
        *slot = v;
    }
}

pub(super) fn validate(
    raw: &RawScenario,
    has_mix: bool,
    src: &str,
    overridden: &[&str],
    packs: &dyn PackLookup,
) -> Result<Scenario, ScenarioError> {
    let mut c = Collector {
        src,
        overridden,
        problems: Vec::new(),
        rejected: Vec::new(),
    };
    let mut inp = defaults();
    let mut uncertain = Vec::new();

    for (idx, spec) in KEYS.iter().enumerate() {
        match spec.raw(raw) {
            None => {
                if spec.required {
                    c.reject(
                        spec.name,
                        format!("is required: give {}", spec.valid_text()),
                    );
                }
            }
            Some(RawNum::Value(v)) => {
                if spec.in_range(*v) {
                    spec.set(&mut inp, *v);
                } else {
                    c.reject(
                        spec.name,
                        format!(
                            "{} is not valid: expected {}",
                            keys::fmt_num(*v),
                            spec.valid_text()
                        ),
                    );
                }
            }
            Some(RawNum::Dist(rd)) => match dist::build(rd) {
                Err(errs) => {
                    for e in errs {
                        c.reject(spec.name, e);
                    }
                }
                Ok(d) => {
                    let per_year = rd.per_year.unwrap_or(false);
                    let ar1 = rd.ar1.unwrap_or(0.0);
                    let (lo, hi) = d.support();
                    let central = d.central();
                    let mut ok = true;
                    if per_year && !spec.allows_per_year() {
                        c.push(
                            spec.name,
                            "per_year = true is allowed only on *.rent_growth and *.occupancy"
                                .into(),
                        );
                        ok = false;
                    }
                    if let Some(phi) = rd.ar1 {
                        if !per_year {
                            c.push(spec.name, format!("ar1 = {phi} needs per_year = true: serial correlation links the draws of successive operating years"));
                            ok = false;
                        } else if !(phi.is_finite() && (0.0..1.0).contains(&phi)) {
                            c.push(spec.name, format!("ar1 = {phi} is not valid: expected a number from 0 to below 1 (the correlation of one year's score with the next)"));
                            ok = false;
                        }
                    }
                    let explicit_bounds =
                        !matches!(d, Dist::Normal { .. } | Dist::Lognormal { .. });
                    if (explicit_bounds || lo.is_finite()) && lo < spec.lo {
                        c.push(
                            spec.name,
                            format!(
                                "{} can draw {}, below the valid minimum: expected {}",
                                rd.dist,
                                keys::fmt_num(lo),
                                spec.valid_text()
                            ),
                        );
                        ok = false;
                    }
                    if (explicit_bounds || hi.is_finite()) && hi > spec.hi {
                        c.push(
                            spec.name,
                            format!(
                                "{} can draw {}, above the valid maximum: expected {}",
                                rd.dist,
                                keys::fmt_num(hi),
                                spec.valid_text()
                            ),
                        );
                        ok = false;
                    }
                    if spec.kind == Kind::Int && central.fract() != 0.0 {
                        c.push(spec.name, format!("a whole-number key takes a distribution only if its deterministic value is whole; {} has central value {central}", rd.dist));
                        ok = false;
                    }
                    if !ok {
                        c.rejected.push(spec.name.to_string());
                    } else {
                        spec.set(&mut inp, central.clamp(spec.lo, spec.hi));
                        uncertain.push(Uncertain {
                            key: idx,
                            dist: d,
                            per_year,
                            ar1,
                        });
                    }
                }
            },
        }
    }

    // Lists and strings.
    inp.construction.schedule = raw.construction.schedule.clone().unwrap_or_default();
    inp.factory.lease.occupancy_ramp = raw.factory.occupancy_ramp.clone().unwrap_or_default();
    inp.dormitory.occupancy_ramp = raw.dormitory.occupancy_ramp.clone().unwrap_or_default();
    inp.supporting.occupancy_ramp = raw.supporting.occupancy_ramp.clone().unwrap_or_default();
    inp.factory.sale_schedule = raw.factory.sale_schedule.clone().unwrap_or_default();
    inp.residential.sale_schedule = raw.residential.sale_schedule.clone().unwrap_or_default();
    choose(
        &mut c,
        "land.price_basis",
        &raw.land.price_basis,
        &mut inp.land.price_basis,
    );
    choose(
        &mut c,
        "subsidy.construction_base",
        &raw.subsidy.construction_base,
        &mut inp.subsidy.construction_base,
    );
    choose(
        &mut c,
        "policy.irr_basis",
        &raw.policy.irr_basis,
        &mut inp.policy.irr_basis,
    );
    choose(
        &mut c,
        "tax.lat_method",
        &raw.tax.lat_method,
        &mut inp.tax.lat_method,
    );
    choose(
        &mut c,
        "finance.repayment",
        &raw.finance.repayment,
        &mut inp.finance.repayment,
    );
    choose(
        &mut c,
        "finance.interest_convention",
        &raw.finance.interest_convention,
        &mut inp.finance.interest_convention,
    );
    inp.project.kind = parse_choice(&mut c, "project.kind", &raw.project.kind);
    inp.site.location = parse_choice(&mut c, "site.location", &raw.site.location);
    inp.land.grant = parse_choice(&mut c, "land.grant", &raw.land.grant);
    inp.project.rent_only = raw.project.rent_only;
    inp.residential.ordinary = raw.residential.ordinary.unwrap_or(false);
    inp.tax.vat_sale_land_deduction = raw.tax.vat_sale_land_deduction.unwrap_or(false);
    inp.finance.capitalise_interest = raw.finance.capitalise_interest.unwrap_or(false);
    let p = &raw.policy;
    if let Some(pack) = &p.pack {
        match packs.band(pack) {
            Some(band) => {
                inp.policy.pack = Some(pack.clone());
                if let Some((floor, cap)) = band {
                    inp.policy.irr_floor = floor;
                    inp.policy.irr_cap = cap;
                    inp.policy.band_from_pack = true;
                }
                inp.policy.enforce_caps = true;
            }
            None => c.push(
                "policy.pack",
                format!(
                    "\"{pack}\" is not a known policy pack: expected one of {}",
                    packs.names().join(", ")
                ),
            ),
        }
    }
    for (key, v, slot) in [
        ("policy.irr_floor", p.irr_floor, &mut inp.policy.irr_floor),
        ("policy.irr_cap", p.irr_cap, &mut inp.policy.irr_cap),
    ] {
        if let Some(v) = v {
            if v.is_finite() && (-0.99..=10.0).contains(&v) {
                *slot = v;
                inp.policy.band_from_pack = false;
            } else {
                c.push(
                    key,
                    format!("{v} is not valid: expected a rate from -0.99 to 10 (0.045 = 4.5%)"),
                );
            }
        }
    }
    if let Some(e) = p.enforce_caps {
        inp.policy.enforce_caps = e;
    }
    if inp.policy.irr_floor > inp.policy.irr_cap {
        c.push(
            "policy.irr_floor",
            format!(
                "the floor {} is above the cap {}: need irr_floor ≤ irr_cap",
                super::keys::fmt_num(inp.policy.irr_floor),
                super::keys::fmt_num(inp.policy.irr_cap)
            ),
        );
    }

    cross_checks(&mut c, &inp, has_mix);

    // Monte Carlo and sweep settings.
    let uncertain_index = |name: &str| {
        uncertain
            .iter()
            .position(|u: &Uncertain| KEYS[u.key].name == name)
    };
    let mut correlations = Vec::new();
    for (i, rc) in raw.monte_carlo.correlation.iter().enumerate() {
        let key = "monte_carlo.correlation";
        if rc.between.len() != 2 {
            c.push(
                key,
                format!(
                    "entry {}: `between` names {} keys; it takes exactly two",
                    i + 1,
                    rc.between.len()
                ),
            );
            continue;
        }
        if !(rc.rho.is_finite() && (-1.0..=1.0).contains(&rc.rho)) {
            c.push(
                key,
                format!(
                    "entry {}: rho = {} is not valid: expected a number from -1 to 1",
                    i + 1,
                    super::keys::fmt_num(rc.rho)
                ),
            );
            continue;
        }
        // a key fixed with --set takes no part in correlations any more
        if rc.between.iter().any(|n| overridden.contains(&n.as_str())) {
            continue;
        }
        let idx: Vec<Option<usize>> = rc.between.iter().map(|n| uncertain_index(n)).collect();
        for (n, ix) in rc.between.iter().zip(&idx) {
            if ix.is_none() {
                c.push(key, format!("entry {}: \"{n}\" is not a key given as a distribution; correlations join uncertain inputs only", i + 1));
            }
        }
        if let (Some(a), Some(b)) = (idx[0], idx[1]) {
            if a == b {
                c.push(
                    key,
                    format!("entry {}: a key cannot be correlated with itself", i + 1),
                );
            } else {
                correlations.push(Correlation { a, b, rho: rc.rho });
            }
        }
    }
    check_correlation_matrix(&mut c, &uncertain, &correlations);
    check_timeline_extremes(&mut c, &inp, &uncertain);
    let settings = |c: &mut Collector, sect: &str, paths: Option<i64>, seed: Option<i64>| {
        if let Some(p) = paths {
            if p < 1 {
                c.push(
                    &format!("{sect}.paths"),
                    format!("{p} is not valid: expected a whole number of paths ≥ 1"),
                );
            }
        }
        if let Some(s) = seed {
            if s < 0 {
                c.push(
                    &format!("{sect}.seed"),
                    format!("{s} is not valid: expected a whole number ≥ 0"),
                );
            }
        }
        RunSettings {
            paths: paths.filter(|p| *p >= 1).map(|p| p as u64),
            seed: seed.filter(|s| *s >= 0).map(|s| s as u64),
        }
    };
    let monte_carlo = settings(
        &mut c,
        "monte_carlo",
        raw.monte_carlo.paths,
        raw.monte_carlo.seed,
    );
    let sweep = settings(&mut c, "sweep", raw.sweep.paths, raw.sweep.seed);
    let mut sweep_grid = Vec::new();
    for (name, values) in &raw.sweep.grid {
        match keys::check_values(name, values) {
            Ok((index, _)) => sweep_grid.push((index, values.clone())),
            Err(problems) => {
                for p in problems {
                    c.push(&format!("sweep.grid.{name}"), p);
                }
            }
        }
    }

    if !c.problems.is_empty() {
        return Err(ScenarioError {
            problems: c.problems,
        });
    }
    let name = raw
        .project
        .name
        .clone()
        .unwrap_or_else(|| "scenario".to_string());
    let sources = KEYS
        .iter()
        .map(|k| {
            if overridden.contains(&k.name) {
                Source::Override
            } else if k.raw(raw).is_some() {
                Source::File
            } else {
                Source::Default
            }
        })
        .collect();
    Ok(Scenario {
        name,
        inputs: inp,
        sources,
        uncertain,
        correlations,
        monte_carlo,
        sweep,
        sweep_grid,
    })
}
