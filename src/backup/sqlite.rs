//! The SQLite copy: `VACUUM INTO` from a connection of its own, a consistent snapshot taken
//! while the server keeps serving (never a file copy of a live WAL database).

use std::path::Path;

use diesel::connection::SimpleConnection;
use diesel::{Connection, RunQueryDsl, SqliteConnection};

#[derive(diesel::QueryableByName)]
struct Line {
    #[diesel(sql_type = diesel::sql_types::Text)]
    integrity_check: String,
}

/// Writes a consistent copy of the database at `live` to the new file `dest`.
pub fn snapshot(live: &str, dest: &Path) -> Result<(), String> {
    let mut conn = SqliteConnection::establish(live)
        .map_err(|e| format!("cannot open the database {live}: {e}"))?;
    conn.batch_execute("PRAGMA busy_timeout = 30000;")
        .map_err(|e| e.to_string())?;
    diesel::sql_query("VACUUM INTO ?")
        .bind::<diesel::sql_types::Text, _>(dest.to_string_lossy())
        .execute(&mut conn)
        .map_err(|e| format!("cannot copy the database {live}: {e}"))?;
    super::files::sync_file(dest)
}

/// `PRAGMA integrity_check` on the copy, opened read-only.
pub fn integrity(path: &Path) -> Result<(), String> {
    let uri = format!("file:{}?mode=ro", path.display());
    let mut conn = SqliteConnection::establish(&uri)
        .map_err(|e| format!("cannot open {} read-only: {e}", path.display()))?;
    let lines: Vec<Line> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut conn)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let text: Vec<String> = lines.into_iter().map(|l| l.integrity_check).collect();
    if text == ["ok"] {
        Ok(())
    } else {
        Err(format!(
            "{} fails SQLite's integrity check: {}",
            path.display(),
            text.join("; ")
        ))
    }
}
