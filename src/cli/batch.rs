//! `shanglou batch`: a portfolio of parcels or schemes, one per row of a CSV, each the template
//! scenario with the row's values; streamed in and out in blocks, rows in parallel.

use super::{bad_input, mc::Progress, print};
use crate::export::{self, charts, table};
use anyhow::{Context, Result};
use clap::Args as ClapArgs;
use rayon::prelude::*;
use shanglou::batch::{self, Goal, Options, RowResult, Tally};
use shanglou::mc::Observer;
use shanglou::metrics::Status;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(ClapArgs)]
pub struct Args {
    /// Parcel table (CSV): a `name` column and columns named by dotted scenario keys
    /// (site.land_area_m2, site.far, land.price, subsidy.construction_per_m2, policy.pack, …)
    pub parcels: PathBuf,
    /// The scenario every row starts from (TOML)
    #[arg(long, value_name = "BASE.toml")]
    pub template: PathBuf,
    /// Monte Carlo paths per row, with common random numbers (the same seed for every row)
    #[arg(long)]
    pub paths: Option<u64>,
    /// Random seed with --paths [default: the template's, else 20230207]
    #[arg(long)]
    pub seed: Option<u64>,
    /// Solve per row: min-subsidy, max-rent or min-residential
    #[arg(long, value_name = "GOAL")]
    pub solve: Option<String>,
    #[command(flatten)]
    pub out: super::OutDir,
    /// Print the summary as JSON
    #[arg(long)]
    pub json: bool,
}

/// Rows read and run together: enough to keep every core busy, few enough that memory stays
/// flat in the number of rows.
const BLOCK: usize = 4096;

/// What the charts keep of a row: FAR, pre-tax IRR and verdict (24 bytes), and the name only
/// for the ranks shown.
struct Plot {
    points: Vec<(f64, f64, Status)>,
    ranked: Vec<(f64, String)>,
}

const RANKED: usize = 30;

impl Plot {
    fn add(&mut self, r: &RowResult, key: Option<f64>) {
        if let Some(irr) = r.irr_pre_tax {
            self.points.push((r.far, irr, r.status));
        }
        // the parcels ranked: by the value solved for, else by IRR
        if let Some(k) = key.or(r.irr_pre_tax) {
            self.ranked.push((k, r.name.clone()));
            if self.ranked.len() > 4 * RANKED {
                self.trim();
            }
        }
    }
    fn trim(&mut self) {
        self.ranked
            .sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
        self.ranked.truncate(RANKED);
    }
}

pub fn run(a: Args, ctx: &super::Ctx) -> Result<ExitCode> {
    let goal = match a.solve.as_deref() {
        None => None,
        Some(s) => Some(Goal::parse(s).ok_or_else(|| {
            bad_input(format!(
                "--solve {s}: expected min-subsidy, max-rent or min-residential"
            ))
        })?),
    };
    let src = super::read_text(&a.template, "scenario file", super::MAX_SCENARIO_BYTES)?;
    // the template must itself be a valid scenario: rows only change it
    let base = super::parse_scenario(&a.template, &src, &[])?;
    let table = shanglou::scenario::parse_table(&src).map_err(|e| bad_input(e.to_string()))?;
    let file = a.parcels.display().to_string();
    let meta = std::fs::metadata(&a.parcels)
        .map_err(|e| bad_input(format!("{file}: cannot read the parcel table: {e}")))?;
    if !meta.is_file() {
        return Err(bad_input(format!(
            "{file}: not a regular file; give the path of a parcel table (CSV)"
        )));
    }
    // counted first for the progress bar: one pass over the bytes, nothing kept
    let total = {
        use std::io::Read;
        let mut f = std::fs::File::open(&a.parcels)?;
        let mut buf = vec![0u8; 1 << 16];
        let mut n = 0u64;
        loop {
            let k = f.read(&mut buf)?;
            if k == 0 {
                break;
            }
            n += buf[..k].iter().filter(|b| **b == b'\n').count() as u64;
        }
        n.saturating_sub(1)
    };
    let paths = a
        .paths
        .map(|p| super::mc::check_paths(p, "--paths", false))
        .transpose()?;
    let seed = a
        .seed
        .or(base.monte_carlo.seed)
        .unwrap_or(super::mc::DEFAULT_SEED);
    let opts = Options {
        mc: paths.map(|p| (p, seed)),
        solve: goal,
    };
    let reader = std::fs::File::open(&a.parcels).with_context(|| format!("cannot open {file}"))?;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(std::io::BufReader::new(reader));
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| bad_input(format!("{file}:1: not a readable CSV: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    let cols = batch::columns(&header.iter().map(String::as_str).collect::<Vec<_>>())
        .map_err(|e| bad_input(format!("{file}:1: {e}")))?;
    let set = a.out.claim(&a.parcels, "batch", ctx)?;
    let mut out = std::io::BufWriter::new(set.create("batch.csv")?);
    out.write_all(export::csv::BOM)?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(batch::HEADER)?;
    let progress = Progress::counting(total, a.json, "parcels");
    let mut tally = Tally::default();
    let mut plot = Plot {
        points: Vec::new(),
        ranked: Vec::new(),
    };
    let mut block: Vec<(usize, Vec<String>)> = Vec::with_capacity(BLOCK);
    let mut done = 0u64;
    let mut rec = csv::StringRecord::new();
    let mut row_index = 0usize;
    loop {
        let more = rdr
            .read_record(&mut rec)
            .map_err(|e| bad_input(format!("{file}: not a readable CSV: {e}")))?;
        if more {
            row_index += 1;
            // the header is line 1; record lines count from there (quoted newlines aside)
            block.push((row_index + 1, rec.iter().map(String::from).collect()));
        }
        if block.len() == BLOCK || (!more && !block.is_empty()) {
            let results: Vec<(usize, Result<RowResult, Vec<String>>)> = block
                .par_iter()
                .map(|(line, cells)| {
                    let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
                    let name = cols
                        .name
                        .and_then(|i| cells.get(i))
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .unwrap_or_else(|| format!("row{}", line - 1));
                    let ov = batch::overrides(&cols, &cells);
                    (*line, batch::run_row(&table, &src, &name, &ov, &opts))
                })
                .collect();
            for (line, r) in results {
                match r {
                    Ok(r) => {
                        tally.add(r.status);
                        plot.add(&r, r.solved);
                        w.write_record(r.cells(goal))?;
                    }
                    Err(problems) => {
                        tally.bad_rows += 1;
                        for p in problems {
                            eprintln!("{file}:{line}: {p}");
                        }
                    }
                }
            }
            done += block.len() as u64;
            progress.progress(done, total);
            block.clear();
            if progress.cancelled() {
                return Err(anyhow::Error::new(shanglou::mc::McError::Cancelled));
            }
        }
        if !more {
            break;
        }
    }
    progress.finish();
    w.flush()?;
    w.into_inner()
        .map_err(|e| anyhow::anyhow!("cannot write batch.csv: {e}"))?
        .into_inner()
        .map_err(|e| anyhow::anyhow!("cannot write batch.csv: {e}"))?
        .sync_all()?;
    plot.trim();
    let pol = &base.inputs.policy;
    let band = (pol.irr_floor, pol.irr_cap);
    let mut files = Vec::new();
    files.extend(charts::batch::render(
        &plot.points,
        &plot.ranked,
        band,
        goal.map(|g| g.key()),
        ctx.style,
    )?);
    let summary = serde_json::json!({
        "parcels": done,
        "tally": tally,
        "band": {"floor": band.0, "cap": band.1},
        "template": a.template.display().to_string(),
        "paths": paths,
        "seed": paths.map(|_| seed),
        "solve": goal.map(|g| g.key()),
    });
    files.push((
        "batch_summary.json".to_string(),
        export::json::to_vec(&summary)?,
    ));
    let mut written = vec![set.final_path("batch.csv")];
    for (name, bytes) in &files {
        written.push(set.write(name, bytes)?);
    }
    super::commit(set)?;
    if a.json {
        print(&(serde_json::to_string_pretty(&summary)? + "\n"))?;
    } else {
        let mut t = format!(
            "{} parcels from {file} on {}\n\n",
            table::thousands(done as f64, 0),
            a.template.display()
        );
        t.push_str(&table::grid(
            &["verdict".into(), "parcels".into()],
            &[
                vec!["within 保本微利".into(), tally.within.to_string()],
                vec!["above the cap 超过微利".into(), tally.above_cap.to_string()],
                vec![
                    "below the floor 未能保本".into(),
                    tally.below_floor.to_string(),
                ],
                vec!["no IRR verdict".into(), tally.undefined.to_string()],
                vec!["bad rows (skipped)".into(), tally.bad_rows.to_string()],
            ],
        ));
        t.push_str(&format!(
            "  band: IRR {} to {}\n",
            table::pct(Some(band.0)),
            table::pct(Some(band.1))
        ));
        t.push_str(&super::written_line(&written));
        print(&t)?;
    }
    Ok(if tally.bad_rows > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
