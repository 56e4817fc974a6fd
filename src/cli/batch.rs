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
    #[command(flatten)]
    pub reports: super::Reports,
    /// Print the summary as JSON
    #[arg(long)]
    pub json: bool,
    /// Run only shard K of N (rows whose index i has i mod N = K − 1) for `shanglou merge`
    #[arg(long, value_name = "K/N", value_parser = super::shard)]
    pub shard: Option<shanglou::mc::Shard>,
}

/// What a batch ran on: the same for every shard of one run.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RunInfo {
    pub parcels: String,
    pub template: String,
    pub template_sha256: String,
    pub paths: Option<u64>,
    pub seed: Option<u64>,
    pub solve: Option<String>,
    pub band: (f64, f64),
    /// report.xlsx and report.html were asked for (a merge writes them as the whole run did).
    #[serde(default)]
    pub xlsx: bool,
    #[serde(default)]
    pub html: bool,
}

/// One row as a shard keeps it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ShardRow {
    pub line: usize,
    pub result: std::result::Result<RowResult, Vec<String>>,
}

/// A batch shard: its rows (each with its line) and the run it belongs to.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BatchShard {
    pub shanglou_batch_shard: u32,
    pub version: String,
    pub k: u64,
    pub n: u64,
    pub rows_total: u64,
    pub run: RunInfo,
    pub rows: Vec<ShardRow>,
}

/// Where finished rows go: straight into batch.csv, or kept for a shard file.
pub enum Sink {
    Csv {
        w: Box<csv::Writer<std::io::BufWriter<std::fs::File>>>,
        tally: Tally,
        plot: Plot,
    },
    Shard(Vec<ShardRow>),
}

impl Sink {
    /// batch.csv opened in the output set, its header written.
    pub fn open(set: &export::OutputSet, goal: Option<Goal>) -> Result<Sink> {
        let _ = goal;
        let mut out = std::io::BufWriter::new(set.create("batch.csv")?);
        out.write_all(export::csv::BOM)?;
        let mut w = csv::Writer::from_writer(out);
        w.write_record(batch::HEADER)?;
        Ok(Sink::Csv {
            w: Box::new(w),
            tally: Tally::default(),
            plot: Plot {
                points: Vec::new(),
                ranked: Vec::new(),
            },
        })
    }

    /// One finished row, in row order.
    pub fn take(
        &mut self,
        line: usize,
        r: std::result::Result<RowResult, Vec<String>>,
        goal: Option<Goal>,
    ) -> Result<()> {
        match self {
            Sink::Shard(rows) => rows.push(ShardRow { line, result: r }),
            Sink::Csv { w, tally, plot } => match r {
                Ok(r) => {
                    tally.add(r.status);
                    plot.add(&r, r.solved);
                    w.write_record(r.cells(goal))?;
                }
                Err(_) => tally.bad_rows += 1,
            },
        }
        Ok(())
    }

    /// Flushes batch.csv and writes the charts and batch_summary.json.
    pub fn finish(
        self,
        set: &export::OutputSet,
        rows: u64,
        run: &RunInfo,
        goal: Option<Goal>,
        style: export::Style,
    ) -> Result<(Vec<PathBuf>, serde_json::Value, Tally)> {
        let Sink::Csv { w, tally, mut plot } = self else {
            anyhow::bail!("a shard has no charts");
        };
        w.into_inner()
            .map_err(|e| anyhow::anyhow!("cannot write batch.csv: {e}"))?
            .into_inner()
            .map_err(|e| anyhow::anyhow!("cannot write batch.csv: {e}"))?
            .sync_all()?;
        plot.trim();
        let (bars, measured) = plot.bars(goal);
        let mut files = charts::batch::render(&plot.points, &bars, run.band, measured, style)?;
        let summary = serde_json::json!({
            "parcels": rows,
            "tally": tally,
            "band": {"floor": run.band.0, "cap": run.band.1},
            "template": run.template,
            "paths": run.paths,
            "seed": run.seed,
            "solve": goal.map(|g| g.key()),
        });
        files.push((
            "batch_summary.json".to_string(),
            export::json::to_vec(&summary)?,
        ));
        let overview = export::BatchOverview {
            template: &run.template,
            parcels_file: &run.parcels,
            parcels: rows,
            tally: &tally,
            band: run.band,
        };
        if run.html {
            let page = export::html::batch_page(&overview, &files);
            files.push(("report.html".to_string(), page.into_bytes()));
        }
        let mut written = vec![set.final_path("batch.csv")];
        if run.xlsx {
            export::xlsx::batch_workbook(
                &overview,
                &set.staged("batch.csv"),
                &set.staged("report.xlsx"),
            )
            .map_err(|e| anyhow::anyhow!("cannot write report.xlsx: {e}"))?;
            written.push(set.final_path("report.xlsx"));
        }
        for (name, bytes) in &files {
            written.push(set.write(name, bytes)?);
        }
        Ok((written, summary, tally))
    }
}

/// The terminal summary of a batch.
pub fn report(run: &RunInfo, rows: u64, tally: &Tally) -> String {
    let mut t = format!(
        "{} parcels from {} on {}\n\n",
        table::thousands(rows as f64, 0),
        run.parcels,
        run.template
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
        table::pct(Some(run.band.0)),
        table::pct(Some(run.band.1))
    ));
    t
}

/// Rows read and run together: enough to keep every core busy, few enough that memory stays
/// flat in the number of rows.
const BLOCK: usize = 4096;

/// What the charts keep of a row: FAR, pre-tax IRR and verdict (24 bytes), and the name only
/// for the ranks shown.
pub struct Plot {
    points: Vec<(f64, f64, Status)>,
    /// (the value ranked by, the IRR, the name), best first after [`Plot::trim`].
    ranked: Vec<(f64, f64, String)>,
}

const RANKED: usize = 30;

impl Plot {
    fn add(&mut self, r: &RowResult, key: Option<f64>) {
        if let Some(irr) = r.irr_pre_tax {
            self.points.push((r.far, irr, r.status));
        }
        // the parcels ranked: by the value solved for, else by IRR (ties by IRR)
        if let Some(k) = key.or(r.irr_pre_tax) {
            let irr = r.irr_pre_tax.unwrap_or(f64::NEG_INFINITY);
            self.ranked.push((k, irr, r.name.clone()));
            if self.ranked.len() > 4 * RANKED {
                self.trim();
            }
        }
    }
    fn trim(&mut self) {
        self.ranked.sort_by(|a, b| {
            b.0.partial_cmp(&a.0)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal))
        });
        self.ranked.truncate(RANKED);
    }

    /// The bars to draw and what they measure: the solved value, or the IRR when there is no
    /// goal or every parcel solves to the same value (a chart of equal bars says nothing).
    fn bars(&self, goal: Option<Goal>) -> (Vec<(f64, String)>, Option<&'static str>) {
        let same = self
            .ranked
            .iter()
            .all(|r| self.ranked.first().is_some_and(|f| f.0 == r.0));
        match goal {
            Some(g) if !same => (
                self.ranked.iter().map(|r| (r.0, r.2.clone())).collect(),
                Some(g.key()),
            ),
            _ => (
                self.ranked
                    .iter()
                    .filter(|r| r.1.is_finite())
                    .map(|r| (r.1, r.2.clone()))
                    .collect(),
                None,
            ),
        }
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
    let table = shanglou::scenario::Template::new(
        shanglou::scenario::parse_table(&src).map_err(|e| bad_input(e.to_string()))?,
    );
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
    let shard = a.shard.unwrap_or(shanglou::mc::Shard::WHOLE);
    let set = match a.shard {
        Some(sh) => a.out.claim(
            &a.parcels,
            &format!("batch-shard-{}-of-{}", sh.k, sh.n),
            ctx,
        )?,
        None => a.out.claim(&a.parcels, "batch", ctx)?,
    };
    let run = RunInfo {
        parcels: file.clone(),
        template: a.template.display().to_string(),
        template_sha256: shanglou::record::sha256_hex(src.as_bytes()),
        paths,
        seed: paths.map(|_| seed),
        solve: a.solve.clone(),
        band: (base.inputs.policy.irr_floor, base.inputs.policy.irr_cap),
        xlsx: a.reports.xlsx,
        html: a.reports.html,
    };
    let mut sink = match a.shard {
        Some(_) => Sink::Shard(Vec::new()),
        None => Sink::open(&set, goal)?,
    };
    let progress = Progress::counting(shard.count(total), a.json, "parcels");
    let mut block: Vec<(usize, Vec<String>)> = Vec::with_capacity(BLOCK);
    let mut done = 0u64;
    let mut rec = csv::StringRecord::new();
    let mut row_index = 0u64;
    loop {
        let more = rdr
            .read_record(&mut rec)
            .map_err(|e| bad_input(format!("{file}: not a readable CSV: {e}")))?;
        if more {
            row_index += 1;
            // a shard takes the rows whose index i (0-based) has i mod N = K − 1
            if (row_index - 1) % shard.n == shard.k - 1 {
                // the header is line 1; record lines count from there (quoted newlines aside)
                block.push((
                    row_index as usize + 1,
                    rec.iter().map(String::from).collect(),
                ));
            }
        }
        if block.len() == BLOCK || (!more && !block.is_empty()) {
            let results: Vec<(usize, Result<RowResult, Vec<String>>)> = block
                .par_iter()
                .map_init(batch::Scratch::default, |scratch, (line, cells)| {
                    let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
                    let name = cols
                        .name
                        .and_then(|i| cells.get(i))
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .unwrap_or_else(|| format!("row{}", line - 1));
                    let ov = batch::overrides(&cols, &cells);
                    (
                        *line,
                        batch::run_row(&table, &src, &name, &ov, &opts, scratch),
                    )
                })
                .collect();
            for (line, r) in results {
                if let Err(problems) = &r {
                    for p in problems {
                        eprintln!("{file}:{line}: {p}");
                    }
                }
                sink.take(line, r, goal)?;
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
    let (written, summary, tally) = match sink {
        Sink::Shard(rows) => {
            let meta = BatchShard {
                shanglou_batch_shard: 1,
                version: env!("CARGO_PKG_VERSION").into(),
                k: shard.k,
                n: shard.n,
                rows_total: row_index,
                run: run.clone(),
                rows,
            };
            let bad = meta.rows.iter().filter(|r| r.result.is_err()).count() as u64;
            let written = vec![set.write("batch_shard.json", &export::json::to_vec(&meta)?)?];
            let summary = serde_json::json!({"shard": format!("{}/{}", shard.k, shard.n), "rows": meta.rows.len()});
            (
                written,
                summary,
                Tally {
                    bad_rows: bad,
                    ..Tally::default()
                },
            )
        }
        sink => {
            let (written, summary, tally) = sink.finish(&set, row_index, &run, goal, ctx.style)?;
            (written, summary, tally)
        }
    };
    super::commit(set)?;
    if a.json || a.shard.is_some() {
        print(&(serde_json::to_string_pretty(&summary)? + "\n" + &super::written_line(&written)))?;
    } else {
        print(&(report(&run, row_index, &tally) + &super::written_line(&written)))?;
    }
    Ok(if tally.bad_rows > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ranking_falls_back_to_the_irr_when_every_parcel_solves_alike() {
        let mut plot = Plot {
            points: Vec::new(),
            ranked: vec![(0.0, 0.03, "a".into()), (0.0, 0.05, "b".into())],
        };
        plot.trim();
        let (bars, key) = plot.bars(Some(Goal::MinSubsidy));
        assert_eq!(key, None, "equal solved values: ranked by IRR");
        assert_eq!(bars[0], (0.05, "b".to_string()));
        plot.ranked[0].0 = 300.0;
        let (bars, key) = plot.bars(Some(Goal::MinSubsidy));
        assert_eq!(key, Some("subsidy.construction_per_m2"));
        assert_eq!(bars[0].0, 300.0);
    }
}
