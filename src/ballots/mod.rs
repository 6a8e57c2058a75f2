//! Ballots and decisions (表决与决议): the committee puts an agenda item to a deciding body,
//! online or in the hall; the ballot closes by the clock and the decision is published,
//! immutable, with the rule in words and — for a secret ballot — the board of trackers.

pub mod attendance;
pub mod citable;
pub mod decision;
pub mod demo;
pub mod hall;
pub mod handlers;
pub mod jobs;
pub mod model;
pub mod option_photos;
pub mod options;
pub mod page;
pub mod receipt;
pub mod record;
pub mod register;
pub mod rules;
pub mod service;
pub mod tally_photo;
pub mod tracker;
pub mod urban;
pub mod words;
