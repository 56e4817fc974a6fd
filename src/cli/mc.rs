//! `shanglou mc`: the probability that the scheme lands inside 保本微利.

use super::{bad_input, load_scenario_source, print};
use crate::export::{self, charts::McCharts, csv::PathsCsv, json::Json, table, Document, Exporter};
use anyhow::Result;
use clap::Args as ClapArgs;
use indicatif::{ProgressBar, ProgressStyle};
use shanglou::mc::{self, Observer, Settings};
use shanglou::metrics;
use shanglou::record::Record;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Used when neither the command line nor `[monte_carlo]` gives them.
pub const DEFAULT_PATHS: u64 = 10_000;
pub const DEFAULT_SEED: u64 = 20_230_207;

#[derive(ClapArgs)]
pub struct Args {
    /// Scenario file (TOML) with distributions on its uncertain inputs
    pub file: PathBuf,
    #[command(flatten)]
    pub sampling: super::Sampling,
    /// Worker threads; 0 = one per core (at most 1024)
    #[arg(long, default_value_t = 0, value_parser = super::threads)]
    pub threads: usize,
    #[command(flatten)]
    pub out: super::OutDir,
    /// Print the docs/model.md §12 Monte Carlo object as JSON on stdout, and nothing else
    #[arg(long)]
    pub json: bool,
    /// Also write paths.csv: one row per path, sampled inputs and results
    #[arg(long)]
    pub paths_csv: bool,
    /// Also compute the after-tax and equity IRRs and the NPV of every path
    #[arg(long)]
    pub all_metrics: bool,
    #[command(flatten)]
    pub reports: super::Reports,
    /// Compute only shard K of N (paths whose index i has i mod N = K − 1) and write it for
    /// `shanglou merge`, e.g. --shard 3/8
    #[arg(long, value_name = "K/N", value_parser = super::shard)]
    pub shard: Option<mc::Shard>,
    #[command(flatten)]
    pub overrides: super::Overrides,
}

/// What `mc` writes: summary.json and the charts, paths.csv and the reports when asked (the
/// same list for a merged sharded run, so its set equals the whole run's).
pub fn exporters(paths_csv: bool, xlsx: bool, html: bool) -> Vec<&'static dyn Exporter> {
    let mut e: Vec<&'static dyn Exporter> = vec![&Json, &McCharts];
    if paths_csv {
        e.push(&PathsCsv);
    }
    super::with_reports(e, xlsx, html)
}

/// A progress bar on stderr, shown only when stderr is a terminal.
pub struct Progress(Option<ProgressBar>);

impl Progress {
    pub fn new(total: u64, quiet: bool) -> Progress {
        Progress::counting(total, quiet, "paths")
    }

    /// A bar counting `unit`s (paths, parcels).
    pub fn counting(total: u64, quiet: bool, unit: &str) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let pb = ProgressBar::new(total);
        pb.set_style(
            ProgressStyle::with_template(&format!(
                "{{spinner}} [{{bar:40}}] {{human_pos}}/{{human_len}} {unit}  {{rate}}  ETA {{eta}}"
            ))
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            // a whole number of paths a second: indicatif's {per_sec} prints four decimals
            .with_key(
                "rate",
                |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(
                        w,
                        "{}/s",
                        crate::export::table::thousands(s.per_sec().round(), 0)
                    );
                },
            )
            .progress_chars("=> "),
        );
        Progress(Some(pb))
    }
    pub fn finish(&self) {
        if let Some(pb) = &self.0 {
            pb.finish_and_clear();
        }
    }
}

impl Observer for Progress {
    fn progress(&self, done: u64, _total: u64) {
        if let Some(pb) = &self.0 {
            pb.set_position(done);
        }
    }
    fn cancelled(&self) -> bool {
        super::INTERRUPTED.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// The most paths one run may ask for: results take 9 bytes a path, so this bounds a run's
/// memory at about 1.8 GB.
pub const MAX_PATHS: u64 = 200_000_000;

/// The most paths whose every row `--paths-csv` keeps (about 300 bytes each).
pub const MAX_PATHS_CSV: u64 = 2_000_000;

/// Where a path count came from, for messages: the flag, or the file's key and line.
pub fn paths_origin(flag: Option<u64>, file: &Path, source: &str, key: &str) -> String {
    if flag.is_some() {
        "--paths".to_string()
    } else {
        match shanglou::scenario::locate::line_of(source, key) {
            Some(line) => format!("{}:{line}: {key}", file.display()),
            None => format!("{}: {key}", file.display()),
        }
    }
}

/// Checks a path count before anything is allocated, naming where it came from.
pub fn check_paths(paths: u64, origin: &str, per_path_csv: bool) -> Result<u64> {
    if paths == 0 {
        return Err(bad_input(format!(
            "{origin} = 0: a Monte Carlo run needs at least 1 path"
        )));
    }
    if paths > MAX_PATHS {
        return Err(bad_input(format!(
            "{origin} = {paths}: at most {MAX_PATHS} paths in one run (each path keeps 9 bytes of results: {:.1} GB here); run several seeds and pool them instead",
            paths as f64 * 9.0 / 1e9
        )));
    }
    if per_path_csv && paths > MAX_PATHS_CSV {
        return Err(bad_input(format!(
            "{origin} = {paths}: --paths-csv keeps a row of about 300 bytes per path ({:.1} GB here), at most {MAX_PATHS_CSV} paths; drop --paths-csv or run fewer paths",
            paths as f64 * 300.0 / 1e9
        )));
    }
    Ok(paths)
}

pub fn run(a: Args, ctx: &super::Ctx) -> Result<ExitCode> {
    let (sc, source) = load_scenario_source(&a.file, &a.overrides.set)?;
    let paths = check_paths(
        a.sampling
            .paths
            .or(sc.monte_carlo.paths)
            .unwrap_or(DEFAULT_PATHS),
        &paths_origin(a.sampling.paths, &a.file, &source, "monte_carlo.paths"),
        a.paths_csv,
    )?;
    let seed = a
        .sampling
        .seed
        .or(sc.monte_carlo.seed)
        .unwrap_or(DEFAULT_SEED);
    if sc.uncertain.is_empty() {
        eprintln!("warning: {}: no input is given as a distribution, so every path equals the deterministic run", a.file.display());
    }
    let settings = Settings {
        paths,
        seed,
        threads: a.threads,
        all_metrics: a.all_metrics,
    };
    let record = Record::new(
        "mc",
        &a.file,
        &source,
        &a.overrides.set,
        &sc,
        Some((seed, paths)),
    );
    if let Some(shard) = a.shard {
        if a.all_metrics {
            return Err(bad_input(
                "--shard keeps each path's basis IRR only: drop --all-metrics",
            ));
        }
        let progress = Progress::new(shard.count(paths), a.json);
        let sampler = mc::sample::Sampler::new(&sc);
        let outcome = mc::simulate_shard(&sc, &sampler, settings, shard, &progress)?;
        progress.finish();
        let set = a.out.claim(
            &a.file,
            &format!("mc-shard-{}-of-{}", shard.k, shard.n),
            ctx,
        )?;
        let opts = super::merge::McOptions {
            paths_csv: a.paths_csv,
            xlsx: a.reports.xlsx,
            html: a.reports.html,
        };
        let written = super::merge::write_mc_shard(&set, &record, shard, &outcome, opts)?;
        super::commit(set)?;
        print(&format!(
            "shard {}/{}: {} of {} paths\n{}",
            shard.k,
            shard.n,
            table::thousands(outcome.irr.len() as f64, 0),
            table::thousands(paths as f64, 0),
            super::written_line(&written)
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    let progress = Progress::new(paths, a.json);
    let start = Instant::now();
    let outcome = mc::simulate(&sc, settings, &progress)?;
    let secs = start.elapsed().as_secs_f64();
    progress.finish();
    let summary = outcome.summary();
    let set = a.out.claim(&a.file, "mc", ctx)?;
    let doc = Document::Mc {
        record: &record,
        scenario: &sc,
        outcome: &outcome,
        summary: &summary,
    };
    let written = export::export_all(
        &set,
        &doc,
        &exporters(a.paths_csv, a.reports.xlsx, a.reports.html),
        ctx.style,
    )?;
    super::commit(set)?;
    if a.json {
        print(&String::from_utf8(export::json::to_vec(&summary)?)?)?;
    } else {
        let (det, det_status) = metrics::evaluate_f64(&sc.inputs);
        let mut text = table::mc_summary(&sc, &summary, det, det_status, secs);
        text.push_str(&super::written_line(&written));
        print(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}
