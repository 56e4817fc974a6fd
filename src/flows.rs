//! Cash-flow series from CSV text, for `shanglou irr`: one series per column (an optional
//! header row names them) or per row. Strict: a ragged row, an empty cell or a cell that is not
//! a finite number is an error naming its line and column; a BOM and CRLF line ends are fine.

/// A named series of yearly flows.
pub type Series = (String, Vec<f64>);

/// What is wrong with the CSV, and where (1-based line and column when known).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct CsvError {
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

/// A cell as a number: thousands separators allowed; empty, NaN and infinities are not.
pub fn number(cell: &str) -> Option<f64> {
    if cell.contains(',') {
        plain_number(&cell.replace(',', ""))
    } else {
        plain_number(cell)
    }
}

/// [`number`] for a cell without commas (as every cell of a line split at commas): most cells
/// have no surrounding space, so the trim and the separator search are skipped.
#[inline]
fn plain_number(cell: &str) -> Option<f64> {
    // an ASCII space or any non-ASCII byte (a full-width space, say) at either end: trim
    let edge = |b: &u8| b.is_ascii_whitespace() || !b.is_ascii();
    let bytes = cell.as_bytes();
    let spaced = bytes.first().is_some_and(edge) || bytes.last().is_some_and(edge);
    let c = if spaced { cell.trim() } else { cell };
    c.parse::<f64>().ok().filter(|v| v.is_finite())
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
pub fn read_csv(bytes: &[u8], rows: bool) -> Result<Vec<Series>, CsvError> {
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(bytes);
    if rows && plain(bytes) {
        return read_plain_rows(bytes);
    }
    read_general(bytes, rows)
}

/// Whether the text needs no CSV quoting rules: no quote, and every CR ends a line with LF.
/// Such text splits at newlines, so its rows can be read in parallel.
fn plain(bytes: &[u8]) -> bool {
    !bytes.contains(&b'"')
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| *b != b'\r' || bytes.get(i + 1) == Some(&b'\n'))
}

/// One series per row of plain text (see [`plain`]), rows read in parallel chunks split at
/// newlines; the same series and the same first error as the general reader.
fn read_plain_rows(bytes: &[u8]) -> Result<Vec<Series>, CsvError> {
    use rayon::prelude::*;
    const CHUNK: usize = 1 << 20;
    let mut bounds = vec![0usize];
    while *bounds.last().unwrap_or(&0) < bytes.len() {
        let from = bounds.last().copied().unwrap_or(0) + CHUNK;
        let end = if from >= bytes.len() {
            bytes.len()
        } else {
            bytes[from..]
                .iter()
                .position(|b| *b == b'\n')
                .map(|p| from + p + 1)
                .unwrap_or(bytes.len())
        };
        bounds.push(end);
    }
    let chunks: Vec<&[u8]> = bounds.windows(2).map(|w| &bytes[w[0]..w[1]]).collect();
    // the line each chunk starts on
    let newlines: Vec<usize> = chunks
        .par_iter()
        .map(|c| c.iter().filter(|b| **b == b'\n').count())
        .collect();
    let mut first_line = Vec::with_capacity(chunks.len());
    let mut line = 1;
    for n in &newlines {
        first_line.push(line);
        line += n;
    }
    let parts: Vec<Result<Vec<Series>, CsvError>> = chunks
        .par_iter()
        .zip(first_line.par_iter())
        .map(|(chunk, first)| {
            let mut out = Vec::new();
            for (k, raw) in chunk.split(|b| *b == b'\n').enumerate() {
                let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
                if raw.is_empty() {
                    continue;
                }
                let line = first + k;
                let text = std::str::from_utf8(raw).map_err(|_| CsvError {
                    line: Some(line),
                    column: None,
                    message: "not a readable CSV: invalid UTF-8".into(),
                })?;
                out.push(row_series(text.split(','), line, plain_number)?);
            }
            Ok(out)
        })
        .collect();
    let mut out = Vec::new();
    for p in parts {
        out.extend(p?);
    }
    if out.is_empty() {
        return Err(no_flows());
    }
    Ok(out)
}

/// One row's series: an optional name in the first cell, then numbers.
fn row_series<'a>(
    cells: impl Iterator<Item = &'a str>,
    line: usize,
    number: fn(&str) -> Option<f64>,
) -> Result<Series, CsvError> {
    let mut cells = cells.peekable();
    let named = cells
        .peek()
        .is_some_and(|c| number(c).is_none() && !c.trim().is_empty());
    let name = if named {
        cells.next().unwrap_or_default().trim().to_string()
    } else {
        format!("row{line}")
    };
    let skip = usize::from(named);
    let mut flows = Vec::with_capacity(64);
    for (j, c) in cells.enumerate() {
        flows.push(number(c).ok_or_else(|| CsvError {
            line: Some(line),
            column: Some(j + 1 + skip),
            message: not_a_number(c),
        })?);
    }
    if flows.is_empty() {
        return Err(CsvError {
            line: Some(line),
            column: Some(1),
            message: "a row without cash flows".into(),
        });
    }
    Ok((name, flows))
}

fn no_flows() -> CsvError {
    CsvError {
        line: None,
        column: None,
        message: "no cash flows found; give one series per column (or per row with --rows)".into(),
    }
}

/// The reader for any CSV (quoted cells, line ends inside quotes).
fn read_general(bytes: &[u8], rows: bool) -> Result<Vec<Series>, CsvError> {
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
                return Err(CsvError {
                    line: e.position().map(|p| p.line() as usize),
                    column: None,
                    message: format!("not a readable CSV: {e}"),
                })
            }
        }
        let line = rec
            .position()
            .map(|p| line_of(p.byte() as usize))
            .unwrap_or(0);
        let at = |col: usize, message: String| CsvError {
            line: Some(line),
            column: Some(col),
            message,
        };
        if rows {
            out.push(row_series(rec.iter(), line, number)?);
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
        return Err(no_flows());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_rows_and_every_error_with_its_place() {
        let s = read_csv(b"\xEF\xBB\xBFa,b\r\n-100,-1000\r\n110,\"1,200\"\r\n", false).unwrap();
        assert_eq!(s[0], ("a".to_string(), vec![-100.0, 110.0]));
        assert_eq!(s[1].1, vec![-1000.0, 1200.0]);
        let r = read_csv(b"mine,-100,230,-132\n-5,6\n", true).unwrap();
        assert_eq!((r[0].0.as_str(), r[1].0.as_str()), ("mine", "row2"));
        let e = read_csv(b"a,b\r\n1,2\r\n3\r\n", false).unwrap_err();
        assert_eq!((e.line, e.column), (Some(3), Some(2)));
        let e = read_csv(b"1,2\n3,\n", false).unwrap_err();
        assert_eq!((e.line, e.column), (Some(2), Some(2)));
        assert!(e.message.contains("empty"));
        let e = read_csv(b"1\nNaN\n", false).unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(read_csv(b"", false).is_err());
        assert!(read_csv(b"", true).is_err());
    }

    /// The parallel reader of plain rows and the general CSV reader agree on every input:
    /// the same series, or the same first error at the same place.
    #[test]
    fn plain_rows_read_as_the_general_reader_reads_them() {
        // full-width and ASCII spaces around a number are trimmed on both paths
        let spaced = "a,\u{3000}-100\u{3000}, 60 ,60\n";
        assert_eq!(
            read_csv(spaced.as_bytes(), true).unwrap()[0].1,
            [-100.0, 60.0, 60.0]
        );
        let mut big = String::new();
        for i in 0..60_000 {
            big.push_str(&format!("s{i},-100,{},3.5\r\n", i % 97));
        }
        let mut cases: Vec<Vec<u8>> = vec![
            big.clone().into_bytes(),
            b"-100,110\n\nname,1,2\n".to_vec(),
            b"a,1,2\nb,3,\n".to_vec(),
            b"a,1,2\nb,x,4\n".to_vec(),
            b"1,2\r\n3,4".to_vec(),
            b"only-a-name\n".to_vec(),
        ];
        big.push_str("bad,1,nan\n");
        cases.push(big.into_bytes());
        for c in cases {
            assert!(plain(&c));
            assert_eq!(
                read_plain_rows(&c),
                read_general(&c, true),
                "{:?}",
                String::from_utf8_lossy(&c[..c.len().min(60)])
            );
        }
        assert!(!plain(b"\"a\",1\n"));
        assert!(!plain(b"a,1\r2\n"));
    }
}
