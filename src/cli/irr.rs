//! `shanglou irr`: the project's IRR solver on raw cash flows, to check a spreadsheet's IRR.

use super::{bad_input, print};
use crate::export::table::{grid, pct, thousands};
use anyhow::Result;
use clap::Args as ClapArgs;
use serde::Serialize;
use shanglou::flows;
use shanglou::irr::{self, Reason};
use std::path::{Path, PathBuf};
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
    const WHAT: &str = "CSV of cash flows";
    let file = a.file.display().to_string();
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
    let blame = |e: flows::CsvError| {
        let at = match (e.line, e.column) {
            (Some(l), Some(c)) => format!("{file}:{l}:{c}:"),
            (Some(l), None) => format!("{file}:{l}:"),
            _ => format!("{file}:"),
        };
        bad_input(format!("{at} {}", e.message))
    };
    if a.rows && a.file != Path::new("-") {
        let (mut f, len) = super::open_input(&a.file, WHAT, super::MAX_CSV_BYTES)?;
        if len > PIECE as u64 {
            match in_pieces(&mut f, PIECE, super::MAX_CSV_BYTES, &row) {
                Ok(Some(rows)) => return Ok(rows),
                // not plain text: the whole file is read at once below
                Ok(None) => {}
                Err(Piecewise::Csv(e)) => return Err(blame(e)),
                Err(Piecewise::Io(e)) => return Err(super::unreadable(&file, WHAT, e)),
                Err(Piecewise::TooBig) => {
                    return Err(super::too_big(&file, WHAT, super::MAX_CSV_BYTES))
                }
            }
        }
    }
    let bytes = super::read_input(&a.file, WHAT, super::MAX_CSV_BYTES, true)?;
    flows::read_csv_map(&bytes, a.rows, row).map_err(blame)
}

/// Bytes a large file of series in rows is read in at a time: the memory it takes, reused
/// from piece to piece, instead of a fresh buffer the size of the file (on 100,000 rows of 53
/// years, a 37 MiB peak instead of 81).
const PIECE: usize = 16 << 20;

/// Why a read in pieces stopped.
#[derive(Debug)]
enum Piecewise {
    Csv(flows::CsvError),
    Io(std::io::Error),
    TooBig,
}

/// The series of `src`, one per row, read `piece` bytes at a time (more when a line is longer)
/// and cut after the last whole line: the same results and the same first error as
/// [`flows::read_csv_map`] on the whole text, or `Ok(None)` when the text is not plain (see
/// [`flows::read_rows_piece`]) and must be read whole.
fn in_pieces<R: Send>(
    src: &mut impl std::io::Read,
    piece: usize,
    max: u64,
    each: &(impl Fn(flows::Series) -> R + Sync),
) -> Result<Option<Vec<R>>, Piecewise> {
    use std::io::Read;
    let mut buf: Vec<u8> = Vec::with_capacity(piece);
    let (mut out, mut line, mut total, mut want) = (Vec::new(), 1, 0u64, piece);
    let mut first = true;
    loop {
        let have = buf.len();
        let limit = want.saturating_sub(have).max(1);
        let got = src
            .by_ref()
            .take(limit as u64)
            .read_to_end(&mut buf)
            .map_err(Piecewise::Io)?;
        total += got as u64;
        if total > max {
            return Err(Piecewise::TooBig);
        }
        let end = got < limit;
        let cut = match buf.iter().rposition(|b| *b == b'\n') {
            _ if end => buf.len(),
            Some(k) => k + 1,
            None => {
                // one line longer than the buffer: read on until it ends
                want = 2 * buf.len();
                continue;
            }
        };
        want = piece;
        let text = if first {
            flows::strip_bom(&buf[..cut])
        } else {
            &buf[..cut]
        };
        first = false;
        match flows::read_rows_piece(text, line, each).map_err(Piecewise::Csv)? {
            None => return Ok(None),
            Some((rows, lines)) => {
                out.extend(rows);
                line += lines;
            }
        }
        buf.drain(..cut);
        if end {
            break;
        }
    }
    if out.is_empty() {
        return Err(Piecewise::Csv(flows::no_flows()));
    }
    Ok(Some(out))
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

    /// A file read in pieces gives what the whole text read at once gives: the same series
    /// (unnamed rows named by their line), the same first error at the same place, or the
    /// whole text read again where it is not plain.
    #[test]
    fn pieces_read_as_the_whole_text_reads() {
        // unnamed rows (named by their line), blank lines, CRLF, cells for the standard parser
        let long: String = (0..3_000)
            .map(|i| match i % 3 {
                0 => format!("{i}.25,-{},8\r\n", i % 11),
                1 => format!("p {i},-2e3, 4 ,98765432109876543\n"),
                _ => "\n".to_string(),
            })
            .collect();
        let wide = format!("w,{}\n1,2\n", vec!["-7.5"; 5_000].join(","));
        let cases: Vec<Vec<u8>> = vec![
            format!("\u{feff}{long}").into_bytes(),
            format!("{long}t,1,x\nu,1,y\n").into_bytes(),
            format!("{long}last,1,2").into_bytes(),
            wide.into_bytes(),
            b"\n\n\n".to_vec(),
            b"".to_vec(),
            b"a,1\n\"b\",2\n".to_vec(),
            b"a,1\rb,2\n".to_vec(),
        ];
        for c in &cases {
            let whole = flows::read_csv_map(c, true, |s| s);
            for piece in [1, 7, 64, 4096, 1 << 20] {
                let got = in_pieces(&mut c.as_slice(), piece, 1 << 30, &|s| s);
                let shown = String::from_utf8_lossy(&c[..c.len().min(40)]).to_string();
                match got {
                    Ok(Some(rows)) => assert_eq!(Ok(rows), whole, "{shown} by {piece}"),
                    Err(Piecewise::Csv(e)) => assert_eq!(Err(e), whole, "{shown} by {piece}"),
                    // only text with a quote or a lone CR is left to the whole read
                    Ok(None) => assert!(c.contains(&b'"') || c.contains(&b'\r'), "{shown}"),
                    Err(e) => panic!("{e:?}"),
                }
            }
        }
        let big = vec![b'1'; 100];
        assert!(matches!(
            in_pieces(&mut big.as_slice(), 16, 99, &|s| s),
            Err(Piecewise::TooBig)
        ));
    }

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
