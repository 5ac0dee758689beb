//! Finding and reading policy sources on disk.
//!
//! The command line names files and folders; this module turns them into the list of policy
//! files to compile and reads each one. It is careful because what it reads ends up in reports:
//! a diagnostic quotes the lines of the file it is about, and those reports go to terminals and
//! CI logs that more people can see than the files themselves. So:
//!
//! - In a folder, a symbolic link that leads outside the folder is skipped (with a note), so a
//!   link planted in a shared policy folder cannot make klartext read and quote, say, a key file
//!   elsewhere. A link to a file inside the folder (or one of its subfolders) is read as usual.
//! - Only ordinary files are read. A device such as `/dev/zero`, a named pipe (FIFO) or a socket
//!   is refused at once with a message, named directly or found in a folder: reading one would
//!   never end, or wait for a writer that never comes.
//! - No file is read beyond [`MAX_POLICY_BYTES`], so no input makes klartext read without bound.

use std::collections::HashSet;
use std::fmt;
use std::fs::{self, File, Metadata};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// The most klartext reads from one policy file: 64 MiB. The longest real notice is well under
/// one MiB; the limit only exists so that no file (a huge one, one that keeps growing) makes
/// klartext read without bound.
pub const MAX_POLICY_BYTES: u64 = 64 * 1024 * 1024;

/// How diagnostics name a policy read from standard input.
pub const STDIN_NAME: &str = "<stdin>";

/// Whether a path named on the command line means standard input (`-`), for editors and pipes.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The name of a policy source in diagnostics: its path, or `<stdin>`.
pub fn source_name(path: &Path) -> String {
    if is_stdin(path) {
        STDIN_NAME.to_string()
    } else {
        path.display().to_string()
    }
}

/// The policy files named on the command line, and the links that were left out.
#[derive(Debug, Default)]
pub struct PolicyFiles {
    /// The files to compile: named files in the order given, each folder's `.klar` files in
    /// name order. A file named twice (even spelled differently) is listed once.
    pub files: Vec<PathBuf>,
    /// Symbolic links in a folder that lead outside it, and so were not read.
    pub skipped: Vec<SkippedLink>,
}

/// A symbolic link in a folder named on the command line that leads outside that folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedLink {
    pub link: PathBuf,
    pub folder: PathBuf,
}

impl fmt::Display for SkippedLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "skipped {}: a symbolic link that leads outside {}",
            self.link.display(),
            self.folder.display()
        )
    }
}

/// Expands the paths named on the command line to policy files: a file is taken as it is (it
/// must be an ordinary file), a folder stands for the `.klar` files directly in it.
///
/// Fails, with a message for the person who typed the command, on a path that does not exist,
/// a folder without policies, anything that is not an ordinary file, and a file larger than
/// [`MAX_POLICY_BYTES`] — before anything is read or written.
pub fn policy_files(paths: &[PathBuf]) -> Result<PolicyFiles, String> {
    let mut found = PolicyFiles::default();
    let mut seen = HashSet::new();
    for path in paths {
        if is_stdin(path) {
            if !found.files.iter().any(|f| is_stdin(f)) {
                found.files.push(path.clone());
            }
            continue;
        }
        let metadata = fs::metadata(path).map_err(|error| cannot_read(path, &error))?;
        let files = if metadata.is_dir() {
            let (files, skipped) = folder(path)?;
            if files.is_empty() {
                let mut message = format!(
                    "{} contains no policies (files ending in .klar)",
                    path.display()
                );
                match skipped.len() {
                    0 => {}
                    1 => message.push_str("; a symbolic link that leads outside it was skipped"),
                    n => message.push_str(&format!(
                        "; {n} symbolic links that lead outside it were skipped"
                    )),
                }
                return Err(message);
            }
            found.skipped.extend(skipped);
            files
        } else {
            ensure_readable(path, &metadata)?;
            vec![path.clone()]
        };
        for file in files {
            if seen.insert(entry_identity(&file)) {
                found.files.push(file);
            }
        }
    }
    Ok(found)
}

/// The `.klar` files directly in `dir`, in name order, and the links that lead outside it.
fn folder(dir: &Path) -> Result<(Vec<PathBuf>, Vec<SkippedLink>), String> {
    let root = fs::canonicalize(dir).map_err(|error| cannot_read(dir, &error))?;
    let entries = fs::read_dir(dir).map_err(|error| cannot_read(dir, &error))?;
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|error| cannot_read(dir, &error))?;
        let path = entry.path();
        if path.extension().is_none_or(|ext| ext != "klar") {
            continue;
        }
        let file_type = entry
            .file_type()
            .map_err(|error| cannot_read(&path, &error))?;
        if file_type.is_symlink() {
            let target = fs::canonicalize(&path).map_err(|error| {
                if error.kind() == io::ErrorKind::NotFound {
                    format!(
                        "cannot read {}: it is a symbolic link to something that does not exist",
                        path.display()
                    )
                } else {
                    cannot_read(&path, &error)
                }
            })?;
            if !target.starts_with(&root) {
                skipped.push(SkippedLink {
                    link: path,
                    folder: dir.to_path_buf(),
                });
                continue;
            }
        }
        // Follows a link (now known to stay inside the folder) to what it leads to.
        let metadata = fs::metadata(&path).map_err(|error| cannot_read(&path, &error))?;
        if metadata.is_dir() {
            // A folder whose name ends in `.klar` is not a policy; folders are not searched.
            continue;
        }
        ensure_readable(&path, &metadata)?;
        files.push(path);
    }
    files.sort();
    skipped.sort_by(|a, b| a.link.cmp(&b.link));
    Ok((files, skipped))
}

/// Reads one policy file: only an ordinary file, and at most [`MAX_POLICY_BYTES`].
///
/// The file's kind and size are checked before it is opened (opening a named pipe would wait for
/// a writer), checked again on the opened file (the path may have changed in between), and the
/// read itself stops after the limit, should the file grow while it is read.
pub fn read_policy(path: &Path) -> Result<Vec<u8>, String> {
    if is_stdin(path) {
        let mut bytes = Vec::new();
        std::io::stdin()
            .take(MAX_POLICY_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|error| format!("cannot read standard input: {error}"))?;
        if bytes.len() as u64 > MAX_POLICY_BYTES {
            return Err(too_large(Path::new(STDIN_NAME)));
        }
        return Ok(bytes);
    }
    let metadata = fs::metadata(path).map_err(|error| cannot_read(path, &error))?;
    ensure_readable(path, &metadata)?;
    let file = File::open(path).map_err(|error| cannot_read(path, &error))?;
    let metadata = file.metadata().map_err(|error| cannot_read(path, &error))?;
    ensure_readable(path, &metadata)?;
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    file.take(MAX_POLICY_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| cannot_read(path, &error))?;
    if bytes.len() as u64 > MAX_POLICY_BYTES {
        return Err(too_large(path));
    }
    Ok(bytes)
}

/// Refuses anything but an ordinary file of at most [`MAX_POLICY_BYTES`].
fn ensure_readable(path: &Path, metadata: &Metadata) -> Result<(), String> {
    if !metadata.is_file() {
        return Err(format!(
            "{} is {}, not a policy file; klartext reads only ordinary files",
            path.display(),
            kind(metadata)
        ));
    }
    if metadata.len() > MAX_POLICY_BYTES {
        return Err(too_large(path));
    }
    Ok(())
}

/// What a path that is not an ordinary file is, in words.
fn kind(metadata: &Metadata) -> &'static str {
    let file_type = metadata.file_type();
    if file_type.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    "not an ordinary file"
}

fn too_large(path: &Path) -> String {
    format!(
        "{} is larger than 64 MiB, the most klartext reads from one policy file",
        path.display()
    )
}

fn cannot_read(path: &Path, error: &io::Error) -> String {
    format!("cannot read {}: {error}", path.display())
}

/// Which directory entry a path names, however it is spelled: the real location of its folder
/// and its own name. `policies/a.klar` and `./policies/a.klar` are the same entry; a link and
/// the file it leads to are two (they give two outputs).
pub(crate) fn entry_identity(path: &Path) -> PathBuf {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    match (fs::canonicalize(folder), path.file_name()) {
        (Ok(folder), Some(name)) => folder.join(name),
        _ => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_named_twice_is_listed_once() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.klar");
        fs::write(&file, "policy").unwrap();
        let again = dir.path().join(".").join("a.klar");
        let found = policy_files(&[file.clone(), dir.path().to_path_buf(), again]).unwrap();
        assert_eq!(found.files, [file]);
    }

    #[test]
    fn a_folder_named_klar_is_not_a_policy() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("sub.klar")).unwrap();
        fs::write(dir.path().join("a.klar"), "policy").unwrap();
        let found = policy_files(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(found.files, [dir.path().join("a.klar")]);
    }

    #[test]
    fn reading_stops_at_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("big.klar");
        File::create(&file)
            .unwrap()
            .set_len(MAX_POLICY_BYTES + 1)
            .unwrap();
        let error = read_policy(&file).unwrap_err();
        assert!(error.contains("larger than 64 MiB"), "{error}");
        File::create(&file)
            .unwrap()
            .set_len(MAX_POLICY_BYTES)
            .unwrap();
        assert_eq!(read_policy(&file).unwrap().len() as u64, MAX_POLICY_BYTES);
    }
}
