//! `shanglou run`: the deterministic ledger of one scenario, in the terminal and as files.

use super::{load_scenario, out_dir, print};
use crate::export::{self, csv::CashflowCsv, json::Json, Document};
use anyhow::Result;
use clap::Args as ClapArgs;
use shanglou::metrics;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(ClapArgs)]
pub struct Args {
    /// Scenario file (TOML)
    pub file: PathBuf,
    /// Output folder [default: output/<scenario file name>]
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print the MODEL.md §12 summary as JSON on stdout, and nothing else
    #[arg(long)]
    pub json: bool,
    /// Override a key, e.g. --set factory.rent=30 (repeatable; validated like the file)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let sc = load_scenario(&a.file, &a.set)?;
    for w in shanglou::policy::cap_warnings(&sc.inputs) {
        eprintln!("warning: {}: {w}", a.file.display());
    }
    let (ledger, summary) = metrics::evaluate(&sc.inputs);
    let dir = out_dir(&a.file, a.out.as_ref(), "");
    let doc = Document::Run {
        ledger: &ledger,
        summary: &summary,
    };
    let written = export::export_all(&dir, &doc, &[&CashflowCsv, &Json])?;
    if a.json {
        print(&String::from_utf8(export::json::to_vec(&summary)?)?)?;
    } else {
        let mut text = export::table::run_summary(&sc, &ledger, &summary);
        text.push_str("\nwritten:");
        for p in written {
            text.push_str(&format!(" {}", p.display()));
        }
        text.push('\n');
        print(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}
