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
    if let Some(v) = simple_decimal(cell.as_bytes()) {
        return Some(v);
    }
    // an ASCII space or any non-ASCII byte (a full-width space, say) at either end: trim
    let edge = |b: &u8| b.is_ascii_whitespace() || !b.is_ascii();
    let bytes = cell.as_bytes();
    let spaced = bytes.first().is_some_and(edge) || bytes.last().is_some_and(edge);
    let c = if spaced { cell.trim() } else { cell };
    c.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A cell of the form the flows of a spreadsheet export almost always take, an optional sign,
/// digits and optionally a point and more digits. When the digits make an integer below 2^53
/// and the decimals are at most 22, the value is that integer divided by an exact power of
/// ten, one correctly rounded division (Clinger's fast path), which is the double the standard
/// parser returns; with more digits, the standard parser reads the cell. Anything else is
/// `None`, for the general reader.
#[inline]
fn simple_decimal(b: &[u8]) -> Option<f64> {
    simple_decimal_cell(b, 0)
        .filter(|&(_, end)| end == b.len())
        .map(|(v, _)| v)
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
    read_csv_map(bytes, rows, |s| s)
}

/// [`read_csv`] with `each` applied to every series, in parallel, the results in file order:
/// plain rows are handed over as each chunk reads them, while its bytes are in the cache, and
/// no series outlives its result. The same first error as [`read_csv`].
pub fn read_csv_map<R: Send>(
    bytes: &[u8],
    rows: bool,
    each: impl Fn(Series) -> R + Sync,
) -> Result<Vec<R>, CsvError> {
    use rayon::prelude::*;
    let bytes = strip_bom(bytes);
    if rows {
        if let Some((out, _)) = read_rows_piece(bytes, 1, &each)? {
            return if out.is_empty() {
                Err(no_flows())
            } else {
                Ok(out)
            };
        }
    }
    Ok(read_general(bytes, rows)?
        .into_par_iter()
        .map(&each)
        .collect())
}

/// `bytes` without the UTF-8 byte-order mark a spreadsheet may start its file with.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(bytes)
}

/// Whether the text needs no CSV quoting rules: no quote, and every CR ends a line with LF.
/// Such text splits at newlines, so its rows can be read in parallel.
fn plain(bytes: &[u8]) -> bool {
    use rayon::prelude::*;
    // most files have neither quote nor CR: that is one parallel pass, looking for both bytes
    // at once in blocks the compiler vectorises (two `contains` would read the text twice)
    let neither = |c: &[u8]| {
        let hit = |b: &[u8]| {
            b.iter()
                .fold(0u8, |f, &x| f | u8::from(x == b'"' || x == b'\r'))
        };
        let blocks = c.chunks_exact(256);
        let rest = blocks.remainder();
        blocks.map(hit).all(|f| f == 0) && hit(rest) == 0
    };
    if bytes.par_chunks(1 << 20).all(neither) {
        return true;
    }
    // a quote, or a CR: every CR must end a line with LF
    !bytes.contains(&b'"')
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| *b != b'\r' || bytes.get(i + 1) == Some(&b'\n'))
}

/// One piece of a file of series in rows, read as [`read_csv_map`] reads a whole file: `piece`
/// holds whole lines (it ends at a newline or at the end of the file), the first on line
/// `first_line`, the file's byte-order mark already taken off. The results, possibly none, and
/// how many lines the piece holds; `Ok(None)` when the piece is not plain text (a quote, or a
/// CR that does not end a line), which only the whole file read at once decides. Reading a
/// large file piece by piece gives the same series and the same first error as reading it
/// whole, and the memory of one piece instead of the file's.
pub fn read_rows_piece<R: Send>(
    piece: &[u8],
    first_line: usize,
    each: impl Fn(Series) -> R + Sync,
) -> Result<Option<(Vec<R>, usize)>, CsvError> {
    if !plain(piece) {
        return Ok(None);
    }
    read_plain_rows(piece, first_line, &each).map(Some)
}

/// One series per row of plain text (see [`plain`]) whose first line is `first_line`, rows
/// read in parallel chunks split at newlines; the same series and the same first error as the
/// general reader, and the number of lines.
fn read_plain_rows<R: Send>(
    bytes: &[u8],
    first_line: usize,
    each: &(impl Fn(Series) -> R + Sync),
) -> Result<(Vec<R>, usize), CsvError> {
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
    let newlines: Vec<usize> = chunks.par_iter().map(|c| count_newlines(c)).collect();
    let lines: usize = newlines.iter().sum();
    let starts = newlines.iter().scan(first_line, |line, n| {
        let this = *line;
        *line += n;
        Some(this)
    });
    let first_line: Vec<usize> = starts.collect();
    let parts: Vec<Result<Vec<R>, CsvError>> = chunks
        .par_iter()
        .zip(first_line.par_iter())
        .map(|(chunk, first)| {
            let mut out = Vec::new();
            let (mut pos, mut line) = (0, *first);
            while pos < chunk.len() {
                // most rows are read in one pass that also finds the line's end
                if let Some((series, next)) = simple_row(chunk, pos, line) {
                    out.push(each(series));
                    (pos, line) = (next, line + 1);
                    continue;
                }
                let end = chunk[pos..]
                    .iter()
                    .position(|b| *b == b'\n')
                    .map_or(chunk.len(), |k| pos + k);
                let (raw, this) = (&chunk[pos..end], line);
                (pos, line) = (end + 1, line + 1);
                let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
                if raw.is_empty() {
                    continue;
                }
                let line = this;
                let text = std::str::from_utf8(raw).map_err(|_| CsvError {
                    line: Some(line),
                    column: None,
                    message: "not a readable CSV: invalid UTF-8".into(),
                })?;
                out.push(each(row_series(text.split(','), line, plain_number)?));
            }
            Ok(out)
        })
        .collect();
    let mut out = Vec::new();
    for p in parts {
        out.extend(p?);
    }
    Ok((out, lines))
}

/// Newlines in `bytes`, counted in blocks a byte counter cannot overflow (which vectorises).
fn count_newlines(bytes: &[u8]) -> usize {
    bytes
        .chunks(255)
        .map(|c| usize::from(c.iter().fold(0u8, |n, b| n + u8::from(*b == b'\n'))))
        .sum()
}

/// The row of `text` that starts at `at`, when its cells after the name are all
/// [`simple_decimal`]s, read in one pass that also finds where the line ends: the series and
/// where the next line starts. `None` for any other row (an empty line among them), which
/// [`row_series`] then reads and blames if it is bad. CR is taken only before LF ([`plain`]).
fn simple_row(text: &[u8], at: usize, line: usize) -> Option<(Series, usize)> {
    let first_end = text[at..]
        .iter()
        .position(|&b| b == b',' || b == b'\n')
        .map_or(text.len(), |k| at + k);
    let first = &text[at..first_end];
    let first = std::str::from_utf8(first.strip_suffix(b"\r").unwrap_or(first)).ok()?;
    // the name rule of row_series
    let named = plain_number(first).is_none() && !first.trim().is_empty();
    let (name, mut at) = if named {
        if text.get(first_end) != Some(&b',') {
            return None;
        }
        (first.trim().to_string(), first_end + 1)
    } else {
        (format!("row{line}"), at)
    };
    let mut flows = Vec::with_capacity(64);
    loop {
        let (v, end) = simple_decimal_cell(text, at)?;
        flows.push(v);
        match text.get(end) {
            Some(b',') => at = end + 1,
            Some(b'\n') => return Some(((name, flows), end + 1)),
            Some(b'\r') if text.get(end + 1) == Some(&b'\n') => {
                return Some(((name, flows), end + 2))
            }
            None => return Some(((name, flows), end)),
            Some(_) => return None,
        }
    }
}

/// The run of ASCII digits that starts at `raw[at]`, up to eight of them, read as one word:
/// how many and their value. `None` when fewer than eight bytes remain (the caller reads those
/// one at a time). One word instead of a byte loop keeps the branch on each cell's length out
/// of the reader, which mispredicted on nearly every cell.
#[inline]
fn digit_run(raw: &[u8], at: usize) -> Option<(usize, u64)> {
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    let bytes: [u8; 8] = raw.get(at..at + 8)?.try_into().ok()?;
    let v = u64::from_le_bytes(bytes);
    // a byte's high bit marks a non-digit: above '9' (x + 0x46 reaches 0x80) or below '0'
    // (x − 0x30 borrows). Carries and borrows run only towards later bytes, so the first
    // marked byte is the first non-digit whatever follows it
    let marks =
        (v.wrapping_add(0x4646_4646_4646_4646) | v.wrapping_sub(ZEROS)) & 0x8080_8080_8080_8080;
    let n = (marks.trailing_zeros() / 8) as usize;
    if n == 0 {
        return Some((0, 0));
    }
    // the n digits moved to the top, zeros below them: leading zeros of an eight-digit number
    // (the first byte is the most significant digit)
    let d = v.wrapping_sub(ZEROS) << (8 * (8 - n));
    // the SWAR steps of Lemire's fast_float: pairs, then fours, then the eight digits
    let d = d.wrapping_mul(10).wrapping_add(d >> 8);
    let d = (d & 0x0000_00FF_0000_00FF)
        .wrapping_mul(100 + (1_000_000 << 32))
        .wrapping_add(((d >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(1 + (10_000 << 32)))
        >> 32;
    Some((n, d))
}

/// [`simple_decimal`] of the cell of `raw` that starts at `at`, found and read in one pass:
/// the value and where the cell ends (a comma, a line end or the end of `raw`).
#[inline(always)]
fn simple_decimal_cell(raw: &[u8], at: usize) -> Option<(f64, usize)> {
    let digit = |i: usize| raw.get(i).map(|b| b.wrapping_sub(b'0')).filter(|d| *d < 10);
    let mut i = at;
    let negative = raw.get(i) == Some(&b'-');
    if negative || raw.get(i) == Some(&b'+') {
        i += 1;
    }
    // a run of digits from i onto m, up to eight at a time where it can; more than 16 digits
    // could wrap, and the check below sends such cells to the std parser
    const SCALE: [u64; 9] = [
        1,
        10,
        100,
        1_000,
        10_000,
        100_000,
        1_000_000,
        10_000_000,
        100_000_000,
    ];
    let digits = |mut i: usize, mut m: u64| {
        while let Some((n, d)) = digit_run(raw, i) {
            (m, i) = (m.wrapping_mul(SCALE[n]).wrapping_add(d), i + n);
            if n < 8 {
                return (i, m);
            }
        }
        while let Some(d) = digit(i) {
            (m, i) = (m.wrapping_mul(10).wrapping_add(u64::from(d)), i + 1);
        }
        (i, m)
    };
    let start = i;
    let (mut i, mut m) = digits(i, 0);
    let whole = i - start;
    let mut decimals = 0;
    if whole > 0 && raw.get(i) == Some(&b'.') {
        (i, m) = digits(i + 1, m);
        decimals = i - start - whole - 1;
        if decimals == 0 {
            return None;
        }
    }
    let ends = matches!(raw.get(i), None | Some(b',' | b'\n' | b'\r'));
    if !ends || whole == 0 {
        return None;
    }
    let exact = (whole + decimals <= 16)
        .then(|| crate::num::exact_quotient(m, decimals))
        .flatten();
    let v = match exact {
        Some(v) => v,
        // more digits than the exact quotient takes (a spreadsheet's or a program's full
        // 17-digit double, say): the standard parser on this cell alone, as the general
        // reader would parse it, so the row stays on this path
        None => std::str::from_utf8(&raw[start..i])
            .ok()?
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())?,
    };
    Some((if negative { -v } else { v }, i))
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

/// The error of a file without a single series (also for a caller that reads it in pieces).
pub fn no_flows() -> CsvError {
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
        // more than one chunk: unnamed rows are named by their line, blank lines and LF and
        // CRLF ends mixed, cells the one-pass reader leaves to the standard parser (exponent,
        // spaces, 17 digits), and the first error past the first chunk
        let mut long = String::new();
        for i in 0..150_000 {
            match i % 5 {
                0 => long.push_str(&format!("{i}.5,-{},7\n", i % 13)),
                1 => long.push_str(&format!("name {i},-1e3, 2 ,12345678901234567\r\n")),
                2 => long.push('\n'),
                _ => long.push_str(&format!("s{i},-100,{}.25\n", i % 89)),
            }
        }
        cases.push(long.clone().into_bytes());
        long.push_str("t,1,2,x\n");
        long.push_str("u,1,2,y\n");
        cases.push(long.into_bytes());
        for c in cases {
            assert!(plain(&c));
            assert_eq!(
                read_csv_map(&c, true, |s| s),
                read_general(&c, true),
                "{:?}",
                String::from_utf8_lossy(&c[..c.len().min(60)])
            );
        }
        assert!(!plain(b"\"a\",1\n"));
        assert!(!plain(b"a,1\r2\n"));
    }

    /// The fast path gives the standard parser's double, or leaves the cell to it.
    #[test]
    fn simple_decimals_parse_as_the_standard_parser_does() {
        let mut next = crate::xorshift(0x9E37_79B9_7F4A_7C15u64);
        let mut taken = 0;
        for k in 0..200_000 {
            let digits = 1 + (next() % 19) as usize;
            let mut s: String = (0..digits)
                .map(|_| char::from(b'0' + (next() % 10) as u8))
                .collect();
            let point = next() as usize % (digits + 1);
            if point < digits && point > 0 {
                s.insert(point, '.');
            }
            let s = match k % 3 {
                0 => format!("-{s}"),
                1 => format!("+{s}"),
                _ => s,
            };
            let fast = simple_decimal(s.as_bytes());
            // the in-row reader takes the same cells to the same doubles, and stops at a comma,
            // whether the cell's digits are read a word at a time or, near the end, one by one
            for cell in [format!("x,{s},7"), format!("x,{s},12345678,9")] {
                assert_eq!(
                    simple_decimal_cell(cell.as_bytes(), 2).map(|(v, end)| (v.to_bits(), end)),
                    fast.map(|v| (v.to_bits(), s.len() + 2)),
                    "{s}"
                );
            }
            if let Some(v) = fast {
                taken += 1;
                let std: f64 = s.parse().unwrap();
                assert_eq!(v.to_bits(), std.to_bits(), "{s}");
            }
        }
        assert!(taken > 50_000, "{taken}");
        // more digits than the exact quotient takes: the standard parser's double, in a row
        // too; a cell too large for a double is left to the general reader's error
        let huge = format!("1{}", "0".repeat(400));
        for long in [
            "9007199254740993",
            "12345678901234567",
            "-985749147.2497436",
            "-0.12345678901234567890123",
            huge.as_str(),
        ] {
            let std = long.parse::<f64>().ok().filter(|v| v.is_finite());
            assert_eq!(simple_decimal(long.as_bytes()), std, "{long}");
            let cell = format!("x,{long}\n");
            assert_eq!(
                simple_decimal_cell(cell.as_bytes(), 2).map(|(v, end)| (v.to_bits(), end)),
                std.map(|v| (v.to_bits(), long.len() + 2)),
                "{long}"
            );
        }
        for odd in [
            "", "-", "+", ".", "1.", ".5", "1.2.3", "1e5", "0x10", " 1", "1 ", "inf", "NaN", "1,0",
            "--1",
        ] {
            assert_eq!(simple_decimal(odd.as_bytes()), None, "{odd}");
            if !odd.contains(',') {
                assert_eq!(simple_decimal_cell(odd.as_bytes(), 0), None, "{odd}");
            }
            // and the standard parser still decides those cells
            assert_eq!(
                plain_number(odd),
                odd.trim().parse::<f64>().ok().filter(|v| v.is_finite()),
                "{odd}"
            );
        }
        assert_eq!(
            simple_decimal(b"-0").map(f64::to_bits),
            Some((-0.0f64).to_bits())
        );
        assert_eq!(simple_decimal(b"-1146088816.82"), Some(-1146088816.82));
        assert_eq!(digit_run(b"x12345678", 1), Some((8, 12_345_678)));
        assert_eq!(digit_run(b"00000009", 0), Some((8, 9)));
        assert_eq!(digit_run(b"1234 678", 0), Some((4, 1234)));
        assert_eq!(digit_run(b"-2345678", 0), Some((0, 0)));
        assert_eq!(digit_run(b"1234567", 0), None);
        // every byte value at every place of a word: the run stops at the first non-digit,
        // whatever the bytes after it hold
        for at in 0..8 {
            for b in 0..=255u8 {
                let mut w = *b"98765432";
                w[at] = b;
                let want = if b.is_ascii_digit() {
                    (8, std::str::from_utf8(&w).unwrap().parse().unwrap())
                } else {
                    let head = std::str::from_utf8(&w[..at]).unwrap();
                    (at, head.parse().unwrap_or(0))
                };
                assert_eq!(digit_run(&w, 0), Some(want), "{w:?}");
            }
        }
    }
}
