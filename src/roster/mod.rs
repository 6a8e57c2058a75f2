//! The roster (村民名册 / 居民名册): the community's households and persons, the base of every
//! statutory quorum. The committee keeps it; supervisors read it; the public sees counts.

pub mod demo;
pub mod handlers;
pub mod import;
pub mod import_handlers;
pub mod import_plan;
pub mod link;
pub mod model;
pub mod page;
pub mod rules;
pub mod service;
