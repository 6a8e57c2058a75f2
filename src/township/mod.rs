//! The township (乡镇 / 街道): its staff's own page — every village's work orders with the
//! township, overdue disclosures, inquiries and proposals past their answer date — and the
//! rules of orders sent up to it by hand (the sending up itself is `work_orders::upward`).

pub mod calendar;
pub mod handlers;
pub mod holidays;
pub mod model;
pub mod page;
pub mod rules;
