//! The agenda: residents' proposals that gather support, items the committee puts on the
//! agenda, their stages and public timeline, follows and the community's Atom feed.

pub mod convening;
pub mod demo;
pub mod duty;
pub mod handlers;
pub mod model;
pub mod notice_pages;
pub mod notices;
pub mod plan_rules;
pub mod plans;
pub mod rules;
pub mod service;
pub mod thread;
