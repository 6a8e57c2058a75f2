//! The log's Ed25519 signing key, kept in a file outside the database, and its checkpoints:
//! C2SP tlog-checkpoint bodies signed as C2SP signed notes, so that the tools of the Go
//! checksum database or Sigsum can check them.

use std::path::Path;

use base64::prelude::{Engine, BASE64_STANDARD};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use signed_note::{Note, StandardSigner, StandardVerifier, VerifierList};
use tlog_tiles::{Checkpoint, Hash};

use super::log;
use crate::db::AnyConnection;
use crate::schema::log_checkpoints;

/// The key that signs checkpoints, with its name (the log's origin) and public verifier key.
pub struct LogKey {
    origin: String,
    signer: StandardSigner,
    verifier_key: String,
}

impl std::fmt::Debug for LogKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogKey")
            .field("verifier_key", &self.verifier_key)
            .finish()
    }
}

impl LogKey {
    /// Reads the signing key from `path`, or creates one named `origin` on first start
    /// (mode 0600). A key already on disk keeps its own name: the origin is the key's.
    pub fn load_or_create(path: &Path, origin: &str) -> Result<LogKey, String> {
        if let Ok(text) = std::fs::read_to_string(path) {
            return LogKey::from_private(text.trim())
                .map_err(|e| format!("{}: {e}", path.display()));
        }
        if !signed_note::is_key_name_valid(origin) {
            return Err(format!("log origin {origin:?} is not a valid key name"));
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let (skey, _) = signed_note::generate_key(&mut rand::rngs::OsRng, origin);
        match crate::config::create_key_file(path, skey.as_bytes()) {
            Ok(true) => LogKey::from_private(&skey),
            // Another server created it first: use theirs.
            Ok(false) => LogKey::load_or_create(path, origin),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    /// From a `PRIVATE+KEY+name+id+base64` signer key.
    pub fn from_private(skey: &str) -> Result<LogKey, String> {
        let signer = StandardSigner::new(skey).map_err(|e| format!("bad log key: {e}"))?;
        let mut parts = skey.splitn(5, '+');
        let (_, _, name, _, key) = (
            parts.next(),
            parts.next(),
            parts.next().ok_or("bad log key")?,
            parts.next(),
            parts.next().ok_or("bad log key")?,
        );
        let raw = BASE64_STANDARD
            .decode(key)
            .map_err(|e| format!("bad log key: {e}"))?;
        let seed: [u8; 32] = raw
            .get(1..33)
            .and_then(|s| s.try_into().ok())
            .ok_or("bad log key length")?;
        let signing = ed25519_dalek::SigningKey::from_bytes(&seed);
        let verifier_key = signed_note::new_ed25519_verifier_key(name, &signing.verifying_key());
        Ok(LogKey {
            origin: name.to_string(),
            signer,
            verifier_key,
        })
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The verifier key, `name+id+base64`, as Go's `note.NewVerifier` reads it.
    pub fn verifier_key(&self) -> &str {
        &self.verifier_key
    }

    /// The signed checkpoint of a tree of `size` leaves with root `root`.
    pub fn sign_checkpoint(&self, size: u64, root: Hash) -> Result<String, String> {
        let body = Checkpoint::new(&self.origin, size, root, "")
            .map_err(|e| e.to_string())?
            .to_bytes();
        let mut note = Note::new(&body, &[]).map_err(|e| e.to_string())?;
        note.add_sigs(&[&self.signer]).map_err(|e| e.to_string())?;
        String::from_utf8(note.to_bytes()).map_err(|e| e.to_string())
    }
}

/// A checkpoint opened with a trusted verifier key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub origin: String,
    pub size: u64,
    pub root: [u8; 32],
}

/// Checks a signed checkpoint against `verifier_key` and reads its body.
pub fn open(note_text: &str, verifier_key: &str) -> Result<Opened, String> {
    let verifier = StandardVerifier::new(verifier_key).map_err(|e| format!("bad key: {e}"))?;
    let note = Note::from_bytes(note_text.as_bytes()).map_err(|e| format!("bad note: {e}"))?;
    note.verify(&VerifierList::new(vec![Box::new(verifier)]))
        .map_err(|e| format!("signature does not verify: {e}"))?;
    let cp = Checkpoint::from_bytes(note.text()).map_err(|e| format!("bad checkpoint: {e}"))?;
    Ok(Opened {
        origin: cp.origin().to_string(),
        size: cp.size(),
        root: cp.hash().0,
    })
}

/// The newest checkpoint, signed now if the log has grown since the last one. Every
/// checkpoint served is kept (append-only), so a verifier can ask for consistency from any.
pub fn latest(
    conn: &mut AnyConnection,
    key: &LogKey,
    now: NaiveDateTime,
) -> Result<String, crate::error::AppError> {
    let size = log::size(conn)?;
    let newest: Option<(i64, String)> = log_checkpoints::table
        .order(log_checkpoints::size.desc())
        .select((log_checkpoints::size, log_checkpoints::note))
        .first(conn)
        .optional()?;
    if let Some((s, note)) = newest {
        if s == size {
            return Ok(note);
        }
    }
    let root = log::root(conn, size as u64)?;
    let note = key
        .sign_checkpoint(size as u64, root)
        .map_err(crate::error::AppError::Internal)?;
    let sql = crate::db::placeholders(
        conn,
        "INSERT INTO log_checkpoints (size, root, note, created_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (size) DO NOTHING",
    );
    diesel::sql_query(sql)
        .bind::<diesel::sql_types::BigInt, _>(size)
        .bind::<diesel::sql_types::Binary, _>(root.0.to_vec())
        .bind::<diesel::sql_types::Text, _>(&note)
        .bind::<diesel::sql_types::Timestamp, _>(now)
        .execute(conn)?;
    // Another server may have signed this size first: everyone serves the stored one.
    Ok(log_checkpoints::table
        .find(size)
        .select(log_checkpoints::note)
        .first(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> LogKey {
        let (skey, _) = signed_note::generate_key(&mut rand::rngs::OsRng, "yishi.example/log");
        LogKey::from_private(&skey).expect("a key")
    }

    #[test]
    fn a_signed_checkpoint_opens_with_its_verifier_key() {
        let k = key();
        let note = k.sign_checkpoint(5, Hash([7; 32])).expect("signs");
        assert!(note.starts_with("yishi.example/log\n5\n"));
        assert!(note.contains("\n\n— yishi.example/log "));
        let opened = open(&note, k.verifier_key()).expect("opens");
        assert_eq!(opened.size, 5);
        assert_eq!(opened.root, [7; 32]);
    }

    #[test]
    fn a_changed_checkpoint_or_another_key_is_refused() {
        let k = key();
        let note = k.sign_checkpoint(5, Hash([7; 32])).expect("signs");
        let forged = note.replacen("\n5\n", "\n6\n", 1);
        assert!(open(&forged, k.verifier_key()).is_err());
        assert!(open(&note, key().verifier_key()).is_err());
    }

    #[test]
    fn the_go_note_example_verifies() {
        // The example of golang.org/x/mod/sumdb/note and C2SP signed-note.
        let vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
        let text = "If you think cryptography is the answer to your problem,\n\
                    then you don't know what your problem is.\n\
                    \n\
                    — PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
        let verifier = StandardVerifier::new(vkey).expect("key");
        let note = Note::from_bytes(text.as_bytes()).expect("note");
        assert!(note
            .verify(&VerifierList::new(vec![Box::new(verifier)]))
            .is_ok());
    }

    #[test]
    fn a_key_keeps_its_name_and_id_when_read_back() {
        let (skey, vkey) = signed_note::generate_key(&mut rand::rngs::OsRng, "a.example/log");
        let k = LogKey::from_private(&skey).expect("a key");
        assert_eq!(k.verifier_key(), vkey);
        assert_eq!(k.origin(), "a.example/log");
    }

    /// Servers started together on one data directory all read the one log key, whole: none
    /// sees a key another is still writing (as `multi_server::` once did).
    #[test]
    fn servers_starting_together_share_one_whole_log_key() {
        for _ in 0..20 {
            let dir = tempfile::tempdir().expect("dir");
            let path = dir.path().join("keys").join("log-signing.key");
            let start = || LogKey::load_or_create(&path, "a.example/log");
            let keys: Vec<String> = crate::config::tests::started_together(8, start)
                .into_iter()
                .map(|k| k.expect("a whole key").verifier_key().to_string())
                .collect();
            assert!(keys.windows(2).all(|w| w[0] == w[1]), "one key for all");
            let left = std::fs::read_dir(path.parent().expect("dir"))
                .expect("list")
                .count();
            assert_eq!(left, 1, "no temporary files left behind");
        }
    }
}
