//! Reading a file that configuration names (a key file, a wordlist, the project file) without
//! being led astray by what the name really is.
//!
//! - Only regular files, judged on the opened handle, not the path: the open itself never
//!   blocks (`O_NONBLOCK`, so a FIFO cannot stall it), and FIFOs, sockets, devices
//!   (`/dev/zero`, `/dev/stdin`) and pseudo-files (`/proc`, `/sys`) are refused before a byte
//!   is read.
//! - A size cap, and never more bytes than the file said it had when opened (a file that grows
//!   or lies about its size is refused rather than read without end).
//! - Paths from `.jwt-lsp.toml`, a file in a repository someone else wrote, must also resolve
//!   inside the project folder after following symlinks (`confine`). Refusing such a path says
//!   the same thing whether or not the target exists, so a cloned repository cannot probe the
//!   file system through jwt-lsp's messages.

use std::fs::File;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::time::SystemTime;

/// Why a path from the project file was refused. Deliberately the same text for every reason
/// (absolute path elsewhere, `..` escape, symlink out, missing target behind such a link).
pub const OUTSIDE_PROJECT: &str =
    "refused: it is outside the project folder (files named in .jwt-lsp.toml must be inside it)";

/// A regular file, opened and checked, not read yet.
pub struct Opened {
    file: File,
    pub len: u64,
    pub modified: Option<SystemTime>,
}

impl Opened {
    /// The whole file: at most the length it had when opened.
    pub fn read(self) -> Result<Vec<u8>, String> {
        let mut bytes = Vec::with_capacity(self.len as usize);
        // One byte more than announced tells a growing (or size-less) file from a finished one.
        self.file.take(self.len + 1).read_to_end(&mut bytes).map_err(|err| format!("cannot read: {err}"))?;
        if bytes.len() as u64 > self.len {
            return Err("refused: the file grew while it was read".to_string());
        }
        Ok(bytes)
    }
}

/// Opens `path` for reading if it is a regular file of at most `max_bytes` bytes. `what` names
/// the limit in the message ("key files").
pub fn open_regular(path: &Path, max_bytes: u64, what: &str) -> Result<Opened, String> {
    let file = open_nonblocking(path).map_err(|err| format!("cannot read: {err}"))?;
    let metadata = file.metadata().map_err(|err| format!("cannot read: {err}"))?;
    if !metadata.file_type().is_file() {
        return Err(format!("refused: not a regular file ({})", kind_of(&metadata)));
    }
    if let Some(filesystem) = pseudo_filesystem(&file) {
        return Err(format!("refused: a {filesystem} pseudo-file, not a regular file"));
    }
    if metadata.len() > max_bytes {
        return Err(format!("{} bytes, over the {max_bytes}-byte limit for {what}", metadata.len()));
    }
    Ok(Opened { file, len: metadata.len(), modified: metadata.modified().ok() })
}

/// `open_regular` and `read` in one.
pub fn read_regular(path: &Path, max_bytes: u64, what: &str) -> Result<Vec<u8>, String> {
    open_regular(path, max_bytes, what)?.read()
}

/// Opens `path` for reading without ever blocking in `open` (a FIFO would wait for a writer).
/// The caller must still check the handle's file type before reading.
#[cfg(unix)]
pub fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer. It has no effect
    // on reads from regular files, the only kind read after the checks below.
    std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)
}

#[cfg(not(unix))]
pub fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

fn kind_of(metadata: &std::fs::Metadata) -> &'static str {
    let kind = metadata.file_type();
    if kind.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO or pipe";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    "not a plain file"
}

/// The name of the pseudo-filesystem the open file lives on (`/proc`, `/sys` and kin), whose
/// "regular files" are generated on read and report no real size.
#[cfg(target_os = "linux")]
fn pseudo_filesystem(file: &File) -> Option<&'static str> {
    use std::os::fd::AsRawFd;
    // Magic numbers from linux/magic.h.
    const PSEUDO: &[(u32, &str)] = &[
        (0x9fa0, "/proc"),
        (0x6265_6572, "/sys"),
        (0x6462_6720, "debugfs"),
        (0x7472_6163, "tracefs"),
        (0x7363_6673, "securityfs"),
        (0xde5e_81e4, "efivarfs"),
        (0x2762_4b50, "cgroup"),
        (0x6367_7270, "cgroup2"),
    ];
    let mut stats = std::mem::MaybeUninit::<libc::statfs>::uninit();
    // SAFETY: the descriptor is open for the duration of the call and `stats` is a valid
    // out-pointer of the right type; it is read only when the call succeeds.
    let status = unsafe { libc::fstatfs(file.as_raw_fd(), stats.as_mut_ptr()) };
    if status != 0 {
        return None;
    }
    // SAFETY: fstatfs succeeded, so it initialised `stats`.
    let stats = unsafe { stats.assume_init() };
    // `f_type` is a signed or unsigned word depending on the target; the magic numbers are 32-bit.
    #[allow(clippy::unnecessary_cast)]
    let magic = stats.f_type as u32;
    PSEUDO.iter().find(|(known, _)| *known == magic).map(|(_, name)| *name)
}

#[cfg(not(target_os = "linux"))]
fn pseudo_filesystem(_file: &File) -> Option<&'static str> {
    None
}

/// `entry` (relative to `root`, or absolute) with `.` and `..` resolved by hand; `None` when it
/// climbs above `root` or is absolute and not under it. No file system access.
pub fn lexically_inside(root: &Path, entry: &str) -> Option<PathBuf> {
    let entry = Path::new(entry);
    let relative = if entry.is_absolute() {
        let normal_root = normalize(root)?;
        normalize(entry)?.strip_prefix(&normal_root).ok()?.to_path_buf()
    } else {
        entry.to_path_buf()
    };
    let inside = normalize(&relative)?;
    if inside.has_root() {
        return None;
    }
    Some(root.join(inside))
}

/// `.` dropped and `..` applied; `None` when `..` would leave the start of `path`.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    let mut depth = 0usize;
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if depth == 0 {
                    return None;
                }
                out.pop();
                depth -= 1;
            }
            Component::Normal(name) => {
                out.push(name);
                depth += 1;
            }
            Component::RootDir | Component::Prefix(_) => out.push(component.as_os_str()),
        }
    }
    Some(out)
}

/// The real path of `path` (symlinks followed) if it lies inside `root`; `Err(OUTSIDE_PROJECT)`
/// if it leads out, or could lead out through a link whose target is missing. A path that is
/// inside but does not exist comes back as is, so reading it reports "not found" (files in the
/// project folder are the project's own business).
pub fn confine(root: &Path, path: &Path) -> Result<PathBuf, String> {
    let outside = || Err(OUTSIDE_PROJECT.to_string());
    let Ok(real_root) = std::fs::canonicalize(root) else { return outside() };
    let Some(path) = normalize(path) else { return outside() };
    match std::fs::canonicalize(&path) {
        Ok(real) if real.starts_with(&real_root) => Ok(real),
        Ok(_) => outside(),
        Err(_) => {
            // Find the longest prefix that exists as a directory entry (a dangling link counts).
            let mut existing = path.as_path();
            while std::fs::symlink_metadata(existing).is_err() {
                match existing.parent() {
                    Some(parent) => existing = parent,
                    None => return outside(),
                }
            }
            match std::fs::canonicalize(existing) {
                // A real directory inside the project: only the rest of the name is missing.
                Ok(real) if real.starts_with(&real_root) && existing != path => Ok(path),
                // A link whose target is missing, or anything resolving elsewhere: no answer.
                _ => outside(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_containment() {
        let root = Path::new("/repo");
        assert_eq!(lexically_inside(root, "keys/a.pem"), Some(PathBuf::from("/repo/keys/a.pem")));
        assert_eq!(lexically_inside(root, "./keys/../b.pem"), Some(PathBuf::from("/repo/b.pem")));
        assert_eq!(lexically_inside(root, "/repo/keys/a.pem"), Some(PathBuf::from("/repo/keys/a.pem")));
        assert_eq!(lexically_inside(root, "../../other/key.pem"), None);
        assert_eq!(lexically_inside(root, "keys/../../etc/shadow"), None);
        assert_eq!(lexically_inside(root, "/etc/shadow"), None);
        assert_eq!(lexically_inside(root, "/repo/../etc/shadow"), None);
        assert_eq!(lexically_inside(root, "/repository/x"), None);
    }

    #[cfg(unix)]
    #[test]
    fn confine_follows_links_and_answers_alike_for_missing_targets() {
        let outside_dir = tempfile::tempdir().unwrap();
        std::fs::write(outside_dir.path().join("secret"), "x").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("keys")).unwrap();
        std::fs::write(root.join("keys/a.pem"), "x").unwrap();
        std::os::unix::fs::symlink(outside_dir.path().join("secret"), root.join("keys/exists.pem")).unwrap();
        std::os::unix::fs::symlink(outside_dir.path().join("nothing"), root.join("keys/missing.pem")).unwrap();
        std::os::unix::fs::symlink(outside_dir.path(), root.join("elsewhere")).unwrap();
        std::os::unix::fs::symlink(root.join("keys/a.pem"), root.join("alias.pem")).unwrap();

        assert!(confine(root, &root.join("keys/a.pem")).unwrap().ends_with("keys/a.pem"));
        assert!(confine(root, &root.join("alias.pem")).unwrap().ends_with("keys/a.pem"));
        assert!(confine(root, &root.join("keys/not-there.pem")).is_ok(), "missing inside: reported on read");
        for escaping in ["keys/exists.pem", "keys/missing.pem", "elsewhere/secret", "elsewhere/nothing", "../x"] {
            assert_eq!(confine(root, &root.join(escaping)), Err(OUTSIDE_PROJECT.to_string()), "{escaping}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn only_regular_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        assert!(read_regular(&fifo, 100, "tests").unwrap_err().contains("FIFO"));
        assert!(read_regular(Path::new("/dev/zero"), 100, "tests").unwrap_err().contains("device"));
        assert!(read_regular(dir.path(), 100, "tests").unwrap_err().contains("directory"));
        #[cfg(target_os = "linux")]
        assert!(read_regular(Path::new("/proc/self/environ"), 100, "tests").unwrap_err().contains("/proc"));
        let big = dir.path().join("big");
        std::fs::write(&big, [b'x'; 101]).unwrap();
        assert!(read_regular(&big, 100, "tests").unwrap_err().contains("100-byte limit for tests"));
        std::fs::write(&big, b"fine").unwrap();
        assert_eq!(read_regular(&big, 100, "tests").unwrap(), b"fine");
    }
}
