//! The manifest: every file of a backup with its size and SHA-256. It is written last, to a
//! temporary name and then renamed, so a folder without one is never a finished backup.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::files;

/// The manifest's file name inside a backup folder.
pub const NAME: &str = "manifest.json";

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// Relative to the backup folder, with `/` between parts.
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub format: u32,
    pub yishi_version: String,
    /// UTC, `YYYY-MM-DD HH:MM:SS`.
    pub taken_at: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// The database copy, relative to the folder.
    pub database: String,
    pub files: Vec<FileEntry>,
}

/// Size and SHA-256 (hex) of one file.
pub fn hash_file(path: &Path) -> std::io::Result<(u64, String)> {
    let mut f = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((size, hex::encode(hasher.finalize())))
}

/// Every file under `root` except the manifest itself, sorted by path.
pub fn list(root: &Path) -> Result<Vec<FileEntry>, String> {
    let mut out = Vec::new();
    for rel in files::walk(root)? {
        let name = rel_name(&rel);
        if name == NAME {
            continue;
        }
        let (size, sha256) =
            hash_file(&root.join(&rel)).map_err(|e| format!("{}: {e}", rel.display()))?;
        out.push(FileEntry {
            path: name,
            size,
            sha256,
        });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

fn rel_name(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Writes the manifest to a temporary name, fsyncs it, renames it into place and fsyncs
/// the folder.
pub fn write(root: &Path, manifest: &Manifest) -> Result<(), String> {
    let text = serde_json::to_string_pretty(manifest).map_err(|e| e.to_string())?;
    let tmp = root.join(format!("{NAME}.tmp"));
    files::write_synced(&tmp, text.as_bytes())?;
    std::fs::rename(&tmp, root.join(NAME)).map_err(|e| format!("{}: {e}", tmp.display()))?;
    files::sync_dir(root)
}

pub fn read(root: &Path) -> Result<Manifest, String> {
    let path = root.join(NAME);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "{}: {e} (a folder without a manifest is not a finished backup)",
            path.display()
        )
    })?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// What differs between the folder and its manifest: missing, extra, resized or changed
/// files. Empty when the folder is exactly what the manifest lists.
pub fn problems(root: &Path, manifest: &Manifest) -> Result<Vec<String>, String> {
    let found = list(root)?;
    let mut out = Vec::new();
    for want in &manifest.files {
        match found.iter().find(|f| f.path == want.path) {
            None => out.push(format!("missing: {}", want.path)),
            Some(f) if f.size != want.size => out.push(format!(
                "wrong size: {} ({} bytes, the manifest says {})",
                want.path, f.size, want.size
            )),
            Some(f) if f.sha256 != want.sha256 => {
                out.push(format!("changed: {} (SHA-256 differs)", want.path))
            }
            Some(_) => {}
        }
    }
    for f in &found {
        if !manifest.files.iter().any(|w| w.path == f.path) {
            out.push(format!("not in the manifest: {}", f.path));
        }
    }
    Ok(out)
}

/// The path of a manifest entry on disk.
pub fn on_disk(root: &Path, rel: &str) -> PathBuf {
    rel.split('/')
        .fold(root.to_path_buf(), |p, part| p.join(part))
}
