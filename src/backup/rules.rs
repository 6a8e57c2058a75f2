//! When the backup timer runs, when the last good backup is too old, and which backups it
//! may remove: pure functions of their inputs.

use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDateTime, Timelike};

/// The last good backup may be this old before the platform admins are told.
pub const STALE_AFTER_HOURS: i64 = 48;

/// The day's backup is due from `hour` o'clock, Beijing time (once a day, by its run key).
pub fn due(now: NaiveDateTime, hour: u32) -> bool {
    crate::clock::local(now).hour() >= hour
}

/// The last good backup is older than two days: counted from the last verified backup, or,
/// when there has never been one, from the timer's first run (a site that has just set
/// `YISHI_BACKUP_DIR` is not stale before its first backup was due).
pub fn stale(
    now: NaiveDateTime,
    last_good: Option<NaiveDateTime>,
    first_run: Option<NaiveDateTime>,
) -> bool {
    match last_good.or(first_run) {
        Some(since) => now - since > Duration::hours(STALE_AFTER_HOURS),
        None => false,
    }
}

/// Of the finished backups `all` (oldest first, made by yishi), the ones to remove so that
/// `keep` remain; `protect` (the newest verified one) is never among them.
pub fn to_prune(all: &[PathBuf], keep: usize, protect: Option<&Path>) -> Vec<PathBuf> {
    let excess = all.len().saturating_sub(keep);
    all.iter()
        .filter(|p| Some(p.as_path()) != protect)
        .take(excess)
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(d: u32, h: u32, m: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 12, d)
            .and_then(|d| d.and_hms_opt(h, m, 0))
            .expect("valid")
    }

    #[test]
    fn due_from_the_hour_in_beijing() {
        // 18:59 UTC is 02:59 in Beijing; 19:00 UTC is 03:00.
        assert!(!due(at(2, 18, 59), 3));
        assert!(due(at(2, 19, 0), 3));
        assert!(due(at(2, 15, 59), 0), "hour 0: due all day");
        assert!(!due(at(2, 14, 59), 23), "22:59 in Beijing");
    }

    #[test]
    fn stale_only_after_exactly_two_days() {
        let good = at(1, 19, 0);
        assert!(!stale(good + Duration::hours(48), Some(good), None));
        assert!(stale(
            good + Duration::hours(48) + Duration::seconds(1),
            Some(good),
            None
        ));
        assert!(!stale(at(9, 0, 0), None, None), "no timer run yet");
        assert!(
            stale(at(9, 0, 0), None, Some(at(1, 0, 0))),
            "never a good one"
        );
    }

    #[test]
    fn prune_keeps_the_newest_and_the_protected() {
        let all: Vec<PathBuf> = (1..=5)
            .map(|i| PathBuf::from(format!("yishi-{i}")))
            .collect();
        assert_eq!(to_prune(&all, 3, None), all[..2].to_vec());
        assert_eq!(to_prune(&all, 5, None), Vec::<PathBuf>::new());
        // The only verified backup is the oldest: it stays, the next oldest go.
        assert_eq!(
            to_prune(&all, 3, Some(Path::new("yishi-1"))),
            all[1..3].to_vec()
        );
        assert_eq!(to_prune(&all, 1, Some(&all[4])), all[..4].to_vec());
    }
}
