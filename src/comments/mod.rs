//! Comment threads on agenda items and work orders (later disclosures): threaded replies
//! with stances, official answers, sanitised Markdown, edit history and open moderation.

pub mod handlers;
pub mod host;
pub mod model;
pub mod rules;
pub mod service;
pub mod view;
