//! `shanglou solve`: the value of an input that puts the IRR (or the probability of breaking
//! even) on a target.

use super::{bad_input, load_scenario, print};
use anyhow::Result;
use clap::Args as ClapArgs;
use shanglou::scenario::{keys, Basis};
use shanglou::solve::{self, Bound, EndOfRange, Vary};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(ClapArgs)]
pub struct Args {
    /// Scenario file (TOML)
    pub file: PathBuf,
    /// The numeric key to vary, e.g. factory.rent or subsidy.construction_per_m2
    #[arg(long, value_name = "KEY")]
    pub vary: Option<String>,
    /// The basis IRR to reach, e.g. 0.045
    #[arg(long, value_name = "X", allow_negative_numbers = true, value_parser = super::finite)]
    pub target_irr: Option<f64>,
    /// Reach P(IRR ≥ floor) ≥ P over Monte Carlo paths instead
    #[arg(long, value_name = "P", value_parser = super::finite)]
    pub target_prob: Option<f64>,
    /// Series to read the IRR from [default: policy.irr_basis]
    #[arg(long, value_name = "B")]
    pub basis: Option<String>,
    /// Search range LO,HI [default: around the current value]
    #[arg(long, value_name = "LO,HI")]
    pub range: Option<String>,
    /// Highest factory rent that keeps the IRR ≤ the cap
    #[arg(long, conflicts_with_all = ["vary", "min_residential", "min_subsidy"])]
    pub max_rent: bool,
    /// Smallest residential share (taken from factory) that reaches the floor
    #[arg(long, conflicts_with_all = ["vary", "min_subsidy"])]
    pub min_residential: bool,
    /// Smallest construction subsidy per m² that reaches the floor
    #[arg(long, conflicts_with_all = ["vary", "residual_land"])]
    pub min_subsidy: bool,
    /// Residual land value (剩余地价): the highest land.price keeping the IRR at the cap, or at
    /// --target-irr (e.g. 0 for the floor)
    #[arg(long, conflicts_with_all = ["vary", "max_rent", "min_residential"])]
    pub residual_land: bool,
    /// Monte Carlo paths for --target-prob
    #[arg(long, default_value_t = 4000)]
    pub paths: u64,
    /// Seed for --target-prob [default: monte_carlo.seed, else 20230207]
    #[arg(long)]
    pub seed: Option<u64>,
    /// Print {"key", "value", "target", "basis", "achieved_irr"} as JSON
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub overrides: super::Overrides,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let sc = load_scenario(&a.file, &a.overrides.set)?;
    let pol = &sc.inputs.policy;
    let basis = match &a.basis {
        Some(b) => Basis::parse(b).ok_or_else(|| {
            bad_input(format!(
                "--basis {b}: expected project_pre_tax, project_after_tax or equity"
            ))
        })?,
        None => pol.irr_basis,
    };
    let key = |name: &str| keys::find(name).map(|(_, k)| Vary::Key(k));
    let (vary, target) = if a.max_rent {
        (
            key("factory.rent").unwrap(),
            a.target_irr.unwrap_or(pol.irr_cap),
        )
    } else if a.min_residential {
        (
            Vary::ResidentialFromFactory,
            a.target_irr.unwrap_or(pol.irr_floor),
        )
    } else if a.residual_land {
        (
            key("land.price").unwrap(),
            a.target_irr.unwrap_or(pol.irr_cap),
        )
    } else if a.min_subsidy {
        (
            key("subsidy.construction_per_m2").unwrap(),
            a.target_irr.unwrap_or(pol.irr_floor),
        )
    } else {
        let Some(name) = &a.vary else {
            return Err(bad_input("solve needs --vary KEY with --target-irr X or --target-prob P, or one of --max-rent, --min-residential, --min-subsidy, --residual-land"));
        };
        let v = key(name).ok_or_else(|| {
            bad_input(format!(
                "--vary {name}: not a numeric scenario key; expected one of {}",
                keys::names().join(", ")
            ))
        })?;
        match (a.target_irr, a.target_prob) {
            (Some(t), None) => (v, t),
            (None, Some(p)) => (v, p),
            _ => {
                return Err(bad_input(
                    "give exactly one of --target-irr X or --target-prob P",
                ))
            }
        }
    };
    if a.min_residential
        && (sc.inputs.residential.sale_price <= 0.0
            || sc.inputs.residential.sale_schedule.is_empty())
    {
        return Err(bad_input(format!("{}: --min-residential needs residential.sale_price and residential.sale_schedule to value the residential area", a.file.display())));
    }
    let range = match &a.range {
        // the land may cost at most every inflow of the scheme: a price per basis unit up to
        // the one at which land alone takes all the rent, sales and subsidies
        None if a.residual_land => {
            let (_, s) = shanglou::metrics::evaluate(&sc.inputs);
            let inflow =
                shanglou::num::Num::to_f64(s.totals.rent + s.totals.sales + s.totals.subsidy);
            let per = match sc.inputs.land.price_basis {
                shanglou::scenario::PriceBasis::Land => sc.inputs.site.land_area_m2,
                shanglou::scenario::PriceBasis::Gfa => s.areas.gfa,
                shanglou::scenario::PriceBasis::Total => 1.0,
            };
            Some((0.0, (inflow / per.max(1e-9)).clamp(1.0, 1e12)))
        }
        None => None,
        Some(r) => {
            let parts: Vec<f64> = r
                .split(',')
                .map(|x| x.trim().parse::<f64>())
                .collect::<Result<_, _>>()
                .map_err(|_| bad_input(format!("--range {r}: expected LO,HI, e.g. 20,40")))?;
            match parts[..] {
                [lo, hi] => Some((lo, hi)),
                _ => {
                    return Err(bad_input(format!(
                        "--range {r}: expected LO,HI, e.g. 20,40"
                    )))
                }
            }
        }
    };
    let result = match a.target_prob {
        Some(p) if !(0.0..=1.0).contains(&p) => {
            return Err(bad_input(format!(
                "--target-prob {p}: expected a probability from 0 to 1"
            )))
        }
        Some(p) => {
            let seed = a
                .seed
                .or(sc.monte_carlo.seed)
                .unwrap_or(super::mc::DEFAULT_SEED);
            solve::solve_prob(&sc, vary, p, range, a.paths.max(1), seed)
        }
        None if a.max_rent => solve::solve_bound(&sc, vary, Bound::AtMost(target), basis, range),
        None if a.min_subsidy || a.min_residential => {
            solve::solve_bound(&sc, vary, Bound::AtLeast(target), basis, range)
        }
        None => solve::solve_irr(&sc, vary, target, basis, range),
    };
    let s = match result {
        Ok(s) => s,
        Err(e @ solve::SolveError::BadRange { .. }) => {
            return Err(bad_input(format!("{}: {e}", a.file.display())))
        }
        Err(e) => {
            eprintln!("error: {}: {e}", a.file.display());
            return Ok(ExitCode::from(1));
        }
    };
    if a.json {
        print(&(serde_json::to_string_pretty(&s)? + "\n"))?;
    } else {
        let irr = s
            .achieved_irr
            .map(|r| format!("{:.2}%", r * 100.0))
            .unwrap_or_else(|| "—".into());
        let shown = crate::export::table::named_value(&s.key, s.value);
        let mut text = format!(
            "{}\n  {} = {} (set it with --set {}={})\n  {} IRR there: {}\n",
            sc.name,
            s.key,
            shown,
            s.key,
            crate::export::table::significant(s.value),
            s.basis.name(),
            irr
        );
        let target_pct = format!("{:.2}%", s.target * 100.0);
        match s.bound {
            Some(EndOfRange::HoldsAtLowest) => text.push_str(&format!(
                "  the IRR already reaches {target_pct} at the lowest value searched: none is needed\n"
            )),
            Some(EndOfRange::HoldsAtHighest) => text.push_str(&format!(
                "  the IRR stays at or below {target_pct} up to the highest value searched; widen --range LO,HI to look further\n"
            )),
            None => {}
        }
        // a rent above the pack's cap is not a rent the scheme may charge: say so, and what the
        // IRR is at the cap
        if a.max_rent {
            let pack = pol.pack.as_deref().and_then(shanglou::policy::pack);
            if let Some((pack, cap)) = pack.and_then(|p| p.rent_cap.map(|c| (p, c))) {
                if s.value > cap {
                    let mut inp = sc.inputs.clone();
                    inp.factory.lease.rent = cap;
                    let at_cap = solve::irr_for(&inp, basis, &mut Default::default());
                    text.push_str(&format!(
                        "  {} caps the rent at {}: the policy binds first; at the cap the {} IRR is {:.2}%\n",
                        pack.id,
                        crate::export::table::named_value("factory.rent", cap),
                        s.basis.name(),
                        at_cap * 100.0
                    ));
                } else {
                    text.push_str(&format!(
                        "  {} caps the rent at {}: the IRR cap binds first, below it\n",
                        pack.id,
                        crate::export::table::named_value("factory.rent", cap),
                    ));
                }
            }
        }
        if let Some(p) = s.achieved_prob {
            text.push_str(&format!(
                "  P(IRR ≥ floor) there: {:.2}% (target {:.2}%)\n",
                p * 100.0,
                s.target * 100.0
            ));
        }
        print(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}
