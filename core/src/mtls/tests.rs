use std::net::IpAddr;

use serde_json::json;

use super::forwarded::{parse_xfcc, percent_decode};
use super::*;
use crate::request::Request;

const NB: i64 = 1_700_000_000;
const NA: i64 = 1_900_000_000;
const NOW: i64 = 1_750_000_000;

fn pem_to_der(pem: &str) -> Vec<Vec<u8>> {
    chain::parse_certificates(pem.as_bytes(), "test")
        .unwrap()
        .into_iter()
        .map(|c| c.to_vec())
        .collect()
}

fn config(ca: &DevCa) -> MtlsConfig {
    MtlsConfig {
        trust_anchors: vec![ca.ca_cert_pem().to_owned()],
        ..Default::default()
    }
}

fn spiffe(ca: &DevCa, id: &str) -> IssuedCertificate {
    ca.issue_client(&ClientCertSpec {
        spiffe_id: Some(id.into()),
        cn: Some("svc".into()),
        ..Default::default()
    })
    .unwrap()
}

fn code(r: Result<Principal, Denial>) -> ErrorCode {
    r.unwrap_err().code()
}

#[test]
fn trusted_chain_gives_a_spiffe_principal() {
    let ca = DevCa::new("root", NB, NA).unwrap();
    let leaf = spiffe(&ca, "spiffe://example.org/ns/prod/sa/api");
    let v = MtlsVerifier::new(config(&ca)).unwrap();
    let p = v.verify_chain(&pem_to_der(&leaf.chain_pem), NOW).unwrap();
    assert_eq!(p.subject, "spiffe://example.org/ns/prod/sa/api");
    assert_eq!(p.method, AuthMethod::Mtls);
    assert_eq!(
        p.credential_id.as_deref(),
        Some(format!("sha256:{}", leaf.fingerprint_sha256).as_str())
    );
    assert_eq!(p.claims["cn"], json!("svc"));
    assert_eq!(
        p.claims["serial"],
        json!(leaf.serial.trim_start_matches('0'))
    );
    assert_eq!(p.claims["subject_dn"], json!("CN=svc"));
    assert_eq!(
        p.claims["issuer_dn"],
        json!("CN=root,O=portcullis development CA")
    );
    assert_eq!(p.expires_at, Some(NA));
    assert_eq!(
        code(v.verify_chain(&pem_to_der(&leaf.chain_pem), NA + 1)),
        ErrorCode::MtlsExpired
    );
    assert_eq!(
        code(v.verify_chain(&pem_to_der(&leaf.chain_pem), NB - 1)),
        ErrorCode::MtlsNotYetValid
    );
    assert_eq!(
        code(v.verify_chain::<Vec<u8>>(&[], NOW)),
        ErrorCode::MtlsCertificateMissing
    );
    assert_eq!(
        code(v.verify_chain(&[b"garbage".to_vec()], NOW)),
        ErrorCode::MtlsCertificateMalformed
    );
    let long = vec![leaf.der.clone(); crate::RequestLimits::default().max_peer_certificates + 1];
    assert_eq!(code(v.verify_chain(&long, NOW)), ErrorCode::InputTooLarge);
    // The rule of a request's peer chain: no empty certificate.
    let empty = [leaf.der.clone(), Vec::new()];
    assert_eq!(
        code(v.verify_chain(&empty, NOW)),
        ErrorCode::InvalidArgument
    );
    // Through a Request.
    let mut r = Request::new("GET", "/").unwrap().at(NOW);
    assert_eq!(code(v.verify(&r)), ErrorCode::MtlsCertificateMissing);
    r.add_peer_certificate(leaf.der.clone()).unwrap();
    assert!(v.verify(&r).is_ok());
}

#[test]
fn untrusted_eku_revocation_and_intermediates() {
    let ca = DevCa::new("root", NB, NA).unwrap();
    let other = DevCa::new("other", NB, NA).unwrap();
    let v = MtlsVerifier::new(config(&ca)).unwrap();
    let stranger = spiffe(&other, "spiffe://example.org/x");
    assert_eq!(
        code(v.verify_chain(&[stranger.der], NOW)),
        ErrorCode::MtlsUntrusted
    );
    let server_only = ca
        .issue_client(&ClientCertSpec {
            cn: Some("s".into()),
            eku_client_auth: false,
            eku_server_auth: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        code(v.verify_chain(std::slice::from_ref(&server_only.der), NOW)),
        ErrorCode::MtlsUsageInvalid
    );
    // No EKU at all: refused by default, accepted when the EKU is not required.
    let no_eku = ca
        .issue_client(&ClientCertSpec {
            cn: Some("n".into()),
            eku_client_auth: false,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        code(v.verify_chain(std::slice::from_ref(&no_eku.der), NOW)),
        ErrorCode::MtlsUsageInvalid
    );
    let lax = MtlsVerifier::new(MtlsConfig {
        require_client_auth_eku: false,
        ..config(&ca)
    })
    .unwrap();
    assert_eq!(lax.verify_chain(&[no_eku.der], NOW).unwrap().subject, "n");
    assert_eq!(
        code(lax.verify_chain(&[server_only.der], NOW)),
        ErrorCode::MtlsUsageInvalid
    );

    // Intermediate: from the client's chain or from the configured pool.
    let inter = ca.issue_intermediate("inter", NB, NA, Some(0)).unwrap();
    let leaf = spiffe(&inter, "spiffe://example.org/i");
    v.verify_chain(&pem_to_der(&leaf.chain_pem), NOW).unwrap();
    assert_eq!(
        code(v.verify_chain(std::slice::from_ref(&leaf.der), NOW)),
        ErrorCode::MtlsUntrusted
    );
    let pooled = MtlsVerifier::new(MtlsConfig {
        intermediates: vec![inter.ca_cert_pem().to_owned()],
        ..config(&ca)
    })
    .unwrap();
    assert!(pooled
        .verify_chain(std::slice::from_ref(&leaf.der), NOW)
        .is_ok());
    // Path length 0 forbids a CA below the intermediate.
    let sub = inter.issue_intermediate("sub", NB, NA, None).unwrap();
    let deep = spiffe(&sub, "spiffe://example.org/deep");
    assert_eq!(
        code(v.verify_chain(&pem_to_der(&deep.chain_pem), NOW)),
        ErrorCode::MtlsPathInvalid
    );

    // CRLs.
    let revoked = spiffe(&ca, "spiffe://example.org/revoked");
    ca.revoke(&revoked.serial, NB).unwrap();
    let crl = ca.crl_pem(NB, NA).unwrap();
    let with_crl = MtlsVerifier::new(MtlsConfig {
        crls: vec![crl.clone()],
        ..config(&ca)
    })
    .unwrap();
    assert_eq!(
        code(with_crl.verify_chain(std::slice::from_ref(&revoked.der), NOW)),
        ErrorCode::MtlsRevoked
    );
    let fine = spiffe(&ca, "spiffe://example.org/fine");
    assert!(with_crl
        .verify_chain(std::slice::from_ref(&fine.der), NOW)
        .is_ok());
    // Expired CRL: refused until refreshed.
    let stale = MtlsVerifier::new(MtlsConfig {
        crls: vec![ca.crl_pem(NB, NB + 10).unwrap()],
        ..config(&ca)
    })
    .unwrap();
    assert_eq!(
        code(stale.verify_chain(std::slice::from_ref(&fine.der), NOW)),
        ErrorCode::MtlsCrlInvalid
    );
    // The intermediate's status is unknown (only the root's CRL): chain depth denies.
    assert_eq!(
        code(with_crl.verify_chain(&pem_to_der(&leaf.chain_pem), NOW)),
        ErrorCode::MtlsRevocationUnknown
    );
    let allow = MtlsVerifier::new(MtlsConfig {
        crls: vec![crl],
        unknown_status: UnknownStatus::Allow,
        ..config(&ca)
    })
    .unwrap();
    assert!(allow
        .verify_chain(&pem_to_der(&leaf.chain_pem), NOW)
        .is_ok());
    assert_eq!(
        MtlsVerifier::new(MtlsConfig {
            crls: vec!["-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n".into()],
            ..config(&ca)
        })
        .unwrap_err()
        .code(),
        ErrorCode::MtlsCrlInvalid
    );
}

#[test]
fn identity_rules_pins_and_trust_domains() {
    let ca = DevCa::new("root", NB, NA).unwrap();
    let leaf = spiffe(&ca, "spiffe://example.org/ns/prod/sa/api");
    let der = vec![leaf.der.clone()];
    let with = |c: MtlsConfig| MtlsVerifier::new(c).unwrap();
    let v = with(MtlsConfig {
        spiffe_trust_domains: vec!["other.org".into()],
        ..config(&ca)
    });
    assert_eq!(
        code(v.verify_chain(&der, NOW)),
        ErrorCode::MtlsIdentityRefused
    );
    let v = with(MtlsConfig {
        spiffe_trust_domains: vec!["example.org".into()],
        ..config(&ca)
    });
    assert!(v.verify_chain(&der, NOW).is_ok());

    let upper = leaf.fingerprint_sha256.to_uppercase();
    let colons: Vec<String> = upper
        .as_bytes()
        .chunks(2)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    let v = with(MtlsConfig {
        pinned_fingerprints: vec!["00".repeat(32), colons.join(":")],
        ..config(&ca)
    });
    assert!(v.verify_chain(&der, NOW).is_ok());
    let v = with(MtlsConfig {
        pinned_fingerprints: vec!["00".repeat(32)],
        ..config(&ca)
    });
    assert_eq!(code(v.verify_chain(&der, NOW)), ErrorCode::MtlsPinMismatch);

    let rules: Vec<MtlsRule> = serde_json::from_value(json!([
        {"match": {"spiffe_prefix": "spiffe://example.org/ns/dev"}, "subject": "dev", "scopes": ["x"]},
        {"match": {"spiffe_prefix": "spiffe://example.org/ns/prod/"}, "subject": "prod", "scopes": ["read", "write"]}
    ]))
    .unwrap();
    let v = with(MtlsConfig {
        rules: rules.clone(),
        require_rule_match: true,
        ..config(&ca)
    });
    let p = v.verify_chain(&der, NOW).unwrap();
    assert_eq!((p.subject.as_str(), p.scopes.len()), ("prod", 2));
    let other = spiffe(&ca, "spiffe://example.org/ns/prodx");
    assert_eq!(
        code(v.verify_chain(&[other.der], NOW)),
        ErrorCode::MtlsIdentityRefused
    );
    // Subject sources.
    let v = with(MtlsConfig {
        subject_from: vec![SubjectSource::Email, SubjectSource::Dn],
        ..config(&ca)
    });
    assert_eq!(v.verify_chain(&der, NOW).unwrap().subject, "CN=svc");
    let v = with(MtlsConfig {
        subject_from: vec![SubjectSource::Email],
        ..config(&ca)
    });
    assert_eq!(
        code(v.verify_chain(&der, NOW)),
        ErrorCode::MtlsIdentityRefused
    );
    // Bad configurations.
    for bad in [
        json!({"trust_anchors": []}),
        json!({"trust_anchors": ["not pem"], "unknown": 1}),
        json!({"trust_anchors": [ca.ca_cert_pem()], "pinned_fingerprints": ["abc"]}),
        json!({"trust_anchors": [ca.ca_cert_pem()], "rules": [{"match": {}}]}),
        json!({"trust_anchors": [ca.ca_cert_pem()], "rules": [{"match": {"dns": "a", "cn": "b"}}]}),
        json!({"trust_anchors": [ca.ca_cert_pem()], "spiffe_trust_domains": ["Example.org"]}),
        json!({"trust_anchors": [ca.ca_cert_pem()], "forwarded": {"trusted_proxies": []}}),
        json!({"trust_anchors": [ca.ca_cert_pem()], "forwarded": {"trusted_proxies": ["10.0.0.1/8"]}}),
        json!({"trust_anchors": [ca.ca_cert_pem()], "subject_from": []}),
        json!({"trust_anchors": [ca.ca_cert_pem()], "require_rule_match": true}),
    ] {
        assert!(MtlsVerifier::from_json(&bad.to_string()).is_err(), "{bad}");
    }
    // The JSON form round-trips.
    let c = MtlsConfig {
        rules,
        ..config(&ca)
    };
    assert_eq!(MtlsConfig::from_json(&c.to_json()).unwrap(), c);
}

#[test]
fn spiffe_ids() {
    for ok in [
        "spiffe://example.org",
        "spiffe://a.b-c_d/x/y.z/-_",
        "spiffe://1/A",
    ] {
        assert!(validate_spiffe_id(ok).is_ok(), "{ok}");
    }
    for bad in [
        "SPIFFE://example.org/x",
        "spiffe://Example.org/x",
        "spiffe://example.org:443/x",
        "spiffe://user@example.org/x",
        "spiffe://example.org/x?q",
        "spiffe://example.org/x#f",
        "spiffe://example.org/",
        "spiffe://example.org//x",
        "spiffe://example.org/./x",
        "spiffe://example.org/../x",
        "spiffe:///x",
        "spiffe://example.org/%41",
    ] {
        assert_eq!(
            validate_spiffe_id(bad).unwrap_err().code(),
            ErrorCode::MtlsIdentityRefused,
            "{bad}"
        );
    }
    assert!(validate_spiffe_id(&format!("spiffe://a/{}", "x".repeat(2048))).is_err());
}

#[test]
fn forwarded_headers() {
    let ca = DevCa::new("root", NB, NA).unwrap();
    let leaf = spiffe(&ca, "spiffe://example.org/fwd");
    let encoded: String = leaf
        .cert_pem
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let xfcc = format!(
        "By=spiffe://proxy;Hash=abc;URI=spiffe://forged/admin,By=spiffe://p2;Hash=00;Cert=\"{encoded}\";Subject=\"CN=admin,O=\\\"x\\\";y\";URI=spiffe://forged/admin;DNS=a;DNS=b"
    );
    let v = MtlsVerifier::new(MtlsConfig {
        forwarded: Some(ForwardedConfig {
            trusted_proxies: vec!["127.0.0.1/32".into(), "::1".into(), "10.0.0.0/8".into()],
            ..Default::default()
        }),
        ..config(&ca)
    })
    .unwrap();
    let req = |value: Option<&str>, peer: Option<&str>| {
        let mut r = Request::new("GET", "/").unwrap().at(NOW);
        if let Some(v) = value {
            r.add_header("X-Forwarded-Client-Cert", v.as_bytes())
                .unwrap();
        }
        if let Some(p) = peer {
            r.set_peer_address(p.parse::<IpAddr>().unwrap());
        }
        r
    };
    let p = v.verify(&req(Some(&xfcc), Some("10.1.2.3"))).unwrap();
    assert_eq!(p.subject, "spiffe://example.org/fwd");
    assert!(v
        .verify(&req(Some(&xfcc), Some("::ffff:127.0.0.1")))
        .is_ok());
    assert_eq!(
        code(v.verify(&req(Some(&xfcc), Some("192.168.1.1")))),
        ErrorCode::MtlsForwardedUntrusted
    );
    assert_eq!(
        code(v.verify(&req(Some(&xfcc), None))),
        ErrorCode::MtlsForwardedUntrusted
    );
    assert_eq!(
        code(v.verify(&req(None, Some("10.0.0.1")))),
        ErrorCode::MtlsCertificateMissing
    );
    assert_eq!(
        code(v.verify(&req(Some("By=x;Hash=y"), Some("10.0.0.1")))),
        ErrorCode::MtlsForwardedMalformed
    );
    assert_eq!(
        code(v.verify(&req(Some("Cert=\"abc"), Some("10.0.0.1")))),
        ErrorCode::MtlsForwardedMalformed
    );
    let mut twice = req(Some(&xfcc), Some("10.0.0.1"));
    twice
        .add_header("x-forwarded-client-cert", xfcc.as_bytes())
        .unwrap();
    assert_eq!(code(v.verify(&twice)), ErrorCode::MtlsForwardedMalformed);
    // A direct client (not a proxy) with its own TLS certificate still works.
    let mut direct = req(None, Some("192.168.1.1"));
    direct.add_peer_certificate(leaf.der.clone()).unwrap();
    assert!(v.verify(&direct).is_ok());
    // nginx.
    let n = MtlsVerifier::new(MtlsConfig {
        forwarded: Some(ForwardedConfig {
            header: "X-SSL-Client-Cert".into(),
            format: ForwardedFormat::Nginx,
            trusted_proxies: vec!["127.0.0.0/8".into()],
        }),
        ..config(&ca)
    })
    .unwrap();
    let mut r = Request::new("GET", "/").unwrap().at(NOW);
    r.add_header("x-ssl-client-cert", encoded.as_bytes())
        .unwrap();
    r.set_peer_address("127.0.0.2".parse().unwrap());
    assert!(n.verify(&r).is_ok());

    assert_eq!(percent_decode("a%2Fb+c").unwrap(), b"a/b+c");
    assert!(percent_decode("%4").is_err());
    assert!(parse_xfcc("Cert=\"a\"b").is_err());
    assert!(parse_xfcc("Hash=1;Hash=2;Cert=x").is_err());
}

#[test]
fn cidrs() {
    let c = Cidr::parse("10.0.0.0/8").unwrap();
    assert!(c.contains("10.255.0.1".parse().unwrap()));
    assert!(!c.contains("11.0.0.1".parse().unwrap()));
    assert!(!c.contains("::1".parse().unwrap()));
    let all = Cidr::parse("0.0.0.0/0").unwrap();
    assert!(all.contains("1.2.3.4".parse().unwrap()));
    let v6 = Cidr::parse("fd00::/8").unwrap();
    assert!(v6.contains("fd12::1".parse().unwrap()));
    assert!(!v6.contains("fe80::1".parse().unwrap()));
    assert!(Cidr::parse("::1/128")
        .unwrap()
        .contains("::1".parse().unwrap()));
    for bad in [
        "10.0.0.0/33",
        "10.0.0.1/8",
        "x/8",
        "10.0.0.0/",
        "10.0.0.0/+8",
        "::/129",
    ] {
        assert!(Cidr::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn thumbprints_and_confirmation() {
    // RFC 8705 3.1: x5t#S256 is base64url(SHA-256(DER)), no padding.
    assert_eq!(
        certificate_thumbprint(b""),
        "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
    );
    let t = certificate_thumbprint(b"abc");
    assert!(check_confirmation(&json!({"cnf": {"x5t#S256": t}}), &t).is_ok());
    for bad in [
        json!({}),
        json!({"cnf": {"x5t#S256": "x"}}),
        json!({"cnf": []}),
        json!([]),
    ] {
        assert_eq!(
            check_confirmation(&bad, &t).unwrap_err().code(),
            ErrorCode::JwtConfirmationMismatch
        );
    }
}

#[test]
fn secrets_stay_out_of_debug() {
    let ca = DevCa::new("root", NB, NA).unwrap();
    let leaf = spiffe(&ca, "spiffe://example.org/d");
    assert!(!format!("{ca:?}").contains("PRIVATE"));
    let shown = format!("{leaf:?}");
    assert!(!shown.contains("PRIVATE") && shown.contains("redacted"));
    assert!(leaf.key_pem.contains("PRIVATE KEY"));
    let json = ca
        .issue_client_json(r#"{"cn": "j", "dns": ["a.example"]}"#)
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v["key_pem"].as_str().unwrap().contains("PRIVATE KEY"));
    assert!(ca.issue_client_json(r#"{"nope": 1}"#).is_err());
    fn shared<T: Send + Sync>() {}
    shared::<MtlsVerifier>();
    shared::<DevCa>();
}

#[test]
fn crl_and_certificate_files_pem_or_der() {
    let ca = DevCa::new("root", NB, NA).unwrap();
    let revoked = spiffe(&ca, "spiffe://example.org/file");
    ca.revoke(&revoked.serial, NB).unwrap();
    let crl_pem = ca.crl_pem(NB, NA).unwrap();
    let crl_der = chain::parse_crls(crl_pem.as_bytes()).unwrap().remove(0);
    let dir = std::env::temp_dir().join(format!("portcullis-mtls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (der_path, pem_path, ca_path) =
        (dir.join("crl.der"), dir.join("crl.pem"), dir.join("ca.der"));
    std::fs::write(&der_path, crl_der.as_ref()).unwrap();
    std::fs::write(&pem_path, &crl_pem).unwrap();
    std::fs::write(&ca_path, &pem_to_der(ca.ca_cert_pem())[0]).unwrap();
    let crls = load_crl_files(&[&der_path, &pem_path]).unwrap();
    let anchors = load_certificate_files(&[&ca_path]).unwrap();
    assert!(load_crl_files(&[dir.join("missing")]).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(crls.len(), 2);
    let v = MtlsVerifier::new(MtlsConfig {
        trust_anchors: anchors,
        crls,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        code(v.verify_chain(std::slice::from_ref(&revoked.der), NOW)),
        ErrorCode::MtlsRevoked
    );
}

/// An intermediate whose keyUsage lacks keyCertSign may not issue certificates (RFC 5280
/// 6.1.4 (n)); webpki does not check it, the verifier does (found by the adversarial review).
#[test]
fn intermediate_without_key_cert_sign_issues_nothing() {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
        KeyPair, KeyUsagePurpose,
    };
    let new_key = || KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let root_key = new_key();
    let mut root = CertificateParams::new(Vec::<String>::new()).unwrap();
    root.distinguished_name.push(DnType::CommonName, "root");
    root.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    root.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let root_cert = root.self_signed(&root_key).unwrap();
    let root_issuer = Issuer::from_params(&root, &root_key);
    let chain = |usages: Vec<KeyUsagePurpose>| {
        let key = new_key();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.distinguished_name
            .push(DnType::CommonName, "intermediate");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = usages;
        let ca_cert = ca.signed_by(&key, &root_issuer).unwrap();
        let mut leaf = CertificateParams::new(vec!["client.example.com".to_owned()]).unwrap();
        leaf.distinguished_name.push(DnType::CommonName, "client");
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let leaf_cert = leaf
            .signed_by(&new_key(), &Issuer::from_params(&ca, &key))
            .unwrap();
        vec![leaf_cert.der().to_vec(), ca_cert.der().to_vec()]
    };
    let v = MtlsVerifier::new(MtlsConfig {
        trust_anchors: vec![root_cert.pem()],
        ..Default::default()
    })
    .unwrap();
    assert!(v
        .verify_chain(&chain(vec![KeyUsagePurpose::KeyCertSign]), NOW)
        .is_ok());
    // No keyUsage extension at all: nothing restricts the key.
    assert!(v.verify_chain(&chain(Vec::new()), NOW).is_ok());
    for usages in [
        vec![KeyUsagePurpose::CrlSign],
        vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::CrlSign],
    ] {
        let e = v.verify_chain(&chain(usages), NOW).unwrap_err();
        assert_eq!(e.code(), ErrorCode::MtlsUsageInvalid);
        assert!(e.detail().contains("keyCertSign"), "{}", e.detail());
    }
}
