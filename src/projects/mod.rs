//! Public works projects (一项一码): codes, pages, QR notices, disbursements, and the power
//! list (小微权力清单) that spending must satisfy.

pub mod acceptance;
pub mod demo;
pub mod demo_stories;
pub mod handlers;
pub mod model;
pub mod opendata;
pub mod page;
pub mod qr;
pub mod record;
pub mod rules;
pub mod service;
pub mod spending;
pub mod vouchers;
