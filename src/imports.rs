//! Imports: a policy takes organisations, activities, sections and defaults from libraries
//! (`use "lib/hosting.klar"`) and from the standard library shipped in the binary (`std.…`).
//!
//! A library is a `.klar` file of declarations without a policy; it may `use` other libraries.
//! A [`Project`] reads and parses each library once, however many policies of a run use it, and
//! refuses a path that leaves the project root (symbolic links are resolved before that test).
//! [`Imports`] is what one compile sees: every declaration its `use`s reach, by id, and which of
//! them the policy took, so that only those are lowered and an unused import is reported.
//!
//! Library trees are parsed with spans in [`FileId::MAIN`]; a compile gives each library it
//! reaches a [`FileId`] of its own and re-stamps the items it takes, so that diagnostics point
//! into the library.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use crate::diagnostic::{Diagnostic, Span, did_you_mean};
use crate::source::{FileId, Sources};
use crate::syntax::{self, Item, ValueKind};

/// What a library may declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Organisation,
    Activity,
    Section,
    Defaults,
}

impl Kind {
    /// What a keyword at the top of a library declares.
    pub fn of(keyword: &str) -> Option<Kind> {
        Some(match keyword {
            "organisation" => Kind::Organisation,
            "activity" => Kind::Activity,
            "section" => Kind::Section,
            "defaults" => Kind::Defaults,
            _ => return None,
        })
    }

    pub fn keyword(self) -> &'static str {
        match self {
            Kind::Organisation => "organisation",
            Kind::Activity => "activity",
            Kind::Section => "section",
            Kind::Defaults => "defaults",
        }
    }
}

/// A parsed library file.
pub struct Library {
    /// How diagnostics name it: the path as the policy wrote it, resolved against the importing
    /// file's folder, or `std/<name>.klar`.
    pub name: String,
    pub text: Arc<str>,
    syntax: syntax::File,
    /// What parsing and reading the declarations found, with spans in [`FileId::MAIN`].
    problems: Vec<Diagnostic>,
    /// Its own imports: the path as written, the span of the value and the library's folder.
    uses: Vec<(String, Span)>,
    /// Its declarations: id, kind and index of the item in `syntax.items`.
    declarations: Vec<(String, Kind, usize)>,
    /// The folder its own imports are relative to; `None` for the standard library.
    folder: Option<PathBuf>,
}

impl Library {
    /// Parses a library.
    pub fn parse(name: impl Into<String>, text: &str, folder: Option<PathBuf>) -> Library {
        let parsed = syntax::parse(text);
        let top = Top::read(&parsed.file);
        let mut problems = parsed.problems;
        problems.extend(top.problems);
        Library {
            name: name.into(),
            text: Arc::from(text),
            syntax: parsed.file,
            problems,
            uses: top.uses,
            declarations: top.declarations,
            folder,
        }
    }

    /// What parsing the library and reading its declarations found.
    pub fn problems(&self) -> &[Diagnostic] {
        &self.problems
    }

    /// The ids the library declares, with their kinds, in source order.
    pub fn declarations(&self) -> impl Iterator<Item = (&str, Kind)> {
        self.declarations
            .iter()
            .map(|(id, kind, _)| (id.as_str(), *kind))
    }
}

/// The top of a library: its imports and declarations, and what may not stand there.
pub struct Top {
    /// The paths as written, with the spans of the values.
    uses: Vec<(String, Span)>,
    /// Id, kind and index of the item in the file's items.
    declarations: Vec<(String, Kind, usize)>,
    pub problems: Vec<Diagnostic>,
}

impl Top {
    /// Reads the top-level items of a library: `use`, `organisation`, `activity`, `section` and
    /// `defaults`, each declaration with an id.
    pub fn read(file: &syntax::File) -> Top {
        let mut top = Top {
            uses: Vec::new(),
            declarations: Vec::new(),
            problems: Vec::new(),
        };
        for (index, item) in file.items.iter().enumerate() {
            let keyword = item.keyword.text.as_str();
            if keyword == "use" {
                match item.values.as_slice() {
                    [value] if matches!(value.kind, ValueKind::String(_)) => {
                        if let ValueKind::String(path) = &value.kind {
                            top.uses.push((path.to_string(), value.span));
                        }
                    }
                    _ => top.problems.push(use_needs_path(item.keyword.span)),
                }
                continue;
            }
            let Some(kind) = Kind::of(keyword) else {
                let help = if keyword == "policy" {
                    "a file with a policy is compiled, not imported: move what it shares into a library"
                } else {
                    "a library holds `use`, `organisation`, `activity`, `section` and `defaults`; a policy imports it"
                };
                top.problems.push(
                    Diagnostic::error(
                        "not-in-library",
                        item.keyword.span,
                        format!("`{keyword}` cannot stand at the top of a library"),
                    )
                    .with_help(help),
                );
                continue;
            };
            match item.values.first().map(|v| &v.kind) {
                Some(ValueKind::Word(id)) if id != "from" => {
                    top.declarations.push((id.clone(), kind, index));
                }
                _ => top.problems.push(
                    Diagnostic::error(
                        "missing-id",
                        item.keyword.span,
                        format!(
                            "a `{keyword}` in a library needs an id, so that policies can name it"
                        ),
                    )
                    .with_help(format!("write e.g. `{keyword} hosting …`")),
                ),
            }
        }
        top
    }
}

pub(crate) fn use_needs_path(span: Span) -> Diagnostic {
    Diagnostic::error(
        "wrong-value",
        span,
        "`use` takes the path of a library file in quotes",
    )
    .with_help("write e.g. `use \"lib/hosting.klar\"`")
}

/// Whether a parsed file is a library: it has declarations or imports at the top and no policy.
pub fn is_library(file: &syntax::File) -> bool {
    !file.items.iter().any(|item| item.keyword.text == "policy")
        && file
            .items
            .iter()
            .any(|item| item.keyword.text == "use" || Kind::of(&item.keyword.text).is_some())
}

/// The libraries of one run and the folder imports may not leave.
pub struct Project {
    /// The project root, resolved; `None` when it cannot be resolved, and then every import
    /// from a file is refused.
    root: Option<PathBuf>,
    libraries: Mutex<HashMap<PathBuf, Arc<Library>>>,
}

impl Project {
    /// A project whose imports may not leave `root`.
    pub fn new(root: &Path) -> Project {
        Project {
            root: std::fs::canonicalize(root).ok(),
            libraries: Mutex::new(HashMap::new()),
        }
    }

    /// A project rooted in the current directory.
    pub fn here() -> Project {
        Project::new(Path::new("."))
    }

    /// The library at `path` (as written in a `use`, relative to `folder`), read and parsed the
    /// first time it is asked for.
    fn library(&self, folder: &Path, path: &str) -> Result<Arc<Library>, String> {
        let joined = folder.join(path);
        let resolved = std::fs::canonicalize(&joined).map_err(|error| {
            if error.kind() == std::io::ErrorKind::NotFound {
                format!("{} does not exist", joined.display())
            } else {
                format!("cannot read {}: {error}", joined.display())
            }
        })?;
        let root = self
            .root
            .as_ref()
            .ok_or("the project root cannot be read, so no file can be imported")?;
        if !resolved.starts_with(root) {
            return Err(format!(
                "{} lies outside the project root (`--root`, by default the current folder)",
                joined.display()
            ));
        }
        if let Some(library) = self.cached(&resolved) {
            return Ok(library);
        }
        let bytes = crate::load::read_policy(&resolved)?;
        let text =
            crate::decode(&bytes).map_err(|_| format!("{} is not UTF-8 text", joined.display()))?;
        let name = resolved.strip_prefix(root).map_or_else(
            |_| resolved.display().to_string(),
            |p| p.display().to_string(),
        );
        let library = Arc::new(Library::parse(
            name,
            &text,
            resolved.parent().map(Path::to_path_buf),
        ));
        let mut libraries = self.libraries.lock().unwrap_or_else(|e| e.into_inner());
        Ok(Arc::clone(libraries.entry(resolved).or_insert(library)))
    }

    /// How many library files the project has read so far.
    pub fn libraries_read(&self) -> usize {
        self.libraries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }

    fn cached(&self, path: &Path) -> Option<Arc<Library>> {
        let libraries = self.libraries.lock().unwrap_or_else(|e| e.into_inner());
        libraries.get(path).cloned()
    }
}

impl Default for Project {
    fn default() -> Self {
        Project::here()
    }
}

/// The files of the standard library, embedded in the binary, by topic (`docs/std.md` lists
/// their entries). An entry may name an organisation of another file: the file that declares it
/// is reached when it is first named.
const STD_FILES: &[(&str, &str)] = &[
    ("std/hosting.klar", include_str!("../std/hosting.klar")),
    ("std/contact.klar", include_str!("../std/contact.klar")),
    ("std/services.klar", include_str!("../std/services.klar")),
    ("std/website.klar", include_str!("../std/website.klar")),
    (
        "std/social-media.klar",
        include_str!("../std/social-media.klar"),
    ),
    ("std/operators.klar", include_str!("../std/operators.klar")),
];

/// The standard library, parsed once per process.
pub fn standard_library() -> &'static [Arc<Library>] {
    static STD: OnceLock<Vec<Arc<Library>>> = OnceLock::new();
    STD.get_or_init(|| {
        STD_FILES
            .iter()
            .map(|(name, text)| Arc::new(Library::parse(*name, text, None)))
            .collect()
    })
}

/// A library one compile reached.
struct Reached {
    library: Arc<Library>,
    /// Its id in the compile's sources, once added.
    file: Option<FileId>,
    /// Whether the policy took one of its declarations.
    used: bool,
    /// The libraries it imports, by index in [`Imports::reached`].
    imports: Vec<usize>,
}

/// Where a declaration is: the library (index in [`Imports::reached`]), its kind and item.
#[derive(Clone, Copy)]
struct Declared {
    library: usize,
    kind: Kind,
    item: usize,
}

/// The declarations one compile can take from libraries, and what it took.
#[derive(Default)]
pub struct Imports {
    reached: Vec<Reached>,
    declarations: BTreeMap<String, Declared>,
    /// The policy's own `use`s: the span of the path and the library reached, if it was read.
    uses: Vec<(Span, Option<usize>)>,
}

impl Imports {
    /// Reads the libraries the `use`s of a policy's tree reach (`folder` is the policy's),
    /// adding each to `sources`. Reports unreadable paths, cycles, name clashes between
    /// libraries, and every problem inside a library.
    pub fn resolve(
        project: &Project,
        folder: &Path,
        file: &syntax::File,
        sources: &mut Sources,
    ) -> (Imports, Vec<Diagnostic>) {
        let mut imports = Imports::default();
        let mut problems = Vec::new();
        // A policy's `use`s stand in its block; a library's at the top.
        let policy_uses: Vec<(String, Span)> = file
            .items
            .iter()
            .flat_map(|item| match item.keyword.text.as_str() {
                "policy" => item.block.iter().flatten().collect::<Vec<_>>(),
                _ => vec![item],
            })
            .filter(|item| item.keyword.text == "use")
            .filter_map(|item| match item.values.as_slice() {
                [value] => match &value.kind {
                    ValueKind::String(path) => Some((path.to_string(), value.span)),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        for (path, span) in policy_uses {
            let reached = imports.reach(
                project,
                folder,
                (&path, span),
                &mut Vec::new(),
                sources,
                &mut problems,
            );
            imports.uses.push((span, reached));
        }
        (imports, problems)
    }

    /// Reaches the library a `use` names (its path, and the span of the path in the file whose
    /// folder is `folder`); `stack` holds the libraries being read, to find cycles.
    fn reach(
        &mut self,
        project: &Project,
        folder: &Path,
        (path, span): (&str, Span),
        stack: &mut Vec<(usize, Span)>,
        sources: &mut Sources,
        problems: &mut Vec<Diagnostic>,
    ) -> Option<usize> {
        let library = match project.library(folder, path) {
            Ok(library) => library,
            Err(message) => {
                problems.push(
                    Diagnostic::error(
                        "unreadable-import",
                        span,
                        format!("cannot import `{path}`: {message}"),
                    )
                    .with_label("this library")
                    .with_help(
                        "a path is relative to the file that imports it and stays inside the project root",
                    ),
                );
                return None;
            }
        };
        // The project hands out one `Arc` a file: a library reached before is the same one.
        let before = self
            .reached
            .iter()
            .position(|reached| Arc::ptr_eq(&reached.library, &library));
        if let Some(index) = before {
            if let Some(at) = stack.iter().position(|(i, _)| *i == index) {
                let cycle: Vec<&str> = stack[at..]
                    .iter()
                    .map(|(i, _)| self.reached[*i].library.name.as_str())
                    .chain([library.name.as_str()])
                    .collect();
                let mut problem = Diagnostic::error(
                    "import-cycle",
                    span,
                    format!(
                        "the libraries import each other in a circle: {}",
                        cycle.join(" → ")
                    ),
                )
                .with_help("move what both need into a third library that imports neither");
                if let Some((_, first)) = stack.get(at) {
                    problem = problem.with_related(*first, "the circle starts here");
                }
                problems.push(problem);
            }
            return Some(index);
        }
        let file = sources.add(library.name.clone(), library.text.to_string());
        let index = self.reached.len();
        problems.extend(library.problems.iter().map(|p| p.clone().with_file(file)));
        for (id, kind, item) in &library.declarations {
            let declared = Declared {
                library: index,
                kind: *kind,
                item: *item,
            };
            let here = library.syntax.items[*item].span.head(kind.keyword());
            if let Some(first) = self.declarations.get(id) {
                let first_span = self.declaration_span(*first);
                problems.push(
                    Diagnostic::error(
                        "duplicate-id",
                        here.with_file(file),
                        format!("the id `{id}` is declared by two libraries"),
                    )
                    .with_related(first_span, "first declared here")
                    .with_help("rename one of them, in the library and where it is used"),
                );
                continue;
            }
            self.declarations.insert(id.clone(), declared);
        }
        self.reached.push(Reached {
            library: Arc::clone(&library),
            file: Some(file),
            used: false,
            imports: Vec::new(),
        });
        let inner_folder = library
            .folder
            .clone()
            .unwrap_or_else(|| folder.to_path_buf());
        stack.push((index, span));
        for (inner, inner_span) in &library.uses {
            let inner_span = inner_span.with_file(file);
            if let Some(reached) = self.reach(
                project,
                &inner_folder,
                (inner, inner_span),
                stack,
                sources,
                problems,
            ) {
                self.reached[index].imports.push(reached);
            }
        }
        stack.pop();
        Some(index)
    }

    fn declaration_span(&self, declared: Declared) -> Span {
        let reached = &self.reached[declared.library];
        let item = &reached.library.syntax.items[declared.item];
        let span = item.span.head(declared.kind.keyword());
        reached.file.map_or(span, |file| span.with_file(file))
    }

    /// Where the library declaration `id` is, if a library declares it (for clashes with the
    /// policy's own ids).
    pub fn declared(&self, id: &str) -> Option<(Kind, Span)> {
        self.declarations
            .get(id)
            .map(|d| (d.kind, self.declaration_span(*d)))
    }

    /// Whether a library of the compile, or the standard library, declares `id` as `kind`.
    pub fn provides(&mut self, id: &str, kind: Kind) -> bool {
        if !self.declarations.contains_key(id) && id.starts_with("std.") {
            self.reach_standard(id);
        }
        self.declarations.get(id).is_some_and(|d| d.kind == kind)
    }

    /// Takes the declaration `id` of `kind`: its item, re-stamped with its library's file id.
    /// A declaration of the standard library is added to the sources when first taken.
    pub fn take(&mut self, id: &str, kind: Kind, sources: &mut Sources) -> Option<Item> {
        if !self.declarations.contains_key(id) && id.starts_with("std.") {
            self.reach_standard(id);
        }
        let declared = *self.declarations.get(id).filter(|d| d.kind == kind)?;
        let reached = &mut self.reached[declared.library];
        reached.used = true;
        let file = match reached.file {
            Some(file) => file,
            None => {
                let file = sources.add(
                    reached.library.name.clone(),
                    reached.library.text.to_string(),
                );
                reached.file = Some(file);
                file
            }
        };
        Some(reached.library.syntax.items[declared.item].with_file(file))
    }

    /// Makes the standard library file that declares `id` reachable (not yet added to the sources).
    fn reach_standard(&mut self, id: &str) {
        let Some(library) = standard_library()
            .iter()
            .find(|l| l.declarations.iter().any(|(d, _, _)| d == id))
        else {
            return;
        };
        if self
            .reached
            .iter()
            .any(|r| Arc::ptr_eq(&r.library, library))
        {
            return;
        }
        let index = self.reached.len();
        for (declared, kind, item) in &library.declarations {
            self.declarations
                .entry(declared.clone())
                .or_insert(Declared {
                    library: index,
                    kind: *kind,
                    item: *item,
                });
        }
        self.reached.push(Reached {
            library: Arc::clone(library),
            file: None,
            used: false,
            imports: Vec::new(),
        });
    }

    /// The text of a library file of this compile, for fixes that keep what the author wrote.
    pub fn text(&self, file: FileId) -> Option<&str> {
        self.reached
            .iter()
            .find(|r| r.file == Some(file))
            .map(|r| &*r.library.text)
    }

    /// The ids of `kind` a policy can take, for "did you mean": those of its libraries and of
    /// the standard library.
    pub fn suggest(&self, id: &str, kind: Kind) -> Option<String> {
        let mine = self
            .declarations
            .iter()
            .filter(|(_, d)| d.kind == kind)
            .map(|(id, _)| id.as_str());
        let standard = standard_library()
            .iter()
            .flat_map(|l| l.declarations())
            .filter(|(_, k)| *k == kind)
            .map(|(id, _)| id);
        did_you_mean(id, mine.chain(standard)).map(str::to_string)
    }

    /// A warning for each `use` of the policy from which nothing was taken, directly or through
    /// the libraries it imports.
    pub fn unused(&self) -> Vec<Diagnostic> {
        self.uses
            .iter()
            .filter_map(|(span, reached)| {
                let reached = (*reached)?;
                (!self.used_through(reached, &mut Vec::new())).then(|| {
                    Diagnostic::warning(
                        "unused-import",
                        *span,
                        format!(
                            "nothing of `{}` is used",
                            self.reached[reached].library.name
                        ),
                    )
                    .with_label("imported here")
                    .with_help("remove the `use`, or take one of its declarations")
                })
            })
            .collect()
    }

    fn used_through(&self, index: usize, seen: &mut Vec<usize>) -> bool {
        if seen.contains(&index) {
            return false;
        }
        seen.push(index);
        let reached = &self.reached[index];
        reached.used
            || reached
                .imports
                .clone()
                .into_iter()
                .any(|inner| self.used_through(inner, seen))
    }
}
