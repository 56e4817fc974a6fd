//! `cashflow.csv`: one row per year, the MODEL.md §12 columns then the income-tax working,
//! exact decimal amounts, UTF-8 with a BOM so Excel opens it correctly.

use super::{Document, Exporter};
use anyhow::Result;
use rust_decimal::Decimal;
use shanglou::model::{Ledger, COLUMNS};

pub struct CashflowCsv;

/// Excel reads a UTF-8 CSV as the local code page unless it starts with a BOM.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

impl Exporter for CashflowCsv {
    fn file_name(&self) -> &'static str {
        "cashflow.csv"
    }
    fn render(&self, doc: &Document) -> Option<Result<Vec<u8>>> {
        match doc {
            Document::Run { ledger, .. } => Some(cashflow(ledger)),
        }
    }
}

pub fn cashflow(l: &Ledger<Decimal>) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(BOM.to_vec());
    let mut header = vec!["t", "year"];
    header.extend(COLUMNS);
    w.write_record(&header)?;
    let cols = l.columns();
    for t in 0..l.years() {
        let mut row = vec![t.to_string(), (l.start_year + t as i64).to_string()];
        row.extend(cols.iter().map(|c| c[t].normalize().to_string()));
        w.write_record(&row)?;
    }
    Ok(w.into_inner()?)
}
