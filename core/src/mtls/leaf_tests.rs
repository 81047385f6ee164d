//! The rules portcullis adds to webpki's: no keyCertSign on a leaf, CRLs with a cRLNumber, a
//! maximum chain depth; and what webpki leaves as it is (expired anchors).

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};

use super::*;

const NOW: i64 = 1_750_000_000;

fn der_of(pem: &str) -> Vec<Vec<u8>> {
    chain::parse_certificates(pem.as_bytes(), "test")
        .unwrap()
        .into_iter()
        .map(|c| c.to_vec())
        .collect()
}

fn verifier(anchor_pem: &str, extra: serde_json::Value) -> Result<MtlsVerifier, Error> {
    let mut config = serde_json::json!({ "trust_anchors": [anchor_pem] });
    for (k, v) in extra.as_object().unwrap() {
        config[k] = v.clone();
    }
    MtlsVerifier::from_json(&config.to_string())
}

fn time(unix: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(unix).unwrap()
}

/// A root (rcgen) and a client leaf it issues with `usages`.
fn root_and_leaf(usages: Vec<KeyUsagePurpose>) -> (String, Vec<u8>) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "root");
    ca.distinguished_name = dn;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.not_before = time(1_700_000_000);
    ca.not_after = time(1_900_000_000);
    let root = ca.self_signed(&ca_key).unwrap();
    let mut leaf = CertificateParams::new(vec!["client.example".to_owned()]).unwrap();
    leaf.is_ca = IsCa::ExplicitNoCa;
    leaf.key_usages = usages;
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    leaf.not_before = time(1_700_000_000);
    leaf.not_after = time(1_900_000_000);
    let issuer = Issuer::from_params(&ca, &ca_key);
    let cert = leaf
        .signed_by(&KeyPair::generate().unwrap(), &issuer)
        .unwrap();
    (root.pem(), cert.der().to_vec())
}

#[test]
fn a_leaf_with_key_cert_sign_is_refused() {
    let (root, leaf) = root_and_leaf(vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyCertSign,
    ]);
    let v = verifier(&root, serde_json::json!({})).unwrap();
    let e = v.verify_chain(&[leaf], NOW).unwrap_err();
    assert_eq!(e.code(), ErrorCode::MtlsUsageInvalid);
    assert!(e.error().detail().contains("keyCertSign"));
    let (root, leaf) = root_and_leaf(vec![KeyUsagePurpose::DigitalSignature]);
    let v = verifier(&root, serde_json::json!({})).unwrap();
    assert!(v.verify_chain(&[leaf], NOW).is_ok());
}

/// DER by hand: a tag and its contents.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    if content.len() < 0x80 {
        out.push(content.len() as u8);
    } else {
        out.push(0x81);
        out.push(content.len() as u8);
    }
    out.extend_from_slice(content);
    out
}

/// A CRL (unsigned: only its shape matters to the cRLNumber rule), with or without cRLNumber.
fn crl(with_number: bool) -> String {
    let ecdsa_sha256 = tlv(
        0x30,
        &tlv(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]),
    );
    let cn = tlv(
        0x30,
        &[tlv(0x06, &[0x55, 0x04, 0x03]), tlv(0x0c, b"root")].concat(),
    );
    let issuer = tlv(0x30, &tlv(0x31, &cn));
    let mut tbs = [
        tlv(0x02, &[1]),
        ecdsa_sha256.clone(),
        issuer,
        tlv(0x17, b"230101000000Z"),
        tlv(0x17, b"991231000000Z"),
    ]
    .concat();
    if with_number {
        let number = tlv(
            0x30,
            &[tlv(0x06, &[0x55, 0x1d, 0x14]), tlv(0x04, &tlv(0x02, &[7]))].concat(),
        );
        tbs.extend(tlv(0xa0, &tlv(0x30, &number)));
    }
    let der = tlv(
        0x30,
        &[tlv(0x30, &tbs), ecdsa_sha256, tlv(0x03, &[0, 0x30, 0x00])].concat(),
    );
    chain::pem_encode("X509 CRL", &der)
}

#[test]
fn a_crl_without_crl_number_is_refused_at_load() {
    let ca = DevCa::new("root", 1_700_000_000, 1_900_000_000).unwrap();
    let e = verifier(
        ca.ca_cert_pem(),
        serde_json::json!({ "crls": [crl(false)] }),
    )
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::MtlsCrlInvalid);
    assert!(e.detail().contains("cRLNumber"), "{}", e.detail());
    // The same CRL with a cRLNumber passes that rule (its signature is webpki's to check later).
    if let Err(e) = verifier(ca.ca_cert_pem(), serde_json::json!({ "crls": [crl(true)] })) {
        assert!(!e.detail().contains("cRLNumber"), "{}", e.detail());
    }
    // The development CA's CRLs carry one.
    let crl_pem = ca.crl_pem(1_700_000_000, 1_900_000_000).unwrap();
    assert!(verifier(ca.ca_cert_pem(), serde_json::json!({ "crls": [crl_pem] })).is_ok());
}

#[test]
fn max_chain_depth_bounds_the_intermediates() {
    let root = DevCa::new("root", 1_700_000_000, 1_900_000_000).unwrap();
    let mid = root
        .issue_intermediate("mid", 1_700_000_000, 1_900_000_000, None)
        .unwrap();
    let leaf = mid
        .issue_client(&ClientCertSpec {
            cn: Some("c".into()),
            ..Default::default()
        })
        .unwrap();
    let chain = der_of(&leaf.chain_pem);
    let depth = |d: serde_json::Value| {
        verifier(
            root.ca_cert_pem(),
            serde_json::json!({ "max_chain_depth": d }),
        )
    };
    assert!(depth(serde_json::json!(null))
        .unwrap()
        .verify_chain(&chain, NOW)
        .is_ok());
    assert!(depth(serde_json::json!(1))
        .unwrap()
        .verify_chain(&chain, NOW)
        .is_ok());
    let e = depth(serde_json::json!(0))
        .unwrap()
        .verify_chain(&chain, NOW)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::MtlsPathInvalid);
    assert_eq!(
        depth(serde_json::json!(MAX_CHAIN_DEPTH + 1))
            .unwrap_err()
            .code(),
        ErrorCode::ConfigInvalid
    );
    // A leaf the root issued itself fits depth 0.
    let direct = root
        .issue_client(&ClientCertSpec {
            cn: Some("d".into()),
            ..Default::default()
        })
        .unwrap();
    assert!(depth(serde_json::json!(0))
        .unwrap()
        .verify_chain(&der_of(&direct.chain_pem), NOW)
        .is_ok());
}

#[test]
fn an_expired_anchor_still_anchors() {
    // Documented in docs/MTLS.md: an anchor is a name and a key, its dates are not read.
    let root = DevCa::new("old root", 1_600_000_000, 1_700_000_000).unwrap();
    let mid = root
        .issue_intermediate("mid", 1_600_000_000, 1_900_000_000, None)
        .unwrap();
    let leaf = mid
        .issue_client(&ClientCertSpec {
            cn: Some("c".into()),
            ..Default::default()
        })
        .unwrap();
    let v = verifier(root.ca_cert_pem(), serde_json::json!({})).unwrap();
    assert!(v.verify_chain(&der_of(&leaf.chain_pem), NOW).is_ok());
}
