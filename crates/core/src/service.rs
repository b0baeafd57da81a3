//! Services: the unit a token, a verifier call and a dependency belong to. A service is the
//! nearest folder holding a manifest (`package.json`, `go.mod`, `pyproject.toml`, ...), or the
//! workspace root when no folder on the way has one: a monorepo's `orders/` and `billing/` are two
//! services with their own verifiers and library versions.
//!
//! Pure: the caller lists the files it walked; nothing here reads the file system.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Whether a file with this name makes its folder a service.
pub fn is_manifest(file_name: &str) -> bool {
    const NAMES: &[&str] = &[
        "package.json",
        "go.mod",
        "pyproject.toml",
        "setup.py",
        "setup.cfg",
        "Pipfile",
        "Cargo.toml",
        "pom.xml",
        "build.gradle",
        "build.gradle.kts",
        "Gemfile",
        "composer.json",
    ];
    NAMES.contains(&file_name)
        || file_name.ends_with(".csproj")
        // `requirements.txt`, `requirements-dev.txt`, `requirements/base.txt` is not (its folder is
        // not the service).
        || (file_name.starts_with("requirements") && file_name.ends_with(".txt"))
}

/// The service folders of a workspace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Services {
    roots: BTreeSet<PathBuf>,
}

impl Services {
    /// The services of a walk: every folder holding a manifest among `files`.
    pub fn from_files<'a>(files: impl IntoIterator<Item = &'a Path>) -> Services {
        let roots = files
            .into_iter()
            .filter(|path| path.file_name().and_then(|name| name.to_str()).is_some_and(is_manifest))
            .filter_map(|path| path.parent().map(Path::to_path_buf))
            .collect();
        Services { roots }
    }

    /// The service `path` belongs to: the nearest ancestor folder with a manifest, or `None` (the
    /// workspace root, for the caller to name).
    pub fn service_of(&self, path: &Path) -> Option<&Path> {
        path.ancestors().skip(1).find_map(|folder| self.roots.get(folder)).map(PathBuf::as_path)
    }

    /// Every service folder, sorted.
    pub fn roots(&self) -> impl Iterator<Item = &Path> {
        self.roots.iter().map(PathBuf::as_path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_belongs_to_the_nearest_folder_with_a_manifest() {
        let files = [
            "repo/package.json",
            "repo/services/orders/package.json",
            "repo/services/orders/src/auth.js",
            "repo/services/billing/go.mod",
            "repo/services/billing/internal/auth/jwt.go",
            "repo/tools/requirements-dev.txt",
            "repo/docs/tokens.md",
            "repo/api/Api.csproj",
        ];
        let services = Services::from_files(files.iter().map(Path::new));
        let of = |path: &str| services.service_of(Path::new(path)).map(|root| root.to_str().unwrap().to_string());
        assert_eq!(of("repo/services/orders/src/auth.js").as_deref(), Some("repo/services/orders"));
        assert_eq!(of("repo/services/billing/internal/auth/jwt.go").as_deref(), Some("repo/services/billing"));
        assert_eq!(of("repo/docs/tokens.md").as_deref(), Some("repo"));
        assert_eq!(of("repo/tools/x.py").as_deref(), Some("repo/tools"));
        assert_eq!(of("repo/api/Program.cs").as_deref(), Some("repo/api"));
        // The manifest's own folder: `repo/package.json` belongs to `repo`.
        assert_eq!(of("repo/package.json").as_deref(), Some("repo"));
        assert_eq!(of("elsewhere/a.js"), None);
        assert_eq!(services.roots().count(), 5);
    }

    #[test]
    fn only_manifest_names_make_a_service() {
        for name in ["package.json", "go.mod", "pyproject.toml", "requirements.txt", "requirements-test.txt", "X.csproj"] {
            assert!(is_manifest(name), "{name}");
        }
        for name in ["package-lock.json", "go.sum", "poetry.lock", "requirements.in", "README.md", "tsconfig.json"] {
            assert!(!is_manifest(name), "{name}");
        }
    }
}
