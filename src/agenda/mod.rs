//! The agenda: residents' proposals that gather support, items the committee puts on the
//! agenda, their stages and public timeline, follows and the community's Atom feed.

pub mod demo;
pub mod handlers;
pub mod model;
pub mod rules;
pub mod service;
pub mod thread;
