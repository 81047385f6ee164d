//! Single flight: concurrent introspections of one token share one request. The first caller
//! (the leader) runs it; the others wait on that flight's condition variable, bounded, and get
//! the leader's answer, success or error. Different tokens have different flights and proceed
//! in parallel. No lock is held across the request.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::cache::{Answer, TokenId};
use crate::error::{Error, ErrorCode};

/// One request in flight: its answer once the leader has it.
#[derive(Default)]
struct Flight {
    answer: Mutex<Option<Answer>>,
    done: Condvar,
}

/// The flights of one introspector.
#[derive(Default)]
pub(crate) struct Flights {
    in_flight: Mutex<HashMap<TokenId, Arc<Flight>>>,
    /// Callers waiting for another's request (for tests).
    waiting: AtomicUsize,
}

/// What a caller is for a token: the one who sends the request, or one who waits for it.
pub(crate) enum Role<'a> {
    Leader(Leader<'a>),
    Waiter(Waiter<'a>),
}

/// The caller who sends the request. Dropping it without [`Leader::finish`] (an unwinding
/// request) ends the flight with an `internal` error, so no waiter hangs.
pub(crate) struct Leader<'a> {
    flights: &'a Flights,
    id: TokenId,
    flight: Arc<Flight>,
    finished: bool,
}

/// A caller waiting for the leader's answer.
pub(crate) struct Waiter<'a> {
    flights: &'a Flights,
    flight: Arc<Flight>,
}

impl Flights {
    fn lock(&self) -> MutexGuard<'_, HashMap<TokenId, Arc<Flight>>> {
        self.in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Joins the flight for `id`, or starts one. `cached` is asked again under the lock before
    /// a flight is started: a leader stores its answer in the cache before it ends its flight,
    /// so a caller that missed the cache and then found no flight finds the answer there
    /// (`Err` of this function) instead of sending a second request.
    pub(crate) fn join(
        &self,
        id: TokenId,
        cached: impl FnOnce() -> Option<Answer>,
    ) -> Result<Role<'_>, Answer> {
        let mut in_flight = self.lock();
        if let Some(flight) = in_flight.get(&id) {
            return Ok(Role::Waiter(Waiter {
                flights: self,
                flight: Arc::clone(flight),
            }));
        }
        if let Some(answer) = cached() {
            return Err(answer);
        }
        let flight = Arc::new(Flight::default());
        in_flight.insert(id, Arc::clone(&flight));
        Ok(Role::Leader(Leader {
            flights: self,
            id,
            flight,
            finished: false,
        }))
    }

    /// Flights in progress.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }

    /// Callers waiting for another's request.
    #[cfg(test)]
    pub(crate) fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }
}

impl Leader<'_> {
    /// Hands `answer` to the waiters and ends the flight. Store it in the cache first.
    pub(crate) fn finish(mut self, answer: Answer) {
        self.end(answer);
    }

    fn end(&mut self, answer: Answer) {
        self.finished = true;
        *self
            .flight
            .answer
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(answer);
        self.flights.lock().remove(&self.id);
        self.flight.done.notify_all();
    }
}

impl Drop for Leader<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.end(Err(Error::new(
                ErrorCode::Internal,
                "the introspection request in flight did not finish",
            )));
        }
    }
}

impl Waiter<'_> {
    /// The leader's answer, or `oauth_introspection_unavailable` when it takes longer than
    /// `bound`.
    pub(crate) fn wait(self, bound: Duration) -> Answer {
        self.flights.waiting.fetch_add(1, Ordering::SeqCst);
        let deadline = Instant::now() + bound;
        let mut answer = self
            .flight
            .answer
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let outcome = loop {
            if let Some(answer) = answer.as_ref() {
                break answer.clone();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break Err(Error::new(
                    ErrorCode::OAuthIntrospectionUnavailable,
                    "timed out waiting for the introspection request in flight",
                ));
            }
            answer = self
                .flight
                .done
                .wait_timeout(answer, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        };
        drop(answer);
        self.flights.waiting.fetch_sub(1, Ordering::SeqCst);
        outcome
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::thread;

    use super::*;
    use crate::oauth2::introspection::TokenInfo;

    const ID: TokenId = [7; 32];

    /// Waits (bounded) until `ready()`.
    fn until(ready: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !ready() {
            assert!(Instant::now() < deadline, "timed out");
            thread::sleep(Duration::from_millis(1));
        }
    }

    fn leader(flights: &Flights) -> Leader<'_> {
        match flights.join(ID, || None) {
            Ok(Role::Leader(l)) => l,
            _ => panic!("expected to lead"),
        }
    }

    /// Seven callers wait for one leader and all get its answer: the error it failed with.
    fn waiters_share(answer: Answer) {
        let flights = Arc::new(Flights::default());
        let (release, hold) = mpsc::channel::<Answer>();
        let leading = {
            let flights = Arc::clone(&flights);
            thread::spawn(move || {
                let l = leader(&flights);
                l.finish(hold.recv().unwrap());
            })
        };
        until(|| flights.len() == 1);
        let waiters: Vec<_> = (0..7)
            .map(|_| {
                let flights = Arc::clone(&flights);
                thread::spawn(move || match flights.join(ID, || None) {
                    Ok(Role::Waiter(w)) => w.wait(Duration::from_secs(10)),
                    _ => panic!("expected to wait"),
                })
            })
            .collect();
        until(|| flights.waiting() == 7);
        release.send(answer.clone()).unwrap();
        leading.join().unwrap();
        for w in waiters {
            assert_eq!(w.join().unwrap(), answer);
        }
        assert_eq!(flights.len(), 0);
        assert_eq!(flights.waiting(), 0);
    }

    #[test]
    fn waiters_get_the_leaders_success() {
        waiters_share(Ok(Arc::new(TokenInfo::default())));
    }

    #[test]
    fn waiters_get_the_leaders_error() {
        waiters_share(Err(Error::new(
            ErrorCode::OAuthIntrospectionUnavailable,
            "HTTP status 500",
        )));
    }

    #[test]
    fn a_leader_that_unwinds_releases_its_waiters() {
        let flights = Flights::default();
        let l = leader(&flights);
        let w = match flights.join(ID, || None) {
            Ok(Role::Waiter(w)) => w,
            _ => panic!("expected to wait"),
        };
        drop(l);
        assert_eq!(
            w.wait(Duration::from_secs(10)).unwrap_err().code(),
            ErrorCode::Internal
        );
        assert_eq!(flights.len(), 0);
    }

    #[test]
    fn a_waiter_gives_up_after_its_bound() {
        let flights = Flights::default();
        let _l = leader(&flights);
        let w = match flights.join(ID, || None) {
            Ok(Role::Waiter(w)) => w,
            _ => panic!("expected to wait"),
        };
        let e = w.wait(Duration::from_millis(20)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::OAuthIntrospectionUnavailable);
    }

    #[test]
    fn the_cache_is_asked_before_a_flight_starts() {
        let flights = Flights::default();
        let cached = Err(Error::new(ErrorCode::OAuthTokenInactive, "cached"));
        match flights.join(ID, || Some(cached.clone())) {
            Err(answer) => assert_eq!(answer, cached),
            Ok(_) => panic!("expected the cached answer"),
        }
        assert_eq!(flights.len(), 0);
        // Another token's flight does not make this one wait.
        let _l = leader(&flights);
        assert!(matches!(
            flights.join([8; 32], || None),
            Ok(Role::Leader(_))
        ));
    }
}
