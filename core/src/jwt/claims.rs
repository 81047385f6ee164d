//! Claim checks (RFC 7519 4.1, RFC 8725 3.8-3.11): times with leeway, issuer, audience,
//! required claims, and the JSON type of every registered claim. A claim of the wrong type is
//! refused, never treated as absent.

use serde_json::Value;

use super::token_claims::{ClaimRef, TokenClaims};
use super::{JwtConfig, MAX_NUMERIC_DATE};
use crate::error::{Error, ErrorCode};

/// What the verifier keeps from valid claims (borrowed from the claims).
#[derive(Clone, Debug, Default)]
pub(crate) struct Facts<'a> {
    pub subject: Option<&'a str>,
    pub exp: Option<i64>,
    pub jti: Option<&'a str>,
    pub scopes: Vec<String>,
    /// The span of `now` values for which the time checks pass (for the cache).
    pub valid_from: i64,
    pub valid_until: Option<i64>,
}

/// The registered claims the checks read, found in one pass over the claims (a search per
/// name would compare each name against several others).
#[derive(Default)]
struct Registered<'a> {
    exp: Option<ClaimRef<'a>>,
    nbf: Option<ClaimRef<'a>>,
    iat: Option<ClaimRef<'a>>,
    iss: Option<ClaimRef<'a>>,
    sub: Option<ClaimRef<'a>>,
    jti: Option<ClaimRef<'a>>,
    aud: Option<ClaimRef<'a>>,
    scope: Option<ClaimRef<'a>>,
    scp: Option<ClaimRef<'a>>,
}

impl<'a> Registered<'a> {
    fn of(claims: &'a TokenClaims) -> Self {
        let mut r = Registered::default();
        for (name, value) in claims.iter() {
            let slot = match name {
                "exp" => &mut r.exp,
                "nbf" => &mut r.nbf,
                "iat" => &mut r.iat,
                "iss" => &mut r.iss,
                "sub" => &mut r.sub,
                "jti" => &mut r.jti,
                "aud" => &mut r.aud,
                "scope" => &mut r.scope,
                "scp" => &mut r.scp,
                _ => continue,
            };
            *slot = Some(value);
        }
        r
    }
}

fn wrong_type(name: &str, want: &str) -> Error {
    Error::new(
        ErrorCode::JwtClaimType,
        format!("claim {name} is not {want}"),
    )
}

fn missing(name: &str) -> Error {
    Error::new(
        ErrorCode::JwtClaimMissing,
        format!("claim {name} is missing"),
    )
}

/// A NumericDate (RFC 7519 2): a JSON number, fractions truncated toward negative infinity,
/// between 1970 and the end of year 9999 ([`MAX_NUMERIC_DATE`]). A date outside that range
/// (`1e300`, `2^64`, `-1`) is refused as a claim of the wrong type rather than clamped: a
/// clamped `exp` would make a token that never expires.
fn numeric_date(value: Option<ClaimRef<'_>>, name: &str) -> Result<Option<i64>, Error> {
    let out_of_range = || {
        Error::new(
            ErrorCode::JwtClaimType,
            format!("claim {name} is not a NumericDate between 1970 and 9999"),
        )
    };
    let date = match value {
        None => return Ok(None),
        Some(ClaimRef::Int(i)) => i,
        Some(ClaimRef::UInt(_)) => return Err(out_of_range()),
        Some(ClaimRef::Float(f)) => {
            let f = f.floor();
            // Compared as floats first: `as` would saturate an out-of-range value.
            if !(0.0..=MAX_NUMERIC_DATE as f64).contains(&f) {
                return Err(out_of_range());
            }
            f as i64
        }
        Some(_) => return Err(wrong_type(name, "a number (NumericDate)")),
    };
    if !(0..=MAX_NUMERIC_DATE).contains(&date) {
        return Err(out_of_range());
    }
    Ok(Some(date))
}

fn too_long(detail: &'static str) -> Error {
    Error::new(ErrorCode::JwtLifetimeTooLong, detail)
}

fn string<'a>(value: Option<ClaimRef<'a>>, name: &str) -> Result<Option<&'a str>, Error> {
    match value {
        None => Ok(None),
        Some(ClaimRef::Str(s)) => Ok(Some(s)),
        Some(_) => Err(wrong_type(name, "a string")),
    }
}

/// `aud` as a list: a string or an array of strings.
fn audiences(value: Option<ClaimRef<'_>>) -> Result<Option<Vec<&str>>, Error> {
    let not_strings = || wrong_type("aud", "a string or an array of strings");
    match value {
        None => Ok(None),
        Some(ClaimRef::Str(s)) => Ok(Some(vec![s])),
        Some(ClaimRef::Value(Value::Array(items))) => items
            .iter()
            .map(|v| v.as_str().ok_or_else(not_strings))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(not_strings()),
    }
}

/// Scopes from `scope` (space-separated string, RFC 8693 4.2) or `scp` (array of strings).
fn scopes(scope: Option<ClaimRef<'_>>, scp: Option<ClaimRef<'_>>) -> Result<Vec<String>, Error> {
    let mut out: Vec<String> = Vec::new();
    if let Some(scope) = string(scope, "scope")? {
        out.extend(
            scope
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        );
    }
    match scp {
        None => {}
        Some(ClaimRef::Value(Value::Array(items))) => {
            for v in items {
                let s = v
                    .as_str()
                    .ok_or_else(|| wrong_type("scp", "an array of strings"))?;
                if !out.iter().any(|o| o == s) {
                    out.push(s.to_owned());
                }
            }
        }
        Some(_) => return Err(wrong_type("scp", "an array of strings")),
    }
    Ok(out)
}

/// Checks `claims` at `now` against `config`.
pub(crate) fn check<'a>(
    config: &JwtConfig,
    claims: &'a TokenClaims,
    now: i64,
) -> Result<Facts<'a>, Error> {
    let leeway = i64::try_from(config.leeway_seconds).unwrap_or(0);
    let r = Registered::of(claims);
    // Types first, so a wrong type is reported as such whatever else is wrong.
    let exp = numeric_date(r.exp, "exp")?;
    let nbf = numeric_date(r.nbf, "nbf")?;
    let iat = numeric_date(r.iat, "iat")?;
    let iss = string(r.iss, "iss")?;
    let subject = string(r.sub, "sub")?;
    let jti = string(r.jti, "jti")?;
    let aud = audiences(r.aud)?;
    let scopes = scopes(r.scope, r.scp)?;

    for name in &config.required_claims {
        if claims.get(name).is_none_or(|v| v == ClaimRef::Null) {
            return Err(missing(name));
        }
    }
    let mut valid_until: Option<i64> = None;
    match exp {
        None if config.require_exp => return Err(missing("exp")),
        None => {}
        Some(exp) => {
            let until = exp.saturating_add(leeway);
            if now >= until {
                return Err(Error::new(ErrorCode::JwtExpired, "token has expired"));
            }
            valid_until = Some(until);
        }
    }
    let mut valid_from = i64::MIN;
    if let Some(nbf) = nbf {
        valid_from = nbf.saturating_sub(leeway);
        if now < valid_from {
            return Err(Error::new(
                ErrorCode::JwtNotYetValid,
                "token is not yet valid (nbf)",
            ));
        }
    }
    if let Some(iat) = iat {
        let from = iat.saturating_sub(leeway);
        if now < from {
            return Err(Error::new(
                ErrorCode::JwtIssuedInFuture,
                "token is issued in the future (iat)",
            ));
        }
        valid_from = valid_from.max(from);
    }
    if let (Some(lifetime), Some(exp)) = (config.max_lifetime_seconds, exp) {
        // Dates lie within 0..=MAX_NUMERIC_DATE and the lifetime is capped there, so none of
        // these sums overflows.
        let lifetime = i64::try_from(lifetime).unwrap_or(MAX_NUMERIC_DATE);
        if iat.is_some_and(|iat| exp - iat > lifetime) {
            return Err(too_long("exp - iat exceeds max_lifetime_seconds"));
        }
        if exp > now.saturating_add(lifetime).saturating_add(leeway) {
            return Err(too_long(
                "exp is further ahead than max_lifetime_seconds (and the leeway)",
            ));
        }
    }
    if let Some(max_age) = config.max_age_seconds {
        let iat = iat.ok_or_else(|| missing("iat"))?;
        let max_age = i64::try_from(max_age).unwrap_or(i64::MAX);
        let until = iat.saturating_add(max_age).saturating_add(leeway);
        if now >= until {
            return Err(Error::new(
                ErrorCode::JwtTooOld,
                "token is older than max_age",
            ));
        }
        valid_until = Some(valid_until.map_or(until, |u| u.min(until)));
    }
    if !config.issuers.is_empty() {
        let iss = iss.ok_or_else(|| missing("iss"))?;
        if !config.issuers.iter().any(|i| i == iss) {
            return Err(Error::new(
                ErrorCode::JwtIssuerMismatch,
                "iss is not accepted",
            ));
        }
    }
    match aud {
        None if !config.audiences.is_empty() => return Err(missing("aud")),
        None => {}
        Some(list) if !list.iter().any(|a| config.audiences.iter().any(|c| c == a)) => {
            return Err(Error::new(
                ErrorCode::JwtAudienceMismatch,
                "no aud value is an accepted audience",
            ));
        }
        Some(_) => {}
    }
    Ok(Facts {
        subject,
        exp,
        jti,
        scopes,
        valid_from,
        valid_until,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The facts that outlive the claims: (valid_from, valid_until, scopes).
    fn run(
        config: &JwtConfig,
        claims: Value,
        now: i64,
    ) -> Result<(i64, Option<i64>, Vec<String>), ErrorCode> {
        let claims = TokenClaims::read(serde_json::to_vec(&claims).unwrap()).unwrap();
        check(config, &claims, now)
            .map(|f| (f.valid_from, f.valid_until, f.scopes))
            .map_err(|e| e.code())
    }

    #[test]
    fn times_with_leeway() {
        let c = JwtConfig::default();
        assert!(run(&c, json!({"exp": 1000}), 1059).is_ok());
        assert_eq!(
            run(&c, json!({"exp": 1000}), 1060).unwrap_err(),
            ErrorCode::JwtExpired
        );
        assert_eq!(
            run(&c, json!({}), 0).unwrap_err(),
            ErrorCode::JwtClaimMissing
        );
        assert_eq!(
            run(&c, json!({"exp": "1000"}), 0).unwrap_err(),
            ErrorCode::JwtClaimType
        );
        assert_eq!(
            run(&c, json!({"exp": null}), 0).unwrap_err(),
            ErrorCode::JwtClaimType
        );
        assert!(run(&c, json!({"exp": 1000.9}), 1059).is_ok());
        assert_eq!(
            run(&c, json!({"exp": 5000, "nbf": 2000}), 1939).unwrap_err(),
            ErrorCode::JwtNotYetValid
        );
        assert_eq!(
            run(&c, json!({"exp": 5000, "iat": 2000}), 1939).unwrap_err(),
            ErrorCode::JwtIssuedInFuture
        );
        let aged = JwtConfig {
            max_age_seconds: Some(100),
            ..JwtConfig::default()
        };
        assert_eq!(
            run(&aged, json!({"exp": 5000, "iat": 1000}), 1160).unwrap_err(),
            ErrorCode::JwtTooOld
        );
        assert_eq!(
            run(&aged, json!({"exp": 5000}), 1000).unwrap_err(),
            ErrorCode::JwtClaimMissing
        );
        let f = run(&aged, json!({"exp": 5000, "iat": 1000}), 1100).unwrap();
        assert_eq!((f.0, f.1), (940, Some(1160)));
        let unlimited = JwtConfig {
            max_lifetime_seconds: None,
            ..JwtConfig::default()
        };
        for bad in [
            json!({"exp": 1e300}),
            json!({"exp": u64::MAX}),
            json!({"exp": i64::MAX}),
            json!({"exp": 253_402_300_800_i64}),
            json!({"exp": 253_402_300_800.5}),
            json!({"exp": -1}),
            json!({"exp": -0.5}),
            json!({"exp": 5000, "iat": 1e19}),
            json!({"exp": 5000, "nbf": -1e300}),
        ] {
            assert_eq!(
                run(&unlimited, bad.clone(), 0).unwrap_err(),
                ErrorCode::JwtClaimType,
                "{bad}"
            );
        }
        // The last second of year 9999 is a date; with no lifetime limit it is accepted.
        assert!(run(&unlimited, json!({"exp": 253_402_300_799_i64}), 0).is_ok());
        assert!(run(&unlimited, json!({"exp": 0, "nbf": 0, "iat": 0}), 30).is_ok());
    }

    #[test]
    fn lifetime_is_bounded() {
        let c = JwtConfig::default();
        let day = 86_400;
        let now = 1_000_000;
        // exp - iat: exactly a day passes, a second more does not (no leeway: both dates are
        // the issuer's).
        assert!(run(&c, json!({"iat": now, "exp": now + day}), now).is_ok());
        assert_eq!(
            run(&c, json!({"iat": now, "exp": now + day + 1}), now).unwrap_err(),
            ErrorCode::JwtLifetimeTooLong
        );
        // Without iat, exp may lie at most a day and the leeway ahead of now.
        assert!(run(&c, json!({"exp": now + day + 60}), now).is_ok());
        assert_eq!(
            run(&c, json!({"exp": now + day + 61}), now).unwrap_err(),
            ErrorCode::JwtLifetimeTooLong
        );
        // An old iat does not hide a far exp.
        assert_eq!(
            run(&c, json!({"iat": now - day, "exp": now + 2 * day}), now).unwrap_err(),
            ErrorCode::JwtLifetimeTooLong
        );
        let hour = JwtConfig {
            max_lifetime_seconds: Some(3600),
            ..JwtConfig::default()
        };
        assert_eq!(
            run(&hour, json!({"iat": now, "exp": now + 7200}), now).unwrap_err(),
            ErrorCode::JwtLifetimeTooLong
        );
        let off = JwtConfig {
            max_lifetime_seconds: None,
            ..JwtConfig::default()
        };
        assert!(run(&off, json!({"iat": now, "exp": now + 365 * day}), now).is_ok());
        let parsed = JwtConfig::from_json(r#"{"max_lifetime_seconds": null}"#).unwrap();
        assert_eq!(parsed.max_lifetime_seconds, None);
        assert_eq!(
            JwtConfig::default().max_lifetime_seconds,
            Some(super::super::DEFAULT_MAX_LIFETIME_SECONDS)
        );
        for bad in [Some(0), Some(u64::MAX)] {
            let config = JwtConfig {
                max_lifetime_seconds: bad,
                ..JwtConfig::default()
            };
            assert_eq!(
                config.validate().unwrap_err().code(),
                ErrorCode::ConfigInvalid
            );
        }
    }

    #[test]
    fn issuer_audience_and_types() {
        let c = JwtConfig {
            issuers: vec!["https://a".into(), "https://b".into()],
            audiences: vec!["api".into()],
            ..JwtConfig::default()
        };
        let ok = json!({"exp": 10, "iss": "https://b", "aud": ["x", "api"]});
        assert!(run(&c, ok, 0).is_ok());
        let mismatch = [
            (
                json!({"exp": 10, "iss": "https://A", "aud": "api"}),
                ErrorCode::JwtIssuerMismatch,
            ),
            (
                json!({"exp": 10, "iss": "https://a/", "aud": "api"}),
                ErrorCode::JwtIssuerMismatch,
            ),
            (
                json!({"exp": 10, "iss": ["https://a"], "aud": "api"}),
                ErrorCode::JwtClaimType,
            ),
            (json!({"exp": 10, "aud": "api"}), ErrorCode::JwtClaimMissing),
            (
                json!({"exp": 10, "iss": "https://a", "aud": "apix"}),
                ErrorCode::JwtAudienceMismatch,
            ),
            (
                json!({"exp": 10, "iss": "https://a", "aud": []}),
                ErrorCode::JwtAudienceMismatch,
            ),
            (
                json!({"exp": 10, "iss": "https://a", "aud": 1}),
                ErrorCode::JwtClaimType,
            ),
            (
                json!({"exp": 10, "iss": "https://a", "aud": [1]}),
                ErrorCode::JwtClaimType,
            ),
            (
                json!({"exp": 10, "iss": "https://a", "aud": "api", "sub": 1}),
                ErrorCode::JwtClaimType,
            ),
            (
                json!({"exp": 10, "iss": "https://a", "aud": "api", "scp": "a"}),
                ErrorCode::JwtClaimType,
            ),
        ];
        for (claims, want) in mismatch {
            assert_eq!(run(&c, claims.clone(), 0).unwrap_err(), want, "{claims}");
        }
        let plain = JwtConfig::default();
        assert_eq!(
            run(&plain, json!({"exp": 10, "aud": "api"}), 0).unwrap_err(),
            ErrorCode::JwtAudienceMismatch
        );
        let f = run(
            &plain,
            json!({"exp": 10, "scope": "a  b", "scp": ["b", "c"]}),
            0,
        )
        .unwrap();
        assert_eq!(f.2, ["a", "b", "c"]);
    }
}
