//! What a ballot's named options are, beyond their names: a description, a photo and an
//! estimated cost, entered by the committee on the opening form and shown to voters as one
//! card per option (the whole card is the radio's label, a big target for a thumb).
//! Stored append-only beside the ballot: voters decided on them.

use std::collections::BTreeMap;

use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::error::AppError;
use crate::money::{format_amount, parse_amount};
use crate::schema::ballot_option_details as details;
use crate::web::ctx::Ctx;
use crate::web::forms::FieldErrors;

/// Most characters of an option's description.
pub const DESCRIPTION_MAX: usize = 500;

/// The opening form's fields for option `i` (0-based): description, cost, photo.
pub const DESC: [&str; 10] = [
    "desc_0", "desc_1", "desc_2", "desc_3", "desc_4", "desc_5", "desc_6", "desc_7", "desc_8",
    "desc_9",
];
pub const COST: [&str; 10] = [
    "cost_0", "cost_1", "cost_2", "cost_3", "cost_4", "cost_5", "cost_6", "cost_7", "cost_8",
    "cost_9",
];
pub const PHOTO: [&str; 10] = [
    "photo_0", "photo_1", "photo_2", "photo_3", "photo_4", "photo_5", "photo_6", "photo_7",
    "photo_8", "photo_9",
];

/// The form's (description, cost, photo) field names for option `i`.
pub fn fields(i: &usize) -> (&'static str, &'static str, &'static str) {
    let i = (*i).min(DESC.len() - 1);
    (DESC[i], COST[i], PHOTO[i])
}

/// One option's details as stored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = details)]
pub struct Detail {
    pub ballot_id: i64,
    pub position: i32,
    pub description: String,
    pub photo: Option<String>,
    pub cost_fen: Option<i64>,
}

impl Detail {
    fn is_empty(&self) -> bool {
        self.description.is_empty() && self.photo.is_none() && self.cost_fen.is_none()
    }
}

/// The details typed for option `i`: what the form holds under `desc_i` and `cost_i`.
pub fn typed(rest: &BTreeMap<String, String>, i: usize) -> (&str, &str) {
    let get = |k: &str| rest.get(k).map(String::as_str).unwrap_or("");
    (get(DESC[i]), get(COST[i]))
}

/// Why an option's typed details were refused: the field and the message key, with the
/// text as typed where the message repeats it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Details for an option the list of names does not have (the option's number, 1-based).
    NoSuchOption(usize),
    DescriptionTooLong,
    DescriptionControl,
    Cost(crate::money::AmountProblem),
}

/// Reads the description and cost typed for option `i` of `named` named options: empty
/// fields are no detail; an estimated cost is yuan as people write it, at most
/// `money::MAX_AMOUNT_FEN`, never negative.
pub fn read_one(named: usize, i: usize, desc: &str, cost: &str) -> Result<Detail, Problem> {
    let (desc, cost) = (desc.trim(), cost.trim());
    if desc.is_empty() && cost.is_empty() {
        return Ok(Detail {
            position: i as i32,
            ..Detail::default()
        });
    }
    if i >= named {
        return Err(Problem::NoSuchOption(i + 1));
    }
    let description = match crate::web::forms::text_field(desc, 0, DESCRIPTION_MAX) {
        Ok(d) => d,
        Err(crate::accounts::rules::FieldProblem::TooLong(_)) => {
            return Err(Problem::DescriptionTooLong)
        }
        Err(_) => return Err(Problem::DescriptionControl),
    };
    let cost_fen = match cost {
        "" => None,
        c => Some(parse_amount(c).map_err(Problem::Cost)?),
    };
    Ok(Detail {
        position: i as i32,
        description,
        cost_fen,
        ..Detail::default()
    })
}

/// Reads every option's typed details; each problem goes into `errors` beside its field.
pub fn read_all(
    ctx: &Ctx,
    named: usize,
    rest: &BTreeMap<String, String>,
    errors: &mut FieldErrors,
) -> Vec<Detail> {
    let mut out = Vec::new();
    for i in 0..DESC.len() {
        let (desc, cost) = typed(rest, i);
        match read_one(named, i, desc, cost) {
            Ok(d) => out.push(d),
            Err(Problem::NoSuchOption(n)) => {
                let n = n.to_string();
                errors.add(DESC[i], ctx.f("ballots.err_detail_no_option", &[("n", &n)]));
            }
            Err(Problem::DescriptionTooLong) => {
                let max = DESCRIPTION_MAX.to_string();
                errors.add(DESC[i], ctx.f("ballots.err_detail_long", &[("max", &max)]));
            }
            Err(Problem::DescriptionControl) => {
                errors.add(DESC[i], ctx.t("ballots.err_detail_control"));
            }
            Err(Problem::Cost(p)) => {
                let key = match p {
                    crate::money::AmountProblem::Negative(_) => "ballots.err_cost_negative",
                    _ => p.key(),
                };
                let args = p.args(true);
                let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
                errors.add(COST[i], ctx.f(key, &args));
            }
        }
    }
    out
}

/// Stores the details of a ballot just opened (those with anything in them).
pub fn save(conn: &mut AnyConnection, ballot_id: i64, typed: &[Detail]) -> Result<(), AppError> {
    for d in typed.iter().filter(|d| !d.is_empty()) {
        let row = Detail {
            ballot_id,
            ..d.clone()
        };
        diesel::insert_into(details::table)
            .values(&row)
            .execute(conn)?;
    }
    Ok(())
}

/// The details of ballot `ballot_id`, by position.
pub fn of_ballot(conn: &mut AnyConnection, ballot_id: i64) -> Result<Vec<Detail>, AppError> {
    Ok(details::table
        .filter(details::ballot_id.eq(ballot_id))
        .order(details::position)
        .select(Detail::as_select())
        .load(conn)?)
}

/// One option as a card on the ballot page.
#[derive(Clone, Debug, Default)]
pub struct Card {
    pub index: usize,
    pub label: String,
    pub description: String,
    /// The stored photo's file name (its thumbnail is shown, linking to it).
    pub photo: Option<String>,
    /// The estimated cost in yuan, as people read it: "120,000.00".
    pub cost: Option<String>,
}

/// The cards of a ballot: one per option label, with its details where it has any.
pub fn cards(labels: &[String], stored: &[Detail]) -> Vec<Card> {
    labels
        .iter()
        .enumerate()
        .map(|(index, label)| {
            let d = stored.iter().find(|d| d.position as usize == index);
            Card {
                index,
                label: label.clone(),
                description: d.map(|d| d.description.clone()).unwrap_or_default(),
                photo: d.and_then(|d| d.photo.clone()),
                cost: d.and_then(|d| d.cost_fen).map(format_amount),
            }
        })
        .collect()
}

/// Whether any card has more than its name (then the cards are shown to everyone, not only
/// on the voting form).
pub fn any_details(cards: &[Card]) -> bool {
    cards
        .iter()
        .any(|c| !c.description.is_empty() || c.photo.is_some() || c.cost.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::{AmountProblem, MAX_AMOUNT_FEN};

    #[test]
    fn empty_fields_are_no_detail() {
        assert_eq!(read_one(3, 0, " ", ""), Ok(Detail::default()));
        assert!(read_one(0, 9, "", "").is_ok_and(|d| d.is_empty() && d.position == 9));
    }

    #[test]
    fn details_for_an_option_that_is_not_listed_are_refused() {
        assert_eq!(read_one(2, 1, "x", "").map(|d| d.position), Ok(1));
        assert_eq!(read_one(2, 2, "x", ""), Err(Problem::NoSuchOption(3)));
        // A for/against/abstain ballot has no named options to describe.
        assert_eq!(read_one(0, 0, "", "5"), Err(Problem::NoSuchOption(1)));
    }

    #[test]
    fn a_cost_is_yuan_stored_in_fen_up_to_the_bound_of_any_amount() {
        assert_eq!(read_one(3, 0, "", "12万").ok(), None);
        assert_eq!(
            read_one(3, 0, "", "120,000.5").map(|d| d.cost_fen),
            Ok(Some(12_000_050))
        );
        assert_eq!(
            read_one(3, 0, "", "1000000000").map(|d| d.cost_fen),
            Ok(Some(MAX_AMOUNT_FEN))
        );
        assert_eq!(
            read_one(3, 0, "", "1000000000.01"),
            Err(Problem::Cost(AmountProblem::TooLarge(
                "1000000000.01".into()
            )))
        );
        assert_eq!(
            read_one(3, 0, "", "-5"),
            Err(Problem::Cost(AmountProblem::Negative("-5".into())))
        );
    }

    #[test]
    fn a_description_is_at_most_its_limit() {
        let at = "字".repeat(DESCRIPTION_MAX);
        assert_eq!(read_one(2, 0, &at, "").map(|d| d.description), Ok(at));
        let over = "字".repeat(DESCRIPTION_MAX + 1);
        assert_eq!(read_one(2, 0, &over, ""), Err(Problem::DescriptionTooLong));
    }

    #[test]
    fn cards_carry_each_options_details_by_position() {
        let labels = vec!["东".to_string(), "西".to_string()];
        let stored = vec![Detail {
            ballot_id: 1,
            position: 1,
            description: "近".into(),
            photo: None,
            cost_fen: Some(12_345_600),
        }];
        let c = cards(&labels, &stored);
        assert_eq!(c[0].cost, None);
        assert_eq!(c[1].cost.as_deref(), Some("123,456.00"));
        assert!(any_details(&c));
        assert!(!any_details(&cards(&labels, &[])));
    }
}
