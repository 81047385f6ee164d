//! Real TLS handshakes on loopback: a rustls server built by `MtlsVerifier::server_config`,
//! clients with `client_config`, certificates from `DevCa`. After each handshake the server
//! builds a Request with the peer certificates and calls `verify` (identity rules, pins).
//!
//! rustls checks validity with the wall clock during the handshake, so these certificates are
//! valid now; the fixed-time cases live in tests/vectors/mtls/mtls.json.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use portcullis::mtls::{
    client_config, ClientAuth, ClientCertSpec, DevCa, ForwardedConfig, IssuedCertificate,
    MtlsConfig, MtlsVerifier, ServerCertSpec,
};
use portcullis::request::unix_now;
use portcullis::{ErrorCode, Principal, Request};
use rustls::pki_types::ServerName;
use rustls::{ClientConnection, ServerConnection, StreamOwned};

const TIMEOUT: Duration = Duration::from_secs(10);

struct Pki {
    now: i64,
    ca: DevCa,
    server: IssuedCertificate,
}

fn pki() -> Pki {
    let now = unix_now();
    let ca = DevCa::new("handshake root", now - 86_400, now + 86_400).unwrap();
    let server = ca
        .issue_server(&ServerCertSpec {
            dns_names: vec!["localhost".into()],
            ..Default::default()
        })
        .unwrap();
    Pki { now, ca, server }
}

fn client_cert(ca: &DevCa, spec: ClientCertSpec) -> IssuedCertificate {
    ca.issue_client(&spec).unwrap()
}

fn spiffe(id: &str) -> ClientCertSpec {
    ClientCertSpec {
        spiffe_id: Some(id.into()),
        ..Default::default()
    }
}

/// One handshake and a 5-byte exchange. Returns what the server saw: the peer chain (empty
/// when the client sent none), or the handshake error.
fn handshake(
    server: rustls::ServerConfig,
    client: rustls::ClientConfig,
) -> Result<Vec<Vec<u8>>, String> {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server_thread = thread::spawn(move || -> Result<Vec<Vec<u8>>, String> {
        let (sock, _) = listener.accept().map_err(|e| e.to_string())?;
        sock.set_read_timeout(Some(TIMEOUT)).unwrap();
        sock.set_write_timeout(Some(TIMEOUT)).unwrap();
        let conn = ServerConnection::new(Arc::new(server)).map_err(|e| e.to_string())?;
        let mut tls = StreamOwned::new(conn, sock);
        let mut buf = [0u8; 5];
        tls.read_exact(&mut buf).map_err(|e| e.to_string())?;
        tls.write_all(b"world").map_err(|e| e.to_string())?;
        tls.flush().map_err(|e| e.to_string())?;
        let chain = tls
            .conn
            .peer_certificates()
            .map(|c| c.iter().map(|d| d.to_vec()).collect())
            .unwrap_or_default();
        tls.conn.send_close_notify();
        let _ = tls.flush();
        Ok(chain)
    });
    let sock = TcpStream::connect(addr).unwrap();
    sock.set_read_timeout(Some(TIMEOUT)).unwrap();
    sock.set_write_timeout(Some(TIMEOUT)).unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    let conn = ClientConnection::new(Arc::new(client), name).unwrap();
    let mut tls = StreamOwned::new(conn, sock);
    // The client's view is not asserted: in TLS 1.3 a refused client certificate shows up on
    // the client only at its next read.
    let _ = tls.write_all(b"hello").and_then(|_| {
        let mut buf = [0u8; 5];
        tls.read_exact(&mut buf)
    });
    drop(tls);
    server_thread.join().unwrap()
}

fn request_with(chain: &[Vec<u8>], now: i64) -> Request {
    let mut r = Request::new("GET", "/").unwrap().at(now);
    r.set_peer_address("127.0.0.1".parse().unwrap());
    for c in chain {
        r.add_peer_certificate(c.clone()).unwrap();
    }
    r
}

fn setup(config: MtlsConfig, auth: ClientAuth, p: &Pki) -> (MtlsVerifier, rustls::ServerConfig) {
    let verifier = MtlsVerifier::new(config).unwrap();
    let server = verifier
        .server_config(&p.server.chain_pem, &p.server.key_pem, auth)
        .unwrap();
    (verifier, server)
}

fn base(p: &Pki) -> MtlsConfig {
    MtlsConfig {
        trust_anchors: vec![p.ca.ca_cert_pem().to_owned()],
        ..Default::default()
    }
}

fn client_with(p: &Pki, cert: &IssuedCertificate) -> rustls::ClientConfig {
    client_config(
        p.ca.ca_cert_pem(),
        Some(&cert.chain_pem),
        Some(&cert.key_pem),
    )
    .unwrap()
}

/// Handshake then verify; Err(None) when the handshake itself failed.
fn run(
    p: &Pki,
    config: MtlsConfig,
    auth: ClientAuth,
    client: rustls::ClientConfig,
) -> Result<Principal, Option<ErrorCode>> {
    let (verifier, server) = setup(config, auth, p);
    let chain = handshake(server, client).map_err(|_| None)?;
    verifier
        .verify(&request_with(&chain, p.now))
        .map_err(|d| Some(d.code()))
}

#[test]
fn trusted_client_gets_its_spiffe_subject() {
    let p = pki();
    let cert = client_cert(&p.ca, spiffe("spiffe://example.org/ns/prod/sa/api"));
    let principal = run(&p, base(&p), ClientAuth::Required, client_with(&p, &cert)).unwrap();
    assert_eq!(principal.subject, "spiffe://example.org/ns/prod/sa/api");
    assert_eq!(
        principal.credential_id,
        Some(format!("sha256:{}", cert.fingerprint_sha256))
    );

    // Through an intermediate the client sends.
    let inter =
        p.ca.issue_intermediate("handshake inter", p.now - 3600, p.now + 3600, Some(0))
            .unwrap();
    let cert = client_cert(&inter, spiffe("spiffe://example.org/inter"));
    let principal = run(&p, base(&p), ClientAuth::Required, client_with(&p, &cert)).unwrap();
    assert_eq!(principal.subject, "spiffe://example.org/inter");
}

#[test]
fn refused_in_the_handshake_and_by_verify() {
    let p = pki();
    let check = |cert: &IssuedCertificate, config: MtlsConfig, want: ErrorCode| {
        // rustls refuses during the handshake...
        assert_eq!(
            run(
                &p,
                config.clone(),
                ClientAuth::Required,
                client_with(&p, cert)
            )
            .unwrap_err(),
            None,
            "{want} should fail the handshake"
        );
        // ...and verify names the reason for the same chain.
        let v = MtlsVerifier::new(config).unwrap();
        let chain = vec![cert.der.clone()];
        assert_eq!(v.verify_chain(&chain, p.now).unwrap_err().code(), want);
    };
    let expired = client_cert(
        &p.ca,
        ClientCertSpec {
            not_before: Some(p.now - 7200),
            not_after: Some(p.now - 3600),
            ..spiffe("spiffe://example.org/old")
        },
    );
    check(&expired, base(&p), ErrorCode::MtlsExpired);
    let early = client_cert(
        &p.ca,
        ClientCertSpec {
            not_before: Some(p.now + 3600),
            not_after: Some(p.now + 7200),
            ..spiffe("spiffe://example.org/early")
        },
    );
    check(&early, base(&p), ErrorCode::MtlsNotYetValid);
    let server_only = client_cert(
        &p.ca,
        ClientCertSpec {
            eku_client_auth: false,
            eku_server_auth: true,
            ..spiffe("spiffe://example.org/server")
        },
    );
    check(&server_only, base(&p), ErrorCode::MtlsUsageInvalid);
    let other = DevCa::new("other root", p.now - 3600, p.now + 3600).unwrap();
    let stranger = client_cert(&other, spiffe("spiffe://example.org/stranger"));
    check(&stranger, base(&p), ErrorCode::MtlsUntrusted);
    let revoked = client_cert(&p.ca, spiffe("spiffe://example.org/revoked"));
    p.ca.revoke(&revoked.serial, p.now - 60).unwrap();
    let with_crl = MtlsConfig {
        crls: vec![p.ca.crl_pem(p.now - 60, p.now + 3600).unwrap()],
        ..base(&p)
    };
    check(&revoked, with_crl.clone(), ErrorCode::MtlsRevoked);
    // A certificate not on the CRL still passes with the CRL loaded.
    let fine = client_cert(&p.ca, spiffe("spiffe://example.org/fine"));
    assert!(run(&p, with_crl, ClientAuth::Required, client_with(&p, &fine)).is_ok());
}

#[test]
fn identity_rules_apply_after_the_handshake() {
    let p = pki();
    let cert = client_cert(&p.ca, spiffe("spiffe://evil.example/api"));
    let domains = MtlsConfig {
        spiffe_trust_domains: vec!["example.org".into()],
        ..base(&p)
    };
    assert_eq!(
        run(&p, domains, ClientAuth::Required, client_with(&p, &cert)).unwrap_err(),
        Some(ErrorCode::MtlsIdentityRefused)
    );
    let pinned = MtlsConfig {
        pinned_fingerprints: vec!["ab".repeat(32)],
        ..base(&p)
    };
    assert_eq!(
        run(&p, pinned, ClientAuth::Required, client_with(&p, &cert)).unwrap_err(),
        Some(ErrorCode::MtlsPinMismatch)
    );
}

#[test]
fn optional_client_auth_without_a_certificate() {
    let p = pki();
    let anonymous = client_config(p.ca.ca_cert_pem(), None, None).unwrap();
    assert_eq!(
        run(&p, base(&p), ClientAuth::Optional, anonymous.clone()).unwrap_err(),
        Some(ErrorCode::MtlsCertificateMissing)
    );
    // Required: the handshake itself fails.
    assert_eq!(
        run(&p, base(&p), ClientAuth::Required, anonymous).unwrap_err(),
        None
    );
}

#[test]
fn forged_forwarded_header_from_an_untrusted_address() {
    let p = pki();
    let cert = client_cert(&p.ca, spiffe("spiffe://example.org/admin"));
    let verifier = MtlsVerifier::new(MtlsConfig {
        forwarded: Some(ForwardedConfig {
            trusted_proxies: vec!["10.0.0.0/8".into()],
            ..Default::default()
        }),
        ..base(&p)
    })
    .unwrap();
    let value = format!(
        "Hash=00;Cert=\"{}\";URI=spiffe://example.org/admin",
        cert.cert_pem.replace('\n', "%0A").replace(' ', "%20")
    );
    let mut r = Request::new("GET", "/")
        .unwrap()
        .header("x-forwarded-client-cert", &value)
        .unwrap()
        .at(p.now);
    r.set_peer_address("127.0.0.1".parse().unwrap());
    assert_eq!(
        verifier.verify(&r).unwrap_err().code(),
        ErrorCode::MtlsForwardedUntrusted
    );
    r.set_peer_address("10.9.8.7".parse().unwrap());
    assert_eq!(
        verifier.verify(&r).unwrap().subject,
        "spiffe://example.org/admin"
    );
}
