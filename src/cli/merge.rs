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
}

const FORMAT: u32 = 1;

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
    let meta = ShardMeta {
        shanglou_shard: FORMAT,
        version: env!("CARGO_PKG_VERSION").into(),
        command: "mc".into(),
        k: shard.k,
        n: shard.n,
        count: outcome.irr.len() as u64,
        bin_sha256: sha256_hex(&bin),
        options,
        record: record.clone(),
    };
    Ok(vec![
        set.write("shard.json", &export::json::to_vec(&meta)?)?,
        set.write("shard.bin", &bin)?,
    ])
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
        (meta.count.saturating_mul(9)).max(1),
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
            && m.record == first.record;
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
    let mut seen: Vec<Option<&PathBuf>> = vec![None; n as usize];
    for (dir, m, _) in &shards {
        let slot = &mut seen[(m.k - 1) as usize];
        if let Some(other) = slot {
            return Err(bad_input(format!(
                "shard {}/{n} is given twice: {} and {}",
                m.k,
                other.display(),
                dir.display()
            )));
        }
        *slot = Some(dir);
    }
    let missing: Vec<String> = (1..=n)
        .filter(|k| seen[(*k - 1) as usize].is_none())
        .map(|k| k.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(bad_input(format!(
            "missing shard{} {} of {n}: every shard K/{n} must be given once",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", ")
        )));
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
