//! `shanglou sensitivity`: which inputs move the IRR most (tornado chart, CSV, table).

use super::{load_scenario, print};
use crate::export::{self, charts::TornadoChart, csv::SensitivityCsv, table, Document};
use anyhow::Result;
use clap::Args as ClapArgs;
use shanglou::sensitivity;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(ClapArgs)]
pub struct Args {
    /// Scenario file (TOML)
    pub file: PathBuf,
    /// Also every fixed (non-zero) input at ±10%
    #[arg(long)]
    pub all: bool,
    /// Bars of the tornado, largest swing first
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    #[command(flatten)]
    pub out: super::OutDir,
    /// Print the analysis as JSON (the table with every point's overrides, break-even, tornado)
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub overrides: super::Overrides,
}

pub fn run(a: Args, ctx: &super::Ctx) -> Result<ExitCode> {
    let sc = load_scenario(&a.file, &a.overrides.set)?;
    let analysis = sensitivity::analyse(&sc, a.all, a.top);
    let set = a.out.claim(&a.file, "sensitivity", ctx)?;
    let doc = Document::Sensitivity {
        scenario: &sc,
        analysis: &analysis,
    };
    let written = export::export_all(&set, &doc, &[&SensitivityCsv, &TornadoChart], ctx.style)?;
    super::commit(set)?;
    if a.json {
        print(&(serde_json::to_string_pretty(&analysis)? + "\n"))?;
    } else {
        let mut text = table::sensitivity(&sc, &analysis);
        text.push_str(&super::written_line(&written));
        print(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}
