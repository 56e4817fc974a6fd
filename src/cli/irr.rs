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

/// A cell as a number: thousands separators allowed; empty, NaN and infinities are not.
fn number(cell: &str) -> Option<f64> {
    let c = cell.trim();
    let v = if c.contains(',') {
        c.replace(',', "").parse::<f64>()
    } else {
        c.parse::<f64>()
    };
    v.ok().filter(|v| v.is_finite())
}

/// What is wrong with a cell that is not a number, for `FILE:LINE:COLUMN:` messages.
fn not_a_number(cell: &str) -> String {
    if cell.trim().is_empty() {
        "an empty cell; give 0 for a year without flows".to_string()
    } else {
        format!("\"{}\" is not a finite number", cell.trim())
    }
}

/// Series (name, flows) read from the CSV: a BOM and CRLF line ends are fine; a ragged row, an
/// empty cell or a cell that is not a number is an error naming its line and column.
fn read(a: &Args) -> Result<Vec<(String, Vec<f64>)>> {
    let file = a.file.display().to_string();
    let bytes = super::read_input(&a.file, "CSV of cash flows", super::MAX_CSV_BYTES, true)?;
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(&bytes);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut out: Vec<(String, Vec<f64>)> = Vec::new();
    let mut header: Option<Vec<String>> = None;
    let mut width: Option<usize> = None;
    let mut rec = csv::StringRecord::new();
    let mut first = true;
    // line numbers from byte offsets: the csv crate's own count is off by one with CRLF ends
    // (BurntSushi/rust-csv#395)
    let (mut counted_to, mut newlines) = (0usize, 0usize);
    let mut line_of = |byte: usize| {
        let start = if bytes.get(byte) == Some(&b'\n') {
            byte + 1
        } else {
            byte
        }
        .min(bytes.len());
        if start >= counted_to {
            newlines += bytes[counted_to..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            counted_to = start;
        }
        newlines + 1
    };
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let at = e
                    .position()
                    .map(|p| format!("{file}:{}:", p.line()))
                    .unwrap_or_else(|| format!("{file}:"));
                return Err(bad_input(format!("{at} not a readable CSV: {e}")));
            }
        }
        let line = rec
            .position()
            .map(|p| line_of(p.byte() as usize))
            .unwrap_or(0);
        let at = |col: usize, what: String| bad_input(format!("{file}:{line}:{col}: {what}"));
        if a.rows {
            let named = rec
                .get(0)
                .is_some_and(|c| number(c).is_none() && !c.trim().is_empty());
            let name = if named {
                rec[0].trim().to_string()
            } else {
                format!("row{line}")
            };
            let skip = usize::from(named);
            let mut flows = Vec::with_capacity(rec.len());
            for (j, c) in rec.iter().enumerate().skip(skip) {
                flows.push(number(c).ok_or_else(|| at(j + 1, not_a_number(c)))?);
            }
            if flows.is_empty() {
                return Err(at(1, "a row without cash flows".into()));
            }
            out.push((name, flows));
            continue;
        }
        if first
            && rec
                .iter()
                .any(|c| number(c).is_none() && !c.trim().is_empty())
        {
            header = Some(rec.iter().map(|c| c.trim().to_string()).collect());
            width = Some(rec.len());
            first = false;
            continue;
        }
        first = false;
        match width {
            None => width = Some(rec.len()),
            Some(w) if w != rec.len() => {
                return Err(at(
                    rec.len().min(w) + 1,
                    format!(
                        "{} cells where the {} has {w}: every row needs one cell per series (0 for a year without flows)",
                        rec.len(),
                        if header.is_some() { "header" } else { "first row" }
                    ),
                ))
            }
            Some(_) => {}
        }
        for (j, c) in rec.iter().enumerate() {
            if out.len() <= j {
                let name = header
                    .as_ref()
                    .and_then(|h| h.get(j).cloned())
                    .unwrap_or_else(|| format!("col{}", j + 1));
                out.push((name, Vec::new()));
            }
            out[j]
                .1
                .push(number(c).ok_or_else(|| at(j + 1, not_a_number(c)))?);
        }
    }
    if out.is_empty() || out.iter().all(|(_, f)| f.is_empty()) {
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
