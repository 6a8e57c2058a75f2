//! Copying and syncing files: every file and every folder is fsynced before a backup or a
//! restore says it is done.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Every regular file under `root`, relative to it (symbolic links are followed only to
/// files).
pub fn walk(root: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let dir = root.join(&rel);
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
            let path = entry.path();
            let meta = std::fs::metadata(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let child = rel.join(entry.file_name());
            if meta.is_dir() {
                stack.push(child);
            } else if meta.is_file() {
                out.push(child);
            }
        }
    }
    out.sort();
    Ok(out)
}

pub fn sync_dir(dir: &Path) -> Result<(), String> {
    std::fs::File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(|e| format!("cannot sync {}: {e}", dir.display()))
}

pub fn sync_file(path: &Path) -> Result<(), String> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| format!("cannot sync {}: {e}", path.display()))
}

/// Writes `bytes` to a new file and fsyncs it.
pub fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let mut f = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Copies every file under `src` into `dst` (created), except those whose absolute path is
/// in `skip` or lies under a folder in `skip`; fsyncs each file and each folder made.
/// Returns the number of files and bytes copied.
pub fn copy_tree(src: &Path, dst: &Path, skip: &[PathBuf]) -> Result<(usize, u64), String> {
    std::fs::create_dir_all(dst).map_err(|e| format!("{}: {e}", dst.display()))?;
    let mut dirs = vec![dst.to_path_buf()];
    let (mut count, mut bytes) = (0usize, 0u64);
    if !src.exists() {
        return Ok((0, 0));
    }
    let src_abs = std::fs::canonicalize(src).map_err(|e| format!("{}: {e}", src.display()))?;
    for rel in walk(&src_abs)? {
        let from = src_abs.join(&rel);
        if skip.iter().any(|s| from.starts_with(s)) {
            continue;
        }
        let to = dst.join(&rel);
        if let Some(parent) = to.parent() {
            if !parent.exists() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| format!("{}: {e}", parent.display()))?;
                dirs.push(parent.to_path_buf());
            }
        }
        bytes += std::fs::copy(&from, &to).map_err(|e| format!("{}: {e}", from.display()))?;
        sync_file(&to)?;
        count += 1;
    }
    for d in dirs.iter().rev() {
        sync_dir(d)?;
    }
    Ok((count, bytes))
}

/// True when `path` is missing, an empty file or an empty folder.
pub fn is_empty(path: &Path) -> bool {
    match std::fs::metadata(path) {
        Err(_) => true,
        Ok(m) if m.is_dir() => std::fs::read_dir(path)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false),
        Ok(m) => m.len() == 0,
    }
}

/// A path's absolute form, resolving what exists (the file itself may not yet).
pub fn absolute(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => absolute(parent).join(name),
        _ => std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf()),
    }
}
