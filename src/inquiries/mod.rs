//! Inquiries (质询): a supervisor's or resident's question on a disclosure, a payment or a
//! project, answered publicly by the committee within a deadline (7 days by default).

pub mod files;
pub mod handlers;
pub mod model;
pub mod record;
pub mod service;
