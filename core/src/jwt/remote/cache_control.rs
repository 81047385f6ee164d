//! How long a fetched key set stays fresh: `Cache-Control` (RFC 9111 5.2) and `Age` (5.1),
//! clamped to the configured bounds.
//!
//! - `max-age=N` is the lifetime, less `Age` when the response carries one (a shared cache
//!   in front of the endpoint already held it that long). The first `max-age` counts; a value
//!   that is not delta-seconds is ignored; a value too large for `u64` is the largest value.
//! - `s-maxage` is ignored: it addresses shared caches, and this cache is private to the process.
//! - `no-store` and `no-cache` mean "as short as allowed": the minimum TTL. Refetching on every
//!   verification would let token traffic hammer the endpoint.
//! - No usable directive: the default TTL. `Expires` is not read (every identity provider
//!   measured sends `max-age`), so a response with only `Expires` gets the default.
//! - The result is always within `[min_ttl, max_ttl]`.

/// What the response headers say about freshness, before clamping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Freshness {
    /// `no-store` or `no-cache`.
    DoNotCache,
    /// `max-age` (minus `Age`), in seconds.
    MaxAge(u64),
    /// Nothing usable.
    Unspecified,
}

/// Reads the `Cache-Control` value (repeated header lines joined with `,`) and `Age`.
pub(crate) fn freshness(cache_control: &str, age: Option<&str>) -> Freshness {
    let mut max_age = None;
    let mut do_not_cache = false;
    for directive in split_directives(cache_control) {
        let (name, value) = match directive.split_once('=') {
            Some((n, v)) => (n.trim(), Some(unquote(v.trim()))),
            None => (directive.trim(), None),
        };
        if name.eq_ignore_ascii_case("no-store") || name.eq_ignore_ascii_case("no-cache") {
            do_not_cache = true;
        } else if name.eq_ignore_ascii_case("max-age") && max_age.is_none() {
            max_age = value.and_then(delta_seconds);
        }
    }
    if do_not_cache {
        return Freshness::DoNotCache;
    }
    match max_age {
        Some(max_age) => {
            let age = age.and_then(|a| delta_seconds(a.trim())).unwrap_or(0);
            Freshness::MaxAge(max_age.saturating_sub(age))
        }
        None => Freshness::Unspecified,
    }
}

/// The TTL in seconds: the header's, or `default`, within `[min, max]`.
pub(crate) fn ttl_seconds(freshness: Freshness, min: u64, max: u64, default: u64) -> u64 {
    let wanted = match freshness {
        Freshness::DoNotCache => min,
        Freshness::MaxAge(s) => s,
        Freshness::Unspecified => default,
    };
    wanted.clamp(min, max.max(min))
}

/// Splits on commas outside quoted strings.
fn split_directives(value: &str) -> impl Iterator<Item = &str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                parts.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&value[start..]);
    parts.into_iter().filter(|p| !p.trim().is_empty())
}

fn unquote(v: &str) -> &str {
    v.strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(v)
}

/// RFC 9111 1.2.2 delta-seconds: digits only; too large saturates.
fn delta_seconds(v: &str) -> Option<u64> {
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(v.parse::<u64>().unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age_and_age() {
        assert_eq!(freshness("max-age=600", None), Freshness::MaxAge(600));
        assert_eq!(
            freshness("public, max-age=3600, must-revalidate", Some("100")),
            Freshness::MaxAge(3500)
        );
        assert_eq!(freshness("MAX-AGE=\"60\"", None), Freshness::MaxAge(60));
        assert_eq!(freshness("max-age=10", Some("20")), Freshness::MaxAge(0));
        assert_eq!(freshness("max-age=10", Some("x")), Freshness::MaxAge(10));
        assert_eq!(
            freshness("max-age=99999999999999999999999", None),
            Freshness::MaxAge(u64::MAX)
        );
        // The first max-age counts.
        assert_eq!(
            freshness("max-age=5, max-age=500", None),
            Freshness::MaxAge(5)
        );
    }

    #[test]
    fn unusable_values_are_ignored() {
        assert_eq!(freshness("", None), Freshness::Unspecified);
        assert_eq!(freshness("max-age=-1", None), Freshness::Unspecified);
        assert_eq!(freshness("max-age=1.5", None), Freshness::Unspecified);
        assert_eq!(freshness("max-age", None), Freshness::Unspecified);
        assert_eq!(freshness("s-maxage=900", None), Freshness::Unspecified);
        assert_eq!(freshness("public", Some("10")), Freshness::Unspecified);
        // A comma inside a quoted string does not split.
        assert_eq!(
            freshness("private=\"a, max-age=1\", max-age=70", None),
            Freshness::MaxAge(70)
        );
    }

    #[test]
    fn no_store_and_no_cache_win() {
        assert_eq!(freshness("no-store", None), Freshness::DoNotCache);
        assert_eq!(
            freshness("max-age=600, No-Cache", None),
            Freshness::DoNotCache
        );
        assert_eq!(
            freshness("no-cache=\"set-cookie\"", None),
            Freshness::DoNotCache
        );
    }

    #[test]
    fn ttl_is_clamped() {
        assert_eq!(ttl_seconds(Freshness::MaxAge(10), 300, 86400, 600), 300);
        assert_eq!(ttl_seconds(Freshness::MaxAge(1000), 300, 86400, 600), 1000);
        assert_eq!(
            ttl_seconds(Freshness::MaxAge(u64::MAX), 300, 86400, 600),
            86400
        );
        assert_eq!(ttl_seconds(Freshness::DoNotCache, 300, 86400, 600), 300);
        assert_eq!(ttl_seconds(Freshness::Unspecified, 300, 86400, 600), 600);
    }
}
