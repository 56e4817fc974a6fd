//! Output sets committed as a whole: every file of a run is written into a fresh staging folder
//! beside the target and swapped in at the end, under an advisory lock, so a reader of the
//! output folder sees the complete old set or the complete new set — never a mix — whatever
//! happens to the run (a full disk, SIGKILL, Ctrl-C, a second run at the same time).

use anyhow::{Context, Result};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file that records which scenario an output folder belongs to.
pub const OWNER_FILE: &str = ".shanglou-owner";

/// Files shanglou writes: a folder holding one of them without an owner record is a previous
/// run's, and not replaced without `--force`.
const OURS: [&str; 8] = [
    "summary.json",
    "cashflow.csv",
    "sweep.csv",
    "compare.csv",
    "sensitivity.csv",
    "check_matrix.csv",
    "report.xlsx",
    "report.html",
];

/// A set of output files being written: the staging folder, the lock, and where it goes.
pub struct OutputSet {
    target: PathBuf,
    staging: PathBuf,
    /// Held until the set is committed or dropped; the OS releases it if the process dies.
    _lock: File,
    committed: bool,
}

/// The staging and previous-set folders of a target are named after it, so the next run can
/// find and remove what a killed run left.
fn leftover_prefixes(name: &str) -> [String; 2] {
    [format!(".{name}.tmp-"), format!(".{name}.old-")]
}

impl OutputSet {
    /// Locks `target` (waiting for another run that holds it), checks it is ours to replace,
    /// removes what killed runs left beside it, and opens a fresh staging folder.
    pub fn begin(target: &Path, owner: &str, force: bool) -> Result<OutputSet> {
        let name = target
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| !n.is_empty() && *n != "." && *n != "..")
            .ok_or_else(|| {
                crate::exit::bad_input(format!(
                    "--out {}: name a folder of its own (its whole content is replaced by each run)",
                    target.display()
                ))
            })?
            .to_string();
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create the folder {}", parent.display()))?;
        if target.exists() && !target.is_dir() {
            return Err(crate::exit::bad_input(format!(
                "--out {}: exists and is not a folder",
                target.display()
            )));
        }
        let lock_path = parent.join(format!(".{name}.lock"));
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .with_context(|| format!("cannot open the lock {}", lock_path.display()))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                eprintln!(
                    "waiting: another shanglou run is writing {}",
                    target.display()
                );
                lock.lock()
                    .with_context(|| format!("cannot lock {}", lock_path.display()))?;
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", lock_path.display()))
            }
        }
        check_owner(target, owner, force)?;
        // with the lock held, any staging or previous-set folder here is a killed run's
        let prefixes = leftover_prefixes(&name);
        if let Ok(entries) = fs::read_dir(&parent) {
            for e in entries.flatten() {
                let n = e.file_name();
                let n = n.to_string_lossy();
                if prefixes.iter().any(|p| n.starts_with(p.as_str())) {
                    let _ = fs::remove_dir_all(e.path());
                }
            }
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let staging = parent.join(format!("{}{}-{nanos}", prefixes[0], std::process::id()));
        fs::create_dir(&staging).with_context(|| format!("cannot create {}", staging.display()))?;
        let set = OutputSet {
            target: target.to_path_buf(),
            staging,
            _lock: lock,
            committed: false,
        };
        set.write(OWNER_FILE, format!("{owner}\n").as_bytes())?;
        Ok(set)
    }

    /// Where a file of the set will be once committed.
    pub fn final_path(&self, name: &str) -> PathBuf {
        self.target.join(name)
    }

    /// Where a file of the set is while the set is staged (to read back one just written).
    pub fn staged(&self, name: &str) -> PathBuf {
        self.staging.join(name)
    }

    /// Writes one file of the set into the staging folder, flushed to disk.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<PathBuf> {
        let path = self.staging.join(name);
        let result = (|| -> std::io::Result<()> {
            let mut f = File::create(&path)?;
            f.write_all(bytes)?;
            f.sync_all()
        })();
        result.with_context(|| {
            format!(
                "cannot write {} (the previous results in {} are kept)",
                self.final_path(name).display(),
                self.target.display()
            )
        })?;
        Ok(self.final_path(name))
    }

    /// A file of the set to stream into (a batch's rows as they come); flushed to disk by the
    /// caller before [`OutputSet::commit`].
    pub fn create(&self, name: &str) -> Result<File> {
        let path = self.staging.join(name);
        File::create(&path).with_context(|| {
            format!(
                "cannot write {} (the previous results in {} are kept)",
                self.final_path(name).display(),
                self.target.display()
            )
        })
    }

    /// Swaps the staging folder in for the target: one atomic exchange where the system has it
    /// (Linux), else two renames. The previous set is then removed.
    pub fn commit(mut self) -> Result<()> {
        if let Ok(d) = File::open(&self.staging) {
            let _ = d.sync_all();
        }
        if self.target.exists() {
            exchange(&self.staging, &self.target)
                .with_context(|| format!("cannot replace {}", self.target.display()))?;
            // the staging path now holds the previous set
            let _ = fs::remove_dir_all(&self.staging);
        } else {
            fs::rename(&self.staging, &self.target)
                .with_context(|| format!("cannot create {}", self.target.display()))?;
        }
        if let Some(parent) = self.target.parent() {
            if let Ok(d) = File::open(if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            }) {
                let _ = d.sync_all();
            }
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for OutputSet {
    /// A set that was not committed (an error, Ctrl-C) leaves the target as it was.
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// Refuses a target that holds another scenario's results (or ours without a record of
/// whose), unless `force`; and always a folder of files that are not shanglou's, since each run
/// replaces its folder's whole content.
fn check_owner(dir: &Path, owner: &str, force: bool) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    match fs::read_to_string(dir.join(OWNER_FILE)) {
        Ok(previous) if previous.trim() != owner && !force => Err(crate::exit::bad_input(format!(
            "{} holds the results of {} — not overwritten; choose another --out or add --force",
            dir.display(),
            previous.trim()
        ))),
        Ok(_) => Ok(()),
        Err(_) => {
            let empty = fs::read_dir(dir)
                .map(|mut d| d.next().is_none())
                .unwrap_or(true);
            match OURS.iter().find(|f| dir.join(f).exists()) {
                _ if empty => Ok(()),
                Some(_) if force => Ok(()),
                Some(f) => Err(crate::exit::bad_input(format!(
                    "{} already holds {f} from an unknown run — not overwritten; choose another --out or add --force",
                    dir.display()
                ))),
                None => Err(crate::exit::bad_input(format!(
                    "{} holds files that are not shanglou results: each run replaces its folder's whole content, so choose an empty or new --out",
                    dir.display()
                ))),
            }
        }
    }
}

/// Exchanges two paths atomically (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        let e = std::io::Error::last_os_error();
        // a file system without RENAME_EXCHANGE: fall back to two renames
        if matches!(e.raw_os_error(), Some(libc::EINVAL) | Some(libc::ENOSYS)) {
            two_renames(a, b)
        } else {
            Err(e)
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    two_renames(a, b)
}

/// The previous set moves aside to `a`'s name, the new set into `b`: a reader may find no
/// folder for an instant, but never a mix.
fn two_renames(a: &Path, b: &Path) -> std::io::Result<()> {
    let aside = a.with_extension("swap");
    fs::rename(b, &aside)?;
    if let Err(e) = fs::rename(a, b) {
        let _ = fs::rename(&aside, b);
        return Err(e);
    }
    fs::rename(&aside, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_set_replaces_the_whole_folder_and_leaves_nothing_beside_it() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        let s = OutputSet::begin(&target, "a.toml", false).unwrap();
        s.write("one.csv", b"1").unwrap();
        s.write("chart.svg", b"<svg/>").unwrap();
        s.commit().unwrap();
        assert_eq!(names(&target), [".shanglou-owner", "chart.svg", "one.csv"]);
        // the next set has no chart: the old chart goes with the old set
        let s = OutputSet::begin(&target, "a.toml", false).unwrap();
        s.write("one.csv", b"2").unwrap();
        s.commit().unwrap();
        assert_eq!(names(&target), [".shanglou-owner", "one.csv"]);
        assert_eq!(fs::read(target.join("one.csv")).unwrap(), b"2");
        assert_eq!(names(root.path()), [".out.lock", "out"]);
    }

    #[test]
    fn an_uncommitted_set_leaves_the_old_one_and_a_killed_one_is_cleaned_next_time() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        let s = OutputSet::begin(&target, "a.toml", false).unwrap();
        s.write("one.csv", b"old").unwrap();
        s.commit().unwrap();
        {
            let s = OutputSet::begin(&target, "a.toml", false).unwrap();
            s.write("one.csv", b"new").unwrap();
            // dropped without commit: an error half way
        }
        assert_eq!(fs::read(target.join("one.csv")).unwrap(), b"old");
        // what a SIGKILLed run leaves: a staging folder nobody removed
        fs::create_dir(root.path().join(".out.tmp-1-2")).unwrap();
        fs::create_dir(root.path().join(".out.old-3")).unwrap();
        let s = OutputSet::begin(&target, "a.toml", false).unwrap();
        drop(s);
        assert_eq!(names(root.path()), [".out.lock", "out"]);
    }

    #[test]
    fn another_scenario_s_folder_is_refused_without_force() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        let s = OutputSet::begin(&target, "a.toml", false).unwrap();
        s.commit().unwrap();
        assert!(OutputSet::begin(&target, "b.toml", false).is_err());
        assert!(OutputSet::begin(&target, "b.toml", true).is_ok());
        // a folder of someone else's files is not ours to replace
        let theirs = root.path().join("theirs");
        fs::create_dir(&theirs).unwrap();
        fs::write(theirs.join("notes.txt"), b"keep").unwrap();
        assert!(OutputSet::begin(&theirs, "a.toml", false).is_err());
        assert!(
            OutputSet::begin(&theirs, "a.toml", true).is_err(),
            "not even with --force"
        );
        assert_eq!(fs::read(theirs.join("notes.txt")).unwrap(), b"keep");
        assert!(OutputSet::begin(Path::new("."), "a.toml", false).is_err());
    }
}
