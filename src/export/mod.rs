//! Every file shanglou writes, one module per format behind [`Exporter`], and the output set
//! they are committed in as a whole ([`commit`]).

pub mod charts;
pub mod commit;
pub mod csv;
pub mod html;
pub mod json;
pub mod table;
pub mod xlsx;

use anyhow::Result;
use std::path::PathBuf;

pub use commit::OutputSet;
pub use shanglou::report::Document;

/// The language of chart text and of the labels of reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    En,
    Zh,
}

/// How outputs are drawn, passed to every exporter as a value (no process-wide setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub lang: Lang,
}

/// What a batch's workbook and page say above the parcels: the run and its tally.
pub struct BatchOverview<'a> {
    pub template: &'a str,
    pub parcels_file: &'a str,
    pub parcels: u64,
    pub tally: &'a shanglou::batch::Tally,
    pub band: (f64, f64),
}

impl BatchOverview<'_> {
    /// The tally as the reports list it: CSS class, label and count.
    pub fn verdict_rows(&self) -> [(&'static str, &'static str, u64); 5] {
        let t = self.tally;
        [
            ("within", "符合保本微利 within", t.within),
            ("above_cap", "超过上限 above the cap", t.above_cap),
            ("below_floor", "未能保本 below the floor", t.below_floor),
            ("undefined", "无法判定 no IRR verdict", t.undefined),
            ("undefined", "无效行 bad rows (skipped)", t.bad_rows),
        ]
    }
}

/// A file to write: its name inside the output folder and its bytes.
pub type File = (String, Vec<u8>);

/// One output format.
pub trait Exporter {
    /// The files this format makes of `doc` (none when it has nothing to say about it).
    fn render(&self, doc: &Document, style: Style) -> Result<Vec<File>>;
}

/// Renders `doc` with each exporter and writes the files into the output set's staging
/// folder; they appear in the output folder together when the set is committed.
pub fn export_all(
    set: &OutputSet,
    doc: &Document,
    exporters: &[&dyn Exporter],
    style: Style,
) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for e in exporters {
        files.extend(e.render(doc, style)?);
    }
    files
        .iter()
        .map(|(name, bytes)| set.write(name, bytes))
        .collect()
}
