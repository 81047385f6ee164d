use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use super::audit::{AuditEvent, AuditSink};
use super::*;
use crate::config::Secrets;
use crate::error::ErrorCode;
use crate::jwt::{encode, Algorithm, HeaderOptions, JwtKey};

const NOW: i64 = 1_767_225_600;
const JWT_SECRET: &str = "gate-test-jwt-secret-0123456789abcdef";
const ALICE_BCRYPT: &str = "$2y$05$goj0pwBt4vml.1uO7DxaUe6SvNQJFBMjHhANzqU2Ka/UmCfbq6Rzy";

fn options() -> GateOptions {
    GateOptions {
        load: LoadContext::new().with_secrets(Secrets::new().with("jwt", JWT_SECRET)),
        audit_sinks: Vec::new(),
    }
}

const CONFIG: &str = r#"
version = 1

[credentials.tokens]
method = "jwt"
audiences = ["api"]
keys = { static = [{ alg = "HS256", secret = "secret:jwt" }] }

[credentials.ops]
method = "basic"
realm = "ops"
users = { bob = "$2y$05$goj0pwBt4vml.1uO7DxaUe6SvNQJFBMjHhANzqU2Ka/UmCfbq6Rzy" }

[[routes]]
name = "health"
path = "/health"
require = { anonymous = true }

[[routes]]
name = "orders"
methods = ["GET"]
path = "/orders/{id}"
require = { any_of = ["tokens", "ops"] }
scopes = ["orders:read"]

[[routes]]
name = "public"
path = "/public/*"
require = { optional = "tokens" }

[[routes]]
name = "limited"
path = "/limited"
require = "tokens"
rate_limits = ["two"]

[rate_limits.two]
key = "principal"
quota = 2
window_seconds = 60
"#;

fn gate() -> Gate {
    Gate::from_text(CONFIG, Format::Toml, options()).unwrap()
}

fn token(claims: serde_json::Value) -> String {
    let key = JwtKey::from_secret(Algorithm::Hs256, JWT_SECRET.as_bytes()).unwrap();
    encode(claims.as_object().unwrap(), &HeaderOptions::default(), &key).unwrap()
}

fn bearer(method: &str, path: &str, scope: &str) -> Request {
    let t =
        token(serde_json::json!({"sub": "alice", "aud": "api", "exp": NOW + 60, "scope": scope}));
    Request::new(method, path)
        .unwrap()
        .header("Authorization", format!("Bearer {t}"))
        .unwrap()
        .at(NOW)
}

fn header<'a>(d: &'a GateDecision, name: &str) -> Vec<&'a str> {
    d.headers()
        .iter()
        .filter(|(n, _)| *n == name)
        .map(|(_, v)| &**v)
        .collect()
}

#[test]
fn the_winning_method_and_its_principal() {
    let d = gate().check(&bearer("GET", "/orders/7", "orders:read"));
    assert!(d.allowed(), "{:?}", d.denial());
    assert_eq!(
        (d.route(), d.credential()),
        (Some("orders"), Some("tokens"))
    );
    assert_eq!(d.principal().unwrap().subject, "alice");
    assert_eq!(d.params().collect::<Vec<_>>(), [("id", "7")]);
    assert_eq!(d.status(), 200);
    assert!(d.problem_json().is_none());
    let json: serde_json::Value = serde_json::from_str(&d.to_json()).unwrap();
    assert_eq!(json["principal"]["subject"], "alice");
    assert_eq!(json["params"]["id"], "7");
    assert_eq!(json["code"], serde_json::Value::Null);
}

#[test]
fn a_gate_may_block_only_with_slow_credentials() {
    assert!(gate().may_block(), "basic hashes passwords");
    let fast = r#"
[credentials.tokens]
method = "jwt"
keys = { static = [{ alg = "HS256", secret = "secret:jwt" }] }

[[routes]]
path = "/*"
require = "tokens"
"#;
    assert!(!Gate::from_text(fast, Format::Toml, options())
        .unwrap()
        .may_block());
}

#[test]
fn head_takes_the_get_route() {
    let d = gate().check(&bearer("HEAD", "/orders/7", "orders:read"));
    assert_eq!(d.route(), Some("orders"));
}

#[test]
fn missing_credentials_get_every_challenge() {
    let d = gate().check(&Request::new("GET", "/orders/7").unwrap().at(NOW));
    assert_eq!(
        (d.status(), d.code()),
        (401, Some(ErrorCode::CredentialsMissing))
    );
    assert_eq!(
        header(&d, "WWW-Authenticate"),
        [
            "Bearer realm=\"api\"",
            "Basic realm=\"ops\", charset=\"UTF-8\""
        ]
    );
    let problem: serde_json::Value = serde_json::from_str(&d.problem_json().unwrap()).unwrap();
    assert_eq!(problem["status"], 401);
    assert_eq!(problem["code"], "credentials_missing");
    assert_eq!(problem["type"], "urn:portcullis:error:credentials_missing");
    assert_eq!(header(&d, "Content-Type"), ["application/problem+json"]);
}

#[test]
fn insufficient_scope_is_403() {
    let d = gate().check(&bearer("GET", "/orders/7", "other"));
    assert_eq!(
        (d.status(), d.code()),
        (403, Some(ErrorCode::ScopeInsufficient))
    );
    assert!(header(&d, "WWW-Authenticate")[0].contains("insufficient_scope"));
}

#[test]
fn the_callers_scopes_join_the_routes() {
    let g = gate();
    let both = bearer("GET", "/orders/7", "orders:read orders:audit");
    let d = g.check_with_scopes(&both, &["orders:audit"]);
    assert!(d.allowed(), "{:?}", d.code());

    let d = g.check_with_scopes(
        &bearer("GET", "/orders/7", "orders:read"),
        &["orders:audit"],
    );
    assert_eq!(
        (d.status(), d.code()),
        (403, Some(ErrorCode::ScopeInsufficient))
    );
    let challenge = header(&d, "WWW-Authenticate")[0];
    assert!(
        challenge.contains(r#"scope="orders:read orders:audit""#),
        "{challenge}"
    );

    // A scope the route already names is not asked twice; no extra scope is `check`.
    let d = g.check_with_scopes(&bearer("GET", "/orders/7", "other"), &["orders:read"]);
    assert!(header(&d, "WWW-Authenticate")[0].contains(r#"scope="orders:read""#));
    let d = g.check_with_scopes(&bearer("GET", "/orders/7", "orders:read"), &[]);
    assert!(d.allowed());

    for bad in ["", "a b", "a\"b", "a\\b"] {
        let d = g.check_with_scopes(&bearer("GET", "/orders/7", "orders:read"), &[bad]);
        assert_eq!(
            (d.status(), d.code()),
            (500, Some(ErrorCode::InvalidArgument))
        );
    }
}

#[test]
fn scopes_on_an_optional_route_need_a_credential() {
    let g = gate();
    let d = g.check_with_scopes(
        &Request::new("GET", "/public/x").unwrap().at(NOW),
        &["read"],
    );
    assert_eq!(
        (d.status(), d.code()),
        (401, Some(ErrorCode::CredentialsMissing))
    );
    assert!(header(&d, "WWW-Authenticate")[0].starts_with("Bearer"));
    let d = g.check_with_scopes(&bearer("GET", "/public/x", "read"), &["read"]);
    assert!(d.allowed() && !d.anonymous());
    let d = g.check_with_scopes(&bearer("GET", "/public/x", "write"), &["read"]);
    assert_eq!(d.code(), Some(ErrorCode::ScopeInsufficient));
    // An anonymous route has no challenge to offer: it cannot grant scopes.
    let d = g.check_with_scopes(&Request::new("GET", "/health").unwrap().at(NOW), &["read"]);
    assert_eq!(
        (d.status(), d.code()),
        (403, Some(ErrorCode::ScopeInsufficient))
    );
}

#[test]
fn no_route_no_entry() {
    let d = gate().check(&bearer("POST", "/orders/7", "orders:read"));
    assert_eq!(
        (d.status(), d.code(), d.route()),
        (403, Some(ErrorCode::RouteUnmatched), None)
    );
    let d = gate().check(&bearer("GET", "/orders/../admin", ""));
    assert_eq!(
        (d.status(), d.code()),
        (400, Some(ErrorCode::RequestInvalid))
    );
}

#[test]
fn optional_missing_passes_invalid_fails() {
    let g = gate();
    let d = g.check(&Request::new("GET", "/public/x").unwrap().at(NOW));
    assert!(d.allowed() && d.anonymous());
    let d = g.check(
        &Request::new("GET", "/public/x")
            .unwrap()
            .header("Authorization", "Bearer not-a-jwt")
            .unwrap()
            .at(NOW),
    );
    assert_eq!(d.code(), Some(ErrorCode::JwtMalformed));
    let d = g.check(&bearer("GET", "/public/x", ""));
    assert_eq!(d.credential(), Some("tokens"));
}

#[test]
fn principal_rate_limit_with_headers() {
    let g = gate();
    let first = g.check(&bearer("GET", "/limited", ""));
    assert!(first.allowed());
    assert_eq!(header(&first, "RateLimit-Policy"), ["\"two\";q=2;w=60"]);
    assert_eq!(header(&first, "RateLimit"), ["\"two\";r=1;t=30"]);
    assert!(g.check(&bearer("GET", "/limited", "")).allowed());
    let third = g.check(&bearer("GET", "/limited", ""));
    assert_eq!(
        (third.status(), third.code()),
        (429, Some(ErrorCode::RateLimited))
    );
    assert_eq!(third.retry_after(), Some(30));
    assert_eq!(header(&third, "RateLimit"), ["\"two\";r=0;t=60"]);
}

#[test]
fn basic_lockout_per_account_and_address() {
    let config = format!(
        "{CONFIG}\n[lockout.per_account]\nthreshold = 2\nmax_failures = 3\nwindow_seconds = 100\nbase_delay_seconds = 10\nmax_delay_seconds = 20\n"
    );
    let g = Gate::from_text(&config, Format::Toml, options()).unwrap();
    let basic = |pw: &str, now: i64| {
        use base64::Engine;
        let b = base64::engine::general_purpose::STANDARD.encode(format!("bob:{pw}"));
        Request::new("GET", "/orders/1")
            .unwrap()
            .header("Authorization", format!("Basic {b}"))
            .unwrap()
            .at(now)
    };
    let code = |r: &Request| g.check(r).code();
    assert_eq!(
        code(&basic("wrong", NOW)),
        Some(ErrorCode::BasicInvalidCredentials)
    );
    assert_eq!(
        code(&basic("wrong", NOW)),
        Some(ErrorCode::BasicInvalidCredentials)
    );
    let locked = g.check(&basic("wrong", NOW + 1));
    assert_eq!(locked.code(), Some(ErrorCode::LockedOut));
    assert_eq!(locked.retry_after(), Some(9));
    assert_eq!(locked.status(), 429);
    let _ = ALICE_BCRYPT;
}

#[test]
fn bad_configurations_name_the_path() {
    let err = |text: &str| {
        Gate::from_text(text, Format::Toml, options())
            .unwrap_err()
            .to_string()
    };
    let base = "[credentials.tokens]\nmethod = \"jwt\"\nkeys = { static = [{ alg = \"HS256\", secret = \"secret:jwt\" }] }\n";
    assert_eq!(
        err(&format!("{base}[[routes]]\npath = \"/a\"\nrequire = {{ any_of = [\"tokens\", \"jwt-prod\"] }}\n")),
        "routes[0].require.any_of[1]: unknown credential \"jwt-prod\" (line 6, column 33)"
    );
    assert!(err(&format!(
        "{base}[[routes]]\npath = \"/a/*/b\"\nrequire = \"tokens\"\n"
    ))
    .starts_with("routes[0].path: "));
    assert!(err(&format!("{base}[[routes]]\npath = \"/a\"\nrequire = {{ optional = \"tokens\" }}\nscopes = [\"x\"]\n"))
        .starts_with("routes[0].scopes: scopes cannot be required"));
    assert!(err(&format!(
        "{base}[[routes]]\npath = \"/a\"\nrequire = \"tokens\"\nrate_limits = [\"nope\"]\n"
    ))
    .starts_with("routes[0].rate_limits[0]: unknown rate limit"));
    assert!(err(&format!(
        "{base}[[routes]]\npath = \"/a\"\nrequire = \"tokens\"\nrequires = 1\n"
    ))
    .contains("unknown field `requires`"));
    assert!(err(&format!("routes = []\n{base}")).starts_with("routes: 1 to 1024 routes"));
    assert!(err(&format!(
        "version = 2\n{base}[[routes]]\npath = \"/a\"\nrequire = \"tokens\"\n"
    ))
    .starts_with("version: unsupported version 2"));
}

#[test]
fn reload_swaps_and_keeps_unchanged_credentials() {
    let g = gate();
    let before = g.verifier("tokens").unwrap();
    g.reload_text(
        &CONFIG.replace("name = \"public\"", "name = \"open\""),
        Format::Toml,
    )
    .unwrap();
    assert!(g.route_names().contains(&"open".to_string()));
    let after = g.verifier("tokens").unwrap();
    assert!(
        Arc::ptr_eq(before.method(), after.method()),
        "unchanged credential reused"
    );
    // A bad reload leaves the running configuration.
    assert!(g.reload_text("routes = 1", Format::Toml).is_err());
    assert!(g.route_names().contains(&"open".to_string()));
}

#[derive(Default)]
struct Counting {
    events: AtomicU64,
    last: Mutex<Option<String>>,
}

impl AuditSink for Counting {
    fn deliver(&self, events: &[AuditEvent]) {
        self.events
            .fetch_add(events.len() as u64, Ordering::Relaxed);
        if let Some(e) = events.last() {
            *self.last.lock().unwrap() = Some(e.to_json());
        }
    }
}

#[test]
fn every_decision_is_audited_without_secrets() {
    let sink = Arc::new(Counting::default());
    let mut opts = options();
    opts.audit_sinks.push(sink.clone());
    let g = Gate::from_text(CONFIG, Format::Toml, opts).unwrap();
    let req = bearer("GET", "/orders/7", "orders:read");
    let token =
        String::from_utf8(req.header_values("authorization").next().unwrap().to_vec()).unwrap();
    g.check(&req);
    g.check(&Request::new("GET", "/nowhere").unwrap().at(NOW));
    assert!(g.flush_audit(Duration::from_secs(5)));
    assert_eq!(sink.events.load(Ordering::Relaxed), 2);
    let stats = g.audit_stats();
    assert_eq!((stats.submitted, stats.delivered, stats.dropped), (2, 2, 0));
    let last = sink.last.lock().unwrap().clone().unwrap();
    assert!(last.contains("\"route_unmatched\""), "{last}");
    assert!(!last.contains(&token[7..20]));
}
