//! The urban 居民代表会议 as a community setting (城市居民委员会组织法, 2025 revision, in force
//! 2026-01-01): whether a neighbourhood holds one, and its quorum and majority.
//!
//! The 2018 text knows only the 居民会议 (art. 9: more than half of the adult residents, or of
//! the household or group representatives, present; more than half of those present for). The
//! 2025 revision adds a 居民代表会议 and leaves its working rules largely to local measures
//! (地方实施办法), so the platform offers it with the village's art. 26 rule as the default
//! (two thirds of its members present, more than half of those present for) and lets the
//! 居委会 set its own.
//!
//! The floor. A setting may not go below more than half of the members present and more than
//! half of those present for: that is the least any statutory meeting asks in either organic
//! law (art. 9 of the urban law for the 居民会议; art. 22/26 of the village law), and a
//! meeting where fewer than half of its members sit, or a minority of those present decides,
//! would not be a meeting of the body at all. Once set, the community's rule is the floor of
//! every representatives' ballot it opens (as the law's preset is elsewhere): a ballot may be
//! stricter, never laxer, so the setting cannot be stepped around one ballot at a time.

use super::rules::{Body, FloorError, Fraction, Law, PassOf, Rule};
use crate::text::whole_number;

/// The largest denominator a share may be typed with ("二十分之十一").
pub const MAX_DENOMINATOR: i64 = 20;

/// A neighbourhood's 居民代表会议 setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RepsSetting {
    /// Whether the community holds a 居民代表会议 at all.
    pub held: bool,
    /// Share of all its members (committee members and representatives) who must be present.
    pub quorum: Fraction,
    /// Share of those present who must vote for.
    pub pass: Fraction,
}

impl Default for RepsSetting {
    /// Offered, with two thirds present and more than half of them for.
    fn default() -> RepsSetting {
        RepsSetting {
            held: true,
            quorum: Fraction::TWO_THIRDS,
            pass: Fraction::MORE_THAN_HALF,
        }
    }
}

/// The least a setting may ask: more than half of the members present, more than half of
/// those present for (see the module's note).
pub fn setting_floor() -> Rule {
    Rule {
        quorum_people: Some(Fraction::MORE_THAN_HALF),
        quorum_households: None,
        pass: Fraction::MORE_THAN_HALF,
        pass_of: PassOf::Present,
    }
}

impl RepsSetting {
    /// The rule a representatives' ballot opens with: the quorum of all members, the pass
    /// share of those present.
    pub fn rule(&self) -> Rule {
        Rule {
            quorum_people: Some(self.quorum),
            quorum_households: None,
            pass: self.pass,
            pass_of: PassOf::Present,
        }
    }

    /// The setting as stored (whether held, the rule's canonical text); a text that is not a
    /// rule of this shape, or below the floor, reads as the default shares (it cannot have
    /// been saved through the form).
    pub fn from_stored(held: bool, rule: &str) -> RepsSetting {
        let shares = Rule::decode(rule).ok().and_then(|r| match r {
            Rule {
                quorum_people: Some(quorum),
                quorum_households: None,
                pass,
                pass_of: PassOf::Present,
            } if r.at_least(&setting_floor()) => Some((quorum, pass)),
            _ => None,
        });
        let (quorum, pass) = shares.unwrap_or((Fraction::TWO_THIRDS, Fraction::MORE_THAN_HALF));
        RepsSetting { held, quorum, pass }
    }
}

/// Which part of a typed share a problem is at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// 分子: how many parts.
    Num,
    /// 分母: of how many.
    Den,
    /// 以上 (at least) or 超过 (more than).
    Cmp,
}

/// Why a typed share was refused, and at which of its fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShareProblem {
    /// Not a whole number from 1 to [`MAX_DENOMINATOR`] (`web::forms::whole_number`'s check).
    Number(Part),
    /// The comparison is neither "at_least" nor "more_than".
    Comparison,
    /// More parts than the whole ("三分之四").
    OverWhole,
    /// "More than all" can never be met.
    MoreThanAll,
    /// Below more than half.
    BelowFloor,
}

impl ShareProblem {
    /// The part of the share the message goes beside.
    pub fn part(self) -> Part {
        match self {
            ShareProblem::Number(p) => p,
            ShareProblem::Comparison | ShareProblem::MoreThanAll => Part::Cmp,
            ShareProblem::OverWhole | ShareProblem::BelowFloor => Part::Num,
        }
    }
}

/// A share as typed: numerator, denominator (whole numbers 1..=20) and "at_least" (以上) or
/// "more_than" (超过); at least more than half.
pub fn read_share(num: &str, den: &str, cmp: &str) -> Result<Fraction, ShareProblem> {
    let den = whole_number(den, 1, MAX_DENOMINATOR).map_err(|_| ShareProblem::Number(Part::Den))?;
    let num = whole_number(num, 1, MAX_DENOMINATOR).map_err(|_| ShareProblem::Number(Part::Num))?;
    let strict = match cmp {
        "at_least" => false,
        "more_than" => true,
        _ => return Err(ShareProblem::Comparison),
    };
    if num > den {
        return Err(ShareProblem::OverWhole);
    }
    if num == den && strict {
        return Err(ShareProblem::MoreThanAll);
    }
    let f = Fraction {
        num: num as u64,
        den: den as u64,
        strict,
    };
    if !f.at_least(Fraction::MORE_THAN_HALF) {
        return Err(ShareProblem::BelowFloor);
    }
    Ok(f)
}

/// How a share is typed back into the form: (numerator, denominator, comparison).
pub fn typed(f: Fraction) -> (String, String, &'static str) {
    let cmp = if f.strict { "more_than" } else { "at_least" };
    (f.num.to_string(), f.den.to_string(), cmp)
}

/// What a community's ballots start from and may not go below: the law's presets, with a
/// neighbourhood's own 居民代表会议 rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    pub law: Law,
    /// Read only under the urban law: a village's 村民代表会议 follows art. 26.
    pub reps: RepsSetting,
}

impl Standing {
    /// The standing rules of a community of `kind` with its setting.
    pub fn of(kind: &str, reps: RepsSetting) -> Standing {
        Standing {
            law: Law::of_kind(kind),
            reps,
        }
    }

    fn urban_reps(&self, body: Body) -> bool {
        self.law == Law::Urban && body == Body::Representatives
    }

    /// Whether the community may put a matter to `body`: not to a 居民代表会议 it does not hold.
    pub fn offers(&self, body: Body) -> bool {
        !self.urban_reps(body) || self.reps.held
    }

    /// The rule a ballot of `body` opens with by default, and its floor.
    pub fn preset(&self, body: Body) -> Rule {
        if self.urban_reps(body) {
            self.reps.rule()
        } else {
            Rule::preset_in(self.law, body)
        }
    }

    /// The rule as chosen on the opening form (`preset` or a named test); `None` for an
    /// unknown choice.
    pub fn choose(&self, body: Body, quorum: &str, pass: &str) -> Option<Rule> {
        Rule::from_preset(self.preset(body), quorum, pass)
    }

    /// A chosen rule against the floor: the law's preset, or for a 居民代表会议 the
    /// community's setting (refused as below the setting, not the law).
    pub fn check(&self, rule: &Rule, body: Body) -> Result<(), FloorError> {
        match rule.check_floor_against(&self.preset(body), body) {
            Err(FloorError::BelowTheLaw) if self.urban_reps(body) => {
                Err(FloorError::BelowTheSetting)
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ballots::rules::{tally, Counts, Options, Verdict};

    const AT_LEAST_HALF: Fraction = Fraction {
        num: 1,
        den: 2,
        strict: false,
    };

    fn urban(reps: RepsSetting) -> Standing {
        Standing::of("neighbourhood", reps)
    }

    /// The verdict of `present` of `members` members with `for_` votes for and the rest
    /// against.
    fn verdict(rule: &Rule, members: u64, present: u64, for_: u64) -> Verdict {
        let counts = Counts {
            electorate: members,
            households: 0,
            present,
            households_present: 0,
            per_option: vec![for_, present - for_, 0],
        };
        tally(rule, Options::ForAgainstAbstain, &counts).verdict
    }

    #[test]
    fn urban_law_2025_representatives_meeting_is_offered_by_default_at_two_thirds() {
        let s = urban(RepsSetting::default());
        assert!(s.offers(Body::Representatives));
        assert_eq!(
            s.preset(Body::Representatives),
            Rule::preset_in(Law::Urban, Body::Representatives)
        );
        let rule = s.preset(Body::Representatives);
        // 12 members: exactly two thirds is 8.
        assert_eq!(verdict(&rule, 12, 8, 5), Verdict::Passed);
        assert_eq!(verdict(&rule, 12, 7, 7), Verdict::NoQuorum);
        // More than half of those present: 4 of 8 is not.
        assert_eq!(verdict(&rule, 12, 8, 4), Verdict::Rejected);
    }

    #[test]
    fn the_setting_is_the_preset_and_the_floor_of_a_neighbourhoods_representatives_ballot() {
        let three_quarters = Fraction {
            num: 3,
            den: 4,
            strict: false,
        };
        let s = urban(RepsSetting {
            quorum: three_quarters,
            ..RepsSetting::default()
        });
        let rule = s.preset(Body::Representatives);
        assert_eq!(verdict(&rule, 12, 9, 5), Verdict::Passed);
        assert_eq!(verdict(&rule, 12, 8, 8), Verdict::NoQuorum);
        let preset = s.choose(Body::Representatives, "preset", "preset").unwrap();
        assert_eq!(preset, rule);
        assert_eq!(s.check(&preset, Body::Representatives), Ok(()));
        // Two thirds is the law's default but below this community's own rule.
        let two_thirds = s
            .choose(Body::Representatives, "people_two_thirds", "preset")
            .unwrap();
        assert_eq!(
            s.check(&two_thirds, Body::Representatives),
            Err(FloorError::BelowTheSetting)
        );
        let stricter = s
            .choose(Body::Representatives, "preset", "present_two_thirds")
            .unwrap();
        assert_eq!(s.check(&stricter, Body::Representatives), Ok(()));
        let households = s
            .choose(Body::Representatives, "households_two_thirds", "preset")
            .unwrap();
        assert_eq!(
            s.check(&households, Body::Representatives),
            Err(FloorError::NoHouseholdQuorum)
        );
        // Other bodies keep the urban law's presets (art. 9).
        assert_eq!(
            s.preset(Body::Residents),
            Rule::preset_in(Law::Urban, Body::Residents)
        );
    }

    #[test]
    fn a_neighbourhood_without_a_representatives_meeting_is_not_offered_one() {
        let s = urban(RepsSetting {
            held: false,
            ..RepsSetting::default()
        });
        assert!(!s.offers(Body::Representatives));
        assert!(Body::ALL
            .iter()
            .filter(|b| **b != Body::Representatives)
            .all(|b| s.offers(*b)));
    }

    #[test]
    fn art_26_a_village_ignores_the_urban_setting() {
        let lax = RepsSetting {
            held: false,
            quorum: Fraction::MORE_THAN_HALF,
            pass: Fraction::MORE_THAN_HALF,
        };
        let s = Standing::of("village", lax);
        assert!(s.offers(Body::Representatives));
        assert_eq!(
            s.preset(Body::Representatives),
            Rule::representatives_meeting()
        );
        let half = s
            .choose(Body::Representatives, "people_half", "preset")
            .unwrap();
        assert_eq!(
            s.check(&half, Body::Representatives),
            Err(FloorError::BelowTheLaw)
        );
    }

    #[test]
    fn a_share_is_two_whole_numbers_and_at_least_more_than_half() {
        use ShareProblem::*;
        assert_eq!(read_share("2", "3", "at_least"), Ok(Fraction::TWO_THIRDS));
        assert_eq!(
            read_share("1", "2", "more_than"),
            Ok(Fraction::MORE_THAN_HALF)
        );
        assert_eq!(read_share(" 3 ", "4", "at_least").map(|f| f.num), Ok(3));
        // The floor: exactly half is not more than half; 11 of 20 at least is.
        assert_eq!(read_share("1", "2", "at_least"), Err(BelowFloor));
        assert_eq!(read_share("10", "20", "at_least"), Err(BelowFloor));
        assert!(read_share("11", "20", "at_least").is_ok());
        assert_eq!(read_share("2", "5", "more_than"), Err(BelowFloor));
        // All of them: at least all is allowed, more than all never.
        assert!(read_share("3", "3", "at_least").is_ok());
        assert_eq!(read_share("3", "3", "more_than"), Err(MoreThanAll));
        assert_eq!(read_share("4", "3", "at_least"), Err(OverWhole));
        // Whole numbers from 1 to 20, at their field.
        assert_eq!(read_share("2", "", "at_least"), Err(Number(Part::Den)));
        assert_eq!(read_share("2", "21", "at_least"), Err(Number(Part::Den)));
        assert!(read_share("20", "20", "at_least").is_ok());
        assert_eq!(read_share("0", "3", "at_least"), Err(Number(Part::Num)));
        assert_eq!(read_share("2.5", "3", "at_least"), Err(Number(Part::Num)));
        assert_eq!(read_share("-2", "3", "at_least"), Err(Number(Part::Num)));
        assert_eq!(read_share("2", "3", "about"), Err(Comparison));
        assert_eq!(MoreThanAll.part(), Part::Cmp);
        assert_eq!(BelowFloor.part(), Part::Num);
    }

    #[test]
    fn a_setting_round_trips_through_its_stored_text_and_junk_reads_as_the_default() {
        let s = RepsSetting {
            held: false,
            quorum: Fraction {
                num: 3,
                den: 5,
                strict: true,
            },
            pass: Fraction::TWO_THIRDS,
        };
        assert_eq!(RepsSetting::from_stored(false, &s.rule().encode()), s);
        let default = RepsSetting::default();
        assert_eq!(
            RepsSetting::from_stored(true, &default.rule().encode()),
            default
        );
        assert_eq!(RepsSetting::from_stored(true, "junk"), default);
        let below = Rule {
            quorum_people: Some(AT_LEAST_HALF),
            ..default.rule()
        };
        assert_eq!(RepsSetting::from_stored(true, &below.encode()), default);
        let households = Rule::preset_in(Law::Urban, Body::Residents).encode();
        assert_eq!(RepsSetting::from_stored(true, &households), default);
        assert_eq!(
            typed(Fraction::TWO_THIRDS),
            ("2".into(), "3".into(), "at_least")
        );
    }

    #[test]
    fn the_floor_is_more_than_half_present_and_more_than_half_for() {
        let floor = setting_floor();
        assert!(RepsSetting::default().rule().at_least(&floor));
        let at_half = Rule {
            quorum_people: Some(AT_LEAST_HALF),
            ..floor
        };
        assert!(!at_half.at_least(&floor));
        // 10 members: 6 present is a quorum, 5 is not.
        assert_eq!(verdict(&floor, 10, 6, 4), Verdict::Passed);
        assert_eq!(verdict(&floor, 10, 5, 5), Verdict::NoQuorum);
        assert_eq!(verdict(&floor, 10, 6, 3), Verdict::Rejected);
    }
}
