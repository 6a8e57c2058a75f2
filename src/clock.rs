//! Time, injected: the server reads the system clock, tests set their own.

use std::sync::Mutex;

use chrono::{DateTime, NaiveDateTime, Timelike, Utc};

pub trait Clock: Send + Sync {
    /// Now, in UTC, truncated to microseconds so both backends store the same value.
    fn now(&self) -> NaiveDateTime;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> NaiveDateTime {
        truncate(Utc::now())
    }
}

/// A clock that stands still until moved; for tests.
pub struct FixedClock(Mutex<NaiveDateTime>);

impl FixedClock {
    pub fn new(at: NaiveDateTime) -> FixedClock {
        FixedClock(Mutex::new(at))
    }

    pub fn advance(&self, by: chrono::Duration) {
        if let Ok(mut t) = self.0.lock() {
            *t += by;
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> NaiveDateTime {
        match self.0.lock() {
            Ok(t) => *t,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }
}

fn truncate(t: DateTime<Utc>) -> NaiveDateTime {
    let n = t.naive_utc();
    n.with_nanosecond(n.nanosecond() / 1000 * 1000).unwrap_or(n)
}
