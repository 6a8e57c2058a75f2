//! Work orders (工单, 接诉即办): residents' reports and passed decisions become tracked
//! work — routed to the grid's worker, on a 48-hour clock with escalation to the township,
//! completed with an after-photo, confirmed and rated by the reporter, shown on the echo wall.

pub mod bulletin;
pub mod demo;
pub mod demo_photos;
pub mod followup_rules;
pub mod followups;
pub mod handlers;
pub mod limits;
pub mod model;
pub mod page;
pub mod periodic;
pub mod publish_bulletin;
pub mod record;
pub mod rules;
pub mod service;
pub mod thread;
pub mod upward;
pub mod upward_handlers;
