//! The one integration-test binary: every test drives a real server over HTTP against a
//! fresh database, on SQLite and on PostgreSQL.

mod common;

mod accounts;
mod agenda;
mod anonymity;
mod authz_routes;
mod backups;
mod ballot_trackers;
mod ballots;
mod beijing_time;
mod bounds;
mod browser;
mod bursts;
mod canonical;
mod communities;
mod convening;
mod corrections;
mod crash;
mod disclosures;
mod disk_full;
mod exports;
mod home;
mod inquiries;
mod log_paths;
mod long_input;
mod multi_server;
mod open311;
mod order_figures;
mod phone;
mod power_list;
mod projects;
mod queries;
mod redirects;
mod roster;
mod security;
mod storage;
mod transparency;
mod upgrade;
mod uploads;
mod work_orders;
