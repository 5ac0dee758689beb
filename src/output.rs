//! Writing the notices: where each one goes.
//!
//! The files klartext writes are published, often by a web server running as another user, and
//! read while klartext runs. So:
//!
//! - [`plan`] decides every output path of a run before anything is written, and refuses a run
//!   in which two outputs would have the same path (which one won would depend on thread
//!   scheduling) or an output would replace a policy source.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

use crate::load::entry_identity;
use crate::render::Format;

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
/// or if an output would replace one of the sources.
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

#[cfg(test)]
mod tests {
    use super::*;

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
