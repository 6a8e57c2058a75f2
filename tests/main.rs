//! The one integration-test binary: every test drives a real server over HTTP against a
//! fresh database, on SQLite and on PostgreSQL.

mod common;

mod accounts;
mod agenda;
mod authz_routes;
mod ballots;
mod browser;
mod communities;
mod crash;
mod disclosures;
mod inquiries;
mod multi_server;
mod open311;
mod projects;
mod queries;
mod security;
mod storage;
mod transparency;
mod uploads;
mod work_orders;
