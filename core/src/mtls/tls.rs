//! rustls configurations that authenticate clients with the verifier's anchors and CRLs.
//!
//! rustls checks the chain during the handshake (with the wall clock and the certificates the
//! client sent); the server then calls [`MtlsVerifier::verify_chain`] with
//! `conn.peer_certificates()` and the request's time to apply everything rustls does not:
//! the configured intermediate pool, the clientAuth EKU requirement, pins, SPIFFE trust domains
//! and mapping rules. Both use the aws-lc-rs provider.

use std::sync::Arc;

use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use super::chain::parse_certificates;
use super::config::{RevocationDepth, UnknownStatus};
use super::MtlsVerifier;
use crate::error::{Error, ErrorCode};

/// Whether the TLS server requires a client certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAuth {
    /// A client without a certificate fails the handshake.
    Required,
    /// A client may connect without a certificate (`verify` then answers
    /// `mtls_certificate_missing`); one that presents a certificate must present a valid one.
    Optional,
}

fn tls_err(what: &str, e: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::ConfigInvalid, format!("{what}: {e}"))
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

fn chain_and_key(
    chain_pem: &str,
    key_pem: &str,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), Error> {
    let chain = parse_certificates(chain_pem.as_bytes(), "certificate chain")?;
    // The key's bytes never reach an error detail.
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|_| {
        Error::new(
            ErrorCode::ConfigInvalid,
            "private key: no PKCS#8, PKCS#1 or SEC1 PEM block",
        )
    })?;
    Ok((chain, key))
}

impl MtlsVerifier {
    /// A rustls server configuration (TLS 1.2 and 1.3, aws-lc-rs) presenting `cert_chain_pem`
    /// (leaf first) with `key_pem`, that asks clients for certificates issued under this
    /// verifier's trust anchors and checks them against its CRLs (same depth, unknown-status
    /// policy, and CRL expiry enforced).
    pub fn server_config(
        &self,
        cert_chain_pem: &str,
        key_pem: &str,
        client_auth: ClientAuth,
    ) -> Result<rustls::ServerConfig, Error> {
        let trust = &self.inner.trust;
        let mut roots = rustls::RootCertStore::empty();
        for anchor in &trust.anchor_ders {
            roots
                .add(anchor.clone())
                .map_err(|e| tls_err("trust anchor", e))?;
        }
        let mut builder = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider());
        if !trust.crl_ders.is_empty() {
            builder = builder
                .with_crls(trust.crl_ders.iter().cloned())
                .enforce_revocation_expiration();
            if trust.depth == RevocationDepth::EndEntity {
                builder = builder.only_check_end_entity_revocation();
            }
            if trust.unknown == UnknownStatus::Allow {
                builder = builder.allow_unknown_revocation_status();
            }
        }
        if client_auth == ClientAuth::Optional {
            builder = builder.allow_unauthenticated();
        }
        let verifier = builder.build().map_err(|e| tls_err("client verifier", e))?;
        let (chain, key) = chain_and_key(cert_chain_pem, key_pem)?;
        rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| tls_err("TLS versions", e))?
            .with_client_cert_verifier(verifier)
            .with_single_cert(chain, key)
            .map_err(|e| tls_err("server certificate", e))
    }
}

/// A rustls client configuration (aws-lc-rs) trusting the servers issued under `ca_pem`, and
/// presenting `client_chain_pem` (leaf first) with `client_key_pem` when both are given.
pub fn client_config(
    ca_pem: &str,
    client_chain_pem: Option<&str>,
    client_key_pem: Option<&str>,
) -> Result<rustls::ClientConfig, Error> {
    let mut roots = rustls::RootCertStore::empty();
    for anchor in parse_certificates(ca_pem.as_bytes(), "CA")? {
        roots.add(anchor).map_err(|e| tls_err("CA", e))?;
    }
    let builder = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_err("TLS versions", e))?
        .with_root_certificates(roots);
    match (client_chain_pem, client_key_pem) {
        (Some(chain), Some(key)) => {
            let (chain, key) = chain_and_key(chain, key)?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| tls_err("client certificate", e))
        }
        (None, None) => Ok(builder.with_no_client_auth()),
        _ => Err(Error::new(
            ErrorCode::InvalidArgument,
            "a client certificate needs both its chain and its key",
        )),
    }
}
