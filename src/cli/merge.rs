//! Sharded runs: `mc --shard K/N` writes its share of the paths (each path's basis IRR and
//! verdict, 9 bytes, beside a record of the run), and `shanglou merge` puts the shards of one run
//! back together into the output set the whole run writes — the same files, byte for byte.

use super::{bad_input, print};
use crate::export::{self, Document, OutputSet};
use anyhow::Result;
use clap::Args as ClapArgs;
use serde::{Deserialize, Serialize};
use shanglou::mc::{Outcome, Settings, Shard};
use shanglou::record::{sha256_hex, Record};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(ClapArgs)]
pub struct Args {
    /// The output folders of the shards (each holds shard.json and shard.bin)
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// Output folder [default: output/<scenario file name>/mc, as the whole run]
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// The optional files of the run, so the merged set matches the whole run's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct McOptions {
    pub paths_csv: bool,
    pub xlsx: bool,
    pub html: bool,
}

/// What a shard says of itself and of the run it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ShardMeta {
    shanglou_shard: u32,
    version: String,
    command: String,
    k: u64,
    n: u64,
    /// Paths in this shard; shard.bin holds their IRRs (f64, little-endian) then their flags.
    count: u64,
    bin_sha256: String,
    options: McOptions,
    record: Record,
    /// A sweep's shard: its axes and its points (the bin is empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sweep: Option<SweepPart>,
}

/// What a sweep shard keeps: the grid and the shard's points, in shard order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct SweepPart {
    axes: Vec<AxisOut>,
    xlsx: bool,
    points: Vec<shanglou::sweep::Point>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct AxisOut {
    key: String,
    values: Vec<f64>,
    labels: Option<Vec<String>>,
}

/// Writes a sweep shard: shard.json with the grid and the shard's points.
pub fn write_sweep_shard(
    set: &OutputSet,
    record: &Record,
    shard: Shard,
    axes: &[shanglou::sweep::Axis],
    points: &[shanglou::sweep::Point],
    xlsx: bool,
) -> Result<Vec<PathBuf>> {
    let options = McOptions {
        paths_csv: false,
        xlsx,
        html: false,
    };
    let meta = ShardMeta::of("sweep", shard, &[], 0, options, record).with_sweep(SweepPart {
        axes: axes
            .iter()
            .map(|a| AxisOut {
                key: a.key.to_string(),
                values: a.values.clone(),
                labels: a.labels.clone(),
            })
            .collect(),
        xlsx,
        points: points.to_vec(),
    });
    Ok(vec![
        set.write("shard.json", &export::json::to_vec(&meta)?)?,
        set.write("shard.bin", &[])?,
    ])
}

const FORMAT: u32 = 1;

impl ShardMeta {
    /// The record of shard `shard` of a `command` run whose data is `bin` (`count` items).
    fn of(
        command: &str,
        shard: Shard,
        bin: &[u8],
        count: u64,
        options: McOptions,
        record: &Record,
    ) -> ShardMeta {
        ShardMeta {
            shanglou_shard: FORMAT,
            version: env!("CARGO_PKG_VERSION").into(),
            command: command.into(),
            k: shard.k,
            n: shard.n,
            count,
            bin_sha256: sha256_hex(bin),
            options,
            record: record.clone(),
            sweep: None,
        }
    }

    fn with_sweep(self, part: SweepPart) -> ShardMeta {
        ShardMeta {
            sweep: Some(part),
            ..self
        }
    }
}

/// Writes a Monte Carlo shard: shard.json and shard.bin.
pub fn write_mc_shard(
    set: &OutputSet,
    record: &Record,
    shard: Shard,
    outcome: &Outcome,
    options: McOptions,
) -> Result<Vec<PathBuf>> {
    let mut bin = Vec::with_capacity(outcome.irr.len() * 9);
    for v in &outcome.irr {
        bin.extend_from_slice(&v.to_le_bytes());
    }
    bin.extend_from_slice(&outcome.flags);
    let meta = ShardMeta::of("mc", shard, &bin, outcome.irr.len() as u64, options, record);
    Ok(vec![
        set.write("shard.json", &export::json::to_vec(&meta)?)?,
        set.write("shard.bin", &bin)?,
    ])
}

/// Checks that every shard K/n is given exactly once, naming the repeated or missing ones.
fn each_once<'a>(n: u64, shards: impl Iterator<Item = (u64, &'a PathBuf)>) -> Result<()> {
    if n == 0 || n > 1_000_000 {
        return Err(bad_input(format!("a shard count of {n} is not valid")));
    }
    let mut seen: Vec<Option<&PathBuf>> = vec![None; n as usize];
    for (k, dir) in shards {
        if k == 0 || k > n {
            return Err(bad_input(format!(
                "{}: shard {k}/{n} is not a shard of {n}",
                dir.display()
            )));
        }
        if let Some(other) = seen[(k - 1) as usize] {
            return Err(bad_input(format!(
                "shard {k}/{n} is given twice: {} and {}",
                other.display(),
                dir.display()
            )));
        }
        seen[(k - 1) as usize] = Some(dir);
    }
    let missing: Vec<String> = (1..=n)
        .filter(|k| seen[(*k - 1) as usize].is_none())
        .map(|k| k.to_string())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(bad_input(format!(
            "missing shard{} {} of {n}: every shard K/{n} must be given once",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", ")
        )))
    }
}

/// Reads one shard folder, checking its data against its own record.
fn read_shard(dir: &Path) -> Result<(ShardMeta, Vec<u8>)> {
    let shown = dir.display();
    let text = super::read_text(
        &dir.join("shard.json"),
        "shard record",
        super::MAX_SUMMARY_BYTES,
    )
    .map_err(|e| bad_input(format!("{shown}: not a shard folder ({e})")))?;
    let meta: ShardMeta = serde_json::from_str(&text)
        .map_err(|e| bad_input(format!("{shown}/shard.json: not a shard record: {e}")))?;
    if meta.shanglou_shard != FORMAT {
        return Err(bad_input(format!(
            "{shown}: shard format {} (this shanglou reads {FORMAT})",
            meta.shanglou_shard
        )));
    }
    let bin = super::read_input(
        &dir.join("shard.bin"),
        "shard data",
        meta.count.saturating_mul(9),
        false,
    )?;
    if bin.len() as u64 != meta.count * 9 || sha256_hex(&bin) != meta.bin_sha256 {
        return Err(bad_input(format!(
            "{shown}/shard.bin: does not match its record (truncated or changed)"
        )));
    }
    Ok((meta, bin))
}

pub fn run(a: Args, ctx: &super::Ctx) -> Result<ExitCode> {
    if a.shards[0].join("batch_shard.json").exists() {
        return merge_batch(&a, ctx);
    }
    let shards: Vec<(PathBuf, ShardMeta, Vec<u8>)> = a
        .shards
        .iter()
        .map(|d| read_shard(d).map(|(m, b)| (d.clone(), m, b)))
        .collect::<Result<_>>()?;
    let (first_dir, first, _) = &shards[0];
    // one run: the same version, command, scenario text, overrides, seed, paths, N and options
    for (dir, m, _) in &shards[1..] {
        let same = m.version == first.version
            && m.command == first.command
            && m.n == first.n
            && m.options == first.options
            && m.record == first.record
            && m.sweep.as_ref().map(|s| &s.axes) == first.sweep.as_ref().map(|s| &s.axes);
        if !same {
            let what = if m.version != first.version {
                format!("shanglou {} vs {}", m.version, first.version)
            } else if m.record.scenario_sha256 != first.record.scenario_sha256 {
                "another scenario (SHA-256 differs)".to_string()
            } else if m.record.seed != first.record.seed {
                format!("seed {:?} vs {:?}", m.record.seed, first.record.seed)
            } else if m.record.paths != first.record.paths {
                format!("{:?} paths vs {:?}", m.record.paths, first.record.paths)
            } else if m.n != first.n {
                format!("{} shards vs {}", m.n, first.n)
            } else {
                "other overrides or options".to_string()
            };
            return Err(bad_input(format!(
                "{} is a shard of another run than {} ({what}): merge the shards of one run",
                dir.display(),
                first_dir.display()
            )));
        }
    }
    let n = first.n;
    each_once(n, shards.iter().map(|(d, m, _)| (m.k, d)))?;
    if first.command == "sweep" {
        return merge_sweep(&a, ctx, &shards);
    }
    let rec = &first.record;
    let (Some(paths), Some(seed)) = (rec.paths, rec.seed) else {
        return Err(bad_input("the shards' record has no paths or seed"));
    };
    let sc = super::parse_scenario(
        Path::new(&rec.scenario_file),
        &rec.scenario_source,
        &rec.overrides,
    )?;
    let total = paths as usize;
    let mut irr = vec![f64::NAN; total];
    let mut flags = vec![0u8; total];
    for (dir, m, bin) in &shards {
        let shard = Shard { k: m.k, n };
        if m.count != shard.count(paths) {
            return Err(bad_input(format!(
                "{}: {} paths where shard {}/{n} of {paths} has {}",
                dir.display(),
                m.count,
                m.k,
                shard.count(paths)
            )));
        }
        let c = m.count as usize;
        for j in 0..c {
            let i = shard.index(j as u64) as usize;
            let b: [u8; 8] = bin[8 * j..8 * j + 8].try_into().expect("8 bytes");
            irr[i] = f64::from_le_bytes(b);
            flags[i] = bin[8 * c + j];
        }
    }
    let outcome = Outcome {
        settings: Settings {
            paths,
            seed,
            threads: 0,
            all_metrics: false,
        },
        basis: sc.inputs.policy.irr_basis,
        irr,
        flags,
        extra: Vec::new(),
    };
    let summary = outcome.summary();
    let file = PathBuf::from(&rec.scenario_file);
    let dir = super::out_dir(&file, a.out.as_ref(), "mc");
    let set = OutputSet::begin(&dir, &super::owner(&file), ctx.force)?;
    let doc = Document::Mc {
        record: rec,
        scenario: &sc,
        outcome: &outcome,
        summary: &summary,
    };
    let o = first.options;
    let written = export::export_all(
        &set,
        &doc,
        &super::mc::exporters(o.paths_csv, o.xlsx, o.html),
        ctx.style,
    )?;
    super::commit(set)?;
    print(&format!(
        "merged {n} shards: {} paths of {}\n{}",
        crate::export::table::thousands(paths as f64, 0),
        rec.scenario_file,
        super::written_line(&written)
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// The points of a sharded sweep back in grid order, written as the whole sweep writes them.
fn merge_sweep(
    a: &Args,
    ctx: &super::Ctx,
    shards: &[(PathBuf, ShardMeta, Vec<u8>)],
) -> Result<ExitCode> {
    let first = &shards[0].1;
    let part = first
        .sweep
        .as_ref()
        .ok_or_else(|| bad_input("a sweep shard without its grid"))?;
    let axes: Vec<shanglou::sweep::Axis> = part
        .axes
        .iter()
        .map(|x| {
            shanglou::sweep::axis_from(&x.key, x.values.clone(), x.labels.clone()).ok_or_else(
                || bad_input(format!("a shard sweeps \"{}\", not a scenario key", x.key)),
            )
        })
        .collect::<Result<_>>()?;
    let total = shanglou::sweep::count_points(&axes)
        .ok_or_else(|| bad_input("the shards' grid has too many points"))?;
    let mut points: Vec<Option<shanglou::sweep::Point>> = vec![None; total as usize];
    for (dir, m, _) in shards {
        let shard = Shard { k: m.k, n: m.n };
        let pts = &m
            .sweep
            .as_ref()
            .ok_or_else(|| bad_input("a sweep shard without points"))?
            .points;
        if pts.len() as u64 != shard.count(total) {
            return Err(bad_input(format!(
                "{}: {} points where shard {}/{} of {total} has {}",
                dir.display(),
                pts.len(),
                m.k,
                m.n,
                shard.count(total)
            )));
        }
        for (j, p) in pts.iter().enumerate() {
            points[shard.index(j as u64) as usize] = Some(p.clone());
        }
    }
    let points: Vec<shanglou::sweep::Point> = points.into_iter().flatten().collect();
    let rec = &first.record;
    let sc = super::parse_scenario(
        Path::new(&rec.scenario_file),
        &rec.scenario_source,
        &rec.overrides,
    )?;
    let file = PathBuf::from(&rec.scenario_file);
    let dir = super::out_dir(&file, a.out.as_ref(), "sweep");
    let set = OutputSet::begin(&dir, &super::owner(&file), ctx.force)?;
    let doc = Document::Sweep {
        scenario: &sc,
        axes: &axes,
        points: &points,
    };
    let written = export::export_all(&set, &doc, &super::sweep::exporters(part.xlsx), ctx.style)?;
    super::commit(set)?;
    print(&format!(
        "merged {} shards: {} points of {}\n{}",
        first.n,
        points.len(),
        rec.scenario_file,
        super::written_line(&written)
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// The most a batch shard's record may hold (a row takes about 600 bytes).
const MAX_BATCH_SHARD_BYTES: u64 = 2 << 30;

/// The rows of a sharded batch back in file order, written as the whole batch writes them.
fn merge_batch(a: &Args, ctx: &super::Ctx) -> Result<ExitCode> {
    use super::batch::{BatchShard, Sink};
    let shards: Vec<(PathBuf, BatchShard)> = a
        .shards
        .iter()
        .map(|d| {
            let text = super::read_text(
                &d.join("batch_shard.json"),
                "batch shard",
                MAX_BATCH_SHARD_BYTES,
            )
            .map_err(|e| bad_input(format!("{}: not a batch shard folder ({e})", d.display())))?;
            let s: BatchShard = serde_json::from_str(&text).map_err(|e| {
                bad_input(format!(
                    "{}/batch_shard.json: not a batch shard: {e}",
                    d.display()
                ))
            })?;
            Ok((d.clone(), s))
        })
        .collect::<Result<_>>()?;
    let (first_dir, first) = &shards[0];
    for (dir, s) in &shards[1..] {
        if s.version != first.version
            || s.n != first.n
            || s.run != first.run
            || s.rows_total != first.rows_total
        {
            return Err(bad_input(format!(
                "{} is a shard of another batch than {} (another parcel table, template, option, N or version): merge the shards of one run",
                dir.display(),
                first_dir.display()
            )));
        }
    }
    let n = first.n;
    each_once(n, shards.iter().map(|(d, s)| (s.k, d)))?;
    let run = &first.run;
    let goal = run.solve.as_deref().and_then(shanglou::batch::Goal::parse);
    let mut rows: Vec<&super::batch::ShardRow> = shards.iter().flat_map(|(_, s)| &s.rows).collect();
    rows.sort_by_key(|r| r.line);
    let parcels = PathBuf::from(&run.parcels);
    let dir = super::out_dir(&parcels, a.out.as_ref(), "batch");
    let set = OutputSet::begin(&dir, &super::owner(&parcels), ctx.force)?;
    let mut sink = Sink::open(&set, goal)?;
    for r in rows {
        sink.take(r.line, r.result.clone(), goal)?;
    }
    let (written, _, tally) = sink.finish(&set, first.rows_total, run, goal, ctx.style)?;
    super::commit(set)?;
    print(&(super::batch::report(run, first.rows_total, &tally) + &super::written_line(&written)))?;
    // as the whole batch: exit 2 when a row was bad (each shard named it when it ran)
    Ok(if tally.bad_rows > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
