//! Portfolio batch: one scheme per row of a parcel table, each the template scenario with the
//! row's values, through the exact ledger (and optionally Monte Carlo with common random
//! numbers and a goal seek). Rows are independent: the caller streams them in and out.

use crate::mc::{self, Settings, Silent};
use crate::metrics::{self, Status};
use crate::scenario::{keys, Override, Scenario, Template};
use crate::solve::{self, Bound, Vary};
use serde::Serialize;

/// The word-valued keys a parcel table may set, beside the numeric keys of the registry.
pub const WORD_KEYS: [&str; 9] = [
    "project.name",
    "policy.pack",
    "project.kind",
    "project.rent_only",
    "site.location",
    "land.grant",
    "land.price_basis",
    "finance.repayment",
    "tax.lat_method",
];

/// Which column holds what: the optional `name` column and the keys the others set.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    pub name: Option<usize>,
    pub keys: Vec<(usize, String)>,
}

/// Reads a parcel table's header: `name` and dotted scenario keys; anything else is an error
/// naming the column and what would be valid.
pub fn columns(header: &[&str]) -> Result<Columns, String> {
    let mut c = Columns {
        name: None,
        keys: Vec::new(),
    };
    let mut bad = Vec::new();
    for (i, h) in header.iter().enumerate() {
        let h = h.trim();
        if h == "name" {
            c.name = Some(i);
        } else if keys::find(h).is_some() || WORD_KEYS.contains(&h) {
            if c.keys.iter().any(|(_, k)| k == h) {
                bad.push(format!("column {}: {h} is given twice", i + 1));
            }
            c.keys.push((i, h.to_string()));
        } else {
            bad.push(format!(
                "column {}: \"{h}\" is not a scenario key; give `name` or dotted keys such as site.land_area_m2, site.far, land.price, subsidy.construction_per_m2, policy.pack, project.kind",
                i + 1
            ));
        }
    }
    if bad.is_empty() {
        Ok(c)
    } else {
        Err(bad.join("; "))
    }
}

/// What a batch asks of each row beyond the exact ledger.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Monte Carlo paths and seed (the same seed for every row: common random numbers).
    pub mc: Option<(u64, u64)>,
    pub solve: Option<Goal>,
}

/// The value a batch solves for per row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goal {
    MinSubsidy,
    MaxRent,
    MinResidential,
}

impl Goal {
    pub fn parse(s: &str) -> Option<Goal> {
        match s {
            "min-subsidy" => Some(Goal::MinSubsidy),
            "max-rent" => Some(Goal::MaxRent),
            "min-residential" => Some(Goal::MinResidential),
            _ => None,
        }
    }
    pub fn key(self) -> &'static str {
        match self {
            Goal::MinSubsidy => "subsidy.construction_per_m2",
            Goal::MaxRent => "factory.rent",
            Goal::MinResidential => "mix.residential",
        }
    }
}

/// One row's figures.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct RowResult {
    pub name: String,
    pub far: f64,
    pub gfa_m2: f64,
    pub factory_m2: f64,
    pub residential_m2: f64,
    pub land: f64,
    pub construction: f64,
    pub rent: f64,
    pub sales: f64,
    pub subsidy: f64,
    pub irr_pre_tax: Option<f64>,
    pub irr_after_tax: Option<f64>,
    pub irr_equity: Option<f64>,
    pub npv: f64,
    pub payback_years: Option<f64>,
    pub status: Status,
    /// Binding rules of the row's pack it breaches.
    pub breached: Vec<String>,
    /// The solved value (`Options::solve`), or why there is none.
    pub solved: Option<f64>,
    pub solve_note: Option<String>,
    /// With Monte Carlo: P(within), P(above cap), P(below floor).
    pub p_within: Option<f64>,
    pub p_above_cap: Option<f64>,
    pub p_below_floor: Option<f64>,
}

/// The CSV header of [`RowResult`], in its field order.
pub const HEADER: [&str; 23] = [
    "name",
    "far",
    "gfa_m2",
    "factory_m2",
    "residential_m2",
    "land",
    "construction",
    "rent",
    "sales",
    "subsidy",
    "irr_pre_tax",
    "irr_after_tax",
    "irr_equity",
    "npv",
    "payback_years",
    "verdict",
    "breached_rules",
    "solved",
    "solve_note",
    "p_within",
    "p_above_cap",
    "p_below_floor",
    "solved_key",
];

/// The overrides a row's cells make: an empty cell keeps the template's value.
pub fn overrides(cols: &Columns, cells: &[&str]) -> Vec<Override> {
    cols.keys
        .iter()
        .filter_map(|(i, k)| {
            let v = cells.get(*i)?.trim();
            (!v.is_empty()).then(|| Override {
                key: k.clone(),
                value: if k == "project.name" {
                    format!("\"{}\"", v.replace('"', "'"))
                } else {
                    v.to_string()
                },
            })
        })
        .collect()
}

/// Runs one row: the template with its overrides, checked like a file (problems come back as
/// `key: message` lines), then the ledger, the pack check, and what `opts` asks.
/// A worker's buffers, reused from row to row: the exact ledger's forty columns are sized once
/// per worker instead of allocated for every parcel.
#[derive(Debug, Default)]
pub struct Scratch {
    ledger: crate::model::Ledger<rust_decimal::Decimal>,
}

pub fn run_row(
    template: &Template,
    src: &str,
    name: &str,
    overrides: &[Override],
    opts: &Options,
    scratch: &mut Scratch,
) -> Result<RowResult, Vec<String>> {
    let sc = template
        .load(src, overrides, &crate::policy::BuiltIn)
        .map_err(|e| {
            e.problems
                .iter()
                .map(|p| {
                    format!(
                        "{}: {}",
                        p.key,
                        p.message.trim_end_matches(" (value given with --set)")
                    )
                })
                .collect::<Vec<_>>()
        })?;
    Ok(evaluate(&sc, name, opts, scratch))
}

/// The figures of one scheme.
pub fn evaluate(sc: &Scenario, name: &str, opts: &Options, scratch: &mut Scratch) -> RowResult {
    use crate::num::Num;
    let ledger = &mut scratch.ledger;
    crate::model::run_into(&sc.inputs.convert(), ledger, crate::model::Need::All);
    let ledger = &*ledger;
    let s = metrics::headline(&sc.inputs, ledger);
    let breached =
        crate::policy::breached(&sc.inputs, ledger, *s.irr.get(sc.inputs.policy.irr_basis));
    let pol = &sc.inputs.policy;
    let basis = pol.irr_basis;
    let (solved, solve_note) = match opts.solve {
        None => (None, None),
        Some(g) => {
            let (vary, bound) = match g {
                Goal::MinSubsidy => (
                    Vary::Key(keys::find(g.key()).expect("a registry key").1),
                    Bound::AtLeast(pol.irr_floor),
                ),
                Goal::MaxRent => (
                    Vary::Key(keys::find(g.key()).expect("a registry key").1),
                    Bound::AtMost(pol.irr_cap),
                ),
                Goal::MinResidential => {
                    (Vary::ResidentialFromFactory, Bound::AtLeast(pol.irr_floor))
                }
            };
            match solve::solve_bound(sc, vary, bound, basis, None) {
                Ok(x) => (
                    Some(x.value),
                    x.bound.map(|b| {
                        match b {
                            solve::EndOfRange::HoldsAtLowest => "holds at the lowest value",
                            solve::EndOfRange::HoldsAtHighest => "holds up to the highest value",
                        }
                        .to_string()
                    }),
                ),
                Err(e) => (None, Some(e.to_string())),
            }
        }
    };
    let (p_within, p_above_cap, p_below_floor) = match opts.mc {
        None => (None, None, None),
        Some((paths, seed)) => match mc::simulate(sc, Settings::basis_only(paths, seed), &Silent) {
            Ok(o) => {
                let p = o.summary().prob;
                (Some(p.within), Some(p.above_cap), Some(p.below_floor))
            }
            Err(_) => (None, None, None),
        },
    };
    let [land, construction, rent, sales, subsidy] = s.money.map(Num::to_f64);
    RowResult {
        name: name.to_string(),
        far: sc.inputs.site.far,
        gfa_m2: s.areas.gfa,
        factory_m2: s.areas.factory,
        residential_m2: s.areas.residential,
        land,
        construction,
        rent,
        sales,
        subsidy,
        irr_pre_tax: s.irr.project_pre_tax,
        irr_after_tax: s.irr.project_after_tax,
        irr_equity: s.irr.equity,
        npv: s.npv,
        payback_years: s.payback_years,
        status: s.status,
        breached,
        solved,
        solve_note,
        p_within,
        p_above_cap,
        p_below_floor,
    }
}

impl RowResult {
    /// The row as CSV cells, in [`HEADER`] order.
    pub fn cells(&self, goal: Option<Goal>) -> Vec<String> {
        let o = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
        vec![
            self.name.clone(),
            self.far.to_string(),
            self.gfa_m2.to_string(),
            self.factory_m2.to_string(),
            self.residential_m2.to_string(),
            self.land.to_string(),
            self.construction.to_string(),
            self.rent.to_string(),
            self.sales.to_string(),
            self.subsidy.to_string(),
            o(self.irr_pre_tax),
            o(self.irr_after_tax),
            o(self.irr_equity),
            self.npv.to_string(),
            o(self.payback_years),
            self.status.name().to_string(),
            self.breached.join(" "),
            o(self.solved),
            self.solve_note.clone().unwrap_or_default(),
            o(self.p_within),
            o(self.p_above_cap),
            o(self.p_below_floor),
            goal.map(|g| g.key().to_string()).unwrap_or_default(),
        ]
    }
}

/// How many rows fall within, above and below the band, and how many have no IRR verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub within: u64,
    pub above_cap: u64,
    pub below_floor: u64,
    pub undefined: u64,
    pub bad_rows: u64,
}

impl Tally {
    pub fn add(&mut self, s: Status) {
        match s {
            Status::Within => self.within += 1,
            Status::AboveCap => self.above_cap += 1,
            Status::BelowFloor => self.below_floor += 1,
            Status::Undefined => self.undefined += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = include_str!("../scenarios/wuhan-subsidy-loan.toml");

    #[test]
    fn a_row_is_the_template_with_its_cells() {
        let cols = columns(&["name", "site.far", "policy.pack", "land.price"]).unwrap();
        assert_eq!(cols.name, Some(0));
        let table = Template::new(crate::scenario::parse_table(TEMPLATE).unwrap());
        let opts = Options {
            mc: None,
            solve: Some(Goal::MinSubsidy),
        };
        let r = run_row(
            &table,
            TEMPLATE,
            "A",
            &overrides(&cols, &["A", "4.0", "", "800"]),
            &opts,
            &mut Scratch::default(),
        )
        .unwrap();
        assert_eq!(r.far, 4.0);
        // the same scheme through a scenario file gives the same figures
        let sc = crate::load(
            TEMPLATE,
            &[
                Override::parse("site.far=4.0").unwrap(),
                Override::parse("land.price=800").unwrap(),
            ],
        )
        .unwrap();
        let (_, s) = metrics::evaluate(&sc.inputs);
        assert_eq!(r.irr_pre_tax, s.irr.project_pre_tax);
        assert_eq!(r.solved, Some(0.0));
        // a bad cell names its key
        let e = run_row(
            &table,
            TEMPLATE,
            "B",
            &overrides(&cols, &["B", "-1", "", ""]),
            &opts,
            &mut Scratch::default(),
        )
        .unwrap_err();
        assert!(e[0].starts_with("site.far"), "{e:?}");
        assert!(columns(&["name", "site.farr"])
            .unwrap_err()
            .contains("site.farr"));
    }
}
