//! Comment threads on agenda items (later work orders and disclosures): threaded replies
//! with stances, official answers, sanitised Markdown, edit history and open moderation.

pub mod handlers;
pub mod model;
pub mod rules;
