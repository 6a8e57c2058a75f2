//! The transparency log: every publication appends a leaf in its own transaction; signed
//! checkpoints, proofs and tiles let anyone check, offline, that nothing published was
//! changed afterwards (`yishi audit verify`).

pub mod checkpoint;
pub mod handlers;
pub mod log;
pub mod merkle;
pub mod records;
pub mod verify;
