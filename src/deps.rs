//! Reading a service's dependency files for the analysis (issue 13): which service a file belongs
//! to (`service::Services`, from the folders on its way), its manifests and lockfiles, the
//! `-r` includes of requirements files, and the advisories (built in, or a newer file). Every
//! file is read through `keys::file` (regular files only, size cap, confined to the project).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub use jwt_lsp_core::deps::*;

use crate::bundled;
use crate::keys::file;
use crate::service::Services;
use jwt_lsp_core::analysis::DependencySource;
use jwt_lsp_core::deps::settings::SettingsFile;

/// The manifests and lockfiles read by name (the server watches them; `requirements*.txt` too).
pub const WATCHED_FILE_NAMES: [&str; 21] = [
    "package.json",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "go.mod",
    "pyproject.toml",
    "poetry.lock",
    "Pipfile.lock",
    "uv.lock",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "gradle.lockfile",
    "packages.lock.json",
    "Directory.Packages.props",
    "Gemfile",
    "Gemfile.lock",
    "composer.json",
    "composer.lock",
    "Cargo.lock",
];

/// Lockfiles of large monorepos reach tens of MB; anything beyond this is not read.
pub const MAX_DEPENDENCY_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// `-r` includes followed from one requirements file, at most this deep (a loop stops earlier).
const MAX_INCLUDE_DEPTH: usize = 8;

/// The advisories to judge by: the file named by `--advisories` / the `advisories` setting, else
/// the built-in list.
pub fn advisories(configured: Option<&str>) -> Result<Arc<Advisories>, String> {
    match configured {
        None => Ok(bundled::advisories()),
        Some(path) => {
            let bytes = file::read_regular(Path::new(path), MAX_DEPENDENCY_FILE_BYTES, "advisories files")
                .map_err(|err| format!("advisories file {path}: {err}"))?;
            let text = String::from_utf8(bytes).map_err(|_| format!("advisories file {path}: not UTF-8 text"))?;
            Advisories::parse(&text).map(Arc::new).map_err(|err| format!("advisories file {path}: {err}"))
        }
    }
}

/// The dependency files of services, read once per service folder and shared by every file in
/// it (the CLI's parallel walk, the server's documents).
pub struct ServiceCache {
    /// Folders above this are never looked at, and `-r` includes must stay inside it.
    root: PathBuf,
    /// How the analysis names a file (the path `analysis::Document::path` carries).
    naming: Box<dyn Fn(&Path) -> String + Send + Sync>,
    advisories: Arc<Advisories>,
    services_of_folders: Mutex<HashMap<PathBuf, PathBuf>>,
    /// Whether a folder holds a manifest (listed once).
    manifest_folders: Mutex<HashMap<PathBuf, bool>>,
    dependencies: Mutex<HashMap<PathBuf, Arc<Dependencies>>>,
    /// The working directory at creation: relative paths are made absolute against it without a
    /// `getcwd` per file (`std::path::absolute` asks every time).
    cwd: PathBuf,
}

impl ServiceCache {
    pub fn new(
        root: PathBuf,
        naming: impl Fn(&Path) -> String + Send + Sync + 'static,
        advisories: Arc<Advisories>,
    ) -> ServiceCache {
        let cwd = std::env::current_dir().unwrap_or_default();
        let root = absolute_against(&cwd, &root);
        ServiceCache {
            root,
            cwd,
            naming: Box::new(naming),
            advisories,
            services_of_folders: Mutex::default(),
            manifest_folders: Mutex::default(),
            dependencies: Mutex::default(),
        }
    }

    fn absolute(&self, path: &Path) -> PathBuf {
        absolute_against(&self.cwd, path)
    }

    /// The dependencies of the service `path` belongs to. Only worth asking for dependency
    /// files and source code (`wants`).
    pub fn for_file(&self, path: &Path) -> Arc<Dependencies> {
        let path = self.absolute(path);
        let service = self.service_of(&path);
        if let Some(known) = self.dependencies.lock().expect("not poisoned").get(&service) {
            return known.clone();
        }
        let read = Arc::new(self.read_service(&service));
        self.dependencies.lock().expect("not poisoned").entry(service).or_insert(read).clone()
    }

    /// Forgets what was read (a manifest or lockfile changed on disk).
    pub fn clear(&self) {
        self.dependencies.lock().expect("not poisoned").clear();
        self.services_of_folders.lock().expect("not poisoned").clear();
        self.manifest_folders.lock().expect("not poisoned").clear();
    }

    /// A manifest or lockfile changed on disk (`changed`, absolute): forgets the dependencies of
    /// the services that read it — its own folder's, those below it (a workspace root's lockfile
    /// serves its packages) and any whose files include it (`-r` includes) — and which service
    /// each folder belongs to (a new manifest makes a new service). Returns the forgotten
    /// services' folders.
    pub fn forget_changed(&self, changed: &Path) -> Vec<PathBuf> {
        let changed = self.absolute(changed);
        let folder = changed.parent().unwrap_or(&changed).to_path_buf();
        let named = (self.naming)(&changed);
        let mut dependencies = self.dependencies.lock().expect("not poisoned");
        let forgotten: Vec<PathBuf> = dependencies
            .iter()
            .filter(|(service, read)| service.starts_with(&folder) || read.files.iter().any(|file| file.path == named))
            .map(|(service, _)| service.clone())
            .collect();
        for service in &forgotten {
            dependencies.remove(service);
        }
        self.services_of_folders.lock().expect("not poisoned").clear();
        self.manifest_folders.lock().expect("not poisoned").clear();
        forgotten
    }

    /// The folder of the service `path` (absolute) belongs to.
    pub fn service_folder(&self, path: &Path) -> PathBuf {
        let path = self.absolute(path);
        self.service_of(&path)
    }

    /// The nearest folder with a manifest on the way from `path` up to the root (`Services`
    /// decides from the names listed in those folders), else the root.
    fn service_of(&self, path: &Path) -> PathBuf {
        let folder = path.parent().unwrap_or(path).to_path_buf();
        if let Some(known) = self.services_of_folders.lock().expect("not poisoned").get(&folder) {
            return known.clone();
        }
        // Up from the file's folder to the first with a manifest. Each folder is listed once per
        // run and remembered (a 26,000-file tree listed `site-packages` once per subfolder).
        let mut found = None;
        for ancestor in folder.ancestors() {
            if self.has_manifest(ancestor) {
                found = Some(ancestor.to_path_buf());
                break;
            }
            if ancestor == self.root || !ancestor.starts_with(&self.root) {
                break;
            }
        }
        let service =
            found.unwrap_or_else(|| if folder.starts_with(&self.root) { self.root.clone() } else { folder.clone() });
        self.services_of_folders.lock().expect("not poisoned").insert(folder, service.clone());
        service
    }

    fn has_manifest(&self, folder: &Path) -> bool {
        if let Some(known) = self.manifest_folders.lock().expect("not poisoned").get(folder) {
            return *known;
        }
        let listed: Vec<PathBuf> = std::fs::read_dir(folder)
            .map(|entries| entries.flatten().map(|entry| entry.path()).collect())
            .unwrap_or_default();
        let has = Services::from_files(listed.iter().map(PathBuf::as_path)).roots().next().is_some();
        self.manifest_folders.lock().expect("not poisoned").insert(folder.to_path_buf(), has);
        has
    }

    fn read_service(&self, service: &Path) -> Dependencies {
        let mut files = Vec::new();
        let mut names: Vec<PathBuf> = std::fs::read_dir(service)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|entry| entry.path())
                    .filter(|path| path.file_name().and_then(|name| name.to_str()).is_some_and(is_dependency_file))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        // npm, yarn and pnpm workspaces, and Cargo workspaces, keep one lockfile at the root.
        for (manifest, lockfiles) in WORKSPACE_LOCKFILES {
            let named = |path: &PathBuf, wanted: &[&str]| {
                path.file_name().and_then(|name| name.to_str()).is_some_and(|name| wanted.contains(&name))
            };
            if !names.iter().any(|path| named(path, lockfiles))
                && names.iter().any(|path| named(path, &[manifest]))
                && let Some(lockfile) = self.workspace_lockfile(service, lockfiles)
            {
                names.push(lockfile);
            }
        }
        let mut seen = HashSet::new();
        for path in names {
            self.read_into(&path, false, 0, &mut seen, &mut files);
        }
        Dependencies { files, advisories: self.advisories.clone(), settings: self.read_settings(service) }
    }

    /// The service folder's `appsettings*.json`, `appsettings.json` first (a key read from
    /// configuration resolves to the value committed there).
    fn read_settings(&self, service: &Path) -> Vec<SettingsFile> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(service)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|entry| entry.path())
                    .filter(|path| {
                        path.file_name().and_then(|name| name.to_str()).is_some_and(settings::is_settings_file)
                    })
                    .collect()
            })
            .unwrap_or_default();
        paths.sort_by_key(|path| (!path.ends_with("appsettings.json"), path.clone()));
        paths
            .iter()
            .filter_map(|path| {
                let bytes = file::read_regular(path, MAX_DEPENDENCY_FILE_BYTES, "settings files").ok()?;
                settings::parse(&(self.naming)(path), &String::from_utf8(bytes).ok()?)
            })
            .collect()
    }

    fn workspace_lockfile(&self, service: &Path, lockfiles: &[&str]) -> Option<PathBuf> {
        service
            .ancestors()
            .skip(1)
            .take_while(|folder| folder.starts_with(&self.root))
            .find_map(|folder| lockfiles.iter().map(|name| folder.join(name)).find(|candidate| candidate.is_file()))
    }

    /// Reads and parses one file (as `as_requirements` for `-r` includes, whatever their name),
    /// then its includes.
    fn read_into(
        &self,
        path: &Path,
        as_requirements: bool,
        depth: usize,
        seen: &mut HashSet<PathBuf>,
        files: &mut Vec<DependencyFile>,
    ) {
        if depth > MAX_INCLUDE_DEPTH || !seen.insert(path.to_path_buf()) {
            return;
        }
        let Ok(bytes) = file::read_regular(path, MAX_DEPENDENCY_FILE_BYTES, "dependency files") else { return };
        let Ok(text) = String::from_utf8(bytes) else { return };
        let name = path.file_name().and_then(|name| name.to_str()).unwrap_or("");
        let parsed = if as_requirements { Some(parse_requirements(&text)) } else { parse(name, &text) };
        let Some(parsed) = parsed else { return };
        let includes = parsed.includes.clone();
        files.push(DependencyFile { path: (self.naming)(path), parsed });
        let folder = path.parent().unwrap_or(Path::new("."));
        for include in includes {
            // Repository content is untrusted: an include must stay inside the project.
            let Some(inside) = file::lexically_inside(folder, &include) else { continue };
            let Ok(real) = file::confine(&self.root, &inside) else { continue };
            self.read_into(&real, true, depth + 1, seen, files);
        }
    }
}

/// A manifest whose workspace may keep the lockfile in a folder above it, and those lockfiles.
const WORKSPACE_LOCKFILES: &[(&str, &[&str])] = &[
    ("package.json", &["package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml"]),
    ("Cargo.toml", &["Cargo.lock"]),
];

/// The dependencies of one file's service, looked up when its analysis first asks (a dependency
/// file, or code that names a JWT library): finding the service of every source file of a large
/// tree listed each of its folders a second time.
pub struct Lookup<'c> {
    cache: &'c ServiceCache,
    path: &'c Path,
    found: std::sync::OnceLock<Arc<Dependencies>>,
}

impl<'c> Lookup<'c> {
    pub fn new(cache: &'c ServiceCache, path: &'c Path) -> Lookup<'c> {
        Lookup { cache, path, found: std::sync::OnceLock::new() }
    }

    /// The dependencies, if the analysis asked for them.
    pub fn looked_up(&self) -> Option<&Dependencies> {
        self.found.get().map(|found| &**found)
    }
}

impl DependencySource for Lookup<'_> {
    fn dependencies(&self) -> Option<&Dependencies> {
        Some(self.found.get_or_init(|| self.cache.for_file(self.path)))
    }
}

impl std::fmt::Debug for Lookup<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lookup").field("path", &self.path).field("looked_up", &self.found.get().is_some()).finish()
    }
}

/// Whether a file's analysis can use its service's dependencies: a dependency file, or source
/// code whose library version matters.
pub fn wants(display: &str) -> bool {
    let name = display.rsplit('/').next().unwrap_or(display);
    // `-r` includes are often `requirements/base.txt`.
    let included_requirements = name.ends_with(".txt") && display.contains("requirements");
    is_dependency_file(name)
        || included_requirements
        // Source code: its library versions, and for C# the settings its keys come from. Go
        // import paths carry their versions; Markdown fences are examples, not the service's code.
        || crate::code::Language::detect(Some(display), None)
            .is_some_and(|language| !matches!(language, crate::code::Language::Go | crate::code::Language::Markdown))
}

/// `path` made absolute against `cwd`, with `.` components and repeated separators dropped (as
/// `std::path::absolute` does on Unix; `..` is kept: symlinks make it unsafe to fold).
fn absolute_against(cwd: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() { path.components().collect() } else { cwd.join(path).components().collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_made_absolute_like_std_without_asking_for_the_working_directory() {
        let cwd = Path::new("/work/repo");
        for path in ["./src/app.js", "src/./app.js", "src//app.js", "/work/repo/src/app.js"] {
            assert_eq!(absolute_against(cwd, Path::new(path)), Path::new("/work/repo/src/app.js"), "{path}");
        }
        assert_eq!(absolute_against(cwd, Path::new("../x")), Path::new("/work/repo/../x"));
    }

    #[test]
    fn watched_names_are_the_dependency_files_read() {
        for name in WATCHED_FILE_NAMES {
            assert!(is_dependency_file(name), "{name}");
        }
        for name in ["requirements.txt", "requirements-dev.txt"] {
            assert!(is_dependency_file(name), "{name}");
        }
    }
}
