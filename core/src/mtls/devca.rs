//! A development CA (rcgen, ECDSA P-256): issues server, client and intermediate certificates
//! and CRLs at explicit times, for tests and local setups. Never for production: its key lives
//! in memory only and is never exported.

use std::sync::Mutex;

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DistinguishedName,
    DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose,
    RevokedCertParams, SanType, SerialNumber,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::encoding::{hex_decode, hex_encode};
use crate::error::{Error, ErrorCode};

/// Most revoked serials one CA keeps.
const MAX_REVOKED: usize = 100_000;

fn ca_err(what: &str, e: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::InvalidArgument, format!("dev CA: {what}: {e}"))
}

fn at(unix: i64) -> Result<OffsetDateTime, Error> {
    OffsetDateTime::from_unix_timestamp(unix).map_err(|e| ca_err("time out of range", e))
}

fn ia5(text: &str) -> Result<rcgen::string::Ia5String, Error> {
    rcgen::string::Ia5String::try_from(text).map_err(|e| ca_err("name is not IA5", e))
}

/// What a client certificate holds. JSON: every field optional; `eku_client_auth` defaults to
/// true, the validity to the CA's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClientCertSpec {
    /// A URI SAN `spiffe://...`.
    pub spiffe_id: Option<String>,
    /// DNS SANs.
    pub dns: Vec<String>,
    /// E-mail (rfc822Name) SANs.
    pub email: Vec<String>,
    /// The subject common name.
    pub cn: Option<String>,
    /// notBefore, Unix seconds (default: the CA's).
    pub not_before: Option<i64>,
    /// notAfter, Unix seconds (default: the CA's).
    pub not_after: Option<i64>,
    /// Include the clientAuth extended key usage (default true).
    pub eku_client_auth: bool,
    /// Include the serverAuth extended key usage (default false).
    pub eku_server_auth: bool,
}

impl Default for ClientCertSpec {
    fn default() -> Self {
        ClientCertSpec {
            spiffe_id: None,
            dns: Vec::new(),
            email: Vec::new(),
            cn: None,
            not_before: None,
            not_after: None,
            eku_client_auth: true,
            eku_server_auth: false,
        }
    }
}

impl ClientCertSpec {
    /// Parses the JSON form (an object; unknown fields refused: `json_invalid`).
    pub fn from_json(json: &str) -> Result<Self, Error> {
        crate::encoding::from_json_object(json, "client certificate spec")
    }
}

impl ServerCertSpec {
    /// Parses the JSON form (an object; unknown fields refused: `json_invalid`).
    pub fn from_json(json: &str) -> Result<Self, Error> {
        crate::encoding::from_json_object(json, "server certificate spec")
    }
}

/// What a server certificate holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerCertSpec {
    /// DNS SANs (also accepted: IP addresses, written as such).
    pub dns_names: Vec<String>,
    /// The subject common name (default: the first name).
    pub cn: Option<String>,
    /// notBefore, Unix seconds (default: the CA's).
    pub not_before: Option<i64>,
    /// notAfter, Unix seconds (default: the CA's).
    pub not_after: Option<i64>,
}

/// A certificate and its private key. The key is wiped when dropped and never shown by `Debug`.
#[derive(Clone)]
pub struct IssuedCertificate {
    /// The certificate, PEM.
    pub cert_pem: String,
    /// The certificate then the issuing intermediates (not the root), PEM: what a TLS peer
    /// presents.
    pub chain_pem: String,
    /// The certificate, DER.
    pub der: Vec<u8>,
    /// The private key, PKCS#8 PEM.
    pub key_pem: Zeroizing<String>,
    /// The serial number, lower-case hex.
    pub serial: String,
    /// SHA-256 of the DER, lower-case hex.
    pub fingerprint_sha256: String,
}

impl std::fmt::Debug for IssuedCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedCertificate")
            .field("serial", &self.serial)
            .field("fingerprint_sha256", &self.fingerprint_sha256)
            .field("key_pem", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl IssuedCertificate {
    /// The certificate as JSON: `cert_pem`, `chain_pem`, `key_pem`, `serial`,
    /// `fingerprint_sha256` (the key is inside: the string is wiped when dropped).
    pub fn to_json(&self) -> Zeroizing<String> {
        Zeroizing::new(
            serde_json::json!({
                "cert_pem": self.cert_pem,
                "chain_pem": self.chain_pem,
                "key_pem": self.key_pem.as_str(),
                "serial": self.serial,
                "fingerprint_sha256": self.fingerprint_sha256,
            })
            .to_string(),
        )
    }
}

/// A development certificate authority (root or intermediate). Thread-safe.
pub struct DevCa {
    common_name: String,
    key: KeyPair,
    params: CertificateParams,
    cert_pem: String,
    /// Intermediates above this CA (not the root), PEM, nearest first.
    parents_pem: String,
    not_before: i64,
    not_after: i64,
    is_root: bool,
    revoked: Mutex<Vec<(Vec<u8>, i64)>>,
    /// The last CRL signed, with what it was signed from: asking twice for the same CRL gives
    /// the same bytes (an ECDSA signature's length varies, and C callers size a buffer first).
    last_crl: Mutex<Option<(CrlInputs, String)>>,
}

type CrlInputs = (i64, i64, Vec<(Vec<u8>, i64)>);

impl std::fmt::Debug for DevCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevCa")
            .field("common_name", &self.common_name)
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .field("key", &"<redacted>")
            .finish_non_exhaustive()
    }
}

fn random_serial() -> Result<SerialNumber, Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|_| Error::new(ErrorCode::RandomUnavailable, "OS random source failed"))?;
    // Positive, and 16 bytes long (no leading zero byte to strip).
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    Ok(SerialNumber::from_slice(&bytes))
}

fn ca_params(
    common_name: &str,
    not_before: i64,
    not_after: i64,
) -> Result<CertificateParams, Error> {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "portcullis development CA");
    dn.push(DnType::CommonName, common_name);
    params.distinguished_name = dn;
    params.not_before = at(not_before)?;
    params.not_after = at(not_after)?;
    params.serial_number = Some(random_serial()?);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.use_authority_key_identifier_extension = true;
    params.key_identifier_method = KeyIdMethod::Sha256;
    Ok(params)
}

fn new_key() -> Result<KeyPair, Error> {
    KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(|e| ca_err("key generation", e))
}

impl DevCa {
    /// A self-signed root CA valid from `not_before` to `not_after` (Unix seconds).
    pub fn new(common_name: &str, not_before: i64, not_after: i64) -> Result<Self, Error> {
        let mut params = ca_params(common_name, not_before, not_after)?;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let key = new_key()?;
        let cert = params
            .self_signed(&key)
            .map_err(|e| ca_err("self-sign", e))?;
        Ok(DevCa {
            common_name: common_name.to_owned(),
            key,
            params,
            cert_pem: cert.pem(),
            parents_pem: String::new(),
            not_before,
            not_after,
            is_root: true,
            revoked: Mutex::new(Vec::new()),
            last_crl: Mutex::new(None),
        })
    }

    /// The CA certificate, PEM (a trust anchor when this is the root).
    pub fn ca_cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// This CA's certificate then its parents below the root, PEM; empty for a root. What an
    /// issued leaf's chain carries after the leaf.
    pub fn intermediates_pem(&self) -> String {
        if self.is_root {
            String::new()
        } else {
            format!("{}{}", self.cert_pem, self.parents_pem)
        }
    }

    /// An intermediate CA signed by this one; `path_len` constrains the CAs below it.
    pub fn issue_intermediate(
        &self,
        common_name: &str,
        not_before: i64,
        not_after: i64,
        path_len: Option<u8>,
    ) -> Result<DevCa, Error> {
        let mut params = ca_params(common_name, not_before, not_after)?;
        params.is_ca = IsCa::Ca(match path_len {
            Some(n) => BasicConstraints::Constrained(n),
            None => BasicConstraints::Unconstrained,
        });
        let key = new_key()?;
        let issuer = Issuer::from_params(&self.params, &self.key);
        let cert = params
            .signed_by(&key, &issuer)
            .map_err(|e| ca_err("sign intermediate", e))?;
        Ok(DevCa {
            common_name: common_name.to_owned(),
            key,
            params,
            cert_pem: cert.pem(),
            parents_pem: self.intermediates_pem(),
            not_before,
            not_after,
            is_root: false,
            revoked: Mutex::new(Vec::new()),
            last_crl: Mutex::new(None),
        })
    }

    fn issue(&self, mut params: CertificateParams) -> Result<IssuedCertificate, Error> {
        let serial = random_serial()?;
        params.serial_number = Some(serial.clone());
        params.use_authority_key_identifier_extension = true;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let key = new_key()?;
        let issuer = Issuer::from_params(&self.params, &self.key);
        let cert = params
            .signed_by(&key, &issuer)
            .map_err(|e| ca_err("sign certificate", e))?;
        let cert_pem = cert.pem();
        Ok(IssuedCertificate {
            chain_pem: format!("{cert_pem}{}", self.intermediates_pem()),
            cert_pem,
            der: cert.der().to_vec(),
            key_pem: Zeroizing::new(key.serialize_pem()),
            serial: hex_encode(&serial.to_bytes()),
            fingerprint_sha256: hex_encode(&Sha256::digest(cert.der())),
        })
    }

    fn leaf_params(
        &self,
        cn: Option<&str>,
        not_before: Option<i64>,
        not_after: Option<i64>,
    ) -> Result<CertificateParams, Error> {
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        if let Some(cn) = cn {
            dn.push(DnType::CommonName, cn);
        }
        params.distinguished_name = dn;
        params.not_before = at(not_before.unwrap_or(self.not_before))?;
        params.not_after = at(not_after.unwrap_or(self.not_after))?;
        Ok(params)
    }

    /// A TLS server certificate (serverAuth) for `spec.dns_names`.
    pub fn issue_server(&self, spec: &ServerCertSpec) -> Result<IssuedCertificate, Error> {
        let cn = spec
            .cn
            .as_deref()
            .or(spec.dns_names.first().map(String::as_str));
        let mut params = self.leaf_params(cn, spec.not_before, spec.not_after)?;
        for name in &spec.dns_names {
            params.subject_alt_names.push(match name.parse() {
                Ok(ip) => SanType::IpAddress(ip),
                Err(_) => SanType::DnsName(ia5(name)?),
            });
        }
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        self.issue(params)
    }

    /// A TLS client certificate.
    pub fn issue_client(&self, spec: &ClientCertSpec) -> Result<IssuedCertificate, Error> {
        let mut params = self.leaf_params(spec.cn.as_deref(), spec.not_before, spec.not_after)?;
        if let Some(id) = &spec.spiffe_id {
            params.subject_alt_names.push(SanType::URI(ia5(id)?));
        }
        for d in &spec.dns {
            params.subject_alt_names.push(SanType::DnsName(ia5(d)?));
        }
        for e in &spec.email {
            params.subject_alt_names.push(SanType::Rfc822Name(ia5(e)?));
        }
        if spec.eku_client_auth {
            params
                .extended_key_usages
                .push(ExtendedKeyUsagePurpose::ClientAuth);
        }
        if spec.eku_server_auth {
            params
                .extended_key_usages
                .push(ExtendedKeyUsagePurpose::ServerAuth);
        }
        self.issue(params)
    }

    /// [`issue_client`](Self::issue_client) with a JSON [`ClientCertSpec`]; returns
    /// [`IssuedCertificate::to_json`].
    pub fn issue_client_json(&self, spec_json: &str) -> Result<Zeroizing<String>, Error> {
        let spec: ClientCertSpec =
            crate::encoding::from_json_object(spec_json, "client certificate spec")?;
        Ok(self.issue_client(&spec)?.to_json())
    }

    /// Puts the certificate with serial `serial_hex` on this CA's CRL, revoked at `revoked_at`.
    pub fn revoke(&self, serial_hex: &str, revoked_at: i64) -> Result<(), Error> {
        let bytes = decode_serial(serial_hex)?;
        at(revoked_at)?;
        let mut revoked = self
            .revoked
            .lock()
            .map_err(|_| Error::new(ErrorCode::Internal, "dev CA lock poisoned"))?;
        if revoked.len() >= MAX_REVOKED {
            return Err(ca_err("revocations", "too many"));
        }
        if !revoked.iter().any(|(s, _)| *s == bytes) {
            revoked.push((bytes, revoked_at));
        }
        Ok(())
    }

    /// This CA's CRL, PEM, issued at `this_update` and valid until `next_update`. Asked again
    /// with the same times and revocations, it returns the same PEM.
    pub fn crl_pem(&self, this_update: i64, next_update: i64) -> Result<String, Error> {
        let revoked = self
            .revoked
            .lock()
            .map_err(|_| Error::new(ErrorCode::Internal, "dev CA lock poisoned"))?
            .clone();
        let params = CertificateRevocationListParams {
            this_update: at(this_update)?,
            next_update: at(next_update)?,
            crl_number: SerialNumber::from(u64::try_from(this_update.max(1)).unwrap_or(1)),
            issuing_distribution_point: None,
            revoked_certs: revoked
                .iter()
                .map(|(serial, when)| {
                    Ok(RevokedCertParams {
                        serial_number: SerialNumber::from_slice(serial),
                        revocation_time: at(*when)?,
                        reason_code: None,
                        invalidity_date: None,
                    })
                })
                .collect::<Result<_, Error>>()?,
            key_identifier_method: KeyIdMethod::Sha256,
        };
        let mut last = self
            .last_crl
            .lock()
            .map_err(|_| Error::new(ErrorCode::Internal, "dev CA lock poisoned"))?;
        let inputs = (this_update, next_update, revoked);
        if let Some((signed_from, pem)) = last.as_ref() {
            if *signed_from == inputs {
                return Ok(pem.clone());
            }
        }
        let issuer = Issuer::from_params(&self.params, &self.key);
        let pem = params
            .signed_by(&issuer)
            .and_then(|crl| crl.pem())
            .map_err(|e| ca_err("sign CRL", e))?;
        *last = Some((inputs, pem.clone()));
        Ok(pem)
    }
}

fn decode_serial(hex: &str) -> Result<Vec<u8>, Error> {
    let hex = hex.trim().to_ascii_lowercase().replace(':', "");
    let padded = if hex.len() % 2 == 1 {
        format!("0{hex}")
    } else {
        hex
    };
    if padded.is_empty() || padded.len() > 40 {
        return Err(ca_err("serial", "must be 1 to 20 bytes of hex"));
    }
    padded
        .as_bytes()
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(hex_decode::<1>)
                .map(|b| b[0])
                .ok_or_else(|| ca_err("serial", "not hex"))
        })
        .collect()
}
