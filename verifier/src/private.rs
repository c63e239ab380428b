//! Files that hold personal data (names, birth dates, e-mail addresses) or secrets: readable by
//! their owner only, whatever the umask. The data directory is 0700 and the database 0600, so
//! that no other local user can read the archive; lists of invitations and proof bundles that the
//! command line writes are 0600. Elsewhere than on Unix these are plain file operations.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// Creates `dir` and its missing parents as 0700; an existing `dir` is tightened ([`restrict`]).
pub fn create_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|e| at(dir, e))?;
    restrict(dir)
}

/// Opens `path` to be written from the start, creating it as 0600, or tightening an existing
/// file to 0600 before anything is written into it.
pub fn create_file(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path).map_err(|e| at(path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600)).map_err(|e| at(path, e))?;
    }
    file.set_len(0).map_err(|e| at(path, e))?;
    Ok(file)
}

/// Writes `bytes` to a file readable by its owner only ([`create_file`]).
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write as _;
    create_file(path)?.write_all(bytes).map_err(|e| at(path, e))
}

/// Removes group and other access from `path` if it exists and has any; an archive made loosely
/// (by hand, or before this rule) is tightened rather than refused. Fails, naming the path, if
/// that is not allowed (the file is someone else's).
pub fn restrict(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = match std::fs::metadata(path) {
            Ok(metadata) => metadata.permissions().mode(),
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(error) => return Err(at(path, error)),
        };
        if mode & 0o077 != 0 {
            let owner_only = mode & 0o700;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(owner_only)).map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("{} is readable by others and cannot be made owner-only: {e}", path.display()),
                )
            })?;
            tracing::warn!(path = %path.display(), "made owner-only: it holds personal data");
        }
    }
    Ok(())
}

/// [`restrict`] for the data directory, the database in it and SQLite's `-wal` and `-shm` files
/// beside it (SQLite gives those the database's mode when it creates them).
pub fn restrict_archive(dir: &Path, database: &Path) -> io::Result<()> {
    let sibling = |suffix: &str| {
        let mut name = database.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    for path in [dir.to_path_buf(), database.to_path_buf(), sibling("-wal"), sibling("-shm")] {
        restrict(&path)?;
    }
    Ok(())
}

/// `error` with the path it happened at.
fn at(path: &Path, error: io::Error) -> io::Error {
    io::Error::new(error.kind(), format!("{}: {error}", path.display()))
}
