//! The pure rules of communities: who may hold which role, how a household is chosen on
//! approval, what a community's short name may be.

use crate::authz::Role;
use crate::ballots::citable::NotCitable;

#[derive(Debug, PartialEq, Eq)]
pub enum HouseholdChoice {
    New,
    Existing(i64),
    Invalid,
}

/// The approval form's household field: `new`, or the id of an existing household.
pub fn household_choice(value: &str) -> HouseholdChoice {
    match value.trim() {
        "" | "new" => HouseholdChoice::New,
        v => v
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(HouseholdChoice::Existing)
            .unwrap_or(HouseholdChoice::Invalid),
    }
}

/// A representative sits in the representatives' meeting, whose electorate is persons on
/// the roster (村民委员会组织法 art. 25/26): they must be linked to a roster person
/// (`linked`) before they are named. Other roles need no roster person here.
pub fn on_roster_for(role: Role, linked: bool) -> Result<(), &'static str> {
    match role {
        Role::Representative if !linked => Err("residents.err_representative_unlinked"),
        _ => Ok(()),
    }
}

/// May someone holding `held` take `role`? Representatives are verified residents; members
/// of the committee may not sit on the supervision committee that checks them
/// (Organic Law art. 32), nor the other way round. The error is a message key.
pub fn may_hold(role: Role, held: &[Role]) -> Result<(), &'static str> {
    match role {
        Role::Representative if !held.contains(&Role::Resident) => {
            Err("residents.err_not_resident")
        }
        Role::Supervisor if held.contains(&Role::Committee) => {
            Err("residents.err_supervisor_committee")
        }
        Role::Committee if held.contains(&Role::Supervisor) => {
            Err("residents.err_supervisor_committee")
        }
        _ => Ok(()),
    }
}

/// The decision a supervisor's appointment or removal cites, as found: its body (the stored
/// `ballots::rules::Body` string) when it may be cited, or why it may not.
pub type CitedDecision<'a> = Option<Result<&'a str, NotCitable>>;

/// The bodies that elect and remove the 村务监督委员会 (art. 32): the villagers' meeting (or its
/// urban counterpart, also when met by household representatives, art. 22) and the
/// representatives' meeting.
pub fn elects_supervisors(body: &str) -> bool {
    matches!(body, "residents" | "households" | "representatives")
}

/// Why a supervisor may not be appointed or removed: a message key and the form field it
/// belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SupervisorRefusal {
    /// No decision was chosen (and, for a removal, no resignation given).
    NoDecision,
    /// The decision may not be cited (not passed, a consultation, corrected, unknown).
    NotCitable(NotCitable),
    /// The decision was taken by a body that does not elect supervisors.
    WrongBody,
    /// The person's account is linked to no roster person.
    NotOnRoster,
    /// The person is a member of the committee.
    Committee,
    /// The person lives in the household of a committee member.
    CommitteeHousehold,
    /// A resignation's reason is longer than 200 characters.
    ReasonTooLong,
}

impl SupervisorRefusal {
    pub fn key(self) -> &'static str {
        match self {
            SupervisorRefusal::NoDecision => "supervisors.err_decision_none",
            SupervisorRefusal::NotCitable(NotCitable::Unknown) => {
                "supervisors.err_decision_unknown"
            }
            SupervisorRefusal::NotCitable(NotCitable::NotPassed) => {
                "supervisors.err_decision_not_passed"
            }
            SupervisorRefusal::NotCitable(NotCitable::Consultation) => {
                "supervisors.err_decision_consultation"
            }
            SupervisorRefusal::NotCitable(NotCitable::Corrected) => {
                "supervisors.err_decision_corrected"
            }
            SupervisorRefusal::WrongBody => "supervisors.err_decision_body",
            SupervisorRefusal::ReasonTooLong => "supervisors.err_decision_reason",
            SupervisorRefusal::NotOnRoster => "supervisors.err_roster",
            SupervisorRefusal::Committee => "supervisors.err_committee",
            SupervisorRefusal::CommitteeHousehold => "supervisors.err_household",
        }
    }

    /// The field whose message this is: the decision chosen, or the person named.
    pub fn field(self) -> &'static str {
        supervisor_field(self.key())
    }
}

/// The form field a refusal's message `key` belongs to: the decision (or the resignation's
/// reason beside it), or the person named.
pub fn supervisor_field(key: &str) -> &'static str {
    if key.starts_with("supervisors.err_decision") {
        "decision_id"
    } else {
        "contact"
    }
}

fn cites_election(decision: CitedDecision) -> Result<(), SupervisorRefusal> {
    match decision {
        None => Err(SupervisorRefusal::NoDecision),
        Some(Err(n)) => Err(SupervisorRefusal::NotCitable(n)),
        Some(Ok(body)) if !elects_supervisors(body) => Err(SupervisorRefusal::WrongBody),
        Some(Ok(_)) => Ok(()),
    }
}

/// What the roster and the decisions say of someone about to join the 村务监督委员会.
pub struct SupervisorCandidate<'a> {
    pub decision: CitedDecision<'a>,
    /// Their household on the roster, if their account is linked to a roster person.
    pub household: Option<i64>,
    /// Whether they hold the committee role.
    pub committee: bool,
    /// The roster households of the committee's members (those linked to a roster person).
    pub committee_households: &'a [i64],
}

/// 村民委员会组织法 art. 32: supervisors are chosen by the villagers' meeting or the
/// representatives' meeting from among the villagers; committee members and their close
/// relatives (近亲属) may not serve. Close kinship is not on the roster; the household is the
/// check the roster can make, so a member of a committee member's household is refused.
pub fn may_appoint_supervisor(c: &SupervisorCandidate) -> Result<(), SupervisorRefusal> {
    cites_election(c.decision)?;
    if c.committee {
        return Err(SupervisorRefusal::Committee);
    }
    let Some(household) = c.household else {
        return Err(SupervisorRefusal::NotOnRoster);
    };
    if c.committee_households.contains(&household) {
        return Err(SupervisorRefusal::CommitteeHousehold);
    }
    Ok(())
}

/// A supervisor leaves the committee by a decision of the body that elects them (罢免, art.
/// 32: they answer to it), or by resigning with a reason (at most 200 characters). A
/// decision, when one is chosen, must be citable and of that body.
pub fn may_remove_supervisor(
    decision: CitedDecision,
    resignation: &str,
) -> Result<(), SupervisorRefusal> {
    let reason = resignation.trim();
    if decision.is_none() && !reason.is_empty() {
        return if reason.chars().count() > 200 {
            Err(SupervisorRefusal::ReasonTooLong)
        } else {
            Ok(())
        };
    }
    cites_election(decision)
}

/// Someone on the roster holding an office the household rule of art. 32 concerns: a member
/// of the committee or of the supervision committee (村务监督委员会).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OfficeHolder {
    pub person: i64,
    pub household: i64,
    pub supervisor: bool,
    pub committee: bool,
}

/// 村民委员会组织法 art. 32, both ways: a supervisor and a committee member (not the same
/// person) in one household is refused, whichever of them came last. The first such pair as
/// (supervisor's person, committee member's person).
pub fn household_conflict(holders: &[OfficeHolder]) -> Option<(i64, i64)> {
    holders.iter().filter(|s| s.supervisor).find_map(|s| {
        holders
            .iter()
            .find(|c| c.committee && c.person != s.person && c.household == s.household)
            .map(|c| (s.person, c.person))
    })
}

/// The conflict appointing `person` (of `household`) to the committee would make.
pub fn conflict_if_committee(
    holders: &[OfficeHolder],
    person: i64,
    household: i64,
) -> Option<(i64, i64)> {
    let mut after = holders.to_vec();
    match after.iter_mut().find(|h| h.person == person) {
        Some(h) => h.committee = true,
        None => after.push(OfficeHolder {
            person,
            household,
            supervisor: false,
            committee: true,
        }),
    }
    household_conflict(&after)
}

/// The conflict moving `person` into household `to` would make.
pub fn conflict_if_moved(holders: &[OfficeHolder], person: i64, to: i64) -> Option<(i64, i64)> {
    let after: Vec<OfficeHolder> = holders
        .iter()
        .map(|h| OfficeHolder {
            household: if h.person == person { to } else { h.household },
            ..*h
        })
        .collect();
    household_conflict(&after)
}

/// 村民委员会组织法 art. 32, for one office holder placed in a household: the conflict
/// `me` would be in with another office holder there, as (supervisor's person, committee
/// member's person). Only pairs with `me` count: a conflict already on the roster between
/// two others is not this change's doing.
pub fn conflict_of(holders: &[OfficeHolder], me: OfficeHolder) -> Option<(i64, i64)> {
    holders
        .iter()
        .filter(|h| h.person != me.person && h.household == me.household)
        .find_map(|h| {
            if me.supervisor && h.committee {
                Some((me.person, h.person))
            } else if me.committee && h.supervisor {
                Some((h.person, me.person))
            } else {
                None
            }
        })
}

/// The conflict linking an account to roster `person` of `household` would make, the
/// account holding the supervisor role (`supervisor`) or the committee role (`committee`):
/// a committee member's account linked to a person of a supervisor's household, or a
/// supervisor's to a person of a committee member's household (art. 32).
pub fn conflict_if_linked(
    holders: &[OfficeHolder],
    (person, household): (i64, i64),
    supervisor: bool,
    committee: bool,
) -> Option<(i64, i64)> {
    conflict_of(
        holders,
        OfficeHolder {
            person,
            household,
            supervisor,
            committee,
        },
    )
}

/// A community's short name in URLs: 2–40 lowercase letters, digits and hyphens.
pub fn valid_slug(slug: &str) -> bool {
    (2..=40).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
}

/// The field of an appointment form (the residents page's, or the admin's) a refusal's
/// message `key` belongs to.
pub fn appoint_field(key: &str) -> &'static str {
    match key {
        "residents.err_role" => "role",
        "residents.err_grid" => "grid_id",
        "admin.err_community" => "community",
        _ => supervisor_field(key),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_appointments_refusal_is_shown_at_its_field() {
        assert_eq!(appoint_field("residents.err_contact"), "contact");
        assert_eq!(appoint_field("residents.err_no_user"), "contact");
        assert_eq!(appoint_field("residents.err_held"), "contact");
        assert_eq!(appoint_field("residents.err_role"), "role");
        assert_eq!(appoint_field("residents.err_grid"), "grid_id");
        assert_eq!(appoint_field("admin.err_community"), "community");
        assert_eq!(
            appoint_field("supervisors.err_decision_none"),
            "decision_id"
        );
        assert_eq!(appoint_field("supervisors.err_committee"), "contact");
    }

    #[test]
    fn art_25_a_representative_must_be_on_the_roster() {
        assert_eq!(
            on_roster_for(Role::Representative, false),
            Err("residents.err_representative_unlinked")
        );
        assert_eq!(on_roster_for(Role::Representative, true), Ok(()));
        assert_eq!(on_roster_for(Role::GridWorker, false), Ok(()));
    }

    #[test]
    fn household_field_is_new_or_an_id() {
        assert_eq!(household_choice("new"), HouseholdChoice::New);
        assert_eq!(household_choice(""), HouseholdChoice::New);
        assert_eq!(household_choice(" 12 "), HouseholdChoice::Existing(12));
        assert_eq!(household_choice("-3"), HouseholdChoice::Invalid);
        assert_eq!(household_choice("abc"), HouseholdChoice::Invalid);
    }

    #[test]
    fn supervisors_are_not_committee_members() {
        assert!(may_hold(Role::Supervisor, &[Role::Resident, Role::Committee]).is_err());
        assert!(may_hold(Role::Committee, &[Role::Supervisor]).is_err());
        assert!(may_hold(Role::Supervisor, &[Role::Resident]).is_ok());
    }

    #[test]
    fn representatives_must_be_verified_residents() {
        assert!(may_hold(Role::Representative, &[]).is_err());
        assert!(may_hold(Role::Representative, &[Role::Resident]).is_ok());
        assert!(may_hold(Role::GridWorker, &[]).is_ok());
    }

    fn candidate(decision: CitedDecision<'static>) -> SupervisorCandidate<'static> {
        SupervisorCandidate {
            decision,
            household: Some(7),
            committee: false,
            committee_households: &[3, 4],
        }
    }

    #[test]
    fn art_32_a_supervisor_is_elected_by_the_villagers_or_their_representatives() {
        for body in ["residents", "households", "representatives"] {
            assert_eq!(may_appoint_supervisor(&candidate(Some(Ok(body)))), Ok(()));
        }
        for body in ["committee", "group", "consultation"] {
            assert_eq!(
                may_appoint_supervisor(&candidate(Some(Ok(body)))),
                Err(SupervisorRefusal::WrongBody),
                "{body}"
            );
        }
        assert_eq!(
            may_appoint_supervisor(&candidate(None)),
            Err(SupervisorRefusal::NoDecision)
        );
        let refused = may_appoint_supervisor(&candidate(Some(Err(NotCitable::Corrected))));
        assert_eq!(
            refused,
            Err(SupervisorRefusal::NotCitable(NotCitable::Corrected))
        );
        assert_eq!(refused.unwrap_err().field(), "decision_id");
    }

    #[test]
    fn art_32_a_supervisor_is_a_villager_on_the_roster() {
        let c = SupervisorCandidate {
            household: None,
            ..candidate(Some(Ok("residents")))
        };
        assert_eq!(
            may_appoint_supervisor(&c),
            Err(SupervisorRefusal::NotOnRoster)
        );
    }

    #[test]
    fn art_32_committee_members_may_not_supervise() {
        let c = SupervisorCandidate {
            committee: true,
            ..candidate(Some(Ok("residents")))
        };
        assert_eq!(
            may_appoint_supervisor(&c),
            Err(SupervisorRefusal::Committee)
        );
    }

    #[test]
    fn art_32_nor_their_household_the_roster_s_stand_in_for_close_relatives() {
        let c = SupervisorCandidate {
            household: Some(4),
            ..candidate(Some(Ok("representatives")))
        };
        assert_eq!(
            may_appoint_supervisor(&c),
            Err(SupervisorRefusal::CommitteeHousehold)
        );
        assert_eq!(SupervisorRefusal::CommitteeHousehold.field(), "contact");
    }

    #[test]
    fn art_32_removal_cites_the_electing_body_or_is_a_resignation_with_a_reason() {
        assert_eq!(may_remove_supervisor(Some(Ok("residents")), ""), Ok(()));
        assert_eq!(
            may_remove_supervisor(Some(Ok("committee")), "搬家"),
            Err(SupervisorRefusal::WrongBody)
        );
        assert_eq!(may_remove_supervisor(None, " 外出务工 "), Ok(()));
        assert_eq!(
            may_remove_supervisor(None, "  "),
            Err(SupervisorRefusal::NoDecision)
        );
        assert_eq!(may_remove_supervisor(None, &"字".repeat(200)), Ok(()));
        assert_eq!(
            may_remove_supervisor(None, &"字".repeat(201)),
            Err(SupervisorRefusal::ReasonTooLong)
        );
    }

    fn holder(person: i64, household: i64, supervisor: bool, committee: bool) -> OfficeHolder {
        OfficeHolder {
            person,
            household,
            supervisor,
            committee,
        }
    }

    #[test]
    fn art_32_a_committee_member_may_not_join_a_supervisors_household() {
        // 村民委员会组织法第三十二条: supervisor 1 lives in household 10.
        let holders = [holder(1, 10, true, false), holder(2, 20, false, true)];
        assert_eq!(household_conflict(&holders), None);
        assert_eq!(conflict_if_committee(&holders, 3, 10), Some((1, 3)));
        assert_eq!(conflict_if_committee(&holders, 3, 20), None);
        // A supervisor made a committee member is may_hold's refusal, not this one.
        assert_eq!(conflict_if_committee(&holders, 1, 10), None);
    }

    #[test]
    fn art_32_a_move_may_not_put_a_supervisor_and_a_committee_member_in_one_household() {
        let holders = [
            holder(1, 10, true, false),
            holder(2, 20, false, true),
            holder(4, 40, false, false),
        ];
        assert_eq!(conflict_if_moved(&holders, 2, 10), Some((1, 2)));
        assert_eq!(conflict_if_moved(&holders, 1, 20), Some((1, 2)));
        assert_eq!(conflict_if_moved(&holders, 4, 10), None);
        assert_eq!(conflict_if_moved(&holders, 2, 40), None);
        // Someone who holds no office moves freely.
        assert_eq!(conflict_if_moved(&holders, 99, 10), None);
    }

    #[test]
    fn art_32_an_account_is_not_linked_into_the_household_of_the_other_office() {
        // 村民委员会组织法第三十二条: supervisor 1 in household 10, committee member 2 in 20.
        let holders = [holder(1, 10, true, false), holder(2, 20, false, true)];
        // A committee member's account linked to a person of the supervisor's household.
        assert_eq!(
            conflict_if_linked(&holders, (5, 10), false, true),
            Some((1, 5))
        );
        // A supervisor's account linked to a person of the committee member's household.
        assert_eq!(
            conflict_if_linked(&holders, (6, 20), true, false),
            Some((6, 2))
        );
        // The boundary: the other household, or an account holding neither office.
        assert_eq!(conflict_if_linked(&holders, (5, 20), false, true), None);
        assert_eq!(conflict_if_linked(&holders, (6, 10), true, false), None);
        assert_eq!(conflict_if_linked(&holders, (7, 10), false, false), None);
        assert_eq!(conflict_if_linked(&holders, (7, 20), false, false), None);
    }

    #[test]
    fn art_32_only_the_conflict_of_the_one_placed_counts() {
        // Supervisor 1 and committee member 2 already share household 10 (before the rule).
        let holders = [holder(1, 10, true, false), holder(2, 10, false, true)];
        assert_eq!(conflict_of(&holders, holder(3, 30, false, true)), None);
        assert_eq!(
            conflict_of(&holders, holder(3, 10, false, true)),
            Some((1, 3))
        );
        // Placing a holder where they already are is not a conflict with themselves.
        assert_eq!(
            conflict_of(&[holder(1, 10, true, true)], holder(1, 10, true, true)),
            None
        );
    }

    proptest::proptest! {
        #[test]
        fn art_32_no_move_or_appointment_passes_that_leaves_the_two_offices_in_one_household(
            raw in proptest::collection::vec((0..6i64, proptest::bool::ANY, proptest::bool::ANY), 0..12),
            person in 0..20i64,
            to in 0..6i64,
        ) {
            let holders: Vec<OfficeHolder> = raw
                .iter()
                .enumerate()
                .map(|(i, &(h, s, c))| holder(i as i64, h, s, c))
                .collect();
            let after: Vec<OfficeHolder> = holders
                .iter()
                .map(|h| if h.person == person { holder(h.person, to, h.supervisor, h.committee) } else { *h })
                .collect();
            let shared = after.iter().any(|s| {
                s.supervisor
                    && after
                        .iter()
                        .any(|c| c.committee && c.person != s.person && c.household == s.household)
            });
            proptest::prop_assert_eq!(conflict_if_moved(&holders, person, to).is_some(), shared);
        }
    }

    #[test]
    fn slugs_are_short_lowercase_names() {
        assert!(valid_slug("liutang"));
        assert!(valid_slug("xinghe-2"));
        for bad in ["a", "Liutang", "-x", "x-", "柳塘", "a b", &"x".repeat(41)] {
            assert!(!valid_slug(bad), "{bad}");
        }
    }
}
