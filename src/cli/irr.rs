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

/// Each series of the file (or standard input) solved as it is read, in file order; errors as
/// `FILE:LINE:COLUMN: what`.
fn solve(a: &Args) -> Result<Vec<Row>> {
    let file = a.file.display().to_string();
    let bytes = super::read_input(&a.file, "CSV of cash flows", super::MAX_CSV_BYTES, true)?;
    let rate = a.rate;
    // series are independent: solved on every core as the reader hands them over
    let row = |(name, flows): flows::Series| {
        let d = irr::irr_detail(&flows, rate);
        Row {
            name,
            irr: d.irr,
            npv: irr::npv(&flows, rate),
            payback_years: irr::payback(&flows),
            multiple_roots: d.multiple_roots,
            reason: d.reason,
        }
    };
    flows::read_csv_map(&bytes, a.rows, row).map_err(|e| {
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
    let rows = solve(&a)?;
    if a.json {
        super::print_all(&pretty_list(&rows)?)?;
    } else {
        let header = vec![
            "series".to_string(),
            "IRR".into(),
            format!("NPV @ {:.2}%", a.rate * 100.0),
            "payback (yr)".into(),
            "note".into(),
        ];
        use rayon::prelude::*;
        let body: Vec<Vec<String>> = rows
            .par_iter()
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

/// `serde_json::to_string_pretty(rows)` and a newline, in pieces to print one after another,
/// the rows written in parallel: an element of a pretty list is its own pretty text indented by
/// two spaces (JSON strings hold no raw newline, so every newline in it is the printer's). Each
/// row is written into one reused buffer and indented as it is copied out (no allocation per
/// row), and the pieces are printed as they are rather than joined into one more copy.
fn pretty_list(rows: &[Row]) -> Result<Vec<Vec<u8>>> {
    use rayon::prelude::*;
    if rows.is_empty() {
        return Ok(vec![b"[]\n".to_vec()]);
    }
    let body: Vec<Vec<u8>> = rows
        .par_chunks(1024)
        .enumerate()
        .map(|(c, chunk)| {
            let (mut out, mut text) = (Vec::new(), Vec::new());
            for (k, r) in chunk.iter().enumerate() {
                text.clear();
                serde_json::to_writer_pretty(&mut text, r)?;
                // the first element's separator is the opening line break only
                out.extend_from_slice(if c == 0 && k == 0 { b"\n  " } else { b",\n  " });
                for line in text.split_inclusive(|b| *b == b'\n') {
                    out.extend_from_slice(line);
                    if line.ends_with(b"\n") {
                        out.extend_from_slice(b"  ");
                    }
                }
            }
            Ok(out)
        })
        .collect::<Result<_, serde_json::Error>>()?;
    let mut parts = Vec::with_capacity(body.len() + 2);
    parts.push(b"[".to_vec());
    parts.extend(body);
    parts.push(b"\n]\n".to_vec());
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parallel_list_is_serde_json_pretty_text() {
        let row = |k: usize| Row {
            name: format!("s{k} \"q\"\n名"),
            irr: (!k.is_multiple_of(3)).then_some(k as f64 * 0.001),
            npv: -1.5e9 + k as f64,
            payback_years: k.is_multiple_of(2).then_some(12.25),
            multiple_roots: k.is_multiple_of(5),
            reason: k.is_multiple_of(3).then_some(Reason::NoRoot),
        };
        for n in [0, 1, 2, 1023, 1024, 1025, 3000] {
            let rows: Vec<Row> = (0..n).map(row).collect();
            let want = serde_json::to_string_pretty(&rows).unwrap() + "\n";
            assert_eq!(
                pretty_list(&rows).unwrap().concat(),
                want.as_bytes(),
                "{n} rows"
            );
        }
    }
}
