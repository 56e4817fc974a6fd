//! Every file shanglou writes, one module per format behind [`Exporter`], and the atomic write
//! (temporary file in the target folder, then rename) they all go through.

pub mod charts;
pub mod csv;
pub mod html;
pub mod json;
pub mod table;
pub mod xlsx;

use anyhow::{Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

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

/// A file to write: its name inside the output folder and its bytes.
pub type File = (String, Vec<u8>);

/// One output format.
pub trait Exporter {
    /// The files this format makes of `doc` (none when it has nothing to say about it).
    fn render(&self, doc: &Document, style: Style) -> Result<Vec<File>>;
}

/// Renders `doc` with each exporter and writes the files atomically into `dir`.
pub fn export_all(
    dir: &Path,
    doc: &Document,
    exporters: &[&dyn Exporter],
    style: Style,
) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for e in exporters {
        files.extend(e.render(doc, style)?);
    }
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the output folder {}", dir.display()))?;
    let mut written = Vec::new();
    for (name, bytes) in files {
        let path = dir.join(name);
        write_atomic(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}

/// The file that records which scenario an output folder belongs to.
const OWNER_FILE: &str = ".shanglou-owner";

/// Claims `dir` for `owner` before anything is written (`force`: even if it is another
/// scenario's): a folder that already holds another
/// scenario's results (or files of ours without a record of whose they are) is not written
/// over without `--force`, so a mistyped `--out` cannot destroy a previous result.
pub fn claim(dir: &Path, owner: &str, force: bool) -> Result<()> {
    let marker = dir.join(OWNER_FILE);
    match std::fs::read_to_string(&marker) {
        Ok(previous) if previous.trim() != owner && !force => {
            return Err(crate::exit::bad_input(format!(
                "{} holds the results of {} — not overwritten; choose another --out or add --force",
                dir.display(),
                previous.trim()
            )))
        }
        Ok(_) => {}
        Err(_) => {
            let ours = [
                "summary.json",
                "cashflow.csv",
                "sweep.csv",
                "compare.csv",
                "sensitivity.csv",
                "report.xlsx",
                "report.html",
            ];
            if let Some(f) = ours.iter().find(|f| dir.join(f).exists()) {
                if !force {
                    return Err(crate::exit::bad_input(format!(
                        "{} already holds {f} from an unknown run — not overwritten; choose another --out or add --force",
                        dir.display()
                    )));
                }
            }
        }
    }
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the output folder {}", dir.display()))?;
    write_atomic(&marker, format!("{owner}\n").as_bytes())
}

/// Writes to a temporary file beside `path` and renames it into place, so a crash never
/// leaves a half-written file and the previous version survives until the new one is whole.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("output");
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
