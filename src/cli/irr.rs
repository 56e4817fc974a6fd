//! `shanglou irr`: the project's IRR solver on raw cash flows, to check a spreadsheet's IRR.

use super::{bad_input, print};
use crate::export::table::{grid, pct, thousands};
use anyhow::Result;
use clap::Args as ClapArgs;
use serde::Serialize;
use shanglou::irr::{self, Reason};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(ClapArgs)]
pub struct Args {
    /// CSV of numbers: one cash-flow series per column (an optional header row names them)
    pub file: PathBuf,
    /// One series per row instead (an optional non-numeric first cell names it)
    #[arg(long)]
    pub rows: bool,
    /// Rate for NPV, and the rate the several-roots rule measures nearness to
    #[arg(long, default_value_t = 0.045)]
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

fn number(cell: &str) -> Option<f64> {
    let c = cell.trim().replace(',', "");
    if c.is_empty() {
        return Some(0.0);
    }
    c.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Series (name, flows) read from the CSV.
fn read(a: &Args) -> Result<Vec<(String, Vec<f64>)>> {
    let file = a.file.display().to_string();
    let bytes =
        std::fs::read(&a.file).map_err(|e| bad_input(format!("{file}: cannot read: {e}")))?;
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(&bytes);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut out: Vec<(String, Vec<f64>)> = Vec::new();
    let mut header: Option<Vec<String>> = None;
    let mut rec = csv::StringRecord::new();
    let mut line = 0usize;
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(bad_input(format!("{file}: not a readable CSV: {e}"))),
        }
        line += 1;
        if a.rows {
            let (name, cells) = match rec.get(0) {
                Some(first) if number(first).is_none() => (
                    first.trim().to_string(),
                    rec.iter().skip(1).collect::<Vec<_>>(),
                ),
                _ => (format!("row{line}"), rec.iter().collect()),
            };
            let mut flows = Vec::with_capacity(cells.len());
            for (j, c) in cells.iter().enumerate() {
                let col = j + 1 + usize::from(name != format!("row{line}"));
                flows.push(number(c).ok_or_else(|| bad_input(format!("{file}: line {line}, column {col}: \"{c}\" is not a number; every cell after the optional name must be a number")))?);
            }
            out.push((name, flows));
        } else {
            if line == 1 && rec.iter().any(|c| number(c).is_none()) {
                header = Some(rec.iter().map(|c| c.trim().to_string()).collect());
                continue;
            }
            for (j, c) in rec.iter().enumerate() {
                if out.len() <= j {
                    let name = header
                        .as_ref()
                        .and_then(|h| h.get(j).cloned())
                        .unwrap_or_else(|| format!("col{}", j + 1));
                    out.push((name, Vec::new()));
                }
                let v = number(c).ok_or_else(|| bad_input(format!("{file}: line {line}, column {}: \"{c}\" is not a number; cells below the header must be numbers", j + 1)))?;
                let series = &mut out[j].1;
                // a ragged column starts late: the missing years are zero
                let row_index = line - 1 - usize::from(header.is_some());
                series.resize(row_index, 0.0);
                series.push(v);
            }
        }
    }
    if out.is_empty() {
        return Err(bad_input(format!(
            "{file}: no cash flows found; give one series per column (or per row with --rows)"
        )));
    }
    Ok(out)
}

pub fn run(a: Args) -> Result<ExitCode> {
    if !(a.rate.is_finite() && a.rate > -0.99) {
        return Err(bad_input(format!(
            "--rate {} is not valid: expected a rate above -0.99 (0.045 = 4.5%)",
            a.rate
        )));
    }
    let series = read(&a)?;
    let rows: Vec<Row> = series
        .iter()
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
