//! Bounds on expensive work any visitor can start (password hashing, image decoding): at most
//! a few at once per server; the rest wait their turn for a few seconds, then are told the
//! server is busy (`AppError::Busy`, a 503 with `Retry-After`) before any of the work is done.
//! The same for database connections, and, per ballot, for the votes waiting to be written.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore, SemaphorePermit};

use crate::error::AppError;

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

/// A queue per key (a ballot's id): `slots` holders at once per key, at most `queue` waiting
/// behind them, each for at most `wait`. Keys nobody holds or waits on take no memory.
pub struct KeyedGate {
    what: &'static str,
    slots: usize,
    queue: usize,
    wait: Duration,
    keys: Mutex<HashMap<i64, Key>>,
}

struct Key {
    slots: Arc<Semaphore>,
    /// Requests holding or waiting for a slot of this key.
    users: usize,
}

/// A place in one key's queue, then its slot; leaving (dropped) gives both back.
pub struct KeyedPermit<'a> {
    gate: &'a KeyedGate,
    key: i64,
    _slot: Option<OwnedSemaphorePermit>,
}

impl KeyedGate {
    pub fn new(what: &'static str, slots: usize, queue: usize, wait: Duration) -> KeyedGate {
        KeyedGate {
            what,
            slots: slots.max(1),
            queue,
            wait,
            keys: Mutex::new(HashMap::new()),
        }
    }

    fn keys(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Key>> {
        // The map stays consistent whatever panicked while holding it: every change is one
        // statement.
        self.keys.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A slot for `key` in order of arrival, or `Busy` when the queue is full or no slot
    /// frees up in time.
    pub async fn enter(&self, key: i64) -> Result<KeyedPermit<'_>, AppError> {
        let started = std::time::Instant::now();
        let slots = {
            let mut keys = self.keys();
            let entry = keys.entry(key).or_insert_with(|| Key {
                slots: Arc::new(Semaphore::new(self.slots)),
                users: 0,
            });
            if entry.users >= self.slots + self.queue {
                return Err(AppError::Busy(format!(
                    "{} {key}: {} already waiting",
                    self.what, self.queue
                )));
            }
            entry.users += 1;
            entry.slots.clone()
        };
        // From here on, dropping the permit (even while waiting) leaves the queue.
        let mut permit = KeyedPermit {
            gate: self,
            key,
            _slot: None,
        };
        match tokio::time::timeout(self.wait, slots.acquire_owned()).await {
            Ok(Ok(slot)) => {
                permit._slot = Some(slot);
                Ok(permit)
            }
            Ok(Err(_)) => Err(AppError::Internal(format!("{} gate closed", self.what))),
            Err(_) => Err(AppError::Busy(format!(
                "no turn on {} {key} within {} ms",
                self.what,
                started.elapsed().as_millis()
            ))),
        }
    }

    /// Requests holding or waiting for a slot of `key`.
    pub fn users(&self, key: i64) -> usize {
        self.keys().get(&key).map_or(0, |k| k.users)
    }
}

impl Drop for KeyedPermit<'_> {
    fn drop(&mut self) {
        let mut keys = self.gate.keys();
        if let Some(entry) = keys.get_mut(&self.key) {
            entry.users = entry.users.saturating_sub(1);
            if entry.users == 0 {
                keys.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_queue_is_busy_and_a_key_left_by_everyone_is_forgotten() {
        let gate = KeyedGate::new("ballot", 1, 1, Duration::from_millis(50));
        let first = gate.enter(7).await.expect("a slot");
        // The second waits for the slot and times out; while it waits, a third finds the
        // queue full.
        let (second, third) = tokio::join!(gate.enter(7), async {
            tokio::task::yield_now().await;
            gate.enter(7).await
        });
        assert!(matches!(second, Err(AppError::Busy(_))));
        assert!(matches!(third, Err(AppError::Busy(ref why)) if why.contains("waiting")));
        assert!(gate.enter(8).await.is_ok(), "another key has its own queue");
        drop(first);
        assert_eq!(gate.users(7), 0);
        assert!(gate.keys().is_empty());
        assert!(gate.enter(7).await.is_ok());
    }
}
