//! The pure rules of follow-up calls (回访) and of the published bulletin: how many resolved
//! orders a month's draw takes, the draw itself from a stored seed (so anyone can redo it and
//! nobody can redraw to taste), the answers of a call, and the satisfaction floor under which
//! a grid is flagged for 整改.

/// The share of last month's resolved orders drawn for a call (晴隆县 12345: at least 10 %).
pub const SAMPLE_PERCENT: usize = 10;
/// The fewest orders a draw takes (all of them, when fewer were resolved).
pub const SAMPLE_MIN: usize = 3;
/// The satisfaction floor by default: the weekly bulletins' 85 %, under which "立即整改".
pub const DEFAULT_FLOOR: i32 = 85;
/// The range a committee may set the floor in.
pub const FLOOR_RANGE: std::ops::RangeInclusive<i32> = 50..=100;
/// The longest note of a call.
pub const MAX_NOTE_CHARS: usize = 200;

/// How many of `resolved` orders the month's draw takes: 10 % rounded up, at least 3, and
/// never more than there are.
pub fn sample_size(resolved: usize) -> usize {
    resolved
        .div_ceil(100 / SAMPLE_PERCENT)
        .max(SAMPLE_MIN)
        .min(resolved)
}

/// splitmix64: a small, fixed generator, so a stored seed gives the same draw on any build.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The orders drawn from `eligible` with `seed`: the ids sorted, shuffled by the seed
/// (Fisher–Yates), the first `sample_size` kept, returned sorted.
pub fn draw(eligible: &[i64], seed: i64) -> Vec<i64> {
    let mut ids = eligible.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let k = sample_size(ids.len());
    let mut state = seed as u64;
    for i in 0..k {
        let left = (ids.len() - i) as u64;
        let j = i + (next(&mut state) % left) as usize;
        ids.swap(i, j);
    }
    ids.truncate(k);
    ids.sort_unstable();
    ids
}

/// What a reached resident said.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Satisfied,
    Basically,
    Unsatisfied,
}

impl Answer {
    pub const ALL: [Answer; 3] = [Answer::Satisfied, Answer::Basically, Answer::Unsatisfied];

    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Satisfied => "satisfied",
            Answer::Basically => "basically",
            Answer::Unsatisfied => "unsatisfied",
        }
    }

    pub fn parse(s: &str) -> Option<Answer> {
        Answer::ALL.into_iter().find(|a| a.as_str() == s.trim())
    }

    /// 满意率 counts 满意 and 基本满意, as hotline bulletins do.
    pub fn counts_as_satisfied(self) -> bool {
        !matches!(self, Answer::Unsatisfied)
    }
}

/// A call as typed: "reached" or "not_reached", the answer (when reached) and a note.
#[derive(Debug, PartialEq, Eq)]
pub enum CallProblem {
    /// Neither reached nor not reached chosen.
    Outcome,
    /// Reached, but no answer chosen.
    Answer,
    /// The note is longer than `MAX_NOTE_CHARS`.
    NoteTooLong,
}

/// Checks a typed call: Ok((reached, answer)); an unreached call has no answer.
pub fn parse_call(
    outcome: &str,
    answer: &str,
    note: &str,
) -> Result<(bool, Option<Answer>), Vec<CallProblem>> {
    let mut problems = Vec::new();
    let reached = match outcome.trim() {
        "reached" => Some(true),
        "not_reached" => Some(false),
        _ => None,
    };
    let answer = Answer::parse(answer);
    match reached {
        None => problems.push(CallProblem::Outcome),
        Some(true) if answer.is_none() => problems.push(CallProblem::Answer),
        _ => {}
    }
    if note.trim().chars().count() > MAX_NOTE_CHARS {
        problems.push(CallProblem::NoteTooLong);
    }
    match reached {
        Some(r) if problems.is_empty() => Ok((r, answer.filter(|_| r))),
        _ => Err(problems),
    }
}

/// Parses the floor a committee typed: a whole percent in `FLOOR_RANGE`, read like every
/// other number of a form (`crate::text::whole_number`: digits only, full-width read as
/// digits) — no sign, no "%", no decimals.
pub fn parse_floor(s: &str) -> Option<i32> {
    let (min, max) = (*FLOOR_RANGE.start(), *FLOOR_RANGE.end());
    crate::text::whole_number(s, min.into(), max.into())
        .ok()
        .and_then(|f| i32::try_from(f).ok())
}

/// Whether a grid with `satisfied` of `rated` is under the floor and flagged for 整改: only
/// with a sample, and exactly at the floor is not under it.
pub fn under_floor(satisfied: i64, rated: i64, floor: i32) -> bool {
    rated > 0 && satisfied * 100 < i64::from(floor) * rated
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qinglong_12345_draws_ten_percent_but_at_least_three() {
        assert_eq!(sample_size(0), 0);
        assert_eq!(sample_size(2), 2, "all, when fewer than three");
        assert_eq!(sample_size(3), 3);
        assert_eq!(sample_size(30), 3);
        assert_eq!(sample_size(31), 4, "10 % rounded up");
        assert_eq!(sample_size(40), 4);
        assert_eq!(sample_size(41), 5);
        assert_eq!(sample_size(480), 48);
    }

    #[test]
    fn a_stored_seed_gives_the_same_draw_and_another_seed_another() {
        let ids: Vec<i64> = (1..=50).collect();
        let a = draw(&ids, 42);
        assert_eq!(a.len(), 5);
        assert_eq!(a, draw(&ids.iter().rev().copied().collect::<Vec<_>>(), 42));
        assert!(a.iter().all(|id| ids.contains(id)));
        let mut b = a.clone();
        b.dedup();
        assert_eq!(a, b, "no order twice");
        assert_ne!(a, draw(&ids, 43));
        assert_eq!(draw(&[7, 3], 1), vec![3, 7]);
    }

    #[test]
    fn a_reached_call_needs_an_answer_and_an_unreached_one_has_none() {
        assert_eq!(
            parse_call("reached", "basically", ""),
            Ok((true, Some(Answer::Basically)))
        );
        assert_eq!(
            parse_call("not_reached", "satisfied", "关机"),
            Ok((false, None))
        );
        assert_eq!(
            parse_call("reached", "", ""),
            Err(vec![CallProblem::Answer])
        );
        assert_eq!(parse_call("", "", ""), Err(vec![CallProblem::Outcome]));
        let long = "长".repeat(MAX_NOTE_CHARS + 1);
        assert_eq!(
            parse_call("not_reached", "", &long),
            Err(vec![CallProblem::NoteTooLong])
        );
        assert!(parse_call("not_reached", "", &long[..MAX_NOTE_CHARS * 3]).is_ok());
    }

    #[test]
    fn the_weekly_bulletins_85_percent_floor_flags_below_not_at() {
        assert!(
            !under_floor(17, 20, DEFAULT_FLOOR),
            "85 % is not under 85 %"
        );
        assert!(under_floor(16, 20, DEFAULT_FLOOR));
        assert!(under_floor(5, 6, DEFAULT_FLOOR), "83 %");
        assert!(!under_floor(0, 0, DEFAULT_FLOOR), "no sample, no flag");
        assert_eq!(parse_floor("85"), Some(85));
        assert_eq!(parse_floor(" ９０ "), Some(90));
        assert_eq!(parse_floor("50"), Some(50), "both ends included");
        assert_eq!(parse_floor("100"), Some(100));
        assert_eq!(parse_floor("49"), None);
        assert_eq!(parse_floor("101"), None);
    }

    #[test]
    fn the_floor_is_read_like_every_other_number() {
        for loose in [
            "+85",
            "85%",
            "９０%",
            "8.5",
            "85.0",
            "-85",
            "0x55",
            "",
            "八十五",
        ] {
            assert_eq!(parse_floor(loose), None, "{loose:?}");
        }
        assert_eq!(parse_floor("99999999999999999999"), None, "no overflow");
    }
}
