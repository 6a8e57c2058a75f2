//! The transparency log (issue #6, begun): every publication will append a leaf, and anyone
//! will be able to check, offline, that nothing published was changed. So far the pure
//! Merkle tree of RFC 6962 / RFC 9162 with its proofs; the log's tables, checkpoints and
//! endpoints are still to come.

pub mod merkle;
