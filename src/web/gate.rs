//! Bounds on expensive work any visitor can start (password hashing, image decoding): at most
//! a few at once per server; the rest wait their turn for a few seconds, then are told the
//! server is busy (`AppError::Busy`, a 503 with `Retry-After`) before any of the work is done.

use std::time::Duration;

use tokio::sync::{Semaphore, SemaphorePermit};

use super::error::AppError;

/// A number of slots for one kind of work.
pub struct Gate {
    what: &'static str,
    slots: Semaphore,
    wait: Duration,
}

impl Gate {
    /// `slots` at once (the number of cores when `None`), waiting at most `wait` for one.
    pub fn new(what: &'static str, slots: Option<usize>, wait: Duration) -> Gate {
        let n = slots
            .filter(|n| *n > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
        Gate {
            what,
            slots: Semaphore::new(n),
            wait,
        }
    }

    /// A slot, or `Busy` when none frees up in time. The slot is given back when dropped.
    pub async fn enter(&self) -> Result<SemaphorePermit<'_>, AppError> {
        let started = std::time::Instant::now();
        match tokio::time::timeout(self.wait, self.slots.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_)) => Err(AppError::Internal(format!("{} gate closed", self.what))),
            Err(_) => Err(AppError::Busy(format!(
                "no {} slot within {} ms",
                self.what,
                started.elapsed().as_millis()
            ))),
        }
    }
}
