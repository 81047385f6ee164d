use super::*;
use crate::error::ErrorCode;

fn norm(target: &str) -> String {
    match normalize_path(target) {
        Ok(path) => path.as_str().to_owned(),
        Err(e) => panic!("{target:?} refused: {e}"),
    }
}

/// The refusal's detail, after checking its code.
fn refusal(target: &str) -> String {
    match normalize_path(target) {
        Ok(path) => panic!("{target:?} accepted as {:?}", path.as_str()),
        Err(e) => {
            assert_eq!(e.code(), ErrorCode::RequestInvalid, "{target:?}");
            e.detail().to_owned()
        }
    }
}

fn pattern(text: &str) -> PathPattern {
    PathPattern::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

fn pattern_error(text: &str) -> String {
    match PathPattern::parse(text) {
        Ok(p) => panic!("{text:?} parsed as {p:?}"),
        Err(e) => e,
    }
}

fn hits(pattern_text: &str, target: &str) -> bool {
    pattern(pattern_text)
        .matches(&normalize_path(target).unwrap())
        .is_some()
}

fn methods(list: &[&str]) -> Result<MethodSet, String> {
    MethodSet::parse(&list.iter().map(|m| m.to_string()).collect::<Vec<_>>())
}

#[test]
fn accepted_targets_and_their_normal_form() {
    for (target, expected) in [
        ("/", "/"),
        ("/a", "/a"),
        ("/a/", "/a/"),
        ("/a/b/", "/a/b/"),
        ("/%61dmin", "/admin"),
        ("/%41%7a%2D%2e%5F%7E", "/Az-._~"),
        ("/a%3ab/%3Ab", "/a%3Ab/%3Ab"),
        ("/caf%c3%a9", "/caf%C3%A9"),
        ("/%25", "/%25"),
        ("/%20x", "/%20x"),
        ("/a:b@c!$&'()*+,=/x", "/a:b@c!$&'()*+,=/x"),
        ("/Admin/ADMIN", "/Admin/ADMIN"),
        ("/.well-known/x", "/.well-known/x"),
        ("/a/.b/..c/...", "/a/.b/..c/..."),
        ("/a?b=c", "/a"),
        ("/a?", "/a"),
        ("/a/?x=/../%zz\\", "/a/"),
        ("/?q", "/"),
        ("*", "*"),
        ("http://example.com/a/b?q", "/a/b"),
        ("HTTPS://example.com:8443/%61", "/a"),
        ("https://example.com", "/"),
        ("https://example.com/", "/"),
        ("http://example.com?x=/admin", "/"),
        ("http://[::1]:8080/a/", "/a/"),
        ("http://127.0.0.1/x", "/x"),
    ] {
        assert_eq!(norm(target), expected, "{target:?}");
    }
}

#[test]
fn refused_targets_name_their_problem() {
    for (target, problem) in [
        ("", "empty"),
        ("/a b", "space"),
        ("/a\tb", "control"),
        ("/caf\u{e9}", "non-ASCII"),
        ("/a#b", "fragment"),
        ("/a?b#c", "fragment"),
        ("#", "fragment"),
        ("a/b", "not origin-form"),
        ("*?x", "not origin-form"),
        ("**", "not origin-form"),
        ("?x", "not origin-form"),
        ("http:/a", "not origin-form"),
        ("example.com/a", "not origin-form"),
        ("ftp://example.com/a", "not http or https"),
        ("javascript://x/a", "not http or https"),
        ("http:///admin", "empty authority"),
        ("http://?/a", "empty authority"),
        ("http://user@example.com/a", "userinfo"),
        ("http://a%40b/x", "`%`"),
        ("http://exa\\mple.com/a", "`\\`"),
        ("//admin", "empty segment"),
        ("/a//b", "empty segment"),
        ("/a/b//", "empty segment"),
        ("/.", ". or .."),
        ("/..", ". or .."),
        ("/a/./b", ". or .."),
        ("/a/../b", ". or .."),
        ("/a/..", ". or .."),
        ("/a/%2e%2e/b", ". or .."),
        ("/a/%2E%2e/b", ". or .."),
        ("/a/.%2E", ". or .."),
        ("/%2e/", ". or .."),
        ("/a%2fb", "`%2f`: an encoded slash"),
        ("/a%2Fb", "`%2F`: an encoded slash"),
        ("/a%5cb", "encoded backslash"),
        ("/a%5Cb", "encoded backslash"),
        ("/a\\b", "raw `\\`"),
        ("/a%00", "encoded control"),
        ("/a%0a", "encoded control"),
        ("/a%1F", "encoded control"),
        ("/a%7f", "encoded control"),
        ("/%G1", "`%G1` is not a percent-escape"),
        ("/%4", "`%4` is not a percent-escape"),
        ("/a%", "`%` is not a percent-escape"),
        ("/%%41", "`%%4` is not a percent-escape"),
        ("/admin;jsessionid=x", "raw `;`"),
        ("/a{b}", "raw `{`"),
        ("/a|b", "raw `|`"),
        ("/a\"b", "raw `\"`"),
        ("/a<b>", "raw `<`"),
        ("/a[0]", "raw `[`"),
        ("/a^b", "raw `^`"),
        ("/a`b", "raw ```"),
    ] {
        let detail = refusal(target);
        assert!(
            detail.contains(problem),
            "{target:?}: {detail:?} does not name {problem:?}"
        );
    }
}

#[test]
fn refusals_quote_no_more_than_the_offending_escape() {
    let detail = refusal("/reset/SECRETTOKEN%zzMORESECRET?k=KEY");
    assert!(detail.contains("`%zz`"), "{detail}");
    for secret in ["SECRET", "MORE", "KEY"] {
        assert!(!detail.contains(secret), "{detail}");
    }
    let detail = refusal("/reset/SECRETTOKEN?api_key=KEY#frag");
    assert!(
        !detail.contains("SECRET") && !detail.contains("KEY"),
        "{detail}"
    );
}

#[test]
fn one_spelling_per_path() {
    for (a, b) in [
        ("/%61dmin", "/admin"),
        ("/a%2d", "/a-"),
        ("/%3a", "/%3A"),
        ("https://h/x?1", "/x?2"),
        ("/x/%7e", "/x/~"),
    ] {
        assert_eq!(
            normalize_path(a).unwrap(),
            normalize_path(b).unwrap(),
            "{a} {b}"
        );
    }
    for (a, b) in [
        ("/a", "/a/"),
        ("/admin", "/Admin"),
        ("/%3A", "/:"),
        ("/a%20b", "/a+b"),
    ] {
        assert_ne!(norm(a), norm(b), "{a} {b}");
    }
}

#[test]
fn literal_patterns_match_byte_for_byte() {
    for (pattern_text, target, expected) in [
        ("/", "/", true),
        ("/", "/a", false),
        ("/admin", "/admin", true),
        ("/admin", "/%61dmin", true),
        ("/admin", "/%61%64%6D%69%6E", true),
        ("/admin", "/Admin", false),
        ("/admin", "/ADMIN", false),
        ("/admin", "/admin/", false),
        ("/admin", "/admin/x", false),
        ("/admin", "/adminx", false),
        ("/admin", "http://h/admin?x", true),
        ("/admin/", "/admin/", true),
        ("/admin/", "/admin", false),
        ("/a/b", "/a/b", true),
        ("/a/b", "/a", false),
        ("/v1/topics:purge", "/v1/topics:purge", true),
        ("/v1/topics%3Apurge", "/v1/topics%3apurge", true),
        ("/caf%C3%A9", "/caf%c3%a9", true),
        ("/admin", "*", false),
        ("*", "*", true),
        ("*", "/", false),
        ("*", "/*", false),
    ] {
        assert_eq!(
            hits(pattern_text, target),
            expected,
            "{pattern_text} {target}"
        );
    }
}

#[test]
fn wildcard_matches_the_prefix_and_below() {
    for (pattern_text, target, expected) in [
        ("/*", "/", true),
        ("/*", "/a", true),
        ("/*", "/a/b/c/", true),
        ("/*", "*", false),
        ("/admin/*", "/admin", true),
        ("/admin/*", "/admin/", true),
        ("/admin/*", "/admin/x", true),
        ("/admin/*", "/admin/x/y/", true),
        ("/admin/*", "/%61dmin/x", true),
        ("/admin/*", "/adminx", false),
        ("/admin/*", "/admin-x/y", false),
        ("/admin/*", "/Admin/x", false),
        ("/admin/*", "/", false),
        ("/admin/*", "/x/admin", false),
        ("/a/b/*", "/a", false),
        ("/a/b/*", "/a/b", true),
        ("/{org}/*", "/acme", true),
        ("/{org}/*", "/", false),
    ] {
        assert_eq!(
            hits(pattern_text, target),
            expected,
            "{pattern_text} {target}"
        );
    }
}

#[test]
fn parameters_capture_one_non_empty_segment() {
    let p = pattern("/orgs/{org}/users/{user_id}");
    let got = p
        .matches(&normalize_path("/orgs/acme/users/alice%40example.com?x").unwrap())
        .unwrap();
    let got: Vec<(&str, &str)> = p.param_names().into_iter().zip(got.values()).collect();
    assert_eq!(got, [("org", "acme"), ("user_id", "alice%40example.com")]);

    let p = pattern("/{id}");
    let got = p.matches(&normalize_path("/%41b").unwrap()).unwrap();
    assert_eq!(got.values().collect::<Vec<_>>(), ["Ab"]);
    assert_eq!(p.param_names(), ["id"]);
    for target in ["/", "/a/", "/a/b", "*"] {
        assert!(
            p.matches(&normalize_path(target).unwrap()).is_none(),
            "{target}"
        );
    }
    assert!(hits("/{id}/", "/a/"));
    assert!(!hits("/{id}/", "/a"));
    assert!(!hits("/a/{id}", "/a/"));
    assert!(!hits("/a/{id}", "/a"));
}

#[test]
fn matches_keep_short_paths_inline() {
    for (pattern_text, target) in [("/a/b", "/a/b"), ("/a/*", "/a/b/c"), ("*", "*")] {
        let got = pattern(pattern_text)
            .matches(&normalize_path(target).unwrap())
            .unwrap();
        assert_eq!(got, Captured::default(), "{pattern_text}");
    }
    let long = format!("/{}", "x".repeat(200));
    let got = pattern("/{id}")
        .matches(&normalize_path(&long).unwrap())
        .unwrap();
    assert_eq!(got.values().collect::<Vec<_>>(), [&long[1..]]);
}

#[test]
fn pattern_as_str_is_the_pattern_as_written() {
    for text in ["/", "*", "/a/{id}/*", "/a/"] {
        assert_eq!(pattern(text).as_str(), text);
    }
}

#[test]
fn pattern_parse_errors() {
    for (text, problem) in [
        ("", "empty"),
        ("admin", "starts with /"),
        ("admin/*", "starts with /"),
        ("**", "starts with /"),
        ("/a*", "`*` is allowed only as a whole last segment"),
        ("/*a", "`*` is allowed only as a whole last segment"),
        ("/a/*/b", "`*` is allowed only as the last segment"),
        ("/a/*/", "`*` is allowed only as the last segment"),
        ("/*/*", "`*` is allowed only as the last segment"),
        ("/x{id}", "must enclose a whole segment"),
        ("/{id}x", "must enclose a whole segment"),
        ("/{id", "must enclose a whole segment"),
        ("/id}", "must enclose a whole segment"),
        ("/{}", "parameter name"),
        ("/{1a}", "parameter name"),
        ("/{a-b}", "parameter name"),
        ("/{a b}", "parameter name"),
        ("/{{a}}", "parameter name"),
        ("/{id}/x/{id}", "`{id}` appears twice"),
        ("//", "empty segment"),
        ("/a//b", "empty segment"),
        ("//a", "empty segment"),
        ("/.", ". or .."),
        ("/a/../b", ". or .."),
        ("/a/./", ". or .."),
        ("/%41dmin", "unreserved character `A`: write `A`"),
        ("/%2e%2e", "unreserved character `.`"),
        ("/a%3a", "upper-case hex digits (`%3A`)"),
        ("/a%2F", "can never match"),
        ("/a%5C", "can never match"),
        ("/a%00", "can never match"),
        ("/a%G1", "\"%G1\" is not a percent-escape"),
        ("/a%4", "\"%4\" is not a percent-escape"),
        ("/a%", "\"%\" is not a percent-escape"),
        ("/a;b", "raw `;`"),
        ("/a\\b", "raw `\\`"),
        ("/a?b", "raw `?`"),
        ("/a#b", "raw `#`"),
        ("/a|b", "raw `|`"),
        ("/a b", "' '"),
        ("/caf\u{e9}", "'\u{e9}'"),
        ("/a\nb", "'\\n'"),
    ] {
        let error = pattern_error(text);
        assert!(
            error.contains(problem),
            "{text:?}: {error:?} does not name {problem:?}"
        );
    }
}

#[test]
fn every_pattern_matches_its_own_spelling() {
    for text in [
        "/",
        "/a",
        "/a/",
        "/a:b@c!$&'()+,=/%3A/%C3%A9",
        "/.well-known/x",
    ] {
        assert!(hits(text, text), "{text}");
    }
}

#[test]
fn method_sets() {
    let any = methods(&[]).unwrap();
    let star = methods(&["*"]).unwrap();
    for method in ["GET", "HEAD", "POST", "get", "PROPFIND"] {
        assert!(any.matches(method) && star.matches(method), "{method}");
    }

    let get_post = methods(&["GET", "POST"]).unwrap();
    for (method, expected) in [
        ("GET", true),
        ("HEAD", true),
        ("POST", true),
        ("PUT", false),
        ("get", false),
        ("Get", false),
        ("head", false),
        ("", false),
    ] {
        assert_eq!(get_post.matches(method), expected, "{method}");
    }

    let head = methods(&["HEAD"]).unwrap();
    assert!(head.matches("HEAD") && !head.matches("GET"));
    let custom = methods(&["PROPFIND", "x-Purge"]).unwrap();
    assert!(custom.matches("PROPFIND") && custom.matches("x-Purge"));
    assert!(!custom.matches("propfind") && !custom.matches("X-PURGE"));
}

#[test]
fn method_set_errors() {
    for (list, problem) in [
        (&["GET", "*"][..], "cannot be listed with other methods"),
        (&["*", "*"][..], "cannot be listed with other methods"),
        (&["GET", "GET"][..], "`GET` is listed twice"),
        (&[""][..], "is not an HTTP method"),
        (&["GE T"][..], "is not an HTTP method"),
        (&["GET\n"][..], "\"GET\\n\" is not an HTTP method"),
        (&["G(ET"][..], "is not an HTTP method"),
        (&["get"][..], "write `GET`"),
        (&["Post"][..], "write `POST`"),
        (&["GET", "get"][..], "write `GET`"),
    ] {
        let error = methods(list).unwrap_err();
        assert!(
            error.contains(problem),
            "{list:?}: {error:?} does not name {problem:?}"
        );
    }
}

/// Every target of up to five characters over an alphabet chosen to build escapes, dot
/// segments, slashes and the refused characters: nothing panics, and an accepted path is a
/// fixed point that no later decoding can turn into a dot segment or a new separator.
#[test]
fn short_targets_normalize_to_fixed_points() {
    const ALPHABET: &[u8] = b"/.%2eEfF5cAa;\\?*";
    let mut accepted = 0;
    let mut target = Vec::with_capacity(6);
    for len in 1..=5u32 {
        for mut n in 0..ALPHABET.len().pow(len) {
            target.clear();
            target.push(b'/');
            for _ in 0..len {
                target.push(ALPHABET[n % ALPHABET.len()]);
                n /= ALPHABET.len();
            }
            let target = std::str::from_utf8(&target).unwrap();
            let Ok(path) = normalize_path(target) else {
                continue;
            };
            accepted += 1;
            let text = path.as_str();
            assert_eq!(norm(text), text, "{target:?} is not a fixed point");
            assert!(!text.contains("//"), "{target:?} -> {text:?}");
            for segment in text.split('/') {
                assert!(segment != "." && segment != "..", "{target:?} -> {text:?}");
                for decodable in ["%2E", "%2F", "%5C", "%2e", "%2f", "%5c"] {
                    assert!(!segment.contains(decodable), "{target:?} -> {text:?}");
                }
            }
            if !text.contains('*') {
                assert!(hits(text, target), "{target:?} -> {text:?}");
            }
        }
    }
    assert!(accepted > 1000, "only {accepted} accepted");
}
