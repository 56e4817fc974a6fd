//! Subcommands, one module each, and what they share: loading a scenario file with errors that
//! name the file, and where outputs go.

pub mod batch;
pub mod compare;
pub mod irr;
pub mod mc;
pub mod merge;
pub mod policy;
pub mod rerun;
pub mod run;
pub mod sensitivity;
pub mod solve;
pub mod sweep;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use shanglou::scenario::{Override, Scenario};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "shanglou",
    version,
    about = "工业上楼 project finance: does the scheme pay back and stay inside 保本微利?"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Language of chart text: en, or zh for Chinese labels (embedded CJK font)
    #[arg(long, global = true, value_enum, default_value = "en")]
    pub lang: crate::export::Lang,
    /// Write into an output folder even if another scenario's results are there
    #[arg(long, global = true)]
    pub force: bool,
}

#[derive(Subcommand)]
pub enum Command {
    /// Deterministic run: annual cash flows, IRR/NPV/payback and the 保本微利 verdict
    Run(run::Args),
    /// Monte Carlo: the distribution of the IRR and the probability of landing inside 保本微利
    Mc(mc::Args),
    /// Check a scenario against a policy pack's rules (exit 1 when a rule fails)
    Check(policy::CheckArgs),
    /// List the policy packs, or print one pack's rules
    Policies(policy::PoliciesArgs),
    /// Goal seek: the value of an input that puts the IRR (or P(break even)) on a target
    Solve(solve::Args),
    /// Several scenarios side by side (table, compare.csv, a grouped bar chart)
    Compare(compare::Args),
    /// Batch sweep over a grid of values, with Monte Carlo at each point (--paths)
    Sweep(sweep::Args),
    /// Tornado: which inputs move the IRR most
    Sensitivity(sensitivity::Args),
    /// Re-run the computation recorded in a summary.json and report whether the figures match
    Rerun(rerun::Args),
    /// IRR, NPV and payback of raw cash flows in a CSV file (one series per column or row)
    Irr(irr::Args),
    /// A portfolio: one parcel or scheme per CSV row, each the template with the row's values
    Batch(batch::Args),
    /// Merge the shards of a Monte Carlo run or a sweep (`--shard K/N`) into the whole run's
    /// output set
    Merge(merge::Args),
}

/// `--set KEY=VALUE`, repeatable: overrides validated like the file.
#[derive(clap::Args)]
pub struct Overrides {
    /// Override a key, e.g. --set factory.rent=30 (repeatable; validated like the file)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// `--out DIR`.
#[derive(clap::Args)]
pub struct OutDir {
    /// Output folder, replaced as a whole by each run [default: output/<scenario file name>/<command>]
    #[arg(long)]
    pub out: Option<PathBuf>,
}

impl OutDir {
    /// The output set of `sub` for `scenario`: the folder locked and claimed for this scenario
    /// (refused when another scenario's results are there, unless `--force`) and a staging
    /// folder the files go into until the set is committed.
    pub fn claim(&self, scenario: &Path, sub: &str, ctx: &Ctx) -> Result<crate::export::OutputSet> {
        let dir = out_dir(scenario, self.out.as_ref(), sub);
        crate::export::OutputSet::begin(&dir, &owner(scenario), ctx.force)
    }
}

/// `--xlsx` and `--html`: the reports a run or a Monte Carlo run can add.
#[derive(clap::Args)]
pub struct Reports {
    /// Also write report.xlsx: the statements of 《建设项目经济评价方法与参数》 and a summary (batch:
    /// the tally and every parcel's figures, numbers as numbers)
    #[arg(long)]
    pub xlsx: bool,
    /// Also write report.html: one self-contained page with the statements and charts (batch:
    /// the tally and both charts)
    #[arg(long)]
    pub html: bool,
}

/// `--paths` and `--seed` of a Monte Carlo run or a sweep.
#[derive(clap::Args)]
pub struct Sampling {
    /// Monte Carlo paths [default: the scenario's [monte_carlo] (mc) or [sweep] (sweep) paths; mc: else 10000; sweep: else deterministic only]
    #[arg(long)]
    pub paths: Option<u64>,
    /// Random seed, the same at every sweep point [default: the scenario's seed, else 20230207]
    #[arg(long)]
    pub seed: Option<u64>,
}

/// What the commands that write files share: how outputs are drawn, and `--force`.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    pub style: crate::export::Style,
    pub force: bool,
}

pub fn dispatch(cli: Cli) -> Result<ExitCode> {
    let ctx = Ctx {
        style: crate::export::Style { lang: cli.lang },
        force: cli.force,
    };
    match cli.command {
        Command::Run(a) => run::run(a, &ctx),
        Command::Irr(a) => irr::run(a),
        Command::Mc(a) => mc::run(a, &ctx),
        Command::Check(a) => policy::check(a, &ctx),
        Command::Policies(a) => policy::policies(a),
        Command::Solve(a) => solve::run(a),
        Command::Sensitivity(a) => sensitivity::run(a, &ctx),
        Command::Sweep(a) => sweep::run(a, &ctx),
        Command::Compare(a) => compare::run(a, &ctx),
        Command::Rerun(a) => rerun::run(a),
        Command::Batch(a) => batch::run(a, &ctx),
        Command::Merge(a) => merge::run(a, &ctx),
    }
}

/// Commits an output set unless Ctrl-C came while it was being made: then the set is dropped,
/// the previous results stay, and the command exits 130.
pub fn commit(set: crate::export::OutputSet) -> Result<()> {
    if INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(anyhow::Error::new(shanglou::mc::McError::Cancelled));
    }
    set.commit()
}

/// Set by Ctrl-C; long runs poll it through their observer.
pub static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub use crate::exit::bad_input;

/// A numeric flag's value: a finite number (NaN and infinities are refused by the argument
/// parser, which exits 2).
pub fn finite(s: &str) -> std::result::Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!("{s} is not a finite number")),
        Err(_) => Err(format!("\"{s}\" is not a number")),
    }
}

/// `--shard K/N`: 1 ≤ K ≤ N.
pub fn shard(s: &str) -> std::result::Result<shanglou::mc::Shard, String> {
    shanglou::mc::Shard::parse(s)
        .filter(|sh| sh.n <= 1_000_000)
        .ok_or_else(|| {
            format!("\"{s}\" is not a shard: expected K/N with 1 ≤ K ≤ N ≤ 1000000, e.g. 3/8")
        })
}

/// The most worker threads a run may ask for.
pub const MAX_THREADS: usize = 1024;

/// `--threads`: 0 (one per core) to [`MAX_THREADS`], refused at once otherwise.
pub fn threads(s: &str) -> std::result::Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if n <= MAX_THREADS => Ok(n),
        _ => Err(format!(
            "\"{s}\" is not a thread count: expected 0 (one per core) to {MAX_THREADS}"
        )),
    }
}

/// The most a scenario file may hold.
pub const MAX_SCENARIO_BYTES: u64 = 4 << 20;
/// The most an `irr` CSV may hold (100,000 fifty-year series are about 60 MB).
pub const MAX_CSV_BYTES: u64 = 512 << 20;
/// The most a `summary.json` given to `rerun` may hold.
pub const MAX_SUMMARY_BYTES: u64 = 64 << 20;

/// Reads an input file: a regular file (or `-`, standard input, where `stdin_ok`) of at most
/// `max` bytes. A device, a folder, a FIFO or an oversized file is refused at once (exit 2)
/// rather than read until memory runs out.
pub fn read_input(path: &Path, what: &str, max: u64, stdin_ok: bool) -> Result<Vec<u8>> {
    use std::io::Read;
    let too_big = |path: &str| too_big(path, what, max);
    let mut bytes = Vec::new();
    if stdin_ok && path == Path::new("-") {
        std::io::stdin()
            .take(max + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| bad_input(format!("-: cannot read standard input: {e}")))?;
        if bytes.len() as u64 > max {
            return Err(too_big("-"));
        }
        return Ok(bytes);
    }
    let shown = path.display().to_string();
    let (file, len) = open_input(path, what, max)?;
    if let Some(whole) = read_in_parts(&file, len) {
        return Ok(whole);
    }
    // sized once from the metadata: growing by doubling copies a large file several times
    bytes.reserve_exact(len as usize + 1);
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(&shown, what, e))?;
    if bytes.len() as u64 > max {
        return Err(too_big(&shown));
    }
    Ok(bytes)
}

/// The regular file `path` opened, with its length, after [`read_input`]'s checks: a device, a
/// folder, a FIFO or a file of more than `max` bytes is refused (exit 2).
pub fn open_input(path: &Path, what: &str, max: u64) -> Result<(std::fs::File, u64)> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| unreadable(&shown, what, e))?;
    if !meta.is_file() {
        let kind = if meta.is_dir() {
            "a folder"
        } else {
            "not a regular file (a device, a pipe or a socket)"
        };
        return Err(bad_input(format!(
            "{shown}: is {kind}; give the path of a {what}"
        )));
    }
    if meta.len() > max {
        return Err(too_big(&shown, what, max));
    }
    let file = std::fs::File::open(path).map_err(|e| unreadable(&shown, what, e))?;
    Ok((file, meta.len()))
}

/// The error of an input that could not be read.
pub fn unreadable(shown: &str, what: &str, e: impl std::fmt::Display) -> anyhow::Error {
    bad_input(format!("{shown}: cannot read the {what}: {e}"))
}

/// The error of an input larger than `max` bytes.
pub fn too_big(shown: &str, what: &str, max: u64) -> anyhow::Error {
    bad_input(format!(
        "{shown}: larger than the {} MiB a {what} may be",
        max >> 20
    ))
}

/// A large file read by several threads at once, each its part (the copy from the page cache
/// and the page faults of the new buffer are most of reading it): `None` for a small file, on
/// any error, or when the file's length is not `len` (it changed while read), so the caller
/// reads it the plain way and reports what happens then.
#[cfg(unix)]
fn read_in_parts(file: &std::fs::File, len: u64) -> Option<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    const PART: usize = 8 << 20;
    let n = usize::try_from(len).ok()?;
    if n < 2 * PART {
        return None;
    }
    let mut buf = vec![0u8; n];
    huge_pages(&mut buf);
    let ok = std::thread::scope(|s| {
        let parts: Vec<_> = buf
            .chunks_mut(n.div_ceil(std::thread::available_parallelism().map_or(2, |p| p.get())))
            .scan(0u64, |at, part| {
                let from = *at;
                *at += part.len() as u64;
                Some((from, part))
            })
            .map(|(from, part)| s.spawn(move || file.read_exact_at(part, from).is_ok()))
            .collect();
        parts.into_iter().all(|p| p.join().unwrap_or(false))
    });
    // nothing past the expected end: the file did not grow
    let grown = file.read_at(&mut [0u8], len).map_or(true, |k| k > 0);
    (ok && !grown).then_some(buf)
}

/// Asks the kernel to back a large, untouched buffer with huge pages: a file read into it then
/// faults in a few dozen 2 MB pages instead of thousands of 4 KB ones (half the page faults of
/// reading a 66 MB file). Advice only: where it is refused, nothing changes.
#[cfg(target_os = "linux")]
fn huge_pages(buf: &mut [u8]) {
    const HUGE: usize = 2 << 20;
    let start = buf.as_mut_ptr() as usize;
    let (from, to) = (
        start.next_multiple_of(HUGE),
        (start + buf.len()) / HUGE * HUGE,
    );
    if to > from {
        // SAFETY: [from, to) lies inside `buf`, and the advice changes how its pages are
        // backed, never their contents
        unsafe {
            libc::madvise(from as *mut libc::c_void, to - from, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(all(unix, not(target_os = "linux")))]
fn huge_pages(_: &mut [u8]) {}

#[cfg(not(unix))]
fn read_in_parts(_: &std::fs::File, _: u64) -> Option<Vec<u8>> {
    None
}

/// [`read_input`] as UTF-8 text.
pub fn read_text(path: &Path, what: &str, max: u64) -> Result<String> {
    let bytes = read_input(path, what, max, false)?;
    String::from_utf8(bytes).map_err(|e| {
        bad_input(format!(
            "{}: the {what} is not UTF-8 text (byte {})",
            path.display(),
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Reads and validates a scenario; every problem is reported as `FILE:LINE: key: message`.
pub fn load_scenario(path: &Path, sets: &[String]) -> Result<Scenario> {
    load_scenario_source(path, sets).map(|(sc, _)| sc)
}

/// As [`load_scenario`], also returning the file's text (for the reproducibility record).
pub fn load_scenario_source(path: &Path, sets: &[String]) -> Result<(Scenario, String)> {
    let src = read_text(path, "scenario file", MAX_SCENARIO_BYTES)?;
    let sc = parse_scenario(path, &src, sets)?;
    Ok((sc, src))
}

/// Validates scenario text read from `path` (named in every message).
pub fn parse_scenario(path: &Path, src: &str, sets: &[String]) -> Result<Scenario> {
    let overrides = sets
        .iter()
        .map(|s| Override::parse(s).map_err(bad_input))
        .collect::<Result<Vec<_>>>()?;
    shanglou::load(src, &overrides).map_err(|e| {
        let mut msg = format!(
            "{}: {} problem{} in the scenario",
            path.display(),
            e.problems.len(),
            if e.problems.len() == 1 { "" } else { "s" }
        );
        for p in &e.problems {
            // a value given with --set is blamed on --set, not on the file's line for the key
            let set = overrides.iter().rev().find(|o| o.key == p.key);
            match (set, p.line) {
                (Some(o), _) => msg.push_str(&format!(
                    "\n  --set {}={}: {}",
                    o.key,
                    o.value,
                    p.message.trim_end_matches(" (value given with --set)")
                )),
                (None, Some(l)) => msg.push_str(&format!(
                    "\n  {}:{l}: {}: {}",
                    path.display(),
                    p.key,
                    p.message
                )),
                (None, None) => {
                    msg.push_str(&format!("\n  {}: {}: {}", path.display(), p.key, p.message))
                }
            }
        }
        bad_input(msg)
    })
}

/// `output/<file stem>/<sub>` unless `--out` says otherwise (`sub` keeps one command's
/// `summary.json` from replacing another's).
pub fn out_dir(scenario_path: &Path, out: Option<&PathBuf>, sub: &str) -> PathBuf {
    match out {
        Some(p) => p.clone(),
        None => {
            let stem = scenario_path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("scenario");
            Path::new("output").join(stem).join(sub)
        }
    }
}

/// The closing line of a command's terminal output: the files it wrote.
pub fn written_line(paths: &[PathBuf]) -> String {
    let mut t = String::from("\nwritten:");
    for p in paths {
        t.push_str(&format!(" {}", p.display()));
    }
    t.push('\n');
    t
}

/// The optional reports (`--xlsx`, `--html`) appended to a command's exporters.
pub fn with_reports(
    mut exporters: Vec<&dyn crate::export::Exporter>,
    xlsx: bool,
    html: bool,
) -> Vec<&dyn crate::export::Exporter> {
    if xlsx {
        exporters.push(&crate::export::xlsx::Xlsx);
    }
    if html {
        exporters.push(&crate::export::html::Html);
    }
    exporters
}

/// Who an output folder belongs to: the scenario file, as an absolute path.
pub fn owner(file: &Path) -> String {
    std::fs::canonicalize(file)
        .unwrap_or_else(|_| file.to_path_buf())
        .display()
        .to_string()
}

/// Prints to stdout, treating a closed pipe (e.g. `| head`) as success.
pub fn print(text: &str) -> Result<()> {
    print_all(&[text])
}

/// [`print`] of texts one after another, as if joined.
pub fn print_all(texts: &[impl AsRef<[u8]>]) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let written = texts
        .iter()
        .try_for_each(|t| out.write_all(t.as_ref()))
        .and_then(|_| out.flush());
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.context("cannot write to stdout"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file large enough to be read in parts reads as `fs::read` reads it; a small one is
    /// left to the plain reader.
    #[test]
    fn a_large_file_read_in_parts_is_the_file() {
        let dir = std::env::temp_dir().join(format!("shanglou-parts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("big.csv");
        let text: Vec<u8> = (0..(17u32 << 20) + 12_345)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        std::fs::write(&path, &text).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let len = text.len() as u64;
        assert!(read_in_parts(&file, len).unwrap() == text);
        // a length that is not the file's (it changed after the metadata) is refused
        assert!(read_in_parts(&file, len - 1).is_none());
        assert!(read_in_parts(&file, len + 1).is_none());
        assert!(read_in_parts(&file, 1000).is_none());
        let got = read_input(&path, "CSV of cash flows", MAX_CSV_BYTES, false).unwrap();
        assert!(got == text);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
