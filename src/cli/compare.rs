//! `shanglou compare`: several scenarios side by side.

use super::{load_scenario, print};
use crate::export::{self, charts::CompareChart, csv::CompareCsv, table, Document};
use anyhow::Result;
use clap::Args as ClapArgs;
use shanglou::report::compare;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(ClapArgs)]
pub struct Args {
    /// Two or more scenario files
    #[arg(required = true, num_args = 2..)]
    pub files: Vec<PathBuf>,
    /// Output folder [default: output/compare]
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print one JSON object per scenario
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: Args, ctx: &super::Ctx) -> Result<ExitCode> {
    let mut entries = Vec::new();
    for f in &a.files {
        let sc = load_scenario(f, &[])?;
        entries.push(compare::entry(f.display().to_string(), &sc));
    }
    let dir = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join("compare"));
    // a comparison belongs to no one scenario: the folder is owned by the command
    let set = export::OutputSet::begin(&dir, "compare", ctx.force)?;
    let doc = Document::Compare { entries: &entries };
    let written = export::export_all(&set, &doc, &[&CompareCsv, &CompareChart], ctx.style)?;
    super::commit(set)?;
    if a.json {
        print(&(serde_json::to_string_pretty(&entries)? + "\n"))?;
    } else {
        let mut text = table::compare(&entries);
        text.push_str(&super::written_line(&written));
        print(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}
