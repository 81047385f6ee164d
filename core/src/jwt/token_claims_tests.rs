//! Tests of `token_claims`: the one-pass reader against the strict map parser.

use super::*;
use crate::error::ErrorCode;

fn read(text: &str) -> Result<TokenClaims, ErrorCode> {
    TokenClaims::read(text.as_bytes().to_vec()).map_err(|e| e.code())
}

#[test]
fn reads_what_the_strict_parser_reads() {
    let texts = [
        r#"{"sub":"a","exp":1767229200,"aud":["x","y"],"n":null,"t":true,"f":1.5}"#,
        r#"{"z":{"b":1,"a":[1,2,{"c":"d"}]},"big":18446744073709551615,"neg":-3}"#,
        r#"{"esc\u0061ped":"line\nbreak \u00e9","plain":"caf\u00e9","e":1e3,"m0":-0}"#,
        r#" { "spaced" : "v" , "b" : false } "#,
        r#"{}"#,
        r#"{"huge":123456789012345678901234567890,"tiny":1e-400}"#,
    ];
    for text in texts {
        let want = json::parse_object(text.as_bytes(), "claims").unwrap();
        let claims = read(text).unwrap();
        assert_eq!(claims.len(), want.len(), "{text}");
        let names: Vec<&str> = claims.iter().map(|(n, _)| n).collect();
        let want_names: Vec<&str> = want.keys().map(String::as_str).collect();
        assert_eq!(names, want_names, "{text}");
        for (name, value) in &want {
            assert_eq!(
                claims.get(name).map(ClaimRef::to_value).as_ref(),
                Some(value)
            );
            assert_eq!(claims.get(name), Some(ClaimRef::of(value)), "{text} {name}");
        }
        assert_eq!(
            serde_json::to_string(&claims).unwrap(),
            serde_json::to_string(&want).unwrap()
        );
        assert_eq!(claims.clone().into_map(), want);
        let from_map = TokenClaims::from_map(want.clone());
        assert_eq!(
            from_map.iter().collect::<Vec<_>>(),
            claims.iter().collect::<Vec<_>>()
        );
    }
    assert_eq!(read("{}").unwrap().get("x"), None);
}

/// A small deterministic generator of JSON-ish text: objects with repeated, escaped and
/// non-ASCII names, nested values, numbers in several forms, and now and then a broken byte.
struct Gen(u64);

impl Gen {
    fn next(&mut self, n: u64) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.next(items.len() as u64) as usize]
    }

    fn value(&mut self, depth: u32, out: &mut String) {
        let kinds = if depth > 2 { 6 } else { 8 };
        match self.next(kinds) {
            0 => out.push_str(self.pick(&["0", "-3", "1.5", "-0", "1e3", "18446744073709551615"])),
            1 => out.push_str(self.pick(&["1e999", "123456789012345678901234567890", "2E-3"])),
            2 => out.push_str(self.pick(&["true", "false", "null"])),
            3 | 4 => {
                let s = self.pick(&[
                    "a",
                    r"caf\u00e9",
                    r"\ud83d\ude00",
                    r"\ud800",
                    r"\n",
                    "é",
                    r#"x\"y"#,
                ]);
                out.push('"');
                out.push_str(s);
                out.push('"');
            }
            5 => out.push_str(self.pick(&["", " ", "]", r#""x":1"#, "\u{1}"])),
            6 => {
                out.push('[');
                for i in 0..self.next(3) {
                    if i > 0 {
                        out.push(',');
                    }
                    self.value(depth + 1, out);
                }
                out.push(']');
            }
            _ => self.object(depth + 1, out),
        }
    }

    fn object(&mut self, depth: u32, out: &mut String) {
        out.push('{');
        for i in 0..self.next(5) {
            if i > 0 {
                out.push_str(self.pick(&[",", ", ", ","]));
            }
            let name = self.pick(&["a", "b", r"\u0061", "sub", "exp", "é", r"\u00e9", "aud"]);
            out.push('"');
            out.push_str(name);
            out.push_str(self.pick(&[r#"":"#, r#"" : "#]));
            self.value(depth, out);
        }
        out.push('}');
    }
}

#[test]
fn generated_texts_read_as_the_strict_parser_reads_them() {
    let mut generator = Gen(0x9E37_79B9_7F4A_7C15);
    let (mut accepted, mut refused) = (0, 0);
    for _ in 0..3000 {
        let mut text = String::new();
        generator.object(0, &mut text);
        if generator.next(10) == 0 {
            text.push_str(generator.pick(&[" ", "x", "}"]));
        }
        let want = json::parse_object(text.as_bytes(), "claims");
        match (read(&text), want) {
            (Ok(claims), Ok(map)) => {
                accepted += 1;
                assert_eq!(
                    serde_json::to_string(&claims).unwrap(),
                    serde_json::to_string(&map).unwrap(),
                    "{text}"
                );
                assert_eq!(claims.into_map(), map, "{text}");
            }
            (Err(code), Err(e)) => {
                refused += 1;
                assert_eq!(code, e.code(), "{text}");
            }
            (got, want) => panic!("{text}: {:?} but {:?}", got.map(|c| c.len()), want),
        }
    }
    // The generator reaches both sides.
    assert!(accepted > 300 && refused > 300, "{accepted} {refused}");
}

#[test]
fn refuses_what_the_strict_parser_refuses() {
    let cases = [
        r#"{"a":1,"a":2}"#,
        r#"{"a":1,"\u0061":2}"#,
        r#"{"b":1,"a":1,"b":3}"#,
        r#"{"o":{"c":1,"c":2}}"#,
        r#"{"o":[{"c":1,"c":2}]}"#,
        "[]",
        "1",
        "\"a\"",
        "",
        "{",
        "{} x",
        r#"{"a":1e999}"#,
        r#"{"a":"\ud800"}"#,
        r#"{"a":[1e999]}"#,
        "{\"a\":\"\u{1}\"}",
    ];
    for text in cases {
        let want = json::parse_object(text.as_bytes(), "claims")
            .unwrap_err()
            .code();
        assert_eq!(read(text).unwrap_err(), want, "{text}");
    }
    let dup = ErrorCode::JwtDuplicateMember;
    let many: Vec<String> = (0..40).map(|i| format!("\"k{i}\":{i}")).collect();
    assert!(read(&format!("{{{}}}", many.join(","))).is_ok());
    assert_eq!(
        read(&format!("{{{},\"k7\":0}}", many.join(","))).unwrap_err(),
        dup
    );
    assert_eq!(
        TokenClaims::read(b"{\"a\":\"\xff\"}".to_vec())
            .unwrap_err()
            .code(),
        ErrorCode::JwtMalformed
    );
    // A repeated member, then bytes that are not UTF-8: the strict parser meets the repeat
    // first, and so does this reader (found by the claims_readers fuzz target).
    for text in [
        &b"{\"a\":1,\"a\":2} \xff"[..],
        b"{\"a\":1,\"a\":2}\x82",
        b"{\"a\":1} \xff",
    ] {
        let want = json::parse_object(text, "claims").unwrap_err().code();
        assert_eq!(TokenClaims::read(text.to_vec()).unwrap_err().code(), want);
    }
    // Input that quotes the readers' markers is not what the markers say (claims_readers).
    for text in [
        &br#""portcullis: duplicate member1""#[..],
        br#"["portcullis: duplicate member"]"#,
        br#""portcullis: a JSON object""#,
        // Not an object, but holding a repeat the strict parser meets first.
        br#"[{"a":1,"a":2}]"#,
        br#"[{"a":1,"a":2}] x"#,
    ] {
        let want = json::parse_object(text, "claims").unwrap_err().code();
        assert_eq!(TokenClaims::read(text.to_vec()).unwrap_err().code(), want);
    }
    assert_eq!(
        TokenClaims::read(b"{\"a\":1,\"a\":2} \xff".to_vec())
            .unwrap_err()
            .code(),
        dup
    );
}
