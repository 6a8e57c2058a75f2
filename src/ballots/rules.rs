//! The pure rules of ballots: quorum and pass thresholds from the Organic Law of Villagers' Committees, stored as a short text, applied to the counts.
//!
//! 以上 ("at least") includes the number itself, 过半数/超过 ("more than") does not.
//! Fractions are compared in integers (u128 products), never floats.

use std::fmt;

/// The body that decides a matter. The stored strings are fixed: other features read them
/// (`consultation` is never citable).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Body {
    /// 村民会议 (in a neighbourhood 居民会议): the adults on the roster.
    Residents,
    /// 户代表: one vote per household on the roster.
    Households,
    /// 村民代表会议 / 居民代表会议: committee members and representatives.
    Representatives,
    /// 两委会: roll call of the committee's accounts.
    Committee,
    /// 村民小组会议 (art. 28): the adults of one group (grid).
    Group,
    /// 意见征集: a consultation, non-binding, without quorum.
    Consultation,
}

impl Body {
    pub const ALL: [Body; 6] = [
        Body::Residents,
        Body::Households,
        Body::Representatives,
        Body::Committee,
        Body::Group,
        Body::Consultation,
    ];

    pub fn as_str(self) -> &'static str {
        [
            "residents",
            "households",
            "representatives",
            "committee",
            "group",
            "consultation",
        ][self as usize]
    }

    pub fn parse(s: &str) -> Option<Body> {
        Body::ALL.into_iter().find(|b| b.as_str() == s)
    }

    /// Villagers and representatives vote in secret; committee members vote by name.
    pub fn is_secret(self) -> bool {
        self != Body::Committee
    }

    /// Whether its decisions bind: a consultation (意见征集) never does.
    pub fn is_binding(self) -> bool {
        self != Body::Consultation
    }

    /// Whether the law sets its quorum and majority (a floor a community may only raise).
    pub fn is_statutory(self) -> bool {
        !matches!(self, Body::Committee | Body::Consultation)
    }

    /// Whether its electorate is frozen from the roster (persons), not from accounts: every
    /// statutory body's (the representatives' meeting: the persons of its members) and a
    /// consultation's. Only the committee's roll call is of accounts.
    pub fn from_roster(self) -> bool {
        self != Body::Committee
    }

    /// Whether a meeting of this body may sit in the hall and online at once: persons on
    /// the roster sign in one by one, so not a household ballot (a household votes once,
    /// by its representative) nor a body frozen from accounts.
    pub fn may_meet_mixed(self) -> bool {
        matches!(self, Body::Residents | Body::Group | Body::Consultation)
    }
}

/// Which organic law the community lives under: a village's (村民委员会组织法) or an urban
/// neighbourhood's (城市居民委员会组织法).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Law {
    Village,
    Urban,
}

impl Law {
    /// By the community's kind: a neighbourhood is urban, everything else a village.
    pub fn of_kind(kind: &str) -> Law {
        if kind == "neighbourhood" {
            Law::Urban
        } else {
            Law::Village
        }
    }
}

/// A fraction with its comparison: strict = "more than" (过半数/超过), else "at least" (以上).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fraction {
    pub num: u64,
    pub den: u64,
    pub strict: bool,
}

const fn frac(num: u64, den: u64, strict: bool) -> Fraction {
    Fraction { num, den, strict }
}

impl Fraction {
    pub const MORE_THAN_HALF: Fraction = frac(1, 2, true);
    pub const TWO_THIRDS: Fraction = frac(2, 3, false);

    /// Whether `x` is more than (strict) or at least this fraction of `of`.
    pub fn met(self, x: u64, of: u64) -> bool {
        let (lhs, rhs) = (x as u128 * self.den as u128, self.num as u128 * of as u128);
        lhs > rhs || (!self.strict && lhs == rhs)
    }

    /// The smallest x that meets the fraction of `of` (so met(threshold) && !met(threshold-1) when threshold>0).
    /// Saturates at `u64::MAX` for invalid fractions that can never be met.
    pub fn threshold(self, of: u64) -> u64 {
        if self.den == 0 {
            return if self.met(0, of) { 0 } else { u64::MAX };
        }
        // x·den > p  ⇔  x·den ≥ p + 1, so strict is "at least" one more.
        let p = self.num as u128 * of as u128 + self.strict as u128;
        u64::try_from(p.div_ceil(self.den as u128)).unwrap_or(u64::MAX)
    }

    /// Whether meeting this fraction always meets `other` too (it is at least as strict):
    /// a larger share, or the same share with "more than" where the other says "at least".
    pub fn at_least(self, other: Fraction) -> bool {
        let (a, b) = (
            self.num as u128 * other.den as u128,
            other.num as u128 * self.den as u128,
        );
        a > b || (a == b && (self.strict || !other.strict))
    }

    fn validate(self) -> Result<(), RuleError> {
        let Fraction { num, den, strict } = self;
        let ok = den > 0 && num > 0 && num <= den && !(num == den && strict);
        ok.then_some(()).ok_or(RuleError::BadFraction)
    }

    fn encode(self) -> String {
        let op = if self.strict { ">" } else { ">=" };
        format!("{op}{}/{}", self.num, self.den)
    }

    /// Parses ">1/2" or ">=2/3" (any number syntax `u64` accepts; `Rule::decode` insists on canonical).
    fn decode(s: &str) -> Option<Fraction> {
        let (strict, rest) = match s.strip_prefix(">=") {
            Some(rest) => (false, rest),
            None => (true, s.strip_prefix('>')?),
        };
        let (num, den) = rest.split_once('/')?;
        Some(frac(num.parse().ok()?, den.parse().ok()?, strict))
    }
}

/// What the pass fraction is taken of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PassOf {
    Present,
    Electorate,
}

/// A quorum and a pass threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rule {
    /// Of the electorate.
    pub quorum_people: Option<Fraction>,
    /// Of the households; quorum is met if EITHER given test is met; if both None, quorum is always met.
    /// A test over an empty base (no electorate, no households recorded) is never met.
    pub quorum_households: Option<Fraction>,
    pub pass: Fraction,
    pub pass_of: PassOf,
}

const HALF: Fraction = Fraction::MORE_THAN_HALF;
const TWO_THIRDS: Fraction = Fraction::TWO_THIRDS;

impl Rule {
    const fn new(
        quorum_people: Option<Fraction>,
        quorum_households: Option<Fraction>,
        pass: Fraction,
        pass_of: PassOf,
    ) -> Rule {
        Rule {
            quorum_people,
            quorum_households,
            pass,
            pass_of,
        }
    }

    /// Art. 22: more than half of the adult residents, or at least two thirds of the
    /// households; passes with more than half of those present.
    pub fn villagers_meeting() -> Rule {
        Rule::new(Some(HALF), Some(TWO_THIRDS), HALF, PassOf::Present)
    }

    /// Art. 26: at least two thirds of the representatives; more than half of those present.
    pub fn representatives_meeting() -> Rule {
        Rule::new(Some(TWO_THIRDS), None, HALF, PassOf::Present)
    }

    /// 两委会: more than half of the members present; more than half of all members for.
    pub fn committee() -> Rule {
        Rule::new(Some(HALF), None, HALF, PassOf::Electorate)
    }

    /// Art. 22 met by household representatives alone: at least two thirds of the
    /// households; more than half of the households present.
    pub fn household_meeting() -> Rule {
        Rule::new(None, Some(TWO_THIRDS), HALF, PassOf::Present)
    }

    /// Art. 28: at least two thirds of the group's adults, or of its households; more than
    /// half of those present.
    pub fn group_meeting() -> Rule {
        Rule::new(Some(TWO_THIRDS), Some(TWO_THIRDS), HALF, PassOf::Present)
    }

    /// 城市居民委员会组织法 art. 9 (2018): more than half of the adult residents, or of the
    /// household representatives; more than half of those present.
    pub fn urban_residents_meeting() -> Rule {
        Rule::new(Some(HALF), Some(HALF), HALF, PassOf::Present)
    }

    /// Art. 9 met by household representatives alone: more than half of the households.
    pub fn urban_household_meeting() -> Rule {
        Rule::new(None, Some(HALF), HALF, PassOf::Present)
    }

    /// 意见征集: no quorum; the view of more than half of those who answered.
    pub fn consultation() -> Rule {
        Rule::new(None, None, HALF, PassOf::Present)
    }

    /// The village preset for a deciding body. A household ballot counts households only,
    /// so its quorum is the household test of art. 22.
    pub fn preset(body: Body) -> Rule {
        Rule::preset_in(Law::Village, body)
    }

    /// The preset for a body under a law. The urban 居民代表会议 (2025 revision) defaults to
    /// the village rule, two thirds present and more than half of them; a neighbourhood sets
    /// its own (`ballots::urban::RepsSetting`).
    pub fn preset_in(law: Law, body: Body) -> Rule {
        match (law, body) {
            (Law::Village, Body::Residents) => Rule::villagers_meeting(),
            (Law::Village, Body::Households) => Rule::household_meeting(),
            (Law::Urban, Body::Residents) => Rule::urban_residents_meeting(),
            (Law::Urban, Body::Households) => Rule::urban_household_meeting(),
            (_, Body::Representatives) => Rule::representatives_meeting(),
            (_, Body::Committee) => Rule::committee(),
            (_, Body::Group) => Rule::group_meeting(),
            (_, Body::Consultation) => Rule::consultation(),
        }
    }

    /// Whether this rule is at least as strict as `floor`: every quorum test it has is at
    /// least as strict as the floor's test over the same base (so a representatives' rule
    /// cannot gain a household test), it has a test if the floor has one, and its pass
    /// test is at least as strict (a share of the whole electorate is stricter than the
    /// same share of those present).
    pub fn at_least(&self, floor: &Rule) -> bool {
        let test = |mine: Option<Fraction>, theirs: Option<Fraction>| match (mine, theirs) {
            (None, _) => true,
            (Some(m), Some(t)) => m.at_least(t),
            (Some(_), None) => false,
        };
        let floor_has = floor.quorum_people.is_some() || floor.quorum_households.is_some();
        let mine_has = self.quorum_people.is_some() || self.quorum_households.is_some();
        let pass_of_ok = self.pass_of == floor.pass_of || self.pass_of == PassOf::Electorate;
        test(self.quorum_people, floor.quorum_people)
            && test(self.quorum_households, floor.quorum_households)
            && (mine_has || !floor_has)
            && pass_of_ok
            && self.pass.at_least(floor.pass)
    }

    /// A rule for `body` under `law` as the form chose it: statutory bodies may not go
    /// below the legal floor (the preset); a household test on a body that has none is
    /// refused on its own.
    pub fn check_floor(&self, law: Law, body: Body) -> Result<(), FloorError> {
        self.check_floor_against(&Rule::preset_in(law, body), body)
    }

    /// [`Rule::check_floor`] against a given floor: the law's preset, or a community's own
    /// rule where the law leaves it to the community (`ballots::urban::Standing`).
    pub fn check_floor_against(&self, floor: &Rule, body: Body) -> Result<(), FloorError> {
        if self.quorum_households.is_some() && floor.quorum_households.is_none() {
            return Err(FloorError::NoHouseholdQuorum);
        }
        if body.is_statutory() && !self.at_least(floor) {
            return Err(FloorError::BelowTheLaw);
        }
        Ok(())
    }

    /// A rule from the choices on the "open a ballot" form: `preset`, or one of the
    /// common quorum and pass tests. `None` for an unknown choice.
    pub fn from_choices(law: Law, body: Body, quorum: &str, pass: &str) -> Option<Rule> {
        Rule::from_preset(Rule::preset_in(law, body), quorum, pass)
    }

    /// [`Rule::from_choices`] from a given preset (`preset` keeps its tests).
    pub fn from_preset(preset: Rule, quorum: &str, pass: &str) -> Option<Rule> {
        let (quorum_people, quorum_households) = match quorum {
            "preset" | "" => (preset.quorum_people, preset.quorum_households),
            "people_half" => (Some(HALF), None),
            "people_two_thirds" => (Some(TWO_THIRDS), None),
            "households_two_thirds" => (None, Some(TWO_THIRDS)),
            "none" => (None, None),
            _ => return None,
        };
        let (pass, pass_of) = match pass {
            "preset" | "" => (preset.pass, preset.pass_of),
            "present_half" => (HALF, PassOf::Present),
            "present_two_thirds" => (TWO_THIRDS, PassOf::Present),
            "electorate_half" => (HALF, PassOf::Electorate),
            "electorate_two_thirds" => (TWO_THIRDS, PassOf::Electorate),
            _ => return None,
        };
        Some(Rule::new(quorum_people, quorum_households, pass, pass_of))
    }

    /// Canonical text, stored with the ballot and the decision, e.g.
    /// "quorum=people>1/2,households>=2/3;pass=present>1/2". ">" is strict, ">=" is at least.
    pub fn encode(&self) -> String {
        let test = |name, f: Option<Fraction>| f.map(|f| format!("{name}{}", f.encode()));
        let (p, h) = (self.quorum_people, self.quorum_households);
        let tests = [test("people", p), test("households", h)];
        let joined = tests.into_iter().flatten().collect::<Vec<_>>().join(",");
        let quorum = if joined.is_empty() { "none" } else { &joined };
        let of = ["present", "electorate"][self.pass_of as usize];
        format!("quorum={quorum};pass={of}{}", self.pass.encode())
    }

    /// Accepts only the canonical text: anything `encode` would not write is `Malformed`;
    /// a well-formed text with an impossible fraction is `BadFraction`.
    pub fn decode(s: &str) -> Result<Rule, RuleError> {
        let rule = Rule::parse(s).ok_or(RuleError::Malformed)?;
        rule.validate()?;
        if rule.encode() != s {
            return Err(RuleError::Malformed);
        }
        Ok(rule)
    }

    fn parse(s: &str) -> Option<Rule> {
        let (quorum, pass) = s.split_once(';')?;
        let (quorum, pass) = (quorum.strip_prefix("quorum=")?, pass.strip_prefix("pass=")?);
        let (mut people, mut households) = (None, None);
        for test in quorum.split(',').filter(|_| quorum != "none") {
            if let Some(f) = test.strip_prefix("people") {
                people = Some(Fraction::decode(f)?);
            } else {
                households = Some(Fraction::decode(test.strip_prefix("households")?)?);
            }
        }
        let (of, f) = match pass.strip_prefix("present") {
            Some(f) => (PassOf::Present, f),
            None => (PassOf::Electorate, pass.strip_prefix("electorate")?),
        };
        Some(Rule::new(people, households, Fraction::decode(f)?, of))
    }

    /// Every fraction has den>0 and 0<num<=den, and none is "more than the whole".
    pub fn validate(&self) -> Result<(), RuleError> {
        let quorum = self.quorum_people.iter().chain(&self.quorum_households);
        quorum.chain([&self.pass]).try_for_each(|f| f.validate())
    }
}

/// Why a rule chosen for a statutory body was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloorError {
    /// Less than the law asks (a lower quorum, no quorum, a lower majority).
    BelowTheLaw,
    /// A household quorum for a body that is not counted by households.
    NoHouseholdQuorum,
    /// Less than the community's own rule for its 居民代表会议 (`ballots::urban`).
    BelowTheSetting,
}

impl FloorError {
    pub fn message_key(self) -> &'static str {
        match self {
            FloorError::BelowTheLaw => "ballots.err_below_law",
            FloorError::NoHouseholdQuorum => "ballots.err_no_household_quorum",
            FloorError::BelowTheSetting => "ballots.err_below_setting",
        }
    }
}

/// Why a rule text was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleError {
    Malformed,
    BadFraction,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RuleError::Malformed => "the rule text is malformed",
            RuleError::BadFraction => "a fraction in the rule is impossible",
        })
    }
}

impl std::error::Error for RuleError {}

/// How a ballot's options are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Options {
    /// for / against / abstain: option 0 is "for", 1 "against", 2 "abstain"
    ForAgainstAbstain,
    /// 2..=10 named options, single choice
    Named(usize),
}

/// What was counted. `per_option` has one entry per option, in option order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counts {
    pub electorate: u64,
    pub households: u64,
    pub present: u64,
    pub households_present: u64,
    pub per_option: Vec<u64>,
}

/// The result of a ballot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    Rejected,
    NoQuorum,
}

impl Verdict {
    pub const ALL: [Verdict; 3] = [Verdict::Passed, Verdict::Rejected, Verdict::NoQuorum];

    pub fn as_str(self) -> &'static str {
        ["passed", "rejected", "no_quorum"][self as usize]
    }

    /// The verdict stored as [`Verdict::as_str`].
    pub fn parse(s: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// Everything a decision page needs to explain the result in words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Threshold of the electorate, if that test is in the rule (at least 1: a quorum needs somebody).
    pub quorum_people_needed: Option<u64>,
    /// Threshold of the households, if that test is in the rule (at least 1).
    pub quorum_households_needed: Option<u64>,
    pub quorum_met: bool,
    /// Present or electorate, per `pass_of`.
    pub pass_base: u64,
    pub pass_needed: u64,
    /// Always option 0 ("for") for for/against/abstain; for named options the unique
    /// plurality option, None on a tie for first or when nobody voted for anything.
    pub leading: Option<usize>,
    pub leading_votes: u64,
    pub verdict: Verdict,
}

/// Applies the rule to the counts. Trusts the counts: check them with `check_counts` first.
pub fn tally(rule: &Rule, options: Options, counts: &Counts) -> Outcome {
    let c = counts;
    // A quorum needs somebody: over an empty body (say, households never entered) it is unmet.
    let needed = |f: Option<Fraction>, of| f.map(|f| f.threshold(of).max(1));
    let people = needed(rule.quorum_people, c.electorate);
    let households = needed(rule.quorum_households, c.households);
    let quorum_met = (people.is_none() && households.is_none())
        || people.is_some_and(|n| c.present >= n)
        || households.is_some_and(|n| c.households_present >= n);
    let pass_base = [c.present, c.electorate][rule.pass_of as usize];
    let max = c.per_option.iter().copied().max().unwrap_or(0);
    let mut firsts = (0..c.per_option.len()).filter(|&i| c.per_option[i] == max);
    let leading = match (options, firsts.next(), firsts.next()) {
        (Options::ForAgainstAbstain, _, _) => Some(0),
        (Options::Named(_), Some(i), None) if max > 0 => Some(i),
        (Options::Named(_), _, _) => None,
    };
    let leading_votes = leading.and_then(|i| c.per_option.get(i)).map_or(0, |&v| v);
    let verdict = match (quorum_met, leading.is_some()) {
        (false, _) => Verdict::NoQuorum,
        (true, true) if rule.pass.met(leading_votes, pass_base) => Verdict::Passed,
        (true, _) => Verdict::Rejected,
    };
    Outcome {
        quorum_people_needed: people,
        quorum_households_needed: households,
        quorum_met,
        pass_base,
        pass_needed: rule.pass.threshold(pass_base),
        leading,
        leading_votes,
        verdict,
    }
}

/// How long before now a ballot may be said to open: a form filled in a little earlier.
pub const OPEN_GRACE_MINUTES: i64 = 60;
/// A ballot opens within this many months from now, and closes within this many of opening.
pub const WINDOW_MONTHS: u32 = 12;

/// Why a ballot's opening and closing times are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowError {
    /// Opens more than [`OPEN_GRACE_MINUTES`] before now.
    OpensInThePast,
    /// Opens more than [`WINDOW_MONTHS`] months from now.
    OpensTooLate,
    /// Closes no later than it opens, or not after now.
    ClosesTooEarly,
    /// Closes more than [`WINDOW_MONTHS`] months after it opens.
    ClosesTooLate,
}

impl WindowError {
    pub fn message_key(self) -> &'static str {
        match self {
            Self::OpensInThePast => "ballots.err_opens_past",
            Self::OpensTooLate => "ballots.err_opens_late",
            Self::ClosesTooEarly => "ballots.err_closes_time",
            Self::ClosesTooLate => "ballots.err_closes_late",
        }
    }
}

/// A ballot's window: opening at most a little in the past and within a year from now;
/// closing after both the opening and now, and within a year of the opening.
pub fn check_window(
    opens: chrono::NaiveDateTime,
    closes: chrono::NaiveDateTime,
    now: chrono::NaiveDateTime,
) -> Result<(), WindowError> {
    let year = chrono::Months::new(WINDOW_MONTHS);
    let grace = chrono::Duration::minutes(OPEN_GRACE_MINUTES);
    if opens < now - grace {
        Err(WindowError::OpensInThePast)
    } else if now.checked_add_months(year).is_none_or(|last| opens > last) {
        Err(WindowError::OpensTooLate)
    } else if closes <= opens || closes <= now {
        Err(WindowError::ClosesTooEarly)
    } else if opens
        .checked_add_months(year)
        .is_none_or(|last| closes > last)
    {
        Err(WindowError::ClosesTooLate)
    } else {
        Ok(())
    }
}

/// Who casts a vote: the key the one-vote rule counts, and the voter's household.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Voter {
    pub key: i64,
    pub household: Option<i64>,
    /// The roster person behind the vote, on a ballot frozen from the roster.
    pub person: Option<i64>,
}

/// The voter behind `user` on a ballot of `body`, given their entry in the frozen
/// electorate (`Some(household)`, `None` outside it): on a household ballot the household
/// votes, so an elector without one cannot; otherwise the user does.
pub fn voter(body: Body, user: i64, elector: Option<Option<i64>>) -> Option<Voter> {
    match (body, elector) {
        (_, None) | (Body::Households, Some(None)) => None,
        (Body::Households, Some(Some(h))) => Some(Voter {
            key: h,
            household: Some(h),
            person: None,
        }),
        (_, Some(h)) => Some(Voter {
            key: user,
            household: h,
            person: None,
        }),
    }
}

/// The voter behind an account on a ballot frozen from the roster: `person` is the account's
/// linked person and household (none: the account is not linked), `on_roll` whether that
/// person is on the ballot's roll, `representative` the household's 户代表 if named. A
/// household votes under its own key; a person under theirs.
pub fn roll_voter(
    body: Body,
    person: Option<(i64, i64)>,
    on_roll: bool,
    representative: Option<i64>,
) -> Result<Voter, VoteRefusal> {
    let (p, h) = person.ok_or(VoteRefusal::Unlinked)?;
    if !on_roll {
        return Err(VoteRefusal::NotOnRoll);
    }
    if body == Body::Households && !may_cast_for_household(representative, p) {
        return Err(VoteRefusal::NotHouseholdRep);
    }
    let key = if body == Body::Households { h } else { p };
    Ok(Voter {
        key,
        household: Some(h),
        person: Some(p),
    })
}

/// When a ballot takes votes.
#[derive(Clone, Copy, Debug)]
pub struct VoteWindow {
    pub online: bool,
    pub open: bool,
    pub opens_at: chrono::NaiveDateTime,
    pub closes_at: chrono::NaiveDateTime,
}

/// What a vote brings besides the time: the option chosen (if it is one of the ballot's),
/// whether the voter is in the electorate, and on a secret ballot their tracker.
#[derive(Clone, Copy, Debug)]
pub struct VoteFacts {
    pub choice: Option<usize>,
    pub elector: bool,
    pub secret: bool,
    /// The tracker is well-formed.
    pub tracker_valid: bool,
    /// The tracker carries the seal issued for this ballot and this voter.
    pub tracker_sealed: bool,
}

/// Why a vote is refused before it reaches the ballot box.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoteRefusal {
    /// Counted in the hall, not online.
    Hall,
    Closed,
    NotOpen,
    Choice,
    NotElector,
    /// The account is linked to nobody on the roster.
    Unlinked,
    /// The linked person is not on this meeting's roll.
    NotOnRoll,
    /// The household's 户代表 casts its vote.
    NotHouseholdRep,
    Tracker,
    TrackerForeign,
}

impl VoteRefusal {
    pub fn message_key(self) -> &'static str {
        match self {
            Self::Hall => "ballots.err_hall",
            Self::Closed => "ballots.err_closed",
            Self::NotOpen => "ballots.err_not_open",
            Self::Choice => "ballots.err_choice",
            Self::NotElector => "ballots.err_not_elector",
            Self::Unlinked => "ballots.err_unlinked",
            Self::NotOnRoll => "ballots.err_not_on_roll",
            Self::NotHouseholdRep => "ballots.err_not_household_rep",
            Self::Tracker => "ballots.err_tracker",
            Self::TrackerForeign => "ballots.err_tracker_foreign",
        }
    }
}

/// Whether the ballot takes a vote at `now`: online, open, and between its times.
pub fn vote_window(w: &VoteWindow, now: chrono::NaiveDateTime) -> Result<(), VoteRefusal> {
    if !w.online {
        Err(VoteRefusal::Hall)
    } else if !w.open || now >= w.closes_at {
        Err(VoteRefusal::Closed)
    } else if now < w.opens_at {
        Err(VoteRefusal::NotOpen)
    } else {
        Ok(())
    }
}

/// Checks a vote in the order a voter can fix it: the window first, then the choice, the
/// electorate and the tracker. Returns the choice.
pub fn check_vote(
    w: &VoteWindow,
    f: &VoteFacts,
    now: chrono::NaiveDateTime,
) -> Result<usize, VoteRefusal> {
    vote_window(w, now)?;
    let choice = f.choice.ok_or(VoteRefusal::Choice)?;
    if !f.elector {
        Err(VoteRefusal::NotElector)
    } else if f.secret && !f.tracker_valid {
        Err(VoteRefusal::Tracker)
    } else if f.secret && !f.tracker_sealed {
        Err(VoteRefusal::TrackerForeign)
    } else {
        Ok(choice)
    }
}

/// Why typed-in counts are inconsistent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CountsError {
    WrongOptionCount,
    SumIsNotPresent,
    MorePresentThanElectorate,
    MoreHouseholdsThanExist,
    MoreHouseholdsThanPeople,
    /// The hall's paper count has more votes than persons signed in on its register.
    MoreVotesThanSignedIn,
    /// More persons signed in at the hall than are on the roll.
    MoreSignedInThanRoll,
    /// A hall-only meeting with a sign-in register: the clerk typed more present than
    /// signed in.
    MorePresentThanSignedIn,
}

/// May a published result of a ballot held in `mode` be corrected? A count typed at a
/// meeting may be miscounted: the hall's (`hall`) and the hall part of a meeting also held
/// online (`mixed`), whose correction keeps the online part and carries both. Online votes
/// are counted by the machine and are never corrected by hand.
pub fn may_correct(mode: &str) -> bool {
    matches!(mode, "hall" | "mixed")
}

/// A meeting held only in the hall that kept a sign-in register (签到): those present are
/// those who signed in, so the typed attendance may not exceed the register (nor the roll,
/// which `check_counts` checks). An empty register (a paper count alone) is not checked.
pub fn check_against_register(present: u64, signed_in: u64) -> Result<(), CountsError> {
    if signed_in > 0 && present > signed_in {
        Err(CountsError::MorePresentThanSignedIn)
    } else {
        Ok(())
    }
}

/// Checks counts are consistent: per_option.len() matches options (3 for ForAgainstAbstain,
/// n for Named(n), n in 2..=10), sum(per_option) == present, present <= electorate,
/// households_present <= households, households_present <= present.
/// Used to validate meeting results typed in by the committee.
pub fn check_counts(options: Options, counts: &Counts) -> Result<(), CountsError> {
    use CountsError::*;
    let (c, len) = (counts, counts.per_option.len());
    let len_ok = match options {
        Options::ForAgainstAbstain => len == 3,
        Options::Named(n) => (2..=10).contains(&n) && len == n,
    };
    let sum: u128 = c.per_option.iter().map(|&v| v as u128).sum();
    let broken = [
        (!len_ok, WrongOptionCount),
        (sum != c.present as u128, SumIsNotPresent),
        (c.present > c.electorate, MorePresentThanElectorate),
        (c.households_present > c.households, MoreHouseholdsThanExist),
        (c.households_present > c.present, MoreHouseholdsThanPeople),
    ];
    broken
        .into_iter()
        .find(|&(bad, _)| bad)
        .map_or(Ok(()), |(_, e)| Err(e))
}

// ---- the electorate from the roster ----

/// A person's standing on the roster: 在册, 迁出 or 去世.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    Listed,
    Moved,
    Deceased,
}

impl Standing {
    /// As stored in `persons.status`; anything unknown is not listed.
    pub fn parse(s: &str) -> Standing {
        match s {
            "listed" => Standing::Listed,
            "deceased" => Standing::Deceased,
            _ => Standing::Moved,
        }
    }
}

/// What the electorate needs to know of a person on the roster.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RosterPerson {
    pub id: i64,
    pub household_id: i64,
    pub group_id: Option<i64>,
    pub birth_date: chrono::NaiveDate,
    pub standing: Standing,
    /// When they moved away or died.
    pub standing_since: Option<chrono::NaiveDate>,
}

/// Age of majority: 十八周岁.
pub const ADULT_YEARS: u32 = 18;

/// Whether someone born on `birth` is 18 on `day`: their 18th birthday is on or before it
/// (someone born on 29 February comes of age on 1 March in a common year).
pub fn is_adult_on(birth: chrono::NaiveDate, day: chrono::NaiveDate) -> bool {
    use chrono::Datelike;
    let year = birth.year() + ADULT_YEARS as i32;
    let birthday = chrono::NaiveDate::from_ymd_opt(year, birth.month(), birth.day())
        .or_else(|| chrono::NaiveDate::from_ymd_opt(year, 3, 1));
    birthday.is_some_and(|b| b <= day)
}

/// Whether the person belongs to a meeting held on `day`: 18 or over that day, and not moved
/// away or deceased on or before it (a status without a date counts as before).
pub fn in_electorate(p: &RosterPerson, day: chrono::NaiveDate) -> bool {
    !gone_by(p, day) && is_adult_on(p.birth_date, day)
}

/// Whether the person moved away or died on or before `day` (a status without a date
/// counts as before).
pub fn gone_by(p: &RosterPerson, day: chrono::NaiveDate) -> bool {
    match p.standing {
        Standing::Listed => false,
        _ => p.standing_since.is_none_or(|d| d <= day),
    }
}

/// The electorate of a meeting on `day` (of one group, if given): the persons in it, by id,
/// and the households with at least one of them, each sorted.
pub fn electorate(
    persons: &[RosterPerson],
    day: chrono::NaiveDate,
    group: Option<i64>,
) -> (Vec<RosterPerson>, Vec<i64>) {
    let mut people: Vec<RosterPerson> = persons
        .iter()
        .filter(|p| group.is_none() || p.group_id == group)
        .filter(|p| in_electorate(p, day))
        .copied()
        .collect();
    people.sort_by_key(|p| p.id);
    let mut households: Vec<i64> = people.iter().map(|p| p.household_id).collect();
    households.sort_unstable();
    households.dedup();
    (people, households)
}

/// Art. 25/26: the representatives' meeting is the committee members and the
/// representatives, each once, sorted.
pub fn representatives_electorate(committee: &[i64], representatives: &[i64]) -> Vec<i64> {
    let mut all: Vec<i64> = committee.iter().chain(representatives).copied().collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// Art. 25/26: the representatives' meeting held on `day` as persons on the roster.
/// `linked` is (account, person) for the accounts linked to a roster person; every
/// committee member and representative must be one of them. A member whose person moved
/// away or died on or before the day is no longer in the meeting, nor in its base: their
/// seat waits to be filled (补选). The persons as (person, household), each once, sorted;
/// or the accounts linked to nobody, which refuse the opening.
pub fn representatives_roll(
    committee: &[i64],
    representatives: &[i64],
    linked: &[(i64, RosterPerson)],
    day: chrono::NaiveDate,
) -> Result<Vec<(i64, i64)>, Vec<i64>> {
    let mut persons = Vec::new();
    let mut unlinked = Vec::new();
    for u in representatives_electorate(committee, representatives) {
        match linked.iter().find(|l| l.0 == u) {
            Some((_, p)) if gone_by(p, day) => {}
            Some((_, p)) => persons.push((p.id, p.household_id)),
            None => unlinked.push(u),
        }
    }
    if !unlinked.is_empty() {
        return Err(unlinked);
    }
    persons.sort_unstable();
    persons.dedup();
    Ok(persons)
}

/// The committee members and representatives whose person moved away or died on or before
/// `day`: their seats are to be filled (需要补选). Accounts, each once, sorted.
pub fn seats_to_fill(
    committee: &[i64],
    representatives: &[i64],
    linked: &[(i64, RosterPerson)],
    day: chrono::NaiveDate,
) -> Vec<i64> {
    representatives_electorate(committee, representatives)
        .into_iter()
        .filter(|u| linked.iter().any(|(a, p)| a == u && gone_by(p, day)))
        .collect()
}

/// The voter behind an account linked to no roster person: only a consultation (意见征集,
/// non-binding) takes their vote, if they are a verified resident (`resident`), under a key
/// no person's can be (the account's id, negated); a statutory ballot's electorate is
/// persons on the roster, so there they are refused.
pub fn unlinked_voter(body: Body, user: i64, resident: bool) -> Result<Voter, VoteRefusal> {
    match body {
        Body::Consultation if resident => Ok(Voter {
            key: -user,
            household: None,
            person: None,
        }),
        Body::Consultation => Err(VoteRefusal::NotElector),
        _ => Err(VoteRefusal::Unlinked),
    }
}

/// Art. 25: representatives are at least four fifths of the meeting's members. A failure
/// is shown as a warning, not a refusal: the roles may be mid-change.
pub fn composition_ok(representatives: u64, members: u64) -> bool {
    5 * representatives as u128 >= 4 * members as u128
}

/// Who may cast a household's vote: its 户代表 when the roster names one, otherwise any
/// adult member on the roll.
pub fn may_cast_for_household(representative: Option<i64>, person: i64) -> bool {
    representative.is_none_or(|r| r == person)
}

// ---- meetings in the hall and online at once (线上线下结合) ----

/// The hall's part of a meeting held in the hall and online at once: the persons signed in
/// on the register and the paper count per option.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HallPart {
    pub signed_in: u64,
    pub per_option: Vec<u64>,
}

/// Checks the hall's paper count against its register and the roll: one count per option,
/// no more votes than persons signed in (fewer is allowed: some present cast a spoilt or
/// blank paper, 废票/弃权, and still count as present — 村委会组织法 art. 22 reads
/// "到会人员"), and no more signed in than the roll.
pub fn check_hall_part(options: Options, roll: u64, part: &HallPart) -> Result<(), CountsError> {
    let len_ok = match options {
        Options::ForAgainstAbstain => part.per_option.len() == 3,
        Options::Named(n) => (2..=10).contains(&n) && part.per_option.len() == n,
    };
    let votes: u128 = part.per_option.iter().map(|&v| v as u128).sum();
    if !len_ok {
        Err(CountsError::WrongOptionCount)
    } else if part.signed_in > roll {
        Err(CountsError::MoreSignedInThanRoll)
    } else if votes > part.signed_in as u128 {
        Err(CountsError::MoreVotesThanSignedIn)
    } else {
        Ok(())
    }
}

/// A meeting's counts, both paths together: present is everyone who voted online or signed
/// in at the hall (each person once, by the one attendance key), each option's votes are
/// the online ones plus the hall's; `households_present` is the distinct households over
/// both paths (a household is present when any of its members took part).
pub fn combine(online: &Counts, hall: &HallPart, households_present: u64) -> Counts {
    let per_option = online
        .per_option
        .iter()
        .enumerate()
        .map(|(i, &n)| n + hall.per_option.get(i).copied().unwrap_or(0))
        .collect();
    Counts {
        electorate: online.electorate,
        households: online.households,
        present: online.present + hall.signed_in,
        households_present,
        per_option,
    }
}

/// Those present who voted for no option (a spoilt or blank paper in the hall).
pub fn present_not_voting(c: &Counts) -> u64 {
    let votes: u64 = c.per_option.iter().sum();
    c.present.saturating_sub(votes)
}

#[cfg(test)]
mod mixed_tests {
    use super::*;

    fn part(signed_in: u64, per_option: &[u64]) -> HallPart {
        HallPart {
            signed_in,
            per_option: per_option.to_vec(),
        }
    }

    #[test]
    fn art22_hall_votes_may_fall_short_of_those_signed_in_but_never_exceed_them() {
        let o = Options::ForAgainstAbstain;
        assert_eq!(check_hall_part(o, 480, &part(150, &[100, 30, 20])), Ok(()));
        assert_eq!(check_hall_part(o, 480, &part(150, &[100, 30, 12])), Ok(()));
        assert_eq!(
            check_hall_part(o, 480, &part(150, &[100, 30, 21])),
            Err(CountsError::MoreVotesThanSignedIn)
        );
        assert_eq!(
            check_hall_part(o, 480, &part(481, &[0, 0, 0])),
            Err(CountsError::MoreSignedInThanRoll)
        );
        assert_eq!(check_hall_part(o, 480, &part(480, &[480, 0, 0])), Ok(()));
        assert_eq!(
            check_hall_part(Options::Named(2), 480, &part(10, &[1, 2, 3])),
            Err(CountsError::WrongOptionCount)
        );
    }

    #[test]
    fn art22_quorum_counts_both_paths_and_more_than_half_of_the_adults_is_met_only_together() {
        // 480 adults: more than half is 241. 90 online and 151 in the hall make 241.
        let online = Counts {
            electorate: 480,
            households: 150,
            present: 90,
            households_present: 60,
            per_option: vec![80, 5, 5],
        };
        let rule = Rule::preset(Body::Residents);
        assert!(!tally(&rule, Options::ForAgainstAbstain, &online).quorum_met);
        let hall = part(151, &[120, 20, 6]);
        let both = combine(&online, &hall, 99);
        assert_eq!(both.present, 241);
        assert_eq!(both.per_option, vec![200, 25, 11]);
        assert_eq!(present_not_voting(&both), 5);
        let out = tally(&rule, Options::ForAgainstAbstain, &both);
        assert!(out.quorum_met);
        // Passing needs more than half of those present (241): 121; the five who did not
        // vote still count in the base.
        assert_eq!(out.pass_base, 241);
        assert_eq!(out.verdict, Verdict::Passed);
        let one_short = combine(&online, &part(150, &[120, 20, 6]), 99);
        assert!(!tally(&rule, Options::ForAgainstAbstain, &one_short).quorum_met);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ballot_window_is_bounded_at_its_edges() {
        let at = |y, m, d, h, min| {
            chrono::NaiveDate::from_ymd_opt(y, m, d)
                .and_then(|x| x.and_hms_opt(h, min, 0))
                .unwrap()
        };
        let now = at(2026, 11, 26, 1, 0);
        let ok = |o, c| check_window(o, c, now);
        // Opening: an hour back is fine, a minute more is not; a year ahead at most.
        assert_eq!(ok(at(2026, 11, 26, 0, 0), at(2026, 12, 1, 0, 0)), Ok(()));
        assert_eq!(
            ok(at(2026, 11, 25, 23, 59), at(2026, 12, 1, 0, 0)),
            Err(WindowError::OpensInThePast)
        );
        assert_eq!(ok(at(1, 1, 1, 0, 0), now), Err(WindowError::OpensInThePast));
        assert!(ok(at(2027, 11, 26, 1, 0), at(2027, 11, 27, 0, 0)).is_ok());
        assert_eq!(
            ok(at(2027, 11, 26, 1, 1), at(2027, 11, 27, 0, 0)),
            Err(WindowError::OpensTooLate)
        );
        // Closing: after the opening and now, within a year of the opening.
        assert_eq!(ok(now, now), Err(WindowError::ClosesTooEarly));
        assert_eq!(ok(now, at(2027, 11, 26, 1, 0)), Ok(()));
        assert_eq!(
            ok(now, at(2027, 11, 26, 1, 1)),
            Err(WindowError::ClosesTooLate)
        );
        assert_eq!(
            ok(now, at(9999, 12, 31, 0, 0)),
            Err(WindowError::ClosesTooLate)
        );
    }
    use proptest::prelude::*;
    use Verdict::*;

    const FAA: Options = Options::ForAgainstAbstain;

    /// Counts from [electorate, households, households present] and the votes per option.
    fn counts([electorate, households, households_present]: [u64; 3], votes: &[u64]) -> Counts {
        let (present, per_option) = (votes.iter().sum(), votes.to_vec());
        Counts {
            electorate,
            households,
            present,
            households_present,
            per_option,
        }
    }

    /// The verdict of a for/against/abstain ballot, whose counts must be consistent.
    fn verdict(rule: Rule, people: [u64; 3], votes: &[u64]) -> Verdict {
        let c = counts(people, votes);
        assert_eq!(check_counts(FAA, &c), Ok(()));
        tally(&rule, FAA, &c).verdict
    }

    #[test]
    fn exactly_half_never_passes_more_than_half() {
        let rule = Rule::villagers_meeting();
        assert_eq!(verdict(rule, [10, 5, 5], &[4, 4, 0]), Rejected);
        assert_eq!(verdict(rule, [10, 5, 5], &[5, 3, 0]), Passed);
    }

    #[test]
    fn the_example_of_312_residents_reproduces() {
        // "Quorum: more than half of 312 adult residents = 157; 201 took part — met. Passes
        // with more than half of the 201 present = 101; 143 for — passed."
        let c = counts([312, 100, 60], &[143, 50, 8]);
        let o = tally(&Rule::villagers_meeting(), FAA, &c);
        assert_eq!((o.quorum_people_needed, o.quorum_met), (Some(157), true));
        assert_eq!((o.pass_base, o.pass_needed), (201, 101));
        assert_eq!((o.leading, o.leading_votes), (Some(0), 143));
        assert_eq!(o.verdict, Passed);
        assert_eq!(o.quorum_households_needed, Some(67));
    }

    #[test]
    fn two_thirds_of_households_make_quorum_alone() {
        let rule = Rule::villagers_meeting();
        assert_eq!(verdict(rule, [300, 90, 60], &[100, 20, 0]), Passed);
        assert_eq!(verdict(rule, [300, 90, 59], &[100, 20, 0]), NoQuorum);
        assert_eq!(verdict(rule, [300, 0, 0], &[100, 20, 0]), NoQuorum); // none recorded
        let none = tally(&rule, FAA, &counts([300, 0, 0], &[100, 20, 0]));
        assert_eq!(none.quorum_households_needed, Some(1));
    }

    #[test]
    fn representatives_need_at_least_two_thirds() {
        let rule = Rule::preset(Body::Representatives);
        assert_eq!(verdict(rule, [30, 0, 0], &[20, 0, 0]), Passed);
        assert_eq!(verdict(rule, [30, 0, 0], &[19, 0, 0]), NoQuorum);
    }

    #[test]
    fn committee_passes_on_a_majority_of_all_members_not_of_those_present() {
        let rule = Rule::preset(Body::Committee);
        assert_eq!(verdict(rule, [5, 0, 0], &[3, 0, 0]), Passed);
        assert_eq!(verdict(rule, [5, 0, 0], &[2, 0, 1]), Rejected);
        assert_eq!(verdict(rule, [5, 0, 0], &[2, 0, 0]), NoQuorum);
    }

    #[test]
    fn abstentions_count_as_present_for_quorum_and_raise_the_bar() {
        let rule = Rule::villagers_meeting();
        assert_eq!(verdict(rule, [10, 10, 5], &[4, 1, 0]), NoQuorum);
        assert_eq!(verdict(rule, [10, 10, 5], &[4, 1, 1]), Passed);
        assert_eq!(verdict(rule, [20, 20, 5], &[6, 5, 0]), Passed);
        assert_eq!(verdict(rule, [20, 20, 5], &[6, 5, 2]), Rejected);
    }

    #[test]
    fn named_plurality_must_still_meet_the_pass_fraction_and_a_tie_has_no_winner() {
        let rule = Rule::villagers_meeting();
        let out = |votes: &[u64]| {
            let o = tally(&rule, Options::Named(3), &counts([20, 0, 0], votes));
            (o.leading, o.leading_votes, o.verdict)
        };
        assert_eq!(out(&[7, 3, 2]), (Some(0), 7, Passed));
        assert_eq!(out(&[3, 5, 4]), (Some(1), 5, Rejected));
        assert_eq!(out(&[2, 5, 5]), (None, 0, Rejected));
        assert_eq!(out(&[0, 0, 0]), (None, 0, NoQuorum));
    }

    #[test]
    fn form_choices_give_the_preset_or_the_named_tests() {
        assert_eq!(
            Rule::from_choices(Law::Village, Body::Residents, "preset", "preset"),
            Some(Rule::villagers_meeting())
        );
        let strict = Rule::from_choices(
            Law::Village,
            Body::Representatives,
            "preset",
            "present_two_thirds",
        );
        assert_eq!(
            strict.map(|r| r.encode()).as_deref(),
            Some("quorum=people>=2/3;pass=present>=2/3")
        );
        assert_eq!(
            Rule::from_choices(Law::Village, Body::Committee, "bogus", "preset"),
            None
        );
        assert_eq!(
            Rule::from_choices(Law::Village, Body::Committee, "preset", "bogus"),
            None
        );
    }

    #[test]
    fn presets_encode_canonically_and_round_trip() {
        let texts = [
            "quorum=people>1/2,households>=2/3;pass=present>1/2",
            "quorum=households>=2/3;pass=present>1/2",
            "quorum=people>=2/3;pass=present>1/2",
            "quorum=people>1/2;pass=electorate>1/2",
            "quorum=none;pass=present>=2/3",
        ];
        let none = Rule::new(None, None, TWO_THIRDS, PassOf::Present);
        let presets = Body::ALL.map(Rule::preset); // residents, households, representatives, committee
        for (&rule, text) in presets[..4].iter().chain([&none]).zip(texts) {
            assert!(rule.encode() == text && Rule::decode(text) == Ok(rule));
        }
    }

    #[test]
    fn decode_rejects_junk() {
        use RuleError::*;
        for (text, err) in [
            ("", Malformed),
            ("pass=present>1/1", Malformed),
            ("quorum=people>1/2,people>1/2;pass=present>1/2", Malformed),
            ("quorum=people>01/2;pass=present>1/2", Malformed),
            ("quorum=none;pass=everyone>1/2", Malformed),
            ("quorum=people>1/0;pass=present>1/2", BadFraction),
            ("quorum=people>3/2;pass=present>1/2", BadFraction),
            ("quorum=none;pass=present>1/1", BadFraction),
        ] {
            assert_eq!(Rule::decode(text), Err(err), "{text:?}");
        }
    }

    #[test]
    fn counts_typed_in_must_be_consistent() {
        use CountsError::*;
        let check = |people, votes: &[u64]| check_counts(FAA, &counts(people, votes));
        assert_eq!(check([10, 5, 3], &[3, 1, 1]), Ok(()));
        assert_eq!(check([10, 5, 3], &[3, 1]), Err(WrongOptionCount));
        assert_eq!(check([4, 5, 3], &[3, 1, 1]), Err(MorePresentThanElectorate));
        assert_eq!(check([10, 2, 3], &[3, 1, 1]), Err(MoreHouseholdsThanExist));
        assert_eq!(check([10, 5, 4], &[2, 1, 0]), Err(MoreHouseholdsThanPeople));
        let (mut c, one) = (counts([10, 5, 3], &[3, 1, 1]), counts([1, 1, 1], &[1]));
        c.present = 4;
        assert_eq!(check_counts(Options::Named(3), &c), Err(SumIsNotPresent));
        assert_eq!(check_counts(Options::Named(1), &one), Err(WrongOptionCount));
    }

    #[test]
    fn a_meeting_count_is_corrected_in_the_hall_and_mixed_never_online() {
        assert!(may_correct("hall"));
        assert!(may_correct("mixed"));
        assert!(!may_correct("online"));
    }

    #[test]
    fn a_hall_count_may_not_exceed_its_sign_in_register() {
        use CountsError::*;
        assert_eq!(check_against_register(40, 40), Ok(()));
        assert_eq!(check_against_register(39, 40), Ok(()));
        assert_eq!(check_against_register(41, 40), Err(MorePresentThanSignedIn));
        // No register kept: the paper count alone, checked against the roll.
        assert_eq!(check_against_register(41, 0), Ok(()));
    }

    #[test]
    fn names_parse_back() {
        for body in Body::ALL {
            assert_eq!(Body::parse(body.as_str()), Some(body));
        }
        assert!(Body::Households.is_secret() && !Body::Committee.is_secret());
        assert_eq!(NoQuorum.as_str(), "no_quorum");
    }

    fn fraction() -> impl Strategy<Value = Fraction> {
        let f = (1..=1000u64, 1..=1000u64, any::<bool>())
            .prop_map(|(a, b, strict)| frac(a.min(b), a.max(b), strict));
        f.prop_filter("more than the whole", |f| f.validate().is_ok())
    }

    fn rule() -> impl Strategy<Value = Rule> {
        let of = prop_oneof![Just(PassOf::Present), Just(PassOf::Electorate)];
        let (p, h) = (prop::option::of(fraction()), prop::option::of(fraction()));
        (p, h, fraction(), of).prop_map(|(p, h, pass, of)| Rule::new(p, h, pass, of))
    }

    /// Consistent for/against/abstain counts, with room for one more voter.
    fn faa_counts() -> impl Strategy<Value = Counts> {
        prop::array::uniform6(0..200u64).prop_map(|[f, a, ab, spare, households, hh]| {
            let hh = hh.min(households).min(f + a + ab);
            counts([f + a + ab + spare + 1, households, hh], &[f, a, ab])
        })
    }

    proptest! {
        #[test]
        fn threshold_is_met_and_minimal(f in fraction(), of in 0..10_000u64) {
            for f in [f, Fraction::MORE_THAN_HALF, Fraction::TWO_THIRDS] {
                let t = f.threshold(of);
                prop_assert!(f.met(t, of) && (t == 0 || !f.met(t - 1, of)));
                prop_assert!(t <= of || (f.strict && of == 0));
            }
        }

        #[test]
        fn more_than_half_never_passes_at_exactly_half(half in 0..5_000u64) {
            prop_assert!(!Fraction::MORE_THAN_HALF.met(half, 2 * half));
        }

        #[test]
        fn decode_inverts_encode(r in rule()) {
            prop_assert_eq!(Rule::decode(&r.encode()), Ok(r));
        }

        #[test]
        fn no_quorum_iff_quorum_not_met(r in rule(), c in faa_counts(), named: bool) {
            let out = tally(&r, if named { Options::Named(3) } else { FAA }, &c);
            prop_assert_eq!(out.verdict == NoQuorum, !out.quorum_met);
        }

        #[test]
        fn an_abstention_never_turns_rejected_into_passed(r in rule(), c in faa_counts()) {
            let mut more = c.clone();
            (more.present, more.per_option[2]) = (c.present + 1, c.per_option[2] + 1);
            prop_assert_eq!(check_counts(FAA, &more), Ok(()));
            let (before, after) = (tally(&r, FAA, &c), tally(&r, FAA, &more));
            if before.quorum_met && before.verdict == Rejected {
                prop_assert_eq!(after.verdict, Rejected);
            }
        }
    }

    fn window(online: bool, open: bool) -> VoteWindow {
        VoteWindow {
            online,
            open,
            opens_at: at(8),
            closes_at: at(18),
        }
    }

    fn at(h: u32) -> chrono::NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 30)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    #[test]
    fn votes_are_taken_online_between_opening_and_closing() {
        let w = window(true, true);
        assert_eq!(vote_window(&w, at(7)), Err(VoteRefusal::NotOpen));
        assert_eq!(vote_window(&w, at(8)), Ok(()));
        assert_eq!(vote_window(&w, at(17)), Ok(()));
        assert_eq!(vote_window(&w, at(18)), Err(VoteRefusal::Closed));
        assert_eq!(
            vote_window(&window(true, false), at(12)),
            Err(VoteRefusal::Closed)
        );
        assert_eq!(
            vote_window(&window(false, true), at(12)),
            Err(VoteRefusal::Hall)
        );
    }

    #[test]
    fn a_vote_is_checked_window_choice_elector_tracker_in_that_order() {
        let ok = VoteFacts {
            choice: Some(1),
            elector: true,
            secret: true,
            tracker_valid: true,
            tracker_sealed: true,
        };
        let w = window(true, true);
        assert_eq!(check_vote(&w, &ok, at(12)), Ok(1));
        let closed = VoteFacts { choice: None, ..ok };
        assert_eq!(check_vote(&w, &closed, at(19)), Err(VoteRefusal::Closed));
        assert_eq!(check_vote(&w, &closed, at(12)), Err(VoteRefusal::Choice));
        let outsider = VoteFacts {
            elector: false,
            tracker_valid: false,
            ..ok
        };
        assert_eq!(
            check_vote(&w, &outsider, at(12)),
            Err(VoteRefusal::NotElector)
        );
        let bad = VoteFacts {
            tracker_valid: false,
            ..ok
        };
        assert_eq!(check_vote(&w, &bad, at(12)), Err(VoteRefusal::Tracker));
        let foreign = VoteFacts {
            tracker_sealed: false,
            ..ok
        };
        assert_eq!(
            check_vote(&w, &foreign, at(12)),
            Err(VoteRefusal::TrackerForeign)
        );
        let open = VoteFacts {
            secret: false,
            tracker_valid: false,
            tracker_sealed: false,
            ..ok
        };
        assert_eq!(check_vote(&w, &open, at(12)), Ok(1));
    }

    #[test]
    fn a_household_votes_once_through_its_key() {
        assert_eq!(voter(Body::Residents, 7, None), None);
        assert_eq!(
            voter(Body::Residents, 7, Some(Some(3))),
            Some(Voter {
                key: 7,
                household: Some(3),
                person: None
            })
        );
        assert_eq!(
            voter(Body::Representatives, 7, Some(None)),
            Some(Voter {
                key: 7,
                household: None,
                person: None
            })
        );
        assert_eq!(
            voter(Body::Households, 7, Some(Some(3))),
            Some(Voter {
                key: 3,
                household: Some(3),
                person: None
            })
        );
        assert_eq!(voter(Body::Households, 7, Some(None)), None);
    }

    #[test]
    fn verdicts_round_trip() {
        for v in Verdict::ALL {
            assert_eq!(Verdict::parse(v.as_str()), Some(v));
        }
        assert_eq!(Verdict::parse("pass"), None);
    }

    // ---- bodies from the law's text, at the boundary ----

    #[test]
    fn art_22_villagers_meeting_more_than_half_of_adults_or_two_thirds_of_households() {
        let rule = Rule::preset_in(Law::Village, Body::Residents);
        // 100 adults, 30 households: 50 present is exactly half — no quorum unless 20 households.
        assert_eq!(verdict(rule, [100, 30, 19], &[40, 10, 0]), NoQuorum);
        assert_eq!(verdict(rule, [100, 30, 20], &[40, 10, 0]), Passed);
        assert_eq!(verdict(rule, [100, 30, 19], &[41, 10, 0]), Passed);
        // Passes with more than half of those present: exactly half is not enough.
        assert_eq!(verdict(rule, [100, 30, 20], &[30, 20, 10]), Rejected);
        assert_eq!(verdict(rule, [100, 30, 20], &[31, 20, 9]), Passed);
    }

    #[test]
    fn art_22_household_ballot_needs_two_thirds_of_households() {
        let rule = Rule::preset_in(Law::Village, Body::Households);
        assert_eq!(verdict(rule, [30, 30, 20], &[11, 9, 0]), Passed);
        assert_eq!(verdict(rule, [30, 30, 19], &[11, 8, 0]), NoQuorum);
    }

    #[test]
    fn art_26_representatives_meeting_exactly_two_thirds_of_members_is_a_quorum() {
        let rule = Rule::preset_in(Law::Village, Body::Representatives);
        assert_eq!(verdict(rule, [33, 0, 0], &[22, 0, 0]), Passed);
        assert_eq!(verdict(rule, [33, 0, 0], &[21, 0, 0]), NoQuorum);
        assert_eq!(verdict(rule, [33, 0, 0], &[11, 11, 0]), Rejected);
    }

    #[test]
    fn art_25_representatives_are_at_least_four_fifths_of_members() {
        assert!(composition_ok(20, 25)); // exactly four fifths
        assert!(!composition_ok(19, 24)); // 19/24 < 4/5
        assert!(composition_ok(0, 0));
    }

    #[test]
    fn art_28_group_meeting_two_thirds_of_adults_or_of_households() {
        let rule = Rule::preset_in(Law::Village, Body::Group);
        assert_eq!(verdict(rule, [30, 12, 0], &[20, 0, 0]), Passed);
        assert_eq!(verdict(rule, [30, 12, 7], &[19, 0, 0]), NoQuorum);
        assert_eq!(verdict(rule, [30, 12, 8], &[19, 0, 0]), Passed);
        assert_eq!(verdict(rule, [30, 12, 8], &[10, 10, 0]), Rejected);
    }

    #[test]
    fn urban_law_art_9_more_than_half_of_adult_residents_or_of_households() {
        let rule = Rule::preset_in(Law::Urban, Body::Residents);
        assert_eq!(verdict(rule, [100, 40, 20], &[50, 0, 0]), NoQuorum);
        assert_eq!(verdict(rule, [100, 40, 21], &[50, 0, 0]), Passed);
        assert_eq!(verdict(rule, [100, 40, 0], &[51, 0, 0]), Passed);
        let households = Rule::preset_in(Law::Urban, Body::Households);
        assert_eq!(verdict(households, [40, 40, 20], &[20, 0, 0]), NoQuorum);
        assert_eq!(verdict(households, [40, 40, 21], &[21, 0, 0]), Passed);
    }

    #[test]
    fn urban_law_2025_representatives_meeting_defaults_to_two_thirds_and_a_majority() {
        assert_eq!(
            Rule::preset_in(Law::Urban, Body::Representatives),
            Rule::representatives_meeting()
        );
    }

    #[test]
    fn a_consultation_has_no_quorum_and_binds_nobody() {
        let rule = Rule::preset_in(Law::Village, Body::Consultation);
        assert_eq!(verdict(rule, [500, 100, 1], &[1, 0, 0]), Passed);
        assert!(!Body::Consultation.is_binding() && Body::Residents.is_binding());
        assert_eq!(Body::Consultation.as_str(), "consultation");
        assert!(rule.check_floor(Law::Village, Body::Consultation).is_ok());
    }

    #[test]
    fn statutory_bodies_may_be_stricter_than_the_law_never_laxer() {
        let choose = |law, body, q, p| Rule::from_choices(law, body, q, p).unwrap();
        let check = |law, body, q, p| choose(law, body, q, p).check_floor(law, body);
        use FloorError::*;
        let v = Law::Village;
        assert_eq!(check(v, Body::Residents, "preset", "preset"), Ok(()));
        assert_eq!(
            check(
                v,
                Body::Residents,
                "people_two_thirds",
                "present_two_thirds"
            ),
            Ok(())
        );
        assert_eq!(
            check(v, Body::Residents, "none", "preset"),
            Err(BelowTheLaw)
        );
        assert_eq!(
            check(v, Body::Residents, "preset", "electorate_half"),
            Ok(())
        );
        assert_eq!(
            check(v, Body::Representatives, "people_half", "preset"),
            Err(BelowTheLaw)
        );
        assert_eq!(
            check(v, Body::Representatives, "households_two_thirds", "preset"),
            Err(NoHouseholdQuorum)
        );
        assert_eq!(
            check(v, Body::Group, "people_half", "preset"),
            Err(BelowTheLaw)
        );
        // The urban floor is lower: more than half of the adults is the law there.
        assert_eq!(
            check(Law::Urban, Body::Residents, "people_half", "preset"),
            Ok(())
        );
        // The committee's roll call is not statutory: the committee sets its own.
        assert_eq!(check(v, Body::Committee, "none", "present_half"), Ok(()));
    }

    #[test]
    fn a_fraction_is_at_least_as_strict_by_share_then_by_more_than() {
        let (half, two_thirds) = (Fraction::MORE_THAN_HALF, Fraction::TWO_THIRDS);
        let at_least_half = frac(1, 2, false);
        assert!(two_thirds.at_least(half) && !half.at_least(two_thirds));
        assert!(half.at_least(at_least_half) && !at_least_half.at_least(half));
        assert!(frac(2, 4, true).at_least(half));
    }

    fn day(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn person(id: i64, birth: chrono::NaiveDate) -> RosterPerson {
        RosterPerson {
            id,
            household_id: id / 10,
            group_id: Some(id % 2),
            birth_date: birth,
            standing: Standing::Listed,
            standing_since: None,
        }
    }

    #[test]
    fn art_21_adults_are_eighteen_on_the_meeting_day() {
        assert!(is_adult_on(day(2008, 12, 3), day(2026, 12, 3)));
        assert!(!is_adult_on(day(2008, 12, 4), day(2026, 12, 3)));
        assert!(!is_adult_on(day(2008, 2, 29), day(2026, 2, 28)));
        assert!(is_adult_on(day(2008, 2, 29), day(2026, 3, 1)));
    }

    #[test]
    fn art_21_the_moved_and_the_deceased_leave_the_electorate_from_their_date() {
        let meeting = day(2026, 12, 3);
        let mut p = person(11, day(1960, 1, 1));
        p.standing = Standing::Moved;
        p.standing_since = Some(day(2026, 12, 3));
        assert!(!in_electorate(&p, meeting));
        p.standing_since = Some(day(2026, 12, 4));
        assert!(in_electorate(&p, meeting), "moved after the meeting");
        p.standing = Standing::Deceased;
        p.standing_since = None;
        assert!(!in_electorate(&p, meeting));
        let child = person(12, day(2010, 1, 1));
        let adult = person(21, day(1970, 1, 1));
        let (people, households) = electorate(&[child, adult, p], meeting, None);
        assert_eq!((people, households), (vec![adult], vec![2]));
        let (group, _) = electorate(&[adult, person(30, day(1970, 1, 1))], meeting, Some(0));
        assert_eq!(group.iter().map(|p| p.id).collect::<Vec<_>>(), vec![30]);
    }

    #[test]
    fn an_unlinked_account_votes_only_in_a_consultation() {
        for body in Body::ALL {
            let v = unlinked_voter(body, 7, true);
            if body.is_statutory() {
                assert_eq!(v, Err(VoteRefusal::Unlinked), "{body:?}");
            }
        }
        let v = unlinked_voter(Body::Consultation, 7, true).unwrap();
        assert_eq!((v.key, v.household, v.person), (-7, None, None));
        assert_eq!(
            unlinked_voter(Body::Consultation, 7, false),
            Err(VoteRefusal::NotElector)
        );
    }

    #[test]
    fn a_person_on_both_lists_is_in_the_representatives_roll_once() {
        let linked = [
            (1, listed(101, 1)),
            (2, listed(102, 1)),
            (3, listed(103, 2)),
        ];
        assert_eq!(
            representatives_roll(&[1, 2], &[2, 3], &linked, day(2026, 6, 1)),
            Ok(vec![(101, 1), (102, 1), (103, 2)])
        );
        assert_eq!(
            representatives_roll(&[1, 9], &[8], &linked, day(2026, 6, 1)),
            Err(vec![8, 9])
        );
    }

    fn listed(id: i64, household_id: i64) -> RosterPerson {
        RosterPerson {
            id,
            household_id,
            group_id: None,
            birth_date: day(1970, 1, 1),
            standing: Standing::Listed,
            standing_since: None,
        }
    }

    #[test]
    fn art_25_26_a_member_gone_on_or_before_the_meeting_day_is_not_in_the_representatives_roll() {
        let moved = RosterPerson {
            standing: Standing::Moved,
            standing_since: Some(day(2026, 6, 1)),
            ..listed(102, 1)
        };
        let died = RosterPerson {
            standing: Standing::Deceased,
            standing_since: Some(day(2026, 6, 2)),
            ..listed(103, 2)
        };
        let linked = [(1, listed(101, 1)), (2, moved), (3, died)];
        // The day they moved away counts: gone on the day is gone.
        assert_eq!(
            representatives_roll(&[1, 2], &[3], &linked, day(2026, 6, 1)),
            Ok(vec![(101, 1), (103, 2)])
        );
        assert_eq!(seats_to_fill(&[1, 2], &[3], &linked, day(2026, 6, 1)), [2]);
        // The day before, both are still members.
        assert_eq!(
            representatives_roll(&[1, 2], &[3], &linked, day(2026, 5, 31)),
            Ok(vec![(101, 1), (102, 1), (103, 2)])
        );
        assert!(seats_to_fill(&[1, 2], &[3], &linked, day(2026, 5, 31)).is_empty());
        assert_eq!(
            representatives_roll(&[1, 2], &[3], &linked, day(2026, 6, 2)),
            Ok(vec![(101, 1)])
        );
        assert_eq!(
            seats_to_fill(&[1, 2], &[3], &linked, day(2026, 6, 2)),
            [2, 3]
        );
    }

    #[test]
    fn on_the_roll_an_unlinked_account_or_an_absent_person_cannot_vote() {
        use VoteRefusal::*;
        assert_eq!(
            roll_voter(Body::Residents, None, false, None),
            Err(Unlinked)
        );
        assert_eq!(
            roll_voter(Body::Residents, Some((5, 2)), false, None),
            Err(NotOnRoll)
        );
        assert_eq!(
            roll_voter(Body::Residents, Some((5, 2)), true, Some(6)).map(|v| v.key),
            Ok(5)
        );
        assert_eq!(
            roll_voter(Body::Households, Some((5, 2)), true, Some(6)),
            Err(NotHouseholdRep)
        );
        assert_eq!(
            roll_voter(Body::Households, Some((6, 2)), true, Some(6)).map(|v| v.key),
            Ok(2)
        );
        assert_eq!(
            roll_voter(Body::Households, Some((5, 2)), true, None).map(|v| v.person),
            Ok(Some(5))
        );
    }

    #[test]
    fn a_household_votes_through_its_representative_when_one_is_named() {
        assert!(may_cast_for_household(None, 7));
        assert!(may_cast_for_household(Some(7), 7));
        assert!(!may_cast_for_household(Some(8), 7));
    }

    fn roster_person() -> impl Strategy<Value = RosterPerson> {
        let standing = prop_oneof![
            Just(Standing::Listed),
            Just(Standing::Moved),
            Just(Standing::Deceased)
        ];
        (
            1..10_000i64,
            0..40_000i64,
            standing,
            prop::option::of(0..40_000i64),
        )
            .prop_map(|(id, born, standing, since)| {
                let epoch = day(1930, 1, 1);
                RosterPerson {
                    standing,
                    standing_since: since.map(|d| epoch + chrono::Duration::days(d)),
                    ..person(id, epoch + chrono::Duration::days(born))
                }
            })
    }

    proptest! {
        #[test]
        fn nobody_under_eighteen_or_gone_is_in_the_electorate(
            persons in prop::collection::vec(roster_person(), 0..60),
            offset in 0..40_000i64,
        ) {
            let meeting = day(1930, 1, 1) + chrono::Duration::days(offset);
            let (people, households) = electorate(&persons, meeting, None);
            for p in &people {
                prop_assert!(meeting.years_since(p.birth_date).unwrap_or(0) >= 18);
                let gone = p.standing != Standing::Listed
                    && p.standing_since.is_none_or(|d| d <= meeting);
                prop_assert!(!gone);
                prop_assert!(households.contains(&p.household_id));
            }
            // Under 18 by the calendar (whole years since birth) is never in.
            for p in &persons {
                if meeting.years_since(p.birth_date).unwrap_or(0) < 18 {
                    prop_assert!(people.iter().all(|q| q.id != p.id || q != p));
                }
            }
            prop_assert!(households.iter().all(|h| people.iter().any(|p| p.household_id == *h)));
        }

        #[test]
        fn the_representatives_electorate_is_exactly_committee_and_representatives(
            committee in prop::collection::vec(0..50i64, 0..10),
            reps in prop::collection::vec(0..50i64, 0..40),
        ) {
            let all = representatives_electorate(&committee, &reps);
            for x in 0..50i64 {
                prop_assert_eq!(all.contains(&x), committee.contains(&x) || reps.contains(&x));
            }
            prop_assert!(all.windows(2).all(|w| w[0] < w[1]));
        }

        #[test]
        fn art_25_26_the_representatives_roll_is_exactly_the_persons_of_committee_and_representatives(
            committee in prop::collection::vec(1..50i64, 0..10),
            reps in prop::collection::vec(1..50i64, 0..40),
            unlinked in prop::collection::vec(1..50i64, 0..3),
            gone in prop::collection::vec((1..50i64, 0..3u8, 0..20u32), 0..8),
            meeting in 5..15u32,
        ) {
            // Account u is person 1000 + u in household u / 3, unless it is unlinked; some
            // moved away or died on day `d` of June 2026 (or with no date, for `kind` 2).
            let meeting = chrono::NaiveDate::from_ymd_opt(2026, 6, meeting).unwrap();
            let person = |u: i64| {
                let mut p = RosterPerson {
                    id: 1000 + u,
                    household_id: u / 3,
                    group_id: None,
                    birth_date: chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap(),
                    standing: Standing::Listed,
                    standing_since: None,
                };
                if let Some(&(_, kind, d)) = gone.iter().find(|g| g.0 == u) {
                    p.standing = if kind == 1 { Standing::Deceased } else { Standing::Moved };
                    p.standing_since = (kind != 2)
                        .then(|| chrono::NaiveDate::from_ymd_opt(2026, 6, d + 1).unwrap());
                }
                p
            };
            let linked: Vec<(i64, RosterPerson)> = (1..50i64)
                .filter(|u| !unlinked.contains(u))
                .map(|u| (u, person(u)))
                .collect();
            let members = representatives_electorate(&committee, &reps);
            match representatives_roll(&committee, &reps, &linked, meeting) {
                Ok(roll) => {
                    prop_assert!(members.iter().all(|u| !unlinked.contains(u)));
                    // Exactly committee ∪ representatives, less those gone by the day.
                    let persons: Vec<i64> = members
                        .iter()
                        .filter(|u| !gone_by(&person(**u), meeting))
                        .map(|u| 1000 + u)
                        .collect();
                    prop_assert_eq!(roll.iter().map(|r| r.0).collect::<Vec<_>>(), persons);
                    prop_assert!(roll.iter().all(|&(p, h)| h == (p - 1000) / 3));
                    prop_assert!(roll.windows(2).all(|w| w[0].0 < w[1].0));
                    // Nobody gone on or before the day is ever in it.
                    for (u, p) in &linked {
                        if p.standing_since.is_none_or(|d| d <= meeting)
                            && p.standing != Standing::Listed
                        {
                            prop_assert!(roll.iter().all(|r| r.0 != 1000 + u));
                        }
                    }
                    // Every seat is either in the roll or to be filled, never both.
                    let to_fill = seats_to_fill(&committee, &reps, &linked, meeting);
                    prop_assert_eq!(roll.len() + to_fill.len(), members.len());
                    prop_assert!(to_fill.iter().all(|u| roll.iter().all(|r| r.0 != 1000 + u)));
                }
                Err(missing) => {
                    let expected: Vec<i64> =
                        members.iter().copied().filter(|u| unlinked.contains(u)).collect();
                    prop_assert!(!expected.is_empty());
                    prop_assert_eq!(missing, expected);
                }
            }
        }

        #[test]
        fn a_rule_is_at_least_its_preset(b in 0..6usize, urban: bool) {
            let law = if urban { Law::Urban } else { Law::Village };
            let body = Body::ALL[b];
            let preset = Rule::preset_in(law, body);
            prop_assert!(preset.at_least(&preset));
            prop_assert_eq!(preset.check_floor(law, body), Ok(()));
        }
    }
}
