//! Scenario files: TOML text → raw serde structs (`raw`) → a validated [`Scenario`] whose
//! problems are all collected at once, each naming its dotted key, line and what would be valid.

mod cross;
mod defaults;
pub mod dist;
pub mod inputs;
pub mod keys;
pub mod locate;
pub mod psd;
pub mod raw;
mod template;
mod validate;

pub use cross::cross_checks_of;
pub use defaults::defaults;
pub use dist::Dist;
pub use inputs::*;
pub use keys::{KeySpec, Kind, KEYS};
pub use template::Template;

use raw::RawScenario;
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
    /// Where each key's value came from, indexed like [`KEYS`].
    pub sources: Vec<Source>,
}

/// Where a key's value came from: the assumptions sheet says so beside each input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Written in the scenario file.
    File,
    /// Given on the command line with `--set`.
    Override,
    /// Not given: the model's default (or derived from other keys).
    Default,
}

impl Source {
    /// The source in the workbook's words.
    pub fn words(self) -> &'static str {
        match self {
            Source::File => "方案文件 scenario file",
            Source::Override => "命令行 --set",
            Source::Default => "默认值 model default",
        }
    }
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
        if s.chars().any(|c| c.is_control()) {
            return Err(format!(
                "--set {}: one KEY=VALUE on one line (a newline or control character would slip more TOML in)",
                s.escape_debug()
            ));
        }
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
/// named pack sets (`None` for an unknown name, `Some(None)` for a pack whose document sets no
/// band) and the names, for messages.
pub trait PackLookup {
    fn band(&self, name: &str) -> Option<Option<(f64, f64)>>;
    fn names(&self) -> Vec<&'static str>;
}

/// Loads a scenario from TOML text, applying overrides and looking policy packs up in
/// `packs`; every problem is returned at once. `shanglou::load` passes the built-in packs.
pub fn load_with(
    src: &str,
    overrides: &[Override],
    packs: &dyn PackLookup,
) -> Result<Scenario, ScenarioError> {
    load_table(parse_table(src)?, src, overrides, packs)
}

/// The TOML table of a scenario text, or the syntax problem (with its line).
pub fn parse_table(src: &str) -> Result<toml::Table, ScenarioError> {
    let one = |key: &str, line: Option<usize>, message: String| ScenarioError {
        problems: vec![Problem {
            key: key.to_string(),
            line,
            message,
        }],
    };
    match src.parse() {
        Ok(t) => Ok(t),
        Err(e) => {
            let e: toml::de::Error = e;
            let line = e.span().map(|s| locate::line_at(src, s.start));
            if let Some((key, first)) = e
                .span()
                .filter(|_| e.message().contains("duplicate key"))
                .and_then(|span| locate::duplicate(src, span))
            {
                return Err(one(
                    &key,
                    line,
                    format!(
                        "given twice: first at line {first}, again at line {}; keep one",
                        line.unwrap_or(0)
                    ),
                ));
            }
            Err(one(
                "(syntax)",
                line,
                format!("malformed TOML: {}", e.message().trim()),
            ))
        }
    }
}

/// Loads a scenario from its parsed table (`src`, the text it came from, gives the lines in
/// messages), applying overrides: a batch parses its template once and loads it per row.
pub fn load_table(
    mut table: toml::Table,
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
    validate::validate(&raw, has_mix, src, &overridden, packs)
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

/// The TOML value of a plain decimal number — `-?(0|[1-9][0-9]*)` (an integer that fits i64),
/// with an optional `.digits` and exponent (a float) — without starting a TOML parser: a
/// portfolio row gives a handful per parcel. Anything else (`+1`, `1_000`, `inf`, `.5`, a huge
/// integer) returns `None` and goes through the parser, which then says what it says.
fn plain_number(text: &str) -> Option<toml::Value> {
    let b = text.as_bytes();
    let digits = b.strip_prefix(b"-").unwrap_or(b);
    let int_len = digits.iter().take_while(|c| c.is_ascii_digit()).count();
    if int_len == 0 || (int_len > 1 && digits[0] == b'0') {
        return None;
    }
    let mut rest = &digits[int_len..];
    if rest.is_empty() {
        return text.parse::<i64>().ok().map(toml::Value::Integer);
    }
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        rest = &frac[n..];
    }
    if let Some(exp) = rest.strip_prefix(b"e").or_else(|| rest.strip_prefix(b"E")) {
        let exp = exp
            .strip_prefix(b"-")
            .or_else(|| exp.strip_prefix(b"+"))
            .unwrap_or(exp);
        if exp.is_empty() || !exp.iter().all(u8::is_ascii_digit) {
            return None;
        }
        rest = &[];
    }
    if !rest.is_empty() {
        return None;
    }
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(toml::Value::Float)
}

fn apply_override(table: &mut toml::Table, o: &Override) -> Result<(), String> {
    let value = override_value(o)?;
    let parts: Vec<&str> = o.key.split('.').collect();
    let (last, path) = parts.split_last().ok_or("empty key")?;
    let mut cur = table;
    for p in path {
        let next = cur
            .entry(p.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        cur = match next {
            toml::Value::Table(t) => t,
            _ => return Err(format!("`{p}` is not a section")),
        };
    }
    cur.insert(last.to_string(), value);
    Ok(())
}

/// The TOML value an override's text gives: one value (`30`, `"text"`, `[0.4, 0.6]`,
/// `{ dist = … }`), or a bare word as the string it spells.
fn override_value(o: &Override) -> Result<toml::Value, String> {
    if let Some(v) = plain_number(&o.value) {
        return Ok(v);
    }
    match format!("v = {}", o.value).parse::<toml::Table>() {
        // exactly one value: `30`, `"text"`, `[0.4, 0.6]`, `{ dist = … }`
        Ok(mut t) if t.len() == 1 => Ok(t
            .remove("v")
            .unwrap_or(toml::Value::String(o.value.clone()))),
        Ok(_) => Err("takes exactly one value, not a second assignment".to_string()),
        // a bare word (`urban_renewal`) is the string it spells
        Err(_)
            if o.value
                .chars()
                .all(|c| c.is_alphanumeric() || "_-.".contains(c)) =>
        {
            Ok(toml::Value::String(o.value.clone()))
        }
        Err(e) => Err(format!("not one TOML value ({})", e.message().trim())),
    }
}

/// The defaults of docs/model.md: tax defaults apply even without a `[tax]` section.
#[cfg(test)]
mod tests {

    #[test]
    fn plain_numbers_read_as_the_toml_parser_reads_them() {
        let cases = [
            "0",
            "-0",
            "7",
            "41481",
            "-12",
            "4.5",
            "0.125",
            "-3.25",
            "1e5",
            "2.5E-3",
            "6e+2",
            "1e06",
            "9223372036854775807",
            "0.1",
            "35",
            "1034.0000001",
        ];
        for c in cases {
            let parsed: toml::Table = format!("v = {c}").parse().unwrap();
            assert_eq!(plain_number(c).as_ref(), parsed.get("v"), "{c}");
        }
        // the rest is left to the parser, which accepts some and rejects others
        for c in [
            "+1",
            "1_000",
            "inf",
            "nan",
            ".5",
            "5.",
            "01",
            "-",
            "",
            "1e",
            "1.2.3",
            "0x10",
            "1 ",
            "9223372036854775808",
            "1e400",
            "\"3\"",
            "[1, 2]",
            "1,000",
        ] {
            assert_eq!(plain_number(c), None, "{c}");
        }
    }
    use super::*;

    /// These tests need no policy pack: the scenario layer stands without the policy layer.
    struct NoPacks;
    impl PackLookup for NoPacks {
        fn band(&self, _: &str) -> Option<Option<(f64, f64)>> {
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
