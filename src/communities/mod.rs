//! Communities: townships, villages and neighbourhoods; their grids, households, members
//! and roles; joining as a verified resident.

pub mod admin;
pub mod handlers;
pub mod meetings;
pub mod model;
pub mod record;
pub mod representatives;
pub mod rules;
pub mod service;
