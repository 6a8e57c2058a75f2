//! The township's page as built from what `model` loaded: per village, the orders with the
//! township, the disclosures overdue, and the inquiries and proposals past their answer date.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};

use super::model::{DisclosureFacts, Late};
use crate::communities::model::Community;
use crate::disclosures::due::{overdue_from, Overdue};
use crate::disclosures::model::{CadenceSetting, PublishedRow};
use crate::work_orders::model::Order;
use crate::work_orders::upward::Escalation;

/// An order with the township, as its page lists it.
pub struct OrderLine {
    pub slug: String,
    pub village: String,
    pub o: Order,
    /// Sent up by hand or taken by the township (still with it), or `None`: escalated by
    /// the clock and not taken yet.
    pub by_hand: Option<Escalation>,
    /// The due time in force: the township's once it took the order.
    pub due: NaiveDateTime,
    /// Its light against that due time (green, yellow, red; "done" for none).
    pub light: &'static str,
}

/// One village's row: its counts, and what is overdue in its disclosures.
pub struct VillageRow {
    pub c: Community,
    pub orders: usize,
    pub sent: usize,
    pub disclosures: Vec<Overdue>,
    pub inquiries: usize,
    pub proposals: usize,
}

impl Built {
    /// How many disclosures are overdue in all the villages together.
    pub fn disclosures_overdue(&self) -> usize {
        self.rows.iter().map(|r| r.disclosures.len()).sum()
    }
}

/// An inquiry or proposal past its date, with its village.
pub struct LateLine {
    pub slug: String,
    pub village: String,
    pub id: i64,
    pub text: String,
    pub due: NaiveDateTime,
}

/// The lines of the page, each with its village.
pub struct Built {
    pub rows: Vec<VillageRow>,
    pub orders: Vec<OrderLine>,
    pub inquiries: Vec<LateLine>,
    pub proposals: Vec<LateLine>,
}

/// Everything the page's queries found.
pub struct Loaded {
    pub villages: Vec<Community>,
    pub orders: Vec<Order>,
    pub sent_up: Vec<Escalation>,
    pub inquiries: Vec<Late>,
    pub proposals: Vec<Late>,
    pub facts: DisclosureFacts,
}

pub fn build(l: Loaded, now: NaiveDateTime, zh: bool) -> Built {
    let today = crate::clock::local_day(now);
    let by_id: HashMap<i64, &Community> = l.villages.iter().map(|c| (c.id, c)).collect();
    let named = |cid: i64| {
        by_id
            .get(&cid)
            .map(|c| (c.slug.clone(), c.name.clone()))
            .unwrap_or_default()
    };
    let late = |rows: Vec<Late>| -> Vec<LateLine> {
        rows.into_iter()
            .map(|(id, cid, text, due)| {
                let (slug, village) = named(cid);
                LateLine {
                    slug,
                    village,
                    id,
                    text,
                    due,
                }
            })
            .collect()
    };
    let mut sent_up: HashMap<i64, Escalation> =
        l.sent_up.into_iter().map(|e| (e.order_id, e)).collect();
    let orders: Vec<OrderLine> = l
        .orders
        .into_iter()
        .map(|o| {
            let (slug, village) = named(o.community_id);
            let by_hand = sent_up.remove(&o.id);
            let due = super::rules::due_in_force(
                o.due_at,
                by_hand.as_ref().and_then(|e| Some((e.state()?, e.due_at))),
            );
            OrderLine {
                slug,
                village,
                by_hand,
                due,
                light: o.light_class_due(now, due),
                o,
            }
        })
        .collect();
    let (inquiries, proposals) = (late(l.inquiries), late(l.proposals));
    let rows = l
        .villages
        .iter()
        .map(|c| {
            let mine = |cid: &i64| *cid == c.id;
            VillageRow {
                orders: orders.iter().filter(|x| mine(&x.o.community_id)).count(),
                sent: orders
                    .iter()
                    .filter(|x| mine(&x.o.community_id))
                    .filter(|x| x.by_hand.as_ref().is_some_and(|e| !e.reason.is_empty()))
                    .count(),
                disclosures: overdue(&l.facts, c, today, zh),
                inquiries: inquiries.iter().filter(|x| x.slug == c.slug).count(),
                proposals: proposals.iter().filter(|x| x.slug == c.slug).count(),
                c: c.clone(),
            }
        })
        .collect();
    Built {
        rows,
        orders,
        inquiries,
        proposals,
    }
}

/// What a village owes in its disclosures on `today`, by `disclosures::due::overdue_from`,
/// from the facts loaded for all villages at once.
fn overdue(f: &DisclosureFacts, c: &Community, today: NaiveDate, zh: bool) -> Vec<Overdue> {
    // Oldest first: a later setting of a category replaces the earlier.
    let mut settings: Vec<CadenceSetting> = Vec::new();
    for (_, category, cadence, since, grace_days) in f.cadences.iter().filter(|r| r.0 == c.id) {
        settings.retain(|s| &s.category != category);
        settings.push(CadenceSetting {
            category: category.clone(),
            cadence: cadence.clone(),
            since: *since,
            grace_days: *grace_days,
        });
    }
    let published: Vec<PublishedRow> = f
        .published
        .iter()
        .filter(|(cid, _)| *cid == c.id)
        .map(|(_, row)| row.clone())
        .collect();
    let undisclosed: Vec<(i64, NaiveDateTime)> = f
        .undisclosed
        .iter()
        .filter(|r| r.0 == c.id)
        .map(|(_, decision, at)| (*decision, *at))
        .collect();
    let since = crate::clock::local_day(c.created_at);
    overdue_from(&settings, &published, &undisclosed, since, today, zh)
}
