//! Accounts: sign-up, sign-in, sessions, passwords, language, the profile and the inbox.

pub mod handlers;
pub mod model;
pub mod password;
pub mod rules;
