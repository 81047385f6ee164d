//! Every algorithm and scheme a caller names is read by one rule: the exact name, anything
//! else `invalid_argument` with the same message shape, whichever surface asks.

use portcullis::httpsig::HttpSigAlgorithm;
use portcullis::webhook::WebhookScheme;
use portcullis::{digest, hmac, jwt, ErrorCode};

fn check<T: Copy + PartialEq + std::fmt::Debug>(
    all: &[T],
    name: fn(T) -> &'static str,
    parse: fn(&str) -> Result<T, portcullis::Error>,
    kind: &str,
) {
    for &value in all {
        assert_eq!(parse(name(value)), Ok(value));
        let upper = name(value).to_ascii_uppercase();
        if upper != name(value) {
            assert!(parse(&upper).is_err(), "{upper} is not a name");
        }
    }
    for bad in ["", "none", "md5", " hmac-sha256"] {
        let e = parse(bad).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument, "{kind}: {bad:?}");
        assert!(
            e.detail()
                .starts_with(&format!("unknown {kind}; expected one of: ")),
            "{}",
            e.detail()
        );
    }
    let e = parse("secret-value-0123").unwrap_err();
    assert!(
        !e.detail().contains("secret"),
        "the name given is not repeated"
    );
}

#[test]
fn one_rule_for_every_name() {
    check(
        jwt::Algorithm::ALL,
        jwt::Algorithm::name,
        jwt::Algorithm::parse,
        "JWT algorithm",
    );
    check(
        hmac::Algorithm::ALL,
        hmac::Algorithm::name,
        hmac::Algorithm::parse,
        "HMAC algorithm",
    );
    check(
        digest::Algorithm::ALL,
        digest::Algorithm::name,
        digest::Algorithm::parse,
        "digest algorithm",
    );
    check(
        HttpSigAlgorithm::ALL,
        HttpSigAlgorithm::name,
        HttpSigAlgorithm::parse,
        "signature algorithm",
    );
    check(
        WebhookScheme::ALL,
        WebhookScheme::name,
        WebhookScheme::parse,
        "webhook scheme",
    );
}

#[test]
fn a_signature_naming_an_unknown_algorithm_is_still_a_refused_request() {
    let e = HttpSigAlgorithm::from_name("md5").unwrap_err();
    assert_eq!(e.code(), ErrorCode::SignatureAlgorithmUnsupported);
}
