//! Mutual TLS: `MtlsVerifier`, the development CA (`DevCa`, `IssuedCertificate`) and the
//! RFC 8705 helpers `certificateThumbprint` and `checkConfirmation`.
//!
//! Node terminates TLS itself (`https`/`tls`); the service hands the peer chain over (see
//! `peerCertificates` in `mtls.js`) and this binding passes it to the core, which decides.

use napi::bindgen_prelude::{Buffer, Unknown};
use napi::{Env, Result};
use napi_derive::napi;
use serde_json::{Map, Value};

use portcullis::mtls::{self as core, ClientCertSpec, MtlsConfig, ServerCertSpec};
use portcullis::ErrorCode;

use crate::errors::{invalid_argument, now_or_clock, unix_seconds, OrThrow, Principal};
use crate::jwt_key::json_object;
use crate::options;
use crate::request::Request;

/// What a mapping rule matches: exactly one field (the core's `spiffe_id`, `spiffe_prefix`, ...
/// in camelCase).
#[napi(object, object_to_js = false)]
pub struct MtlsRuleMatch {
    /// The SPIFFE ID, exactly.
    pub spiffe_id: Option<String>,
    /// A SPIFFE ID prefix on a path-segment boundary (`spiffe://td/ns` matches
    /// `spiffe://td/ns/a`, not `spiffe://td/nsx`).
    pub spiffe_prefix: Option<String>,
    /// One of the DNS SANs (ASCII case-insensitive).
    pub dns: Option<String>,
    /// One of the e-mail SANs (ASCII case-insensitive).
    pub email: Option<String>,
    /// The subject common name, exactly.
    pub cn: Option<String>,
    /// The subject DN as an RFC 4514 string, exactly.
    pub dn: Option<String>,
    /// The SHA-256 fingerprint (hex, any case, `:` separators allowed).
    pub fingerprint: Option<String>,
}

/// An explicit mapping: a certificate that matches gets this subject and these scopes.
#[napi(object, object_to_js = false)]
pub struct MtlsRule {
    /// What the certificate must carry (exactly one field).
    #[napi(js_name = "match")]
    pub matches: MtlsRuleMatch,
    /// The principal's subject; absent: taken from `subjectFrom`.
    pub subject: Option<String>,
    /// The scopes granted.
    pub scopes: Option<Vec<String>>,
}

/// A TLS-terminating proxy that forwards the client certificate in a header.
#[napi(object, object_to_js = false)]
pub struct MtlsForwardedOptions {
    /// The header's name (default `x-forwarded-client-cert`).
    pub header: Option<String>,
    /// `xfcc` (Envoy, the default) or `nginx` (`$ssl_client_escaped_cert`).
    #[napi(ts_type = "'xfcc' | 'nginx'")]
    pub format: Option<String>,
    /// The proxies' addresses as CIDRs (`10.0.0.0/8`, `::1/128`; a bare address is one host).
    /// Required, non-empty. Only requests from these addresses may carry the header.
    pub trusted_proxies: Vec<String>,
}

/// What an `MtlsVerifier` accepts (`MtlsConfig` in the core; `fromJson` takes the same
/// schema in snake_case). Absent fields take the core's defaults.
#[napi(object, object_to_js = false)]
pub struct MtlsVerifierOptions {
    /// Trusted root CAs, PEM (several certificates per string allowed). Required.
    pub trust_anchors: Vec<String>,
    /// Intermediate CAs to build paths with, PEM, beside those the client sends.
    pub intermediates: Option<Vec<String>>,
    /// CRLs, PEM. Empty (the default): revocation is not checked.
    pub crls: Option<Vec<String>>,
    /// Which certificates the CRLs are checked for: `chain` (default) or `end_entity`.
    #[napi(ts_type = "'chain' | 'end_entity'")]
    pub revocation_depth: Option<String>,
    /// When CRLs are set and none covers a certificate: `deny` (default) or `allow`.
    #[napi(ts_type = "'deny' | 'allow'")]
    pub unknown_status: Option<String>,
    /// Require the clientAuth extended key usage (default true; false lets a leaf without an
    /// EKU extension pass).
    pub require_client_auth_eku: Option<bool>,
    /// Accepted SPIFFE trust domains; when set, the leaf must have a SPIFFE ID in one of them.
    pub spiffe_trust_domains: Option<Vec<String>>,
    /// Subject sources, first present wins (default
    /// `['spiffe', 'dns', 'email', 'cn', 'fingerprint']`; also `dn`).
    #[napi(ts_type = "Array<'spiffe' | 'dns' | 'email' | 'cn' | 'dn' | 'fingerprint'>")]
    pub subject_from: Option<Vec<String>>,
    /// Explicit mappings, first match wins: `{ match: { spiffeId | spiffePrefix | dns | email |
    /// cn | dn | fingerprint }, subject?, scopes? }`.
    pub rules: Option<Vec<MtlsRule>>,
    /// Refuse certificates that no rule matches (default false).
    pub require_rule_match: Option<bool>,
    /// When set, the leaf's SHA-256 fingerprint must be one of these (hex).
    pub pinned_fingerprints: Option<Vec<String>>,
    /// Read the certificate from a header set by a trusted proxy.
    pub forwarded: Option<MtlsForwardedOptions>,
    /// The most intermediate CAs between the leaf and an anchor (0 to 6; default: webpki's 6).
    #[napi(ts_type = "number | null")]
    pub max_chain_depth: Option<u32>,
}

/// The validity of a CA, Unix seconds.
#[napi(object, object_to_js = false)]
pub struct DevCaOptions {
    /// notBefore, Unix seconds.
    pub not_before: f64,
    /// notAfter, Unix seconds.
    pub not_after: f64,
}

/// An intermediate CA: validity and path length constraint.
#[napi(object, object_to_js = false)]
pub struct IntermediateOptions {
    /// notBefore, Unix seconds.
    pub not_before: f64,
    /// notAfter, Unix seconds.
    pub not_after: f64,
    /// How many CAs may follow below this one (absent: unconstrained).
    pub path_len: Option<u32>,
}

/// What a client certificate holds (`ClientCertSpec` in the core).
#[napi(object, object_to_js = false)]
pub struct ClientCertOptions {
    /// A URI SAN `spiffe://...`.
    pub spiffe_id: Option<String>,
    /// DNS SANs.
    pub dns: Option<Vec<String>>,
    /// E-mail (rfc822Name) SANs.
    pub email: Option<Vec<String>>,
    /// The subject common name.
    pub cn: Option<String>,
    /// notBefore, Unix seconds (default: the CA's).
    pub not_before: Option<f64>,
    /// notAfter, Unix seconds (default: the CA's).
    pub not_after: Option<f64>,
    /// Include the clientAuth extended key usage (default true).
    pub eku_client_auth: Option<bool>,
    /// Include the serverAuth extended key usage (default false).
    pub eku_server_auth: Option<bool>,
}

/// What a server certificate holds beside its names.
#[napi(object, object_to_js = false)]
pub struct ServerCertOptions {
    /// The subject common name (default: the first name).
    pub cn: Option<String>,
    /// notBefore, Unix seconds (default: the CA's).
    pub not_before: Option<f64>,
    /// notAfter, Unix seconds (default: the CA's).
    pub not_after: Option<f64>,
}

/// Verifies TLS client certificates: the chain (webpki) on the request's clock, CRLs, pins,
/// SPIFFE trust domains and mapping rules. Immutable once built; no challenge on refusal
/// (TLS client authentication has no HTTP scheme).
#[napi]
pub struct MtlsVerifier {
    inner: core::MtlsVerifier,
}

#[napi]
impl MtlsVerifier {
    /// Builds the verifier (throws `config_invalid`, `mtls_crl_invalid`).
    #[napi(
        catch_unwind,
        constructor,
        ts_args_type = "options: MtlsVerifierOptions"
    )]
    pub fn new(env: Env, options: Unknown) -> Result<Self> {
        let options = options::object(options)?;
        Self::build(
            &env,
            options::config_of(&env, &options, &[], MtlsConfig::from_json)?,
        )
    }

    /// Builds the verifier from the configuration's JSON text (the core's snake_case schema,
    /// the same in every language).
    #[napi(catch_unwind, factory)]
    pub fn from_json(env: Env, json: String) -> Result<Self> {
        Self::build(&env, MtlsConfig::from_json(&json).or_throw(&env)?)
    }

    fn build(env: &Env, config: MtlsConfig) -> Result<Self> {
        let inner = core::MtlsVerifier::new(config).or_throw(env)?;
        Ok(MtlsVerifier { inner })
    }

    /// Verifies the client certificate of `request` (its `peerCertificates`, or the forwarded
    /// header when the `peerAddress` is a trusted proxy) at the request's time.
    #[napi(catch_unwind)]
    pub fn verify(&self, env: Env, request: &Request) -> Result<Principal> {
        Ok(self.inner.verify(&request.inner).or_throw(&env)?.into())
    }

    /// Verifies a chain (DER, leaf first; the rest are candidate intermediates) at `now`
    /// (Unix seconds; the system clock when absent).
    #[napi(catch_unwind)]
    pub fn verify_chain(
        &self,
        env: Env,
        chain: Vec<Buffer>,
        now: Option<f64>,
    ) -> Result<Principal> {
        let now = now_or_clock(&env, now)?;
        let chain: Vec<&[u8]> = chain.iter().map(|b| b.as_ref()).collect();
        Ok(self.inner.verify_chain(&chain, now).or_throw(&env)?.into())
    }

    /// `MtlsVerifier { trustAnchors, crls, rules, pins, forwarded }` (counts and the header
    /// name only).
    #[napi(catch_unwind, js_name = "toString")]
    pub fn to_display(&self) -> String {
        let c = self.inner.config();
        let forwarded = c
            .forwarded
            .as_ref()
            .map_or_else(|| "null".to_owned(), |f| format!("{:?}", f.header));
        format!(
            "MtlsVerifier {{ trustAnchors: {}, crls: {}, rules: {}, pins: {}, forwarded: {forwarded} }}",
            c.trust_anchors.len(),
            c.crls.len(),
            c.rules.len(),
            c.pinned_fingerprints.len()
        )
    }
}

/// Options object -> a core spec type (camelCase renamed, values and names checked by the
/// core's serde type: `invalid_argument`).
fn spec<T: serde::de::DeserializeOwned>(
    env: &Env,
    options: Option<Unknown>,
    what: &str,
) -> Result<T> {
    options::value(env, options, what, ErrorCode::InvalidArgument)
}

fn validity(env: &Env, not_before: f64, not_after: f64) -> Result<(i64, i64)> {
    Ok((
        unix_seconds(not_before, "notBefore").or_throw(env)?,
        unix_seconds(not_after, "notAfter").or_throw(env)?,
    ))
}

/// A development certificate authority (ECDSA P-256) that issues test certificates and CRLs
/// at explicit Unix times. Its key never leaves memory. Never for production.
#[napi]
pub struct DevCa {
    inner: core::DevCa,
}

#[napi]
impl DevCa {
    /// A self-signed root CA valid from `notBefore` to `notAfter` (Unix seconds).
    #[napi(catch_unwind, constructor)]
    pub fn new(env: Env, common_name: String, options: DevCaOptions) -> Result<Self> {
        let (nb, na) = validity(&env, options.not_before, options.not_after)?;
        let inner = core::DevCa::new(&common_name, nb, na).or_throw(&env)?;
        Ok(DevCa { inner })
    }

    /// An intermediate CA signed by this one; `pathLen` constrains the CAs below it.
    #[napi(catch_unwind)]
    pub fn issue_intermediate(
        &self,
        env: Env,
        common_name: String,
        options: IntermediateOptions,
    ) -> Result<DevCa> {
        let (nb, na) = validity(&env, options.not_before, options.not_after)?;
        let path_len = options
            .path_len
            .map(|n| u8::try_from(n).map_err(|_| invalid_argument("pathLen must be 0..=255")))
            .transpose()
            .or_throw(&env)?;
        let inner = self
            .inner
            .issue_intermediate(&common_name, nb, na, path_len)
            .or_throw(&env)?;
        Ok(DevCa { inner })
    }

    /// A TLS client certificate (clientAuth unless `ekuClientAuth: false`).
    #[napi(catch_unwind, ts_args_type = "options?: ClientCertOptions")]
    pub fn issue_client(&self, env: Env, options: Option<Unknown>) -> Result<IssuedCertificate> {
        let spec: ClientCertSpec = spec(&env, options, "client certificate")?;
        let inner = self.inner.issue_client(&spec).or_throw(&env)?;
        Ok(IssuedCertificate { inner })
    }

    /// A TLS server certificate (serverAuth) for `dnsNames` (IP addresses are accepted too).
    #[napi(
        catch_unwind,
        ts_args_type = "dnsNames: Array<string>, options?: ServerCertOptions"
    )]
    pub fn issue_server(
        &self,
        env: Env,
        dns_names: Vec<String>,
        options: Option<Unknown>,
    ) -> Result<IssuedCertificate> {
        let mut spec: ServerCertSpec = spec(&env, options, "server certificate")?;
        if !spec.dns_names.is_empty() {
            return Err(invalid_argument(
                "server certificate: unknown option `dnsNames` (the names are the first argument)",
            ))
            .or_throw(&env);
        }
        spec.dns_names = dns_names;
        let inner = self.inner.issue_server(&spec).or_throw(&env)?;
        Ok(IssuedCertificate { inner })
    }

    /// Puts the certificate with serial `serial` (hex) on this CA's CRL, revoked at `at`.
    #[napi(catch_unwind)]
    pub fn revoke(&self, env: Env, serial: String, at: f64) -> Result<()> {
        let at = unix_seconds(at, "at").or_throw(&env)?;
        self.inner.revoke(&serial, at).or_throw(&env)
    }

    /// This CA's CRL, PEM, issued at `thisUpdate` and valid until `nextUpdate`.
    #[napi(catch_unwind)]
    pub fn crl_pem(&self, env: Env, this_update: f64, next_update: f64) -> Result<String> {
        let this_update = unix_seconds(this_update, "thisUpdate").or_throw(&env)?;
        let next_update = unix_seconds(next_update, "nextUpdate").or_throw(&env)?;
        self.inner.crl_pem(this_update, next_update).or_throw(&env)
    }

    /// The CA certificate, PEM (a trust anchor when this is the root).
    #[napi(catch_unwind)]
    pub fn ca_cert_pem(&self) -> String {
        self.inner.ca_cert_pem().to_owned()
    }

    /// This CA's certificate then its parents below the root, PEM; empty for a root.
    #[napi(catch_unwind)]
    pub fn intermediates_pem(&self) -> String {
        self.inner.intermediates_pem()
    }

    /// `DevCa { ... }` without the key.
    #[napi(catch_unwind, js_name = "toString")]
    pub fn to_display(&self) -> String {
        format!("{:?}", self.inner)
    }
}

/// A certificate issued by a `DevCa`, with its private key. Neither `toString` nor
/// `util.inspect` shows the key; read it from `keyPem`.
#[napi]
pub struct IssuedCertificate {
    inner: core::IssuedCertificate,
}

#[napi]
impl IssuedCertificate {
    /// The certificate, PEM.
    #[napi(catch_unwind, getter)]
    pub fn cert_pem(&self) -> String {
        self.inner.cert_pem.clone()
    }

    /// The certificate then the issuing intermediates (not the root), PEM: what a TLS peer
    /// presents.
    #[napi(catch_unwind, getter)]
    pub fn chain_pem(&self) -> String {
        self.inner.chain_pem.clone()
    }

    /// The certificate, DER.
    #[napi(catch_unwind, getter)]
    pub fn der(&self) -> Buffer {
        self.inner.der.clone().into()
    }

    /// The private key, PKCS#8 PEM.
    #[napi(catch_unwind, getter)]
    pub fn key_pem(&self) -> String {
        self.inner.key_pem.as_str().to_owned()
    }

    /// The serial number, lower-case hex.
    #[napi(catch_unwind, getter)]
    pub fn serial(&self) -> String {
        self.inner.serial.clone()
    }

    /// SHA-256 of the DER, lower-case hex.
    #[napi(catch_unwind, getter)]
    pub fn fingerprint_sha256(&self) -> String {
        self.inner.fingerprint_sha256.clone()
    }

    /// `IssuedCertificate { serial, fingerprintSha256 }`: never the key.
    #[napi(catch_unwind, js_name = "toString")]
    pub fn to_display(&self) -> String {
        format!(
            "IssuedCertificate {{ serial: \"{}\", fingerprintSha256: \"{}\" }}",
            self.inner.serial, self.inner.fingerprint_sha256
        )
    }
}

/// The RFC 8705 `x5t#S256` of a DER certificate (base64url SHA-256, no padding).
#[napi(catch_unwind)]
pub fn certificate_thumbprint(der: Buffer) -> String {
    core::certificate_thumbprint(&der)
}

/// Checks that the JWT `claims` (an object or JSON text) carry `cnf: { "x5t#S256": thumbprint }`;
/// throws `jwt_confirmation_mismatch` otherwise.
#[napi(
    catch_unwind,
    ts_args_type = "claims: Record<string, unknown> | string, thumbprint: string"
)]
pub fn check_confirmation(env: Env, claims: Unknown, thumbprint: String) -> Result<()> {
    let claims: Map<String, Value> = json_object(&env, claims, "claims")?;
    core::check_confirmation(&Value::Object(claims), &thumbprint).or_throw(&env)
}
