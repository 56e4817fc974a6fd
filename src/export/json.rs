//! `summary.json`: the MODEL.md §12 object.

use super::{Document, Exporter};
use anyhow::Result;

pub struct Json;

impl Exporter for Json {
    fn file_name(&self) -> &'static str {
        "summary.json"
    }
    fn render(&self, doc: &Document) -> Option<Result<Vec<u8>>> {
        match doc {
            Document::Run { summary, .. } => Some(to_vec(summary)),
        }
    }
}

/// Pretty JSON with a final newline.
pub fn to_vec<T: serde::Serialize>(v: &T) -> Result<Vec<u8>> {
    let mut out = serde_json::to_vec_pretty(v)?;
    out.push(b'\n');
    Ok(out)
}
