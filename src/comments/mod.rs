//! Comment threads on agenda items, work orders and disclosures: threaded replies
//! with stances, official answers, sanitised Markdown, edit history and open moderation.

pub mod handlers;
pub mod host;
pub mod model;
pub mod rules;
pub mod service;
pub mod view;
