//! `shanglou sensitivity`: which inputs move the IRR most (tornado chart, CSV, table).

use super::{load_scenario, out_dir, print};
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
    #[command(flatten)]
    pub out: super::OutDir,
    /// Print the bars as JSON
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub overrides: super::Overrides,
}

pub fn run(a: Args, ctx: &super::Ctx) -> Result<ExitCode> {
    let sc = load_scenario(&a.file, &a.overrides.set)?;
    if sc.uncertain.is_empty() && !a.all {
        eprintln!("warning: {}: no input is given as a distribution; use --all to swing every fixed input by ±10%", a.file.display());
    }
    let t = sensitivity::tornado(&sc, a.all);
    let dir = out_dir(&a.file, a.out.out.as_ref(), "sensitivity");
    export::claim(&dir, &super::owner(&a.file), ctx.force)?;
    let doc = Document::Tornado {
        scenario: &sc,
        tornado: &t,
    };
    let written = export::export_all(&dir, &doc, &[&SensitivityCsv, &TornadoChart], ctx.style)?;
    if a.json {
        print(&(serde_json::to_string_pretty(&t)? + "\n"))?;
    } else {
        let mut text = table::tornado(&sc, &t);
        text.push_str(&super::written_line(&written));
        print(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}
