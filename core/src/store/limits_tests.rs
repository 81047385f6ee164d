use std::sync::Arc;

use super::*;

fn take(s: &MemoryStore, key: &[u8], quota: u32, window: u32, now: i64) -> BucketState {
    s.take_token("rate", key, quota, window, now).unwrap()
}

fn state(allowed: bool, remaining: u32, reset_seconds: u32, retry_after: u32) -> BucketState {
    BucketState {
        allowed,
        remaining,
        reset_seconds,
        retry_after,
    }
}

#[test]
fn burst_exhausts_then_waits_exactly() {
    let s = MemoryStore::new(10);
    for remaining in (0..5).rev() {
        let reset = 12 * (5 - remaining);
        assert_eq!(take(&s, b"k", 5, 60, 0), state(true, remaining, reset, 0));
    }
    assert_eq!(take(&s, b"k", 5, 60, 0), state(false, 0, 60, 12));
    assert_eq!(take(&s, b"k", 5, 60, 11), state(false, 0, 49, 1));
    assert_eq!(take(&s, b"k", 5, 60, 12), state(true, 0, 60, 0));
}

#[test]
fn fractional_rate_refills_exactly() {
    // 3 tokens per 10 s: one token every 3 1/3 s.
    let s = MemoryStore::new(10);
    assert_eq!(take(&s, b"k", 3, 10, 1000), state(true, 2, 4, 0));
    assert_eq!(take(&s, b"k", 3, 10, 1000), state(true, 1, 7, 0));
    assert_eq!(take(&s, b"k", 3, 10, 1000), state(true, 0, 10, 0));
    assert_eq!(take(&s, b"k", 3, 10, 1000), state(false, 0, 10, 4));
    assert_eq!(take(&s, b"k", 3, 10, 1003), state(false, 0, 7, 1));
    assert_eq!(take(&s, b"k", 3, 10, 1004), state(true, 0, 10, 0));
    assert_eq!(take(&s, b"k", 3, 10, 1005), state(false, 0, 9, 2));
    assert_eq!(take(&s, b"k", 3, 10, 1010), state(true, 1, 7, 0));
    assert_eq!(
        take(&s, b"k", 3, 10, 1100),
        state(true, 2, 4, 0),
        "full again"
    );
}

#[test]
fn fractional_rate_does_not_drift() {
    // Asked every second for 1000 s, a 3-per-10-s bucket that starts full grants its 3 plus
    // exactly 3 per 10 s: floor((30 + 3 * 999) / 10) = 302, not a token more or less.
    let s = MemoryStore::new(10);
    let allowed = (0..1000)
        .filter(|&t| take(&s, b"k", 3, 10, t).allowed)
        .count();
    assert_eq!(allowed, 302);
    // 1 per 3 s, asked every second: 1 + floor(998 / 3) after the first.
    let allowed = (0..1000)
        .filter(|&t| take(&s, b"j", 1, 3, t).allowed)
        .count();
    assert_eq!(allowed, 1 + 333);
}

#[test]
fn clock_going_backwards_refills_nothing() {
    let s = MemoryStore::new(10);
    assert!(take(&s, b"k", 2, 10, 100).allowed);
    assert!(take(&s, b"k", 2, 10, 100).allowed);
    // 10 s behind the latest take, then the 5 s a token takes at 2 per 10 s.
    assert_eq!(take(&s, b"k", 2, 10, 90), state(false, 0, 20, 15));
    assert_eq!(take(&s, b"k", 2, 10, 99), state(false, 0, 11, 6));
    assert_eq!(take(&s, b"k", 2, 10, 105), state(true, 0, 10, 0));
}

#[test]
fn extreme_times_never_panic() {
    let s = MemoryStore::new(10);
    assert!(take(&s, b"k", 1, 10, i64::MAX).allowed);
    let back = take(&s, b"k", 1, 10, i64::MIN);
    assert_eq!(back, state(false, 0, u32::MAX, u32::MAX));
    assert!(take(&s, b"j", 1, 10, i64::MIN).allowed);
    assert!(
        take(&s, b"j", 1, 10, i64::MAX).allowed,
        "full after any gap"
    );
    let f = s.record_failure("login", b"k", u32::MAX, i64::MAX).unwrap();
    assert_eq!(f.count, 1);
    let f = s.record_failure("login", b"k", u32::MAX, i64::MIN).unwrap();
    assert_eq!(
        f,
        FailureState {
            count: 2,
            last_failure: i64::MAX
        }
    );
}

#[test]
fn namespaces_and_keys_are_apart() {
    let s = MemoryStore::new(10);
    assert!(s.take_token("a", b"k", 1, 60, 0).unwrap().allowed);
    assert!(!s.take_token("a", b"k", 1, 60, 0).unwrap().allowed);
    assert!(s.take_token("b", b"k", 1, 60, 0).unwrap().allowed);
    assert!(s.take_token("a", b"k2", 1, 60, 0).unwrap().allowed);
    // The length prefix keeps ("ab", "c") and ("a", "bc") apart.
    assert!(s.take_token("ab", b"c", 1, 60, 0).unwrap().allowed);
    assert!(s.take_token("a", b"bc", 1, 60, 0).unwrap().allowed);

    s.record_failure("a", b"k", 60, 0).unwrap();
    assert_eq!(s.failures("a", b"k", 60, 0).unwrap().count, 1);
    assert_eq!(s.failures("b", b"k", 60, 0).unwrap().count, 0);
    assert_eq!(s.record_failure("b", b"k", 60, 0).unwrap().count, 1);
}

#[test]
fn changed_limits_keep_the_fraction_of_a_token() {
    let s = MemoryStore::new(10);
    for _ in 0..5 {
        assert!(take(&s, b"k", 10, 10, 0).allowed);
    }
    // Half full (5 of 10) becomes 5 of 20: 4 left after this take.
    assert_eq!(take(&s, b"k", 20, 20, 0), state(true, 4, 16, 0));
    assert_eq!(
        take(&s, b"k", 1, 1, 0),
        state(true, 0, 1, 0),
        "clamped to 1"
    );
}

#[test]
fn failures_count_within_the_window_and_restart_after_it() {
    let s = MemoryStore::new(10);
    let at = |count, last_failure| FailureState {
        count,
        last_failure,
    };
    assert_eq!(s.failures("login", b"u", 60, 0).unwrap(), at(0, 0));
    assert_eq!(s.record_failure("login", b"u", 60, 0).unwrap(), at(1, 0));
    assert_eq!(s.record_failure("login", b"u", 60, 60).unwrap(), at(2, 60));
    assert_eq!(s.failures("login", b"u", 60, 120).unwrap(), at(2, 60));
    assert_eq!(s.failures("login", b"u", 60, 121).unwrap(), at(0, 0));
    assert_eq!(
        s.record_failure("login", b"u", 60, 121).unwrap(),
        at(1, 121)
    );
    // A clock that went back counts, and keeps the latest time.
    assert_eq!(
        s.record_failure("login", b"u", 60, 100).unwrap(),
        at(2, 121)
    );
}

#[test]
fn clear_forgets_failures() {
    let s = MemoryStore::new(10);
    for _ in 0..3 {
        s.record_failure("login", b"u", 60, 0).unwrap();
    }
    s.record_failure("login", b"v", 60, 0).unwrap();
    s.clear_failures("login", b"u").unwrap();
    s.clear_failures("login", b"never").unwrap();
    assert_eq!(s.failures("login", b"u", 60, 1).unwrap().count, 0);
    assert_eq!(s.failures("login", b"v", 60, 1).unwrap().count, 1);
    assert_eq!(s.record_failure("login", b"u", 60, 2).unwrap().count, 1);
}

#[test]
fn full_store_sweeps_idle_buckets_then_fails_closed() {
    let s = MemoryStore::new(2);
    assert!(take(&s, b"1", 1, 10, 0).allowed);
    assert!(take(&s, b"2", 1, 10, 0).allowed);
    let e = s.take_token("rate", b"3", 1, 10, 5).unwrap_err();
    assert_eq!(e.code(), ErrorCode::StoreUnavailable);
    assert!(!take(&s, b"1", 1, 10, 5).allowed, "known keys still answer");
    assert_eq!(s.limit_entries(), (2, 0));
    // Both buckets are full again at 10: forgetting them changes no answer.
    assert!(take(&s, b"3", 1, 10, 10).allowed);
    assert_eq!(s.limit_entries(), (1, 0));
    assert!(s.is_empty(), "replay entries are a separate map");
}

#[test]
fn full_store_sweeps_a_bucket_whose_limit_shrank() {
    let s = MemoryStore::new(2);
    assert!(take(&s, b"1", 1, 100, 0).allowed);
    assert!(take(&s, b"2", 1, 100, 0).allowed);
    assert!(s.take_token("rate", b"3", 1, 100, 1).is_err());
    // Nothing was idle before 100, but bucket 1, now 1 per 2 s, is full again at 2.
    assert_eq!(take(&s, b"1", 1, 2, 1), state(false, 0, 1, 1));
    assert!(take(&s, b"3", 1, 100, 2).allowed);
    assert_eq!(s.limit_entries(), (2, 0));
}

#[test]
fn full_store_sweeps_old_failures_then_fails_closed() {
    let s = MemoryStore::new(2);
    s.record_failure("login", b"1", 10, 0).unwrap();
    s.record_failure("login", b"2", 10, 0).unwrap();
    let e = s.record_failure("login", b"3", 10, 10).unwrap_err();
    assert_eq!(e.code(), ErrorCode::StoreUnavailable);
    assert_eq!(s.record_failure("login", b"1", 10, 10).unwrap().count, 2);
    assert_eq!(s.record_failure("login", b"3", 10, 11).unwrap().count, 1);
    assert_eq!(s.limit_entries(), (0, 2), "2 is swept, 1 is still live");
    s.clear_failures("login", b"1").unwrap();
    assert_eq!(s.record_failure("login", b"4", 10, 11).unwrap().count, 1);
}

#[test]
fn bad_limits_are_refused() {
    let s = MemoryStore::new(10);
    for (quota, window) in [
        (0, 10),
        (10, 0),
        ((1 << 22) + 1, 1 << 31),
        (u32::MAX, u32::MAX),
    ] {
        let e = s.take_token("rate", b"k", quota, window, 0).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument, "{quota}/{window}");
    }
    assert!(
        s.take_token("rate", b"k", 1 << 22, 1 << 31, 0).is_ok(),
        "exactly 2^53 units"
    );
    for e in [
        s.record_failure("login", b"k", 0, 0).unwrap_err(),
        s.failures("login", b"k", 0, 0).unwrap_err(),
    ] {
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
    }
    assert_eq!(s.limit_entries(), (1, 0));
}

#[test]
fn concurrent_takes_grant_exactly_the_quota() {
    let s = Arc::new(MemoryStore::new(10));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let s = Arc::clone(&s);
            std::thread::spawn(move || {
                (0..1000)
                    .filter(|_| {
                        s.take_token("rate", b"shared", 1000, 3600, 0)
                            .unwrap()
                            .allowed
                    })
                    .count()
            })
        })
        .collect();
    let allowed: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(allowed, 1000);
}
