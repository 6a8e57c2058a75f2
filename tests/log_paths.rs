//! The log's proof and tile endpoints read numbers and paths exactly as C2SP tlog-tiles
//! defines them: nothing wraps, no path reaches another tile's bytes, anything else is a 400
//! or a 404 (never a 500), and only a full tile that exists is cached as immutable.

use crate::both;
use crate::common::{spawn_app, Backend, Client, TestApp};

const MAX: u64 = u64::MAX;

/// The log's current size, from its checkpoint (the second line of the note).
async fn log_size(client: &Client) -> u64 {
    let note = client.get("/log/checkpoint").await.body;
    note.lines()
        .nth(1)
        .and_then(|l| l.parse().ok())
        .expect("a tree size")
}

async fn with_entries(backend: Backend) -> (TestApp, Client, u64) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let client = app.client();
    let size = log_size(&client).await;
    assert!(
        size > 0 && size < 256,
        "the demo logs a partial first tile: {size}"
    );
    (app, client, size)
}

fn refused(status: u16) -> bool {
    status == 400 || status == 404
}

async fn proofs_for_sizes_beyond_any_tree_are_refused_not_wrapped(backend: Backend) {
    let (_app, client, size) = with_entries(backend).await;
    for path in [
        format!("/log/proof/inclusion?index=0&size={MAX}"),
        format!("/log/proof/inclusion?index={MAX}&size={MAX}"),
        format!("/log/proof/consistency?old=1&size={MAX}"),
        format!("/log/proof/consistency?old={MAX}&size={MAX}"),
        format!("/log/proof/inclusion?index=0&size={}", size + 1),
    ] {
        let r = client.get(&path).await;
        assert!(refused(r.status), "{path}: {} {}", r.status, r.body);
    }
    let ok = client
        .get(&format!("/log/proof/inclusion?index=0&size={size}"))
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert!(!ok.header("cache-control").contains("immutable"));
}
both!(proofs_for_sizes_beyond_any_tree_are_refused_not_wrapped);

async fn tile_paths_that_would_wrap_name_no_tile(backend: Backend) {
    let (_app, client, _) = with_entries(backend).await;
    for path in [
        // 2^56: times 256 wraps to 0, bundle 0's bytes.
        "/log/tile/entries/x072/x057/x594/x037/x927/936.p/5",
        "/log/tile/entries/x072/x057/x594/x037/x927/936",
        // u64::MAX: the bundle's end wraps below the log's size.
        "/log/tile/entries/x018/x446/x744/x073/x709/x551/615",
        "/log/tile/entries/x018/x446/x744/x073/x709/x551/615.p/1",
        "/log/tile/0/x018/x446/x744/x073/x709/x551/615",
        "/log/tile/0/x072/x057/x594/x037/x927/936.p/5",
        "/log/tile/1/x000/x000/x000/x000/x000/x072/x057/x594/x037/x927/936",
        "/log/tile/5/x000/x001/000",
    ] {
        let r = client.get(path).await;
        assert!(
            refused(r.status),
            "{path}: {}, {} bytes",
            r.status,
            r.body.len()
        );
        let cache = r.header("cache-control");
        assert!(!cache.contains("immutable"), "{path}: {cache}");
    }
}
both!(tile_paths_that_would_wrap_name_no_tile);

async fn tile_paths_are_read_exactly_as_the_spec_writes_them(backend: Backend) {
    let (_app, client, size) = with_entries(backend).await;
    let partial = format!("/log/tile/entries/000.p/{size}");
    let r = client.get(&partial).await;
    assert_eq!(r.status, 200, "{partial}");
    assert!(!r.body.is_empty());
    assert!(
        !r.header("cache-control").contains("immutable"),
        "a partial tile changes"
    );
    for path in [
        "/log/tile/entries/000.p/0".to_string(),
        format!("/log/tile/entries/000.p/0{size}"),
        format!("/log/tile/entries/x000/000.p/{size}"),
        format!("/log/tile/entries/000.p/+{size}"),
        "/log/tile/entries/000.p/256".into(),
        "/log/tile/entries/0".into(),
        "/log/tile/entries/000/".into(),
        "/log/tile/00/000.p/1".into(),
        "/log/tile/6/000.p/1".into(),
        "/log/tile/300/000".into(),
        "/log/tile/x/000".into(),
        // A full tile that does not exist yet: no bytes, and nothing cached for ever.
        "/log/tile/entries/000".into(),
        "/log/tile/0/000".into(),
        format!("/log/tile/entries/000.p/{}", size + 1),
    ] {
        let r = client.get(&path).await;
        assert!(refused(r.status), "{path}: {}", r.status);
        let cache = r.header("cache-control");
        assert!(!cache.contains("immutable"), "{path}: {cache}");
    }
}
both!(tile_paths_are_read_exactly_as_the_spec_writes_them);
