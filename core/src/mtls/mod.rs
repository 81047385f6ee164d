//! Mutual TLS: verify a client certificate chain on the request's clock, read the holder's
//! identity (SPIFFE ID, SANs, DNs), map it to a principal, and bind tokens to it (RFC 8705).
//!
//! - The chain is checked by webpki (rustls' verifier) against the configured anchors, with the
//!   configured intermediates and CRLs, at [`Request::now`], never the wall clock.
//! - The chain comes from the request's peer certificates (handed over by the host's TLS
//!   stack) or, only from a trusted proxy address, from a forwarded header (Envoy XFCC or nginx);
//!   see `docs/MTLS.md`.
//! - [`MtlsVerifier::server_config`] builds a rustls server that asks for client certificates
//!   with the same anchors and CRLs; [`DevCa`] issues test certificates and CRLs.
//!
//! No `WWW-Authenticate` challenge: TLS client authentication has no HTTP scheme.

mod chain;
mod config;
mod devca;
pub(crate) mod forwarded;
mod identity;
mod policy;
mod tls;

#[cfg(test)]
mod leaf_tests;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use subtle::ConstantTimeEq;

use crate::decision::{AuthMethod, Denial, Principal};
use crate::encoding::hex_decode;
use crate::error::{Error, ErrorCode};
use crate::request::Request;

pub use crate::confirmation::{certificate_thumbprint, check_confirmation};
pub use chain::{load_certificate_files, load_crl_files, pem_encode};
pub use config::{
    ForwardedConfig, ForwardedFormat, MtlsConfig, MtlsRule, RevocationDepth, RuleMatch,
    SubjectSource, UnknownStatus, MAX_CHAIN_DEPTH,
};
pub use devca::{ClientCertSpec, DevCa, IssuedCertificate, ServerCertSpec};
pub use forwarded::{Cidr, MAX_FORWARDED_HEADER_BYTES};
pub use identity::{validate_spiffe_id, CertificateIdentity, MAX_SPIFFE_ID_BYTES};
pub use tls::{client_config, ClientAuth};

use chain::Trust;
use forwarded::Forwarded;

/// A SHA-256 fingerprint from configuration: hex in any case, `:` separators allowed.
pub(crate) fn parse_fingerprint(text: &str) -> Option<[u8; 32]> {
    let compact: String = text.chars().filter(|c| *c != ':').collect();
    hex_decode::<32>(&compact)
}

struct Rule {
    matches: Match,
    subject: Option<String>,
    scopes: Vec<String>,
}

enum Match {
    SpiffeId(String),
    SpiffePrefix(String),
    Dns(String),
    Email(String),
    Cn(String),
    Dn(String),
    Fingerprint([u8; 32]),
}

impl Match {
    fn new(m: &RuleMatch, i: usize) -> Result<Self, Error> {
        let bad = |what: &str| Error::new(ErrorCode::ConfigInvalid, format!("rules[{i}]: {what}"));
        if m.set_fields() != 1 {
            return Err(bad("match must set exactly one field"));
        }
        Ok(if let Some(id) = &m.spiffe_id {
            validate_spiffe_id(id).map_err(|_| bad("spiffe_id is not a valid SPIFFE ID"))?;
            Match::SpiffeId(id.clone())
        } else if let Some(p) = &m.spiffe_prefix {
            if !p.starts_with("spiffe://") || p.len() <= "spiffe://".len() {
                return Err(bad("spiffe_prefix must start with spiffe://<trust domain>"));
            }
            Match::SpiffePrefix(p.trim_end_matches('/').to_owned())
        } else if let Some(d) = &m.dns {
            Match::Dns(d.clone())
        } else if let Some(e) = &m.email {
            Match::Email(e.clone())
        } else if let Some(c) = &m.cn {
            Match::Cn(c.clone())
        } else if let Some(d) = &m.dn {
            Match::Dn(d.clone())
        } else {
            let f = m.fingerprint.as_deref().unwrap_or_default();
            Match::Fingerprint(
                parse_fingerprint(f).ok_or_else(|| bad("fingerprint is not 64 hex digits"))?,
            )
        })
    }

    fn matches(&self, id: &CertificateIdentity, fingerprint: &[u8; 32]) -> bool {
        match self {
            Match::SpiffeId(want) => id.spiffe_id.as_deref() == Some(want.as_str()),
            Match::SpiffePrefix(prefix) => id.spiffe_id.as_deref().is_some_and(|s| {
                s.strip_prefix(prefix.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            }),
            Match::Dns(want) => id.dns.iter().any(|d| d.eq_ignore_ascii_case(want)),
            Match::Email(want) => id.email.iter().any(|e| e.eq_ignore_ascii_case(want)),
            Match::Cn(want) => id.cn.as_deref() == Some(want.as_str()),
            Match::Dn(want) => id.subject_dn == *want,
            Match::Fingerprint(want) => bool::from(want.ct_eq(fingerprint)),
        }
    }
}

struct Inner {
    config: MtlsConfig,
    trust: Trust,
    forwarded: Option<Forwarded>,
    rules: Vec<Rule>,
    pins: Vec<[u8; 32]>,
}

/// Verifies client certificates. Parses its configuration once; `Send + Sync` and cheap to
/// clone (an `Arc` inside): build once, share.
#[derive(Clone)]
pub struct MtlsVerifier {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for MtlsVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MtlsVerifier")
            .field("trust_anchors", &self.inner.trust.anchor_ders.len())
            .field("crls", &self.inner.trust.crl_ders.len())
            .field("rules", &self.inner.rules.len())
            .field("pins", &self.inner.pins.len())
            .field(
                "forwarded",
                &self.inner.forwarded.as_ref().map(|f| &f.header),
            )
            .finish_non_exhaustive()
    }
}

fn deny(code: ErrorCode, detail: impl Into<std::borrow::Cow<'static, str>>) -> Denial {
    Denial::new(code, detail)
}

impl MtlsVerifier {
    /// Parses and checks `config`: anchors, intermediates and CRLs (`config_invalid` or
    /// `mtls_crl_invalid` when one does not parse), rules, pins, trust domains, proxies.
    pub fn new(config: MtlsConfig) -> Result<Self, Error> {
        let invalid = |d: String| Error::new(ErrorCode::ConfigInvalid, d);
        let trust = Trust::new(&config)?;
        if config.subject_from.is_empty() {
            return Err(invalid("subject_from is empty".into()));
        }
        for td in &config.spiffe_trust_domains {
            if validate_spiffe_id(&format!("spiffe://{td}")).is_err() || td.contains('/') {
                return Err(invalid(format!(
                    "spiffe_trust_domains: {td:?} is not a trust domain"
                )));
            }
        }
        let rules = config
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                Ok(Rule {
                    matches: Match::new(&r.matches, i)?,
                    subject: r.subject.clone(),
                    scopes: r.scopes.clone(),
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        if config.require_rule_match && rules.is_empty() {
            return Err(invalid(
                "require_rule_match is set and there are no rules".into(),
            ));
        }
        let pins = config
            .pinned_fingerprints
            .iter()
            .map(|p| {
                parse_fingerprint(p).ok_or_else(|| {
                    invalid(format!("pinned_fingerprints: {p:?} is not 64 hex digits"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let forwarded = config.forwarded.as_ref().map(Forwarded::new).transpose()?;
        Ok(MtlsVerifier {
            inner: Arc::new(Inner {
                config,
                trust,
                forwarded,
                rules,
                pins,
            }),
        })
    }

    /// Parses the JSON configuration and builds the verifier.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        Self::new(MtlsConfig::from_json(json)?)
    }

    /// The configuration it was built from.
    pub fn config(&self) -> &MtlsConfig {
        &self.inner.config
    }

    /// Verifies the client certificate of `request` at the request's time.
    ///
    /// The chain is the request's peer certificates, unless `forwarded` is configured and the
    /// request comes from a trusted proxy: then it is the forwarded header's, and only it.
    pub fn verify(&self, request: &Request) -> Result<Principal, Denial> {
        let max = request.limits().max_peer_certificates;
        if let Some(fwd) = &self.inner.forwarded {
            let values: Vec<&[u8]> = request.header_values(&fwd.header).collect();
            let trusted = fwd.trusts(request.peer_address());
            if !values.is_empty() && !trusted {
                return Err(deny(
                    ErrorCode::MtlsForwardedUntrusted,
                    "forwarded client certificate header from an address that is not a trusted proxy",
                ));
            }
            if trusted {
                let [value] = values.as_slice() else {
                    return Err(if values.is_empty() {
                        deny(
                            ErrorCode::MtlsCertificateMissing,
                            "request from a trusted proxy carries no forwarded client certificate",
                        )
                    } else {
                        deny(
                            ErrorCode::MtlsForwardedMalformed,
                            "forwarded client certificate header is repeated",
                        )
                    });
                };
                let chain = fwd.parse(value)?;
                if chain.is_empty() {
                    return Err(deny(
                        ErrorCode::MtlsCertificateMissing,
                        "the proxy forwarded no client certificate",
                    ));
                }
                if chain.len() > max {
                    return Err(deny(
                        ErrorCode::MtlsForwardedMalformed,
                        "forwarded chain is longer than max_peer_certificates",
                    ));
                }
                return self.verify_bounded(&chain, request.now(), max);
            }
        }
        self.verify_bounded(request.peer_certificates(), request.now(), max)
    }

    /// Verifies a chain handed over by the TLS stack (DER, leaf first; the rest are candidate
    /// intermediates) at `now` (Unix seconds), then applies pins, trust domains and rules.
    /// This is what to call after a rustls handshake, with `conn.peer_certificates()`.
    /// The chain must pass [`RequestLimits::check_peer_chain`](crate::RequestLimits) with the
    /// default limits (more than 16 certificates is `input_too_large`, an empty one
    /// `invalid_argument`), as a request's peer chain does.
    pub fn verify_chain<C: AsRef<[u8]>>(&self, chain: &[C], now: i64) -> Result<Principal, Denial> {
        let limits = crate::request::RequestLimits::default();
        limits.check_peer_chain(chain)?;
        self.verify_bounded(chain, now, limits.max_peer_certificates)
    }

    fn verify_bounded<C: AsRef<[u8]>>(
        &self,
        chain: &[C],
        now: i64,
        max: usize,
    ) -> Result<Principal, Denial> {
        if chain.len() > max {
            return Err(deny(
                ErrorCode::InputTooLarge,
                format!("the chain holds more than {max} certificates"),
            ));
        }
        if chain.is_empty() {
            return Err(deny(
                ErrorCode::MtlsCertificateMissing,
                "no client certificate",
            ));
        }
        let chain: Vec<&[u8]> = chain.iter().map(AsRef::as_ref).collect();
        self.inner.trust.verify(&chain, now)?;
        let leaf = CertificateIdentity::read_leaf(chain[0])?;
        if self.inner.trust.eku_required && !leaf.client_auth_eku {
            return Err(deny(
                ErrorCode::MtlsUsageInvalid,
                "the certificate has no extended key usage extension (clientAuth is required)",
            ));
        }
        if leaf.key_cert_sign {
            return Err(deny(
                ErrorCode::MtlsUsageInvalid,
                "the client certificate's key usage asserts keyCertSign (a CA key)",
            ));
        }
        if let Some(why) = leaf.key_refusal {
            return Err(deny(
                ErrorCode::MtlsKeyRefused,
                format!("the client certificate holds {why}"),
            ));
        }
        let fingerprint = leaf.sha256;
        if !self.inner.pins.is_empty() {
            let pinned = self
                .inner
                .pins
                .iter()
                .fold(subtle::Choice::from(0), |acc, p| {
                    acc | p.ct_eq(&fingerprint)
                });
            if !bool::from(pinned) {
                return Err(deny(
                    ErrorCode::MtlsPinMismatch,
                    "certificate fingerprint is not pinned",
                ));
            }
        }
        let id = leaf.identity;
        let domains = &self.inner.config.spiffe_trust_domains;
        if !domains.is_empty() {
            match id.spiffe_trust_domain() {
                Some(td) if domains.iter().any(|d| d == td) => {}
                Some(_) => {
                    return Err(deny(
                        ErrorCode::MtlsIdentityRefused,
                        "SPIFFE trust domain is not in spiffe_trust_domains",
                    ))
                }
                None => {
                    return Err(deny(
                        ErrorCode::MtlsIdentityRefused,
                        "certificate has no SPIFFE ID and spiffe_trust_domains is set",
                    ))
                }
            }
        }
        let rule = self
            .inner
            .rules
            .iter()
            .find(|r| r.matches.matches(&id, &fingerprint));
        if rule.is_none() && self.inner.config.require_rule_match {
            return Err(deny(
                ErrorCode::MtlsIdentityRefused,
                "no mapping rule matches the certificate",
            ));
        }
        let subject = match rule.and_then(|r| r.subject.clone()) {
            Some(s) => s,
            None => self.subject_from(&id).ok_or_else(|| {
                deny(
                    ErrorCode::MtlsIdentityRefused,
                    "the certificate has none of the subject_from sources",
                )
            })?,
        };
        Ok(Principal {
            subject,
            method: AuthMethod::Mtls,
            credential_id: Some(id.credential_id()),
            scopes: rule.map(|r| r.scopes.clone()).unwrap_or_default(),
            expires_at: Some(id.not_after),
            claims: id.claims(),
        })
    }

    fn subject_from(&self, id: &CertificateIdentity) -> Option<String> {
        self.inner
            .config
            .subject_from
            .iter()
            .find_map(|source| match source {
                SubjectSource::Spiffe => id.spiffe_id.clone(),
                SubjectSource::Dns => id.dns.first().cloned(),
                SubjectSource::Email => id.email.first().cloned(),
                SubjectSource::Cn => id.cn.clone().filter(|c| !c.is_empty()),
                SubjectSource::Dn => Some(id.subject_dn.clone()).filter(|d| !d.is_empty()),
                SubjectSource::Fingerprint => Some(id.credential_id()),
            })
    }
}
