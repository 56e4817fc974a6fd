//! `shanglou rerun`: re-computes what a summary.json records and says whether the figures match.

use super::{bad_input, parse_scenario, print};
use anyhow::Result;
use clap::Args as ClapArgs;
use serde_json::Value;
use shanglou::mc::{self, Settings, Silent};
use shanglou::metrics;
use shanglou::record::{differences, sha256_hex, Record};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(ClapArgs)]
pub struct Args {
    /// A summary.json written by `shanglou run` or `shanglou mc`
    pub summary: PathBuf,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let file = a.summary.display().to_string();
    let text = super::read_text(&a.summary, "summary.json", super::MAX_SUMMARY_BYTES)?;
    let mut stored: Value =
        serde_json::from_str(&text).map_err(|e| bad_input(format!("{file}: not JSON: {e}")))?;
    let provenance = stored.as_object_mut().and_then(|o| o.remove("provenance")).ok_or_else(|| bad_input(format!("{file}: no \"provenance\" record: only summaries written by shanglou 0.1 or later can be re-run")))?;
    let rec: Record = serde_json::from_value(provenance).map_err(|e| {
        bad_input(format!(
            "{file}: the provenance record is not readable: {e}"
        ))
    })?;
    let mut notes = Vec::new();
    if rec.version != env!("CARGO_PKG_VERSION") {
        notes.push(format!(
            "recorded with shanglou {}, re-run with {}",
            rec.version,
            env!("CARGO_PKG_VERSION")
        ));
    }
    match std::fs::read(&rec.scenario_file) {
        Ok(bytes) if sha256_hex(&bytes) != rec.scenario_sha256 => notes.push(format!(
            "{} has changed since (SHA-256 differs); re-ran the recorded text",
            rec.scenario_file
        )),
        Err(_) => notes.push(format!(
            "{} is not on disk; re-ran the recorded text",
            rec.scenario_file
        )),
        _ => {}
    }
    if sha256_hex(rec.scenario_source.as_bytes()) != rec.scenario_sha256 {
        return Err(bad_input(format!(
            "{file}: the recorded scenario text does not match its SHA-256: the record was edited"
        )));
    }
    let sc = parse_scenario(
        Path::new(&rec.scenario_file),
        &rec.scenario_source,
        &rec.overrides,
    )?;
    // every recorded field that shapes the figures must be what the recorded text gives: an
    // edited parameter, seed, path count, override or pack is reported, not silently re-run
    let again = Record::new(
        &rec.command,
        Path::new(&rec.scenario_file),
        &rec.scenario_source,
        &rec.overrides,
        &sc,
        rec.seed.zip(rec.paths),
    );
    let mut edited = Vec::new();
    differences(
        &serde_json::to_value(&rec)?,
        &serde_json::to_value(&again)?,
        "provenance",
        &mut edited,
    );
    edited.retain(|d| !d.starts_with("provenance.version:") && !d.starts_with("provenance.tool:"));
    if rec.command == "mc" && (rec.seed.is_none() || rec.paths.is_none()) {
        edited.push("provenance: a Monte Carlo record needs both seed and paths".into());
    }
    if !edited.is_empty() {
        let mut out = format!(
            "{file}: the record does not match the scenario text it carries (was it edited?):\n"
        );
        for d in edited.iter().take(50) {
            out.push_str(&format!("  {d}\n"));
        }
        print(&out)?;
        return Ok(ExitCode::from(1));
    }
    let fresh = match rec.command.as_str() {
        "run" => serde_json::to_value(metrics::evaluate(&sc.inputs).1)?,
        "mc" => {
            let (Some(paths), Some(seed)) = (rec.paths, rec.seed) else {
                return Err(bad_input(format!(
                    "{file}: a Monte Carlo record needs paths and seed"
                )));
            };
            serde_json::to_value(
                mc::simulate(&sc, Settings::basis_only(paths, seed), &Silent)?.summary(),
            )?
        }
        other => {
            return Err(bad_input(format!(
                "{file}: cannot re-run command \"{other}\" (run and mc can be)"
            )))
        }
    };
    let mut diff = Vec::new();
    differences(&stored, &fresh, "", &mut diff);
    let mut out = String::new();
    for n in &notes {
        out.push_str(&format!("note: {n}\n"));
    }
    if diff.is_empty() {
        out.push_str(&format!(
            "{file}: the figures match (shanglou {} {}, scenario {})\n",
            rec.command,
            rec.scenario_file,
            &rec.scenario_sha256[..12]
        ));
        print(&out)?;
        Ok(ExitCode::SUCCESS)
    } else {
        out.push_str(&format!("{file}: {} figure(s) differ:\n", diff.len()));
        for d in diff.iter().take(50) {
            out.push_str(&format!("  {d}\n"));
        }
        print(&out)?;
        Ok(ExitCode::from(1))
    }
}
