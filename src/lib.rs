//! yishi (议事): villages and neighbourhoods deliberate, decide and publish their affairs.

pub mod accounts;
pub mod agenda;
pub mod audit;
pub mod authz;
pub mod backup;
pub mod ballots;
pub mod clock;
pub mod comments;
pub mod communities;
pub mod config;
pub mod db;
pub mod demo;
pub mod disclosures;
pub mod inquiries;
pub mod jobs;
pub mod mail;
pub mod notifications;
pub mod open311;
pub mod projects;
pub mod schema;
pub mod startup;
pub mod supervision;
pub mod transparency;
pub mod uploads;
pub mod web;
pub mod work_orders;
