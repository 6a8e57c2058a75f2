//! Village affairs disclosures (村务公开): categories and cadence, ledgers, versions and
//! corrections.

pub mod demo;
pub mod due;
pub mod files;
pub mod handlers;
pub mod model;
pub mod opendata;
pub mod record;
pub mod rules;
pub mod service;
pub mod thread;
