//! Village affairs disclosures (村务公开): categories and cadence, ledgers, versions and
//! corrections.

pub mod rules;
