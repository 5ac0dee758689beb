//! Writing the notices: where each one goes, and replacing a policy's files together.
//!
//! The files klartext writes are published, often by a web server running as another user, and
//! read while klartext runs. So:
//!
//! - [`plan`] decides every output path of a run before anything is written, and refuses a run
//!   in which two outputs would have the same path (which one won would depend on thread
//!   scheduling), an output would replace a policy source, or an output name would look like a
//!   temporary file of klartext.
//! - [`write_together`] writes a policy's files to temporary files beside their targets and only
//!   when all of them are written renames them into place; if one rename fails, the files already
//!   replaced are put back. A reader sees each file old or new, never half written, and a failed
//!   run changes none of a policy's files.
//! - A new file gets the mode any new file gets (`0o666` less the umask, usually `0o644`), not
//!   the owner-only mode of a usual temporary file, which would survive the rename.
//! - Temporary files are named [`TEMP_PREFIX`]`…`; a run that is killed leaves only such files,
//!   and [`remove_stale_temporaries`] removes them on a later run into the same folder.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use tempfile::TempPath;

use crate::load::entry_identity;
use crate::render::Format;

/// How the names of klartext's temporary files begin. Nothing else klartext writes starts so.
pub const TEMP_PREFIX: &str = ".klartext-tmp-";

/// How old a temporary file must be before a run removes it as left over when it cannot tell
/// whether the run that wrote it still runs. A run needs its temporary files for milliseconds;
/// waiting this long means a run does not remove the files of another run writing into the same
/// folder at the same time.
pub const STALE_AFTER: Duration = Duration::from_secs(10 * 60);

/// One file a run writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub format: Format,
    pub path: PathBuf,
}

/// The name of the file written for `source` in `format`: its file name without the last
/// extension, then the format's extension (`gemeinde.klar` → `gemeinde.fragment.html`).
pub fn output_name(source: &Path, format: Format) -> OsString {
    let mut name = source
        .file_stem()
        .map_or_else(|| OsString::from("policy"), OsString::from);
    name.push(".");
    name.push(format.extension());
    name
}

/// Every file a run writes: for each source, one output per format, in `out`.
///
/// Refuses the run (before anything is written) if two outputs would have the same path — also
/// when the names differ only in upper and lower case, which are one file on Windows and macOS —
/// if an output would replace one of the sources, or if an output name starts with
/// [`TEMP_PREFIX`] (a later run would remove it as left over).
pub fn plan(
    sources: &[PathBuf],
    formats: &[Format],
    out: &Path,
) -> Result<Vec<Vec<Output>>, String> {
    let source_entries: HashMap<PathBuf, &PathBuf> = sources
        .iter()
        .map(|source| (entry_identity(source), source))
        .collect();
    let out_real = fs::canonicalize(out).ok();
    // Output names folded to lower case → the source and the name.
    let mut taken: HashMap<String, (&PathBuf, OsString)> = HashMap::new();
    let mut planned = Vec::with_capacity(sources.len());
    for source in sources {
        let mut outputs = Vec::with_capacity(formats.len());
        for &format in formats {
            let name = output_name(source, format);
            let shown = name.to_string_lossy();
            if shown.starts_with(TEMP_PREFIX) {
                return Err(format!(
                    "{} would be written as {shown}, but names starting with {TEMP_PREFIX} are \
                     for klartext's temporary files; rename the policy",
                    source.display()
                ));
            }
            let key = shown.to_lowercase();
            if let Some((first, first_name)) = taken.get(&key) {
                let first_shown = first_name.to_string_lossy();
                let names = if *first_name == name {
                    format!("{shown} in {}", out.display())
                } else {
                    format!(
                        "{first_shown} and {shown} in {} (names that differ only in upper and \
                         lower case are the same file on Windows and macOS)",
                        out.display()
                    )
                };
                return Err(format!(
                    "{} and {} would both be written as {names}; rename one or compile them \
                     separately",
                    first.display(),
                    source.display()
                ));
            }
            if let Some(out_real) = &out_real
                && let Some(replaced) = source_entries.get(&out_real.join(&name))
            {
                return Err(format!(
                    "the {} output of {} would replace the policy {}; choose another --out folder",
                    format.name(),
                    source.display(),
                    replaced.display()
                ));
            }
            taken.insert(key, (source, name.clone()));
            outputs.push(Output {
                format,
                path: out.join(name),
            });
        }
        planned.push(outputs);
    }
    Ok(planned)
}

/// The path of a file a run writes once beside the notices (the fragment's stylesheet), refused
/// when it would replace one of the sources. No policy's output can have its name: theirs end in
/// the extension of a format.
pub fn plan_shared(sources: &[PathBuf], name: &str, out: &Path) -> Result<PathBuf, String> {
    let path = out.join(name);
    if let Ok(out_real) = fs::canonicalize(out) {
        let target = out_real.join(name);
        if let Some(source) = sources
            .iter()
            .find(|source| entry_identity(source) == target)
        {
            return Err(format!(
                "{name} would replace the policy {}; choose another --out folder",
                source.display()
            ));
        }
    }
    Ok(path)
}

/// Writes files so that they are replaced together or not at all: each is written to a
/// temporary file beside its target, and only when every one is written are they renamed into
/// place, each over its old version. If a rename fails, the targets already replaced get their
/// old content back (from a hard link to it, or a copy where the file system has no hard links)
/// and the temporary files are removed.
///
/// Between the first and the last rename (microseconds) a reader may see some files new and
/// some old; a run killed right then can leave such a mix, and temporary files, which a later
/// run removes.
pub fn write_together(files: &[(&Path, &[u8])]) -> Result<(), String> {
    let mut staged = Vec::with_capacity(files.len());
    for &(target, bytes) in files {
        let temp = stage(target, bytes).map_err(|error| cannot_write(target, &error))?;
        staged.push((temp, target));
    }
    let mut replaced: Vec<(&Path, Option<TempPath>)> = Vec::with_capacity(staged.len());
    for (temp, target) in staged {
        let backup = match backup(target) {
            Ok(backup) => backup,
            Err(error) => return Err(undo(replaced, cannot_write(target, &error))),
        };
        if let Err(error) = temp.persist(target) {
            return Err(undo(replaced, cannot_write(target, &error.error)));
        }
        replaced.push((target, backup));
    }
    // Dropping the backups removes them.
    Ok(())
}

/// Writes `bytes` to `target`, which must not exist: the file appears whole or not at all, and a
/// file of that name is never replaced, also one made while this runs (`klartext init`).
pub fn write_new(target: &Path, bytes: &[u8]) -> Result<(), String> {
    let exists = || {
        format!(
            "{} exists already; klartext does not overwrite it",
            target.display()
        )
    };
    if fs::symlink_metadata(target).is_ok() {
        return Err(exists());
    }
    let temp = stage(target, bytes).map_err(|error| cannot_write(target, &error))?;
    match temp.persist_noclobber(target) {
        Ok(()) => Ok(()),
        Err(error) if error.error.kind() == io::ErrorKind::AlreadyExists => Err(exists()),
        Err(error) => Err(cannot_write(target, &error.error)),
    }
}

/// Replaces a file that exists, such as a policy source that `klartext fmt` rewrites: the new
/// content is written to a temporary file beside it and renamed over it, so an editor or a
/// compile reading it sees the old or the new file, never half of one. The file keeps its
/// permissions (a source may be writable by a group, unlike a new output), and a symbolic link
/// stays a link: the file it leads to is replaced.
pub fn replace(target: &Path, bytes: &[u8]) -> Result<(), String> {
    let target = fs::canonicalize(target).map_err(|error| cannot_write(target, &error))?;
    let permissions = fs::metadata(&target)
        .map_err(|error| cannot_write(&target, &error))?
        .permissions();
    let temp = stage(&target, bytes).map_err(|error| cannot_write(&target, &error))?;
    fs::set_permissions(&temp, permissions).map_err(|error| cannot_write(&target, &error))?;
    temp.persist(&target)
        .map_err(|error| cannot_write(&target, &error.error))
}

/// Writes `bytes` to a new temporary file in the folder of `target`.
fn stage(target: &Path, bytes: &[u8]) -> io::Result<TempPath> {
    let dir = folder_of(target);
    fs::create_dir_all(dir)?;
    // Created as `File::create` creates a file (mode 0o666 less the umask on Unix), only
    // refusing a name that exists; `tempfile`'s own files are owner-only.
    let mut file = temporary().make_in(dir, |path| {
        OpenOptions::new().write(true).create_new(true).open(path)
    })?;
    file.as_file_mut().write_all(bytes)?;
    Ok(file.into_temp_path())
}

/// Keeps what `target` holds now under a temporary name, so it can be put back; `None` if there
/// is nothing to keep.
fn backup(target: &Path) -> io::Result<Option<TempPath>> {
    match fs::symlink_metadata(target) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
        // A folder cannot be replaced by a file; the rename fails and reports it.
        Ok(metadata) if metadata.is_dir() => Ok(None),
        Ok(_) => {
            let dir = folder_of(target);
            let backup = temporary().make_in(dir, |path| {
                match fs::hard_link(target, path) {
                    Err(error) if error.kind() != io::ErrorKind::AlreadyExists => {
                        // A file system without hard links (FAT, some network shares).
                        fs::copy(target, path).map(drop)
                    }
                    linked => linked,
                }
            })?;
            Ok(Some(backup.into_temp_path()))
        }
    }
}

/// Puts back what the files in `replaced` held, newest first, and says so in `message`.
fn undo(replaced: Vec<(&Path, Option<TempPath>)>, message: String) -> String {
    let mut failures = Vec::new();
    for (target, backup) in replaced.into_iter().rev() {
        let restored = match backup {
            Some(backup) => backup.persist(target).map_err(|error| error.error),
            None => fs::remove_file(target),
        };
        if let Err(error) = restored {
            failures.push(format!("{}: {error}", target.display()));
        }
    }
    if failures.is_empty() {
        format!("{message}; none of the policy's files were changed")
    } else {
        format!(
            "{message}; and these files could not be put back as they were: {}",
            failures.join(", ")
        )
    }
}

/// Removes the temporary files that runs into `dir` left behind (killed, or the machine went
/// down): files whose names start with [`TEMP_PREFIX`] and whose run has ended. A temporary name
/// carries the process id of its run; where the system shows running processes (`/proc`), a file
/// of a process that is gone is removed at once, otherwise once it is unchanged for
/// [`STALE_AFTER`]. Nothing else is touched — not other files, not folders, not symbolic links. Returns how many were
/// removed; a file that cannot be removed is left for a later run.
pub fn remove_stale_temporaries(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        if !entry
            .file_name()
            .as_encoded_bytes()
            .starts_with(TEMP_PREFIX.as_bytes())
        {
            continue;
        }
        // `DirEntry::metadata` does not follow symbolic links.
        let Ok(metadata) = entry.metadata() else {
            continue;
        };
        let old = metadata
            .modified()
            .ok()
            .and_then(|modified| modified.elapsed().ok())
            .is_some_and(|age| age >= STALE_AFTER);
        let stale = metadata.is_file() && (old || run_has_ended(&entry.file_name()));
        if stale && fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// A builder for klartext's temporary files: named [`TEMP_PREFIX`], the process id and `-`.
fn temporary() -> tempfile::Builder<'static, 'static> {
    static PREFIX: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let prefix = PREFIX.get_or_init(|| format!("{TEMP_PREFIX}{}-", std::process::id()));
    let mut builder = tempfile::Builder::new();
    builder.prefix(prefix);
    builder
}

/// Whether the run that named a temporary file is known to have ended: its process id, from the
/// name, is not among the running processes. `false` where that cannot be told.
fn run_has_ended(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    let Some(pid) = name
        .strip_prefix(TEMP_PREFIX)
        .and_then(|rest| rest.split_once('-'))
        .and_then(|(pid, _)| pid.parse::<u32>().ok())
    else {
        return false;
    };
    let processes = Path::new("/proc");
    pid != std::process::id()
        && processes.join("self").exists()
        && !processes.join(pid.to_string()).exists()
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

fn cannot_write(target: &Path, error: &io::Error) -> String {
    if target.is_dir() {
        format!(
            "cannot write {}: there is a folder of that name",
            target.display()
        )
    } else {
        format!("cannot write {}: {error}", target.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn files_are_replaced_together() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.html");
        let b = dir.path().join("b.txt");
        write_together(&[(&a, b"old a"), (&b, b"old b")]).unwrap();
        write_together(&[(&a, b"new a"), (&b, b"new b")]).unwrap();
        assert_eq!(fs::read(&a).unwrap(), b"new a");
        assert_eq!(fs::read(&b).unwrap(), b"new b");
        assert_eq!(names(dir.path()), ["a.html", "b.txt"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_permissions_and_a_link_stays_a_link() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.klar");
        let link = dir.path().join("b.klar");
        fs::write(&file, "old").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o664)).unwrap();
        std::os::unix::fs::symlink(&file, &link).unwrap();
        replace(&link, b"new").unwrap();
        assert!(fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(fs::read(&file).unwrap(), b"new");
        let mode = fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o664);
        assert_eq!(names(dir.path()), ["a.klar", "b.klar"]);
    }

    #[test]
    fn a_failed_rename_puts_back_what_was_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.html");
        let new = dir.path().join("new.md");
        let blocked = dir.path().join("c.txt");
        fs::write(&a, "old a").unwrap();
        fs::create_dir(&blocked).unwrap();
        let error =
            write_together(&[(&a, b"new a"), (&new, b"new"), (&blocked, b"c")]).unwrap_err();
        assert!(error.contains("there is a folder of that name"), "{error}");
        assert!(
            error.contains("none of the policy's files were changed"),
            "{error}"
        );
        assert_eq!(fs::read(&a).unwrap(), b"old a");
        assert!(!new.exists(), "a file that was new is removed again");
        assert_eq!(names(dir.path()), ["a.html", "c.txt"]);
    }

    #[test]
    fn outputs_with_the_same_path_are_refused() {
        let sources = [
            PathBuf::from("p/x.fragment.klar"),
            PathBuf::from("p/x.klar"),
        ];
        let error = plan(
            &sources,
            &[Format::Html, Format::Fragment],
            Path::new("out"),
        )
        .unwrap_err();
        assert!(
            error.contains(
                "p/x.fragment.klar and p/x.klar would both be written as x.fragment.html"
            ),
            "{error}"
        );
        let planned = plan(&sources, &[Format::Html, Format::Text], Path::new("out")).unwrap();
        assert_eq!(planned[1][1].path, Path::new("out/x.txt"));
    }
}
