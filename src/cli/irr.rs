//! `shanglou irr`: the project's IRR solver on raw cash flows, to check a spreadsheet's IRR.

use super::{bad_input, print};
use crate::export::table::{grid, pct, thousands};
use anyhow::Result;
use clap::Args as ClapArgs;
use serde::Serialize;
use shanglou::flows;
use shanglou::irr::{self, Reason};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(ClapArgs)]
pub struct Args {
    /// CSV of numbers: one cash-flow series per column (an optional header row names them);
    /// `-` reads standard input
    pub file: PathBuf,
    /// One series per row instead (an optional non-numeric first cell names it)
    #[arg(long)]
    pub rows: bool,
    /// Rate for NPV, and the rate the several-roots rule measures nearness to
    #[arg(long, default_value_t = 0.045, allow_negative_numbers = true, value_parser = super::finite)]
    pub rate: f64,
    /// Print a JSON list of {"name", "irr", "npv", "payback_years", "multiple_roots", "reason"}
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Row {
    name: String,
    irr: Option<f64>,
    npv: f64,
    payback_years: Option<f64>,
    multiple_roots: bool,
    reason: Option<Reason>,
}

/// Series read from the file (or standard input), errors as `FILE:LINE:COLUMN: what`.
fn read(a: &Args) -> Result<Vec<(String, Vec<f64>)>> {
    let file = a.file.display().to_string();
    let bytes = super::read_input(&a.file, "CSV of cash flows", super::MAX_CSV_BYTES, true)?;
    flows::read_csv(&bytes, a.rows).map_err(|e| {
        let at = match (e.line, e.column) {
            (Some(l), Some(c)) => format!("{file}:{l}:{c}:"),
            (Some(l), None) => format!("{file}:{l}:"),
            _ => format!("{file}:"),
        };
        bad_input(format!("{at} {}", e.message))
    })
}

pub fn run(a: Args) -> Result<ExitCode> {
    if !(a.rate.is_finite() && a.rate > -0.99) {
        return Err(bad_input(format!(
            "--rate {} is not valid: expected a rate above -0.99 (0.045 = 4.5%)",
            a.rate
        )));
    }
    let series = read(&a)?;
    // series are independent: solved on every core, collected in file order
    use rayon::prelude::*;
    let rows: Vec<Row> = series
        .par_iter()
        .map(|(name, flows)| {
            let d = irr::irr_detail(flows, a.rate);
            Row {
                name: name.clone(),
                irr: d.irr,
                npv: irr::npv(flows, a.rate),
                payback_years: irr::payback(flows),
                multiple_roots: d.multiple_roots,
                reason: d.reason,
            }
        })
        .collect();
    if a.json {
        let mut s = serde_json::to_string_pretty(&rows)?;
        s.push('\n');
        print(&s)?;
    } else {
        let header = vec![
            "series".to_string(),
            "IRR".into(),
            format!("NPV @ {:.2}%", a.rate * 100.0),
            "payback (yr)".into(),
            "note".into(),
        ];
        let body: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                let note = match (r.reason, r.multiple_roots) {
                    (Some(Reason::NoSignChange), _) => "flows never change sign".to_string(),
                    (Some(Reason::NoRoot), _) => "no root in (-99%, 1000%)".to_string(),
                    (None, true) => {
                        "several IRRs: investment root chosen (docs/model.md §8)".to_string()
                    }
                    _ => String::new(),
                };
                vec![
                    r.name.clone(),
                    pct(r.irr),
                    thousands(r.npv, 2),
                    r.payback_years
                        .map(|p| format!("{p:.4}"))
                        .unwrap_or_else(|| "never".into()),
                    note,
                ]
            })
            .collect();
        print(&grid(&header, &body))?;
    }
    Ok(ExitCode::SUCCESS)
}
