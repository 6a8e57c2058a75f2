//! The pure rules of communities: who may hold which role, how a household is chosen on
//! approval, what a community's short name may be.

use crate::authz::Role;

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

/// A community's short name in URLs: 2–40 lowercase letters, digits and hyphens.
pub fn valid_slug(slug: &str) -> bool {
    (2..=40).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn slugs_are_short_lowercase_names() {
        assert!(valid_slug("liutang"));
        assert!(valid_slug("xinghe-2"));
        for bad in ["a", "Liutang", "-x", "x-", "柳塘", "a b", &"x".repeat(41)] {
            assert!(!valid_slug(bad), "{bad}");
        }
    }
}
