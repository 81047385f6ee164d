//! The JSON configuration of an [`MtlsVerifier`](super::MtlsVerifier).

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Which certificates of the chain are checked against the CRLs.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RevocationDepth {
    /// Only the client's (leaf) certificate.
    EndEntity,
    /// The leaf and every intermediate (the default).
    #[default]
    Chain,
}

/// What to do when CRLs are configured but none covers a certificate that must be checked.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum UnknownStatus {
    /// Refuse (`mtls_revocation_unknown`): the default, fail closed.
    #[default]
    Deny,
    /// Accept as if not revoked.
    Allow,
}

/// A source of the principal's subject, tried in the order of `subject_from`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubjectSource {
    /// The SPIFFE ID (URI SAN `spiffe://...`).
    Spiffe,
    /// The first DNS SAN.
    Dns,
    /// The first e-mail (rfc822Name) SAN.
    Email,
    /// The subject's first common name.
    Cn,
    /// The whole subject DN (RFC 4514 string).
    Dn,
    /// `sha256:<hex>` of the certificate (always present).
    Fingerprint,
}

/// What a mapping rule matches; exactly one field must be set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RuleMatch {
    /// The SPIFFE ID, exactly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spiffe_id: Option<String>,
    /// A SPIFFE ID prefix on a path-segment boundary: `spiffe://td/ns` matches
    /// `spiffe://td/ns` and `spiffe://td/ns/a`, not `spiffe://td/nsx`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spiffe_prefix: Option<String>,
    /// One of the DNS SANs (ASCII case-insensitive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns: Option<String>,
    /// One of the e-mail SANs (ASCII case-insensitive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The subject's common name, exactly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cn: Option<String>,
    /// The subject DN as an RFC 4514 string, exactly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dn: Option<String>,
    /// The SHA-256 fingerprint (hex, any case, `:` separators allowed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

impl RuleMatch {
    pub(crate) fn set_fields(&self) -> usize {
        [
            self.spiffe_id.is_some(),
            self.spiffe_prefix.is_some(),
            self.dns.is_some(),
            self.email.is_some(),
            self.cn.is_some(),
            self.dn.is_some(),
            self.fingerprint.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count()
    }
}

/// An explicit mapping: a certificate that matches gets this subject and these scopes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct MtlsRule {
    /// What the certificate must carry.
    #[serde(rename = "match")]
    pub matches: RuleMatch,
    /// The principal's subject; absent: taken from `subject_from`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The scopes granted.
    pub scopes: Vec<String>,
}

/// How a forwarded client certificate header is written.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ForwardedFormat {
    /// Envoy's `x-forwarded-client-cert` (`Cert="..."`/`Chain="..."` of the last element).
    #[default]
    Xfcc,
    /// nginx `$ssl_client_escaped_cert`: the URL-encoded PEM of the leaf (a chain is accepted).
    Nginx,
}

/// A TLS-terminating proxy in front of the service that forwards the client certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ForwardedConfig {
    /// The header's name (default `x-forwarded-client-cert`).
    pub header: String,
    /// Its format (default `xfcc`).
    pub format: ForwardedFormat,
    /// The proxies' addresses as CIDRs (`10.0.0.0/8`, `::1/128`; a bare address is a /32 or
    /// /128). Required, non-empty.
    pub trusted_proxies: Vec<String>,
}

impl Default for ForwardedConfig {
    fn default() -> Self {
        ForwardedConfig {
            header: "x-forwarded-client-cert".into(),
            format: ForwardedFormat::Xfcc,
            trusted_proxies: Vec::new(),
        }
    }
}

/// What an [`MtlsVerifier`](super::MtlsVerifier) accepts. The same JSON schema in every language;
/// missing fields take their defaults. Holds only public material (certificates, CRLs).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct MtlsConfig {
    /// Trusted root CAs, PEM (several certificates per string allowed). Required.
    pub trust_anchors: Vec<String>,
    /// Intermediate CAs to build paths with, PEM, beside those the client sends.
    pub intermediates: Vec<String>,
    /// CRLs, PEM (`X509 CRL` blocks). Empty: revocation is not checked.
    pub crls: Vec<String>,
    /// Which certificates are checked against the CRLs (default `chain`).
    pub revocation_depth: RevocationDepth,
    /// What to do when no CRL covers a certificate (default `deny`).
    pub unknown_status: UnknownStatus,
    /// Require the clientAuth extended key usage (default true). False: a certificate without
    /// an EKU extension passes, one whose EKU lacks clientAuth is still refused.
    pub require_client_auth_eku: bool,
    /// Accepted SPIFFE trust domains; when set, a certificate without a SPIFFE ID, or with one
    /// in another trust domain, is refused.
    pub spiffe_trust_domains: Vec<String>,
    /// Where the subject comes from, first present wins.
    pub subject_from: Vec<SubjectSource>,
    /// Explicit mappings, tried first, first match wins.
    pub rules: Vec<MtlsRule>,
    /// Refuse certificates that no rule matches (default false).
    pub require_rule_match: bool,
    /// When non-empty, the leaf's SHA-256 fingerprint must be one of these.
    pub pinned_fingerprints: Vec<String>,
    /// Read the certificate from a header set by a trusted proxy.
    pub forwarded: Option<ForwardedConfig>,
    /// The most intermediate CAs between the leaf and a trust anchor (0: the anchor issued the
    /// leaf). `None` (the default): webpki's own limit, [`MAX_CHAIN_DEPTH`]; larger values are
    /// refused.
    pub max_chain_depth: Option<usize>,
}

/// The most intermediates webpki ever puts in a path.
pub const MAX_CHAIN_DEPTH: usize = 6;

impl Default for MtlsConfig {
    fn default() -> Self {
        MtlsConfig {
            trust_anchors: Vec::new(),
            intermediates: Vec::new(),
            crls: Vec::new(),
            revocation_depth: RevocationDepth::Chain,
            unknown_status: UnknownStatus::Deny,
            require_client_auth_eku: true,
            spiffe_trust_domains: Vec::new(),
            subject_from: vec![
                SubjectSource::Spiffe,
                SubjectSource::Dns,
                SubjectSource::Email,
                SubjectSource::Cn,
                SubjectSource::Fingerprint,
            ],
            rules: Vec::new(),
            require_rule_match: false,
            pinned_fingerprints: Vec::new(),
            forwarded: None,
            max_chain_depth: None,
        }
    }
}

impl MtlsConfig {
    /// Parses the JSON form of the configuration.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        crate::encoding::from_json_object(json, "mTLS config")
    }

    /// The configuration as JSON (the form `from_json` reads).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}
