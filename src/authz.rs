//! Who may do what: one pure function of (user, their roles in that community, action).
//! Handlers load the actor and ask `allows`; nothing else decides permissions.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Resident,
    Representative,
    Committee,
    Supervisor,
    GridWorker,
    Township,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Resident,
        Role::Representative,
        Role::Committee,
        Role::Supervisor,
        Role::GridWorker,
        Role::Township,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Resident => "resident",
            Role::Representative => "representative",
            Role::Committee => "committee",
            Role::Supervisor => "supervisor",
            Role::GridWorker => "grid_worker",
            Role::Township => "township",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Roles the committee appoints (the admin appoints the committee and township staff).
    pub fn committee_appoints(self) -> bool {
        matches!(
            self,
            Role::Representative | Role::Supervisor | Role::GridWorker
        )
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Role::Resident => "role.resident",
            Role::Representative => "role.representative",
            Role::Committee => "role.committee",
            Role::Supervisor => "role.supervisor",
            Role::GridWorker => "role.grid_worker",
            Role::Township => "role.township",
        }
    }
}

/// A user as seen from one community.
#[derive(Clone, Debug, Default)]
pub struct Actor {
    pub signed_in: bool,
    pub is_admin: bool,
    /// Roles in this community.
    pub roles: Vec<Role>,
    /// Staff of the township this community belongs to.
    pub township_above: bool,
    /// Holds no role here but asked to join, and waits for the committee: the community's
    /// slug, so that a resident's page can say so instead of refusing.
    pub waiting: Option<String>,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Read what is public.
    ViewPublic,
    /// See one's own profile, sessions and inbox.
    ViewOwnAccount,
    /// Ask to be verified as a resident.
    RequestJoin,
    /// Support, vote, report: what needs verified residency.
    ActAsResident,
    /// Approve or decline join requests.
    ReviewJoinRequests,
    /// See the list of residents, households and roles.
    ViewResidents,
    /// Appoint or remove representatives, supervisors and grid workers.
    AppointCommunityRole,
    /// Add grids, set the community's rules for proposals.
    ConfigureCommunity,
    /// Read the action log.
    ViewActionLog,
    /// Create communities, appoint committees and township staff.
    Administer,
    /// Raise a proposal (verified residents).
    RaiseProposal,
    /// Put an item on the agenda directly, move items through their stages.
    ManageAgenda,
    /// Comment in a thread: verified residents, the committee, supervisors, grid workers (who
    /// answer for the work orders of their grid), township staff.
    Comment,
    /// Hide or unhide a comment, with a public reason.
    Moderate,
    /// Read a hidden comment's original text.
    ReadHidden,
    /// Cast a vote; whether the user is in the ballot's frozen electorate is checked
    /// against that list.
    Vote,
    /// Countersign a published decision (the supervision committee).
    Countersign,
    /// Put a question (质询) to the committee: supervisors and verified residents.
    Inquire,
    /// Take a work order sent up to the township, or send it back: staff of the township
    /// above the community.
    AnswerForTownship,
    /// Read a township's own page: its staff, and the platform admin.
    ViewTownship,
    /// Set the township's time limit for the orders it takes: its staff.
    SetTownshipLimit,
}

pub fn allows(actor: &Actor, action: Action) -> bool {
    use Action::*;
    let committee = actor.has(Role::Committee);
    let supervisor = actor.has(Role::Supervisor);
    match action {
        ViewPublic => true,
        ViewOwnAccount | RequestJoin => actor.signed_in,
        ActAsResident => actor.signed_in && actor.has(Role::Resident),
        ReviewJoinRequests | AppointCommunityRole | ConfigureCommunity => {
            actor.signed_in && committee
        }
        ViewResidents | ViewActionLog => {
            actor.signed_in && (committee || supervisor || actor.township_above || actor.is_admin)
        }
        Administer => actor.signed_in && actor.is_admin,
        RaiseProposal => actor.signed_in && actor.has(Role::Resident),
        ManageAgenda | Moderate => actor.signed_in && committee,
        Comment => {
            actor.signed_in
                && (actor.has(Role::Resident)
                    || committee
                    || supervisor
                    || actor.has(Role::GridWorker)
                    || actor.township_above)
        }
        ReadHidden => {
            actor.signed_in && (committee || supervisor || actor.township_above || actor.is_admin)
        }
        Vote => actor.signed_in,
        Countersign => actor.signed_in && supervisor,
        Inquire => actor.signed_in && (supervisor || actor.has(Role::Resident)),
        AnswerForTownship => actor.signed_in && actor.township_above,
        ViewTownship => actor.signed_in && (actor.has(Role::Township) || actor.is_admin),
        SetTownshipLimit => actor.signed_in && actor.has(Role::Township),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(roles: &[Role]) -> Actor {
        Actor {
            signed_in: true,
            roles: roles.to_vec(),
            ..Actor::default()
        }
    }

    #[test]
    fn the_permission_table_holds() {
        use Action::*;
        let anon = Actor::default();
        let user = actor(&[]);
        let resident = actor(&[Role::Resident]);
        let rep = actor(&[Role::Resident, Role::Representative]);
        let committee = actor(&[Role::Committee]);
        let supervisor = actor(&[Role::Resident, Role::Supervisor]);
        let grid = actor(&[Role::GridWorker]);
        let township = Actor {
            signed_in: true,
            township_above: true,
            ..Actor::default()
        };
        let admin = Actor {
            signed_in: true,
            is_admin: true,
            ..Actor::default()
        };
        // (action, [anon, user, resident, rep, committee, supervisor, grid, township, admin])
        let table: &[(Action, [bool; 9])] = &[
            (ViewPublic, [true; 9]),
            (
                ViewOwnAccount,
                [false, true, true, true, true, true, true, true, true],
            ),
            (
                RequestJoin,
                [false, true, true, true, true, true, true, true, true],
            ),
            (
                ActAsResident,
                [false, false, true, true, false, true, false, false, false],
            ),
            (
                ReviewJoinRequests,
                [false, false, false, false, true, false, false, false, false],
            ),
            (
                AppointCommunityRole,
                [false, false, false, false, true, false, false, false, false],
            ),
            (
                ConfigureCommunity,
                [false, false, false, false, true, false, false, false, false],
            ),
            (
                ViewResidents,
                [false, false, false, false, true, true, false, true, true],
            ),
            (
                ViewActionLog,
                [false, false, false, false, true, true, false, true, true],
            ),
            (
                Administer,
                [false, false, false, false, false, false, false, false, true],
            ),
            (
                Countersign,
                [false, false, false, false, false, true, false, false, false],
            ),
            (
                Inquire,
                [false, false, true, true, false, true, false, false, false],
            ),
            (
                AnswerForTownship,
                [false, false, false, false, false, false, false, true, false],
            ),
        ];
        let actors = [
            &anon,
            &user,
            &resident,
            &rep,
            &committee,
            &supervisor,
            &grid,
            &township,
            &admin,
        ];
        for (action, expected) in table {
            for (who, want) in actors.iter().zip(expected) {
                assert_eq!(allows(who, *action), *want, "{action:?} for {who:?}");
            }
        }
    }

    #[test]
    fn a_townships_page_is_for_its_staff_and_the_admin() {
        let staff = actor(&[Role::Township]);
        let admin = Actor {
            signed_in: true,
            is_admin: true,
            ..Actor::default()
        };
        // Staff of the township above a village are not staff of the village itself.
        let above = Actor {
            signed_in: true,
            township_above: true,
            ..Actor::default()
        };
        assert!(allows(&staff, Action::ViewTownship));
        assert!(allows(&admin, Action::ViewTownship));
        assert!(allows(&staff, Action::SetTownshipLimit));
        assert!(!allows(&admin, Action::SetTownshipLimit));
        assert!(!allows(&above, Action::SetTownshipLimit));
        assert!(!allows(&above, Action::ViewTownship));
        assert!(!allows(&actor(&[Role::Committee]), Action::ViewTownship));
        assert!(!allows(&Actor::default(), Action::ViewTownship));
    }

    #[test]
    fn a_role_in_the_database_is_not_signed_in_by_itself() {
        let ghost = Actor {
            signed_in: false,
            roles: vec![Role::Committee],
            is_admin: true,
            township_above: true,
            waiting: None,
        };
        for action in [
            Action::ReviewJoinRequests,
            Action::ViewActionLog,
            Action::Administer,
        ] {
            assert!(!allows(&ghost, action));
        }
    }

    #[test]
    fn roles_round_trip_as_text() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("mayor"), None);
    }
}
