//! `summary.json`: the docs/model.md §12 object of a run or of a Monte Carlo run.

use super::{Document, Exporter, File, Style};
use anyhow::Result;

pub struct Json;

impl Exporter for Json {
    fn render(&self, doc: &Document, _style: Style) -> Result<Vec<File>> {
        let bytes = match doc {
            Document::Run {
                summary, record, ..
            } => with_record(summary, record)?,
            Document::Mc {
                summary, record, ..
            } => with_record(summary, record)?,
            Document::Sensitivity { analysis, .. } => to_vec(analysis)?,
            Document::Sweep { .. } | Document::Compare { .. } | Document::CheckMatrix { .. } => {
                return Ok(vec![])
            }
        };
        Ok(vec![("summary.json".into(), bytes)])
    }
}

/// The docs/model.md §12 object with the reproducibility record added under `provenance`.
fn with_record<T: serde::Serialize>(v: &T, record: &shanglou::record::Record) -> Result<Vec<u8>> {
    let mut value = serde_json::to_value(v)?;
    value["provenance"] = serde_json::to_value(record)?;
    to_vec(&value)
}

/// Pretty JSON with a final newline.
pub fn to_vec<T: serde::Serialize>(v: &T) -> Result<Vec<u8>> {
    let mut out = serde_json::to_vec_pretty(v)?;
    out.push(b'\n');
    Ok(out)
}
