//! `shanglou sweep`: a grid of values of some keys, deterministic and (with --paths) Monte
//! Carlo results at each point, a CSV and charts.

use super::{bad_input, load_scenario_source, mc::Progress, print};
use crate::export::{self, charts::SweepCharts, csv::SweepCsv, table, Document};
use anyhow::Result;
use clap::Args as ClapArgs;
use shanglou::sweep::{self, Axis};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(ClapArgs)]
pub struct Args {
    /// Scenario file (TOML); its [sweep] section gives defaults
    pub file: PathBuf,
    /// A key and its values, e.g. --grid factory.rent=25,30,35, or words for policy.pack,
    /// project.kind, finance.repayment, tax.lat_method, e.g. --grid policy.pack=shenzhen-2023,wuhan-2024
    /// (repeatable; after the --range keys)
    #[arg(long, value_name = "KEY=V1,V2,...")]
    pub grid: Vec<String>,
    /// A key and a range, e.g. --range subsidy.construction_per_m2=0:500:50 (repeatable; these keys come first)
    #[arg(long, value_name = "KEY=LO:HI:STEP")]
    pub range: Vec<String>,
    #[command(flatten)]
    pub sampling: super::Sampling,
    #[command(flatten)]
    pub out: super::OutDir,
    /// Print the rows as a JSON list of objects
    #[arg(long)]
    pub json: bool,
    /// Also write report.xlsx: the statements of 《建设项目经济评价方法与参数》 and a summary
    #[arg(long)]
    pub xlsx: bool,
    /// Compute only shard K of N (points whose index i has i mod N = K − 1) and write it for
    /// `shanglou merge`, e.g. --shard 2/4
    #[arg(long, value_name = "K/N", value_parser = super::shard)]
    pub shard: Option<shanglou::mc::Shard>,
    /// The most grid points a sweep may have (counted before anything is computed)
    #[arg(long, value_name = "N", default_value_t = sweep::DEFAULT_MAX_POINTS)]
    pub max_points: u64,
    #[command(flatten)]
    pub overrides: super::Overrides,
}

fn parse_axes(a: &Args) -> Result<Vec<Axis>> {
    let mut axes = Vec::new();
    for r in &a.range {
        let (k, spec) = r.split_once('=').ok_or_else(|| {
            bad_input(format!(
                "--range {r}: expected KEY=LO:HI:STEP e.g. subsidy.construction_per_m2=0:500:50"
            ))
        })?;
        let parts: Vec<f64> = spec
            .split(':')
            .map(|v| v.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| bad_input(format!("--range {r}: expected KEY=LO:HI:STEP with numbers")))?;
        let [lo, hi, step] = parts[..] else {
            return Err(bad_input(format!("--range {r}: expected KEY=LO:HI:STEP")));
        };
        let values = sweep::range_values(lo, hi, step)
            .map_err(|e| bad_input(format!("--range {r}: {e}")))?;
        axes.push(sweep::axis(k.trim(), values).map_err(|e| bad_input(format!("--range: {e}")))?);
    }
    for g in &a.grid {
        let (k, vs) = g.split_once('=').ok_or_else(|| {
            bad_input(format!(
                "--grid {g}: expected KEY=V1,V2,... e.g. factory.rent=25,30,35"
            ))
        })?;
        if sweep::WORD_KEYS.contains(&k.trim()) {
            let words = vs.split(',').map(|w| w.trim().to_string()).collect();
            axes.push(
                sweep::word_axis(k.trim(), words).map_err(|e| bad_input(format!("--grid: {e}")))?,
            );
            continue;
        }
        let values = vs
            .split(',')
            .map(|v| v.trim().parse::<f64>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| {
                bad_input(format!(
                    "--grid {g}: the values must be numbers separated by commas"
                ))
            })?;
        axes.push(sweep::axis(k.trim(), values).map_err(|e| bad_input(format!("--grid: {e}")))?);
    }
    Ok(axes)
}

/// What `sweep` writes (the same list for a merged sharded sweep).
pub fn exporters(xlsx: bool) -> Vec<&'static dyn export::Exporter> {
    super::with_reports(vec![&SweepCsv, &SweepCharts], xlsx, false)
}

pub fn run(a: Args, ctx: &super::Ctx) -> Result<ExitCode> {
    let (sc, source) = load_scenario_source(&a.file, &a.overrides.set)?;
    let mut axes = parse_axes(&a)?;
    if axes.is_empty() {
        axes = sweep::axes_of(&sc);
    }
    if axes.is_empty() {
        return Err(bad_input(format!("{}: nothing to sweep: give --grid KEY=V1,V2 or --range KEY=LO:HI:STEP, or a [sweep] grid in the scenario", a.file.display())));
    }
    if let Some(dup) = axes
        .iter()
        .enumerate()
        .find(|(i, x)| axes[..*i].iter().any(|y| y.key == x.key))
    {
        return Err(bad_input(format!("{} is swept twice", dup.1.key)));
    }
    // counted before anything per point is allocated
    let npoints = sweep::count_points(&axes).filter(|n| *n <= a.max_points);
    let Some(npoints) = npoints else {
        let sizes: Vec<String> = axes.iter().map(|x| x.values.len().to_string()).collect();
        return Err(bad_input(format!(
            "{}: the grid has {} points ({}), more than --max-points {}; sweep fewer values or raise --max-points",
            a.file.display(),
            sweep::count_points(&axes)
                .map(|n| n.to_string())
                .unwrap_or_else(|| "too many".into()),
            sizes.join(" × "),
            a.max_points
        )));
    };
    let paths = a
        .sampling
        .paths
        .or(sc.sweep.paths)
        .map(|p| {
            let origin = super::mc::paths_origin(a.sampling.paths, &a.file, &source, "sweep.paths");
            super::mc::check_paths(p, &origin, false)
        })
        .transpose()?;
    let seed = a
        .sampling
        .seed
        .or(sc.sweep.seed)
        .or(sc.monte_carlo.seed)
        .unwrap_or(super::mc::DEFAULT_SEED);
    if let Some(shard) = a.shard {
        let progress = Progress::new(
            shard.count(npoints).saturating_mul(paths.unwrap_or(1)),
            a.json,
        );
        let rows = sweep::run_shard(&sc, &axes, paths.map(|p| (p, seed)), shard, &progress)
            .map_err(|e| match e {
                sweep::SweepError::Invalid(m) => bad_input(format!("{}: {m}", a.file.display())),
                other => anyhow::Error::new(other),
            })?;
        progress.finish();
        let record = shanglou::record::Record::new(
            "sweep",
            &a.file,
            &source,
            &a.overrides.set,
            &sc,
            paths.map(|p| (seed, p)),
        );
        let set = a.out.claim(
            &a.file,
            &format!("sweep-shard-{}-of-{}", shard.k, shard.n),
            ctx,
        )?;
        let written = super::merge::write_sweep_shard(&set, &record, shard, &axes, &rows, a.xlsx)?;
        super::commit(set)?;
        print(&format!(
            "shard {}/{}: {} of {npoints} points\n{}",
            shard.k,
            shard.n,
            rows.len(),
            super::written_line(&written)
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    let progress = Progress::new(npoints.saturating_mul(paths.unwrap_or(1)), a.json);
    let rows =
        sweep::run(&sc, &axes, paths.map(|p| (p, seed)), &progress).map_err(|e| match e {
            sweep::SweepError::Invalid(m) => bad_input(format!("{}: {m}", a.file.display())),
            other => anyhow::Error::new(other),
        })?;
    progress.finish();
    let set = a.out.claim(&a.file, "sweep", ctx)?;
    let doc = Document::Sweep {
        scenario: &sc,
        axes: &axes,
        points: &rows,
    };
    let written = export::export_all(&set, &doc, &exporters(a.xlsx), ctx.style)?;
    super::commit(set)?;
    if a.json {
        print(&(serde_json::to_string_pretty(&export::csv::sweep_rows(&axes, &rows))? + "\n"))?;
    } else {
        let mut text = table::sweep(&sc, &axes, &rows, paths, seed);
        text.push_str(&super::written_line(&written));
        print(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}
