//! The PostgreSQL copy: `pg_dump --format=custom`, restored with `pg_restore`. Larger sites
//! use PostgreSQL's own base backups and WAL archiving instead (see the README).

use std::path::Path;
use std::process::Command;

const INSTALL: &str = "install the PostgreSQL client tools (Debian/Ubuntu: `apt-get install \
     postgresql-client`, of the server's major version or newer) so that it is on the PATH";

fn run(mut cmd: Command, tool: &str) -> Result<(), String> {
    let out = cmd.output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            format!("{tool} is not on the PATH: {INSTALL}")
        } else {
            format!("cannot run {tool}: {e}")
        }
    })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{tool} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Dumps the database at `url` to `dest` in pg_dump's custom format.
pub fn dump(url: &str, dest: &Path) -> Result<(), String> {
    let mut cmd = Command::new("pg_dump");
    cmd.arg("--format=custom")
        .arg("--no-owner")
        .arg("--file")
        .arg(dest)
        .arg("--dbname")
        .arg(url);
    run(cmd, "pg_dump")?;
    super::files::sync_file(dest)
}

/// Restores the dump into the (empty) database at `url`.
pub fn restore(dump: &Path, url: &str) -> Result<(), String> {
    let mut cmd = Command::new("pg_restore");
    cmd.arg("--no-owner")
        .arg("--exit-on-error")
        .arg("--dbname")
        .arg(url)
        .arg(dump);
    run(cmd, "pg_restore")
}
