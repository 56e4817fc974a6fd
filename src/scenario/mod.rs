//! Scenario files: TOML text → raw serde structs (`raw`) → a validated [`Scenario`] whose
//! problems are all collected at once, each naming its dotted key, line and what would be valid.

pub mod dist;
pub mod inputs;
pub mod keys;
pub mod locate;
pub mod psd;
pub mod raw;

pub use dist::Dist;
pub use inputs::*;
pub use keys::{KeySpec, Kind, KEYS};

use raw::{RawNum, RawScenario};
use std::fmt;

/// One thing wrong with a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Dotted key, e.g. `factory.rent`; a section name for section-wide problems.
    pub key: String,
    /// 1-based line in the file, when it is written there.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}: {}", self.key, self.message),
            None => write!(f, "{}: {}", self.key, self.message),
        }
    }
}

/// Every problem found in a scenario; the binary prefixes the file name.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ScenarioError {
    pub problems: Vec<Problem>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "{n} problem{} in the scenario",
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            write!(f, "\n  {p}")?;
        }
        Ok(())
    }
}

/// An input given as a distribution (docs/model.md §10).
#[derive(Debug, Clone, PartialEq)]
pub struct Uncertain {
    /// Index into [`KEYS`].
    pub key: usize,
    pub dist: Dist,
    pub per_year: bool,
    /// Serial correlation φ of a per-year key's scores (0 = independent years).
    pub ar1: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Correlation {
    /// Indices into `Scenario::uncertain`.
    pub a: usize,
    pub b: usize,
    pub rho: f64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunSettings {
    pub paths: Option<u64>,
    pub seed: Option<u64>,
}

/// A validated scenario: the deterministic inputs plus what Monte Carlo and sweeps need.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub name: String,
    /// Deterministic values: each distribution at its central value.
    pub inputs: Inputs<f64>,
    pub uncertain: Vec<Uncertain>,
    pub correlations: Vec<Correlation>,
    pub monte_carlo: RunSettings,
    pub sweep: RunSettings,
    /// `[sweep] grid`: key index → values, in file order of the keys (sorted by name).
    pub sweep_grid: Vec<(usize, Vec<f64>)>,
}

impl Scenario {
    /// This scenario with the key `name` fixed at `v`: the key leaves the uncertain inputs and
    /// the correlations it took part in (the others keep theirs).
    pub fn with_fixed(&self, name: &str, v: f64) -> Scenario {
        let mut s = self.clone();
        if let Some((_, spec)) = keys::find(name) {
            spec.set(&mut s.inputs, v);
        }
        let Some(pos) = self.uncertain.iter().position(|u| KEYS[u.key].name == name) else {
            return s;
        };
        s.uncertain.remove(pos);
        s.correlations = self
            .correlations
            .iter()
            .filter(|c| c.a != pos && c.b != pos)
            .map(|c| {
                let shift = |i: usize| if i > pos { i - 1 } else { i };
                Correlation {
                    a: shift(c.a),
                    b: shift(c.b),
                    rho: c.rho,
                }
            })
            .collect();
        s
    }
}

/// A `--set key=value` override, applied to the parsed table before validation.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    pub key: String,
    pub value: String,
}

impl Override {
    /// Parses `factory.rent=30`.
    pub fn parse(s: &str) -> Result<Override, String> {
        match s.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => Ok(Override {
                key: k.trim().to_string(),
                value: v.trim().to_string(),
            }),
            _ => Err(format!(
                "--set expects key=value (e.g. factory.rent=30), got \"{s}\""
            )),
        }
    }
}

/// What validation asks of the policy layer, which this layer does not import: the IRR band a
/// named pack sets (`None` for an unknown name) and the names, for messages.
pub trait PackLookup {
    fn band(&self, name: &str) -> Option<(f64, f64)>;
    fn names(&self) -> Vec<&'static str>;
}

/// Loads a scenario from TOML text, applying overrides and looking policy packs up in
/// `packs`; every problem is returned at once. `shanglou::load` passes the built-in packs.
pub fn load_with(
    src: &str,
    overrides: &[Override],
    packs: &dyn PackLookup,
) -> Result<Scenario, ScenarioError> {
    let one = |key: &str, line: Option<usize>, message: String| ScenarioError {
        problems: vec![Problem {
            key: key.to_string(),
            line,
            message,
        }],
    };
    let mut table: toml::Table = match src.parse() {
        Ok(t) => t,
        Err(e) => {
            let e: toml::de::Error = e;
            let line = e.span().map(|s| locate::line_at(src, s.start));
            return Err(one(
                "(syntax)",
                line,
                format!("malformed TOML: {}", e.message().trim()),
            ));
        }
    };
    let mut problems = Vec::new();
    for o in overrides {
        if let Err(m) = apply_override(&mut table, o) {
            problems.push(Problem {
                key: o.key.clone(),
                line: None,
                message: m,
            });
        }
    }
    if !problems.is_empty() {
        return Err(ScenarioError { problems });
    }
    // a section written as [[x]] or as a plain value would otherwise meet serde's puzzling
    // "invalid type" messages
    for (k, v) in &table {
        let section = matches!(
            k.as_str(),
            "project"
                | "site"
                | "mix"
                | "land"
                | "construction"
                | "factory"
                | "dormitory"
                | "supporting"
                | "residential"
                | "subsidy"
                | "opex"
                | "tax"
                | "finance"
                | "policy"
                | "monte_carlo"
                | "sweep"
        );
        if section && !v.is_table() {
            let t = v.type_str();
            let found = if v.is_array() {
                format!("[[{k}]] (an array of tables)")
            } else {
                format!(
                    "{} {t}",
                    if t.starts_with(['a', 'e', 'i', 'o', 'u']) {
                        "an"
                    } else {
                        "a"
                    }
                )
            };
            problems.push(Problem {
                key: k.clone(),
                line: locate::line_of(src, k),
                message: format!(
                    "is a section: write it as [{k}] with its keys below, not as {found}"
                ),
            });
        }
    }
    if !problems.is_empty() {
        return Err(ScenarioError { problems });
    }
    let has_mix = table.contains_key("mix");
    let raw: RawScenario = match serde_path_to_error::deserialize(toml::Value::Table(table)) {
        Ok(r) => r,
        Err(e) => {
            let path = e.path().to_string();
            let msg = e.inner().message().trim().to_string();
            let (key, message) = explain_serde(&path, &msg);
            let line = locate::line_of(src, &key);
            return Err(one(&key, line, message));
        }
    };
    let overridden: Vec<&str> = overrides.iter().map(|o| o.key.as_str()).collect();
    validate(&raw, has_mix, src, &overridden, packs)
}

/// Turns serde's message into one that names the dotted key and what would be valid.
fn explain_serde(path: &str, msg: &str) -> (String, String) {
    // serde: "unknown field `rnet`, expected one of `a`, `b`"
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        if let Some((field, tail)) = rest.split_once('`') {
            let parent = path.rsplit_once('.').map(|(p, _)| p).unwrap_or("");
            let parent = if path.ends_with(field) {
                parent.to_string()
            } else {
                path.to_string()
            };
            let key = if parent.is_empty() || parent == "." {
                field.to_string()
            } else {
                format!("{parent}.{field}")
            };
            let expected = tail.trim_start_matches(", ").replace('`', "");
            let section = if parent.is_empty() || parent == "." {
                "at the top level".to_string()
            } else {
                format!("in [{parent}]")
            };
            return (key, format!("unknown key; {section} {expected}"));
        }
    }
    let key = if path.is_empty() || path == "." {
        "(file)".to_string()
    } else {
        path.to_string()
    };
    (key, msg.to_string())
}

fn apply_override(table: &mut toml::Table, o: &Override) -> Result<(), String> {
    let value: toml::Value = match format!("v = {}", o.value).parse::<toml::Table>() {
        Ok(mut t) => t
            .remove("v")
            .unwrap_or(toml::Value::String(o.value.clone())),
        Err(_) => toml::Value::String(o.value.clone()),
    };
    let parts: Vec<&str> = o.key.split('.').collect();
    let (last, path) = parts.split_last().ok_or("empty key")?;
    let mut cur = table;
    for p in path {
        let next = cur
            .entry(p.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        cur = match next {
            toml::Value::Table(t) => t,
            _ => return Err(format!("--set {}: `{p}` is not a section", o.key)),
        };
    }
    cur.insert(last.to_string(), value);
    Ok(())
}

/// The defaults of docs/model.md: tax defaults apply even without a `[tax]` section.
pub fn defaults() -> Inputs<f64> {
    let lease = || Lease {
        rent: 0.0,
        rent_growth: 0.0,
        occupancy_ramp: vec![],
        occupancy: None,
        rent_growth_by_year: vec![],
        occupancy_by_year: vec![],
    };
    Inputs {
        project: Project {
            start_year: 0,
            land_term_years: 0,
            terminal_value: 0.0,
            kind: None,
            rent_only: None,
        },
        site: Site {
            land_area_m2: 0.0,
            far: 0.0,
            basement_area_m2: 0.0,
            floors: None,
            height_m: None,
            location: None,
        },
        mix: Mix {
            factory: 0.0,
            dormitory: 0.0,
            supporting: 0.0,
            residential: 0.0,
        },
        land: Land {
            price: 0.0,
            price_basis: PriceBasis::Land,
            deed_tax_rate: 0.03,
            other_costs: 0.0,
            grant: None,
        },
        construction: Construction {
            schedule: vec![],
            delay_years: 0,
            cost_per_m2: 0.0,
            residential_cost_per_m2: None,
            basement_cost_per_m2: 0.0,
            soft_cost_rate: 0.0,
            contingency_rate: 0.0,
            infrastructure_fee_per_m2: 0.0,
            input_vat_rate: 0.0,
        },
        factory: Factory {
            self_held_share: 1.0,
            resettlement_share: 0.0,
            lease: lease(),
            sale_price: 0.0,
            sale_schedule: vec![],
        },
        dormitory: lease(),
        supporting: lease(),
        residential: Residential {
            sale_price: 0.0,
            sale_schedule: vec![],
            sale_start: None,
            ordinary: false,
        },
        subsidy: Subsidy {
            construction_per_m2: 0.0,
            construction_cap: None,
            construction_base: SubsidyBase::Factory,
            construction_lag: 0,
            basement_per_m2: 0.0,
            basement_cap: None,
            operating_per_year: 0.0,
            operating_years: 0,
        },
        opex: Opex {
            rate_of_revenue: 0.0,
            capex_reserve_rate: 0.0,
            per_m2_month: 0.0,
            input_vat_rate: 0.0,
        },
        tax: Tax {
            vat_rent_rate: 0.09,
            vat_sale_rate: 0.09,
            surcharge_rate: 0.12,
            property_tax_rent_rate: 0.12,
            land_use_tax_per_m2: 0.0,
            lat_rate: 0.0,
            income_tax_rate: 0.25,
            depreciation_years: 40,
            loss_carry_years: 5,
            vat_sale_land_deduction: false,
            lat_method: LatMethod::Effective,
            lat_expense_rate: 0.10,
            lat_extra_deduction_rate: 0.20,
            lat_prepay_rate: 0.0,
        },
        finance: Finance {
            loan_share: 0.0,
            interest_rate: 0.0,
            repayment_years: 0,
            repayment: Repayment::EqualPrincipal,
            grace_years: 0,
            capitalise_interest: false,
            interest_convention: InterestConvention::StartOfYear,
            discount_rate: 0.045,
        },
        policy: Policy {
            pack: None,
            irr_basis: Basis::ProjectPreTax,
            irr_floor: 0.0,
            irr_cap: 0.045,
            enforce_caps: false,
        },
    }
}

struct Collector<'a> {
    src: &'a str,
    overridden: &'a [&'a str],
    problems: Vec<Problem>,
    /// Keys whose own value was rejected: their default stands in, so rules joining several
    /// keys stay quiet about them rather than report a misleading second problem.
    rejected: Vec<String>,
}

impl Collector<'_> {
    fn reject(&mut self, key: &str, message: String) {
        self.rejected.push(key.to_string());
        self.push(key, message);
    }
    fn cross(&mut self, key: &str, message: String) {
        if !self.rejected.iter().any(|k| k == key) {
            self.push(key, message);
        }
    }
    fn push(&mut self, key: &str, message: String) {
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

fn list_ok(c: &mut Collector, key: &str, v: &[f64], lo: f64, hi: f64) {
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

fn sums_to_one(c: &mut Collector, key: &str, v: &[f64], why: &str) {
    let s: f64 = v.iter().sum();
    if (s - 1.0).abs() > 1e-9 {
        c.push(
            key,
            format!("the shares {v:?} sum to {s}, but {why} they must sum to 1"),
        );
    }
}

/// Reads a word-valued key, or reports the words it takes; `None` when absent or invalid.
fn parse_choice<C: Choice>(c: &mut Collector, key: &str, raw: &Option<String>) -> Option<C> {
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
fn choose<C: Choice>(c: &mut Collector, key: &str, raw: &Option<String>, slot: &mut C) {
    if let Some(v) = parse_choice(c, key, raw) {
        *slot = v;
    }
}

fn validate(
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
            Some((floor, cap)) => {
                inp.policy.pack = Some(pack.clone());
                inp.policy.irr_floor = floor;
                inp.policy.irr_cap = cap;
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
                inp.policy.irr_floor, inp.policy.irr_cap
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
                    rc.rho
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
    Ok(Scenario {
        name,
        inputs: inp,
        uncertain,
        correlations,
        monte_carlo,
        sweep,
        sweep_grid,
    })
}

/// The Gaussian copula needs a positive semi-definite matrix; a per-year key with serial
/// correlation (ar1) cannot also take part in it.
fn check_correlation_matrix(c: &mut Collector, uncertain: &[Uncertain], corr: &[Correlation]) {
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
                    KEYS[uncertain[k.a].key].name, KEYS[uncertain[k.b].key].name, k.rho
                )
            })
            .collect();
        c.push(key, format!("the correlations are not positive semi-definite (no set of variables can have them all): {}; weaken some of these rho values", pairs.join(", ")));
    }
}

/// Timeline rules must hold for every value an uncertain whole-number key can draw (a delay
/// of up to 2 years must still leave room for repayment inside the land term).
fn check_timeline_extremes(c: &mut Collector, inp: &Inputs<f64>, uncertain: &[Uncertain]) {
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

fn cross_checks(c: &mut Collector, inp: &Inputs<f64>, has_mix: bool) {
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
            c.cross("mix", format!("factory {} + dormitory {} + supporting {} + residential {} = {s}; the shares of GFA must sum to 1", m.factory, m.dormitory, m.supporting, m.residential));
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
        c.cross("factory.resettlement_share", format!("self_held_share {h} + resettlement_share {q} = {} exceeds 1: the sold share 1 − h − q cannot be negative", h + q));
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
            "the scheme has residential area, so as shares of that area",
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
                    f.loan_share
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

#[cfg(test)]
mod tests {
    use super::*;

    /// These tests need no policy pack: the scenario layer stands without the policy layer.
    struct NoPacks;
    impl PackLookup for NoPacks {
        fn band(&self, _: &str) -> Option<(f64, f64)> {
            None
        }
        fn names(&self) -> Vec<&'static str> {
            vec![]
        }
    }

    fn load(src: &str, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
        load_with(src, overrides, &NoPacks)
    }

    const MIN: &str = "[project]\nstart_year = 2025\nland_term_years = 30\n[site]\nland_area_m2 = 1000\nfar = 2\n[mix]\nfactory = 1\n[construction]\nschedule = [1]\ncost_per_m2 = 5000\n[factory]\nrent = 30\noccupancy = 0.9\n";

    fn problems(src: &str) -> Vec<Problem> {
        load(src, &[]).unwrap_err().problems
    }

    #[test]
    fn minimal_scenario_loads_with_defaults() {
        let s = load(MIN, &[]).unwrap();
        assert_eq!(s.inputs.tax.vat_rent_rate, 0.09);
        assert_eq!(s.inputs.land.deed_tax_rate, 0.03);
        assert_eq!(s.inputs.factory.self_held_share, 1.0);
        assert_eq!(s.inputs.t_op(), 1);
    }

    #[test]
    fn every_problem_is_collected_with_its_line() {
        let src = MIN
            .replace("far = 2", "far = -2")
            .replace("schedule = [1]", "schedule = [0.5, 0.6]");
        let p = problems(&src);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[0].key, "site.far");
        assert_eq!(p[0].line, Some(6));
        assert_eq!(p[1].key, "construction.schedule");
        assert!(p[1].message.contains("sum to 1.1"), "{}", p[1].message);
    }

    #[test]
    fn unknown_key_names_the_dotted_key_and_line() {
        let src = MIN.replace("rent = 30", "rnet = 30");
        let p = problems(&src);
        assert_eq!(p[0].key, "factory.rnet");
        assert_eq!(p[0].line, Some(13));
        assert!(p[0].message.contains("rent_growth"), "{}", p[0].message);
    }

    #[test]
    fn sweep_grid_values_are_checked_like_the_keys_they_set() {
        let src = format!("{MIN}[sweep]\ngrid = {{ \"factory.rent\" = [20, 20000], \"factory.rnet\" = [1], \"mix.factory\" = [] }}\n");
        let p = problems(&src);
        let text: Vec<String> = p.iter().map(|x| x.to_string()).collect();
        assert_eq!(p.len(), 3, "{text:?}");
        assert!(text[0].contains("sweep.grid.factory.rent: 20000 is not valid for factory.rent: expected a number from 0 to 10000"), "{text:?}");
        assert!(text[1]
            .contains("sweep.grid.factory.rnet: \"factory.rnet\" is not a numeric scenario key"));
        assert!(text[2].contains("sweep.grid.mix.factory: mix.factory needs at least one value"));
        let ok = load(
            &format!("{MIN}[sweep]\ngrid = {{ \"factory.rent\" = [20, 30] }}\n"),
            &[],
        )
        .unwrap();
        assert_eq!(
            ok.sweep_grid,
            vec![(keys::find("factory.rent").unwrap().0, vec![20.0, 30.0])]
        );
    }

    #[test]
    fn a_section_of_the_wrong_shape_says_how_to_write_it() {
        let p = problems("[[project]]\nname = \"x\"\n");
        assert_eq!(p[0].key, "project");
        assert!(
            p[0].message.contains("write it as [project]")
                && p[0].message.contains("array of tables"),
            "{}",
            p[0].message
        );
        let p = problems("site = 5\n");
        assert!(
            p[0].message.ends_with("not as an integer"),
            "{}",
            p[0].message
        );
    }

    #[test]
    fn overrides_replace_values_and_are_validated() {
        let s = load(MIN, &[Override::parse("factory.rent=25").unwrap()]).unwrap();
        assert_eq!(s.inputs.factory.lease.rent, 25.0);
        let e = load(MIN, &[Override::parse("factory.occupancy=1.5").unwrap()]).unwrap_err();
        assert!(e.problems[0].message.contains("--set"));
        let e = load(MIN, &[Override::parse("factory.rnet=3").unwrap()]).unwrap_err();
        assert_eq!(e.problems[0].key, "factory.rnet");
    }

    #[test]
    fn distributions_resolve_to_central_values() {
        let src = MIN.replace(
            "rent = 30",
            "rent = { dist = \"triangular\", min = 25, mode = 28, max = 35 }",
        );
        let s = load(&src, &[]).unwrap();
        assert_eq!(s.inputs.factory.lease.rent, 28.0);
        assert_eq!(s.uncertain.len(), 1);
        let bad = MIN.replace(
            "rent = 30",
            "rent = { dist = \"uniform\", min = 25, max = 35, per_year = true }",
        );
        assert!(problems(&bad)[0].message.contains("per_year"));
    }
}
