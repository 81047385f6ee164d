//! What a client certificate says about its holder: SANs, DNs, serial, validity, fingerprints.
//!
//! Parsed with x509-parser after webpki has verified the chain; nothing here decides trust.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use x509_parser::extensions::GeneralName;
use x509_parser::x509::{AttributeTypeAndValue, X509Name};

use crate::encoding::hex_encode;
use crate::error::{Error, ErrorCode};

/// Longest SPIFFE ID accepted, in bytes (SPIFFE-ID spec, 2.3).
pub const MAX_SPIFFE_ID_BYTES: usize = 2048;

/// The identity fields of a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateIdentity {
    /// The SPIFFE ID of the URI SAN `spiffe://...`, validated.
    pub spiffe_id: Option<String>,
    /// DNS SANs, in certificate order.
    pub dns: Vec<String>,
    /// E-mail (rfc822Name) SANs, in certificate order.
    pub email: Vec<String>,
    /// The subject's first common name.
    pub cn: Option<String>,
    /// The subject DN, RFC 4514 string (last RDN first, as pyca/cryptography writes it).
    pub subject_dn: String,
    /// The issuer DN, RFC 4514 string.
    pub issuer_dn: String,
    /// The serial number, lower-case hex without leading zeros.
    pub serial: String,
    /// notBefore, Unix seconds.
    pub not_before: i64,
    /// notAfter, Unix seconds.
    pub not_after: i64,
    /// SHA-256 of the DER, lower-case hex.
    pub fingerprint_sha256: String,
    /// `x5t#S256` (RFC 8705): base64url, no padding, of the SHA-256 of the DER.
    pub x5t_s256: String,
}

/// What the verifier reads from a client's leaf certificate, in one parse.
pub(crate) struct Leaf {
    pub(crate) identity: CertificateIdentity,
    /// The extended key usage extension is present and lists clientAuth.
    pub(crate) client_auth_eku: bool,
    /// The keyUsage extension asserts keyCertSign.
    pub(crate) key_cert_sign: bool,
    /// Why the public key is refused by policy (`super::policy`), if it is.
    pub(crate) key_refusal: Option<String>,
    pub(crate) sha256: [u8; 32],
}

fn malformed(detail: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::new(ErrorCode::MtlsCertificateMalformed, detail)
}

fn refused(detail: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::new(ErrorCode::MtlsIdentityRefused, detail)
}

impl CertificateIdentity {
    /// Reads the identity of a DER certificate. Refuses trailing bytes, SANs that are not
    /// UTF-8, and a malformed SPIFFE ID (`mtls_identity_refused`).
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        Self::read_leaf(der).map(|leaf| leaf.identity)
    }

    /// One parse of a client's leaf certificate: its identity, whether its extended key usage
    /// lists clientAuth, and its SHA-256 (for pins), so the verifier reads the DER once.
    pub(crate) fn read_leaf(der: &[u8]) -> Result<Leaf, Error> {
        let (rest, cert) = x509_parser::parse_x509_certificate(der)
            .map_err(|_| malformed("certificate is not DER X.509"))?;
        if !rest.is_empty() {
            return Err(malformed("trailing bytes after the certificate"));
        }
        let mut dns = Vec::new();
        let mut email = Vec::new();
        let mut spiffe = Vec::new();
        let san = cert
            .subject_alternative_name()
            .map_err(|_| malformed("subjectAltName is malformed or repeated"))?;
        if let Some(san) = san {
            for name in &san.value.general_names {
                match name {
                    GeneralName::DNSName(d) => dns.push((*d).to_owned()),
                    GeneralName::RFC822Name(e) => email.push((*e).to_owned()),
                    GeneralName::URI(u) if looks_spiffe(u) => spiffe.push(*u),
                    GeneralName::Invalid(..) => {
                        return Err(malformed("a subjectAltName entry is not valid"))
                    }
                    _ => {}
                }
            }
        }
        let spiffe_id = match spiffe.as_slice() {
            [] => None,
            [one] => Some(validate_spiffe_id(one)?),
            _ => return Err(refused("more than one SPIFFE ID URI SAN")),
        };
        let cn = cert
            .subject()
            .iter_common_name()
            .next()
            .map(|a| attribute_string(a).ok_or_else(|| malformed("common name is not a string")))
            .transpose()?;
        let client_auth_eku = cert
            .extended_key_usage()
            .map_err(|_| malformed("extended key usage extension is malformed or repeated"))?
            .is_some_and(|e| e.value.client_auth);
        let key_cert_sign = super::policy::signs_certificates(&cert)
            .map_err(|()| malformed("key usage extension is malformed or repeated"))?;
        let key_refusal = super::policy::key_refusal(&cert);
        let sha256: [u8; 32] = Sha256::digest(der).into();
        let validity = cert.validity();
        let mut serial = hex_encode(cert.raw_serial())
            .trim_start_matches('0')
            .to_owned();
        if serial.is_empty() {
            serial.push('0');
        }
        let identity = CertificateIdentity {
            spiffe_id,
            dns,
            email,
            cn,
            subject_dn: rfc4514(cert.subject()),
            issuer_dn: rfc4514(cert.issuer()),
            serial,
            not_before: validity.not_before.timestamp(),
            not_after: validity.not_after.timestamp(),
            fingerprint_sha256: hex_encode(&sha256),
            x5t_s256: crate::confirmation::thumbprint_of_digest(&sha256),
        };
        Ok(Leaf {
            identity,
            client_auth_eku,
            key_cert_sign,
            key_refusal,
            sha256,
        })
    }

    /// `sha256:<hex fingerprint>`: the principal's credential id.
    pub fn credential_id(&self) -> String {
        format!("sha256:{}", self.fingerprint_sha256)
    }

    /// The SPIFFE trust domain, when the certificate has a SPIFFE ID.
    pub fn spiffe_trust_domain(&self) -> Option<&str> {
        self.spiffe_id
            .as_deref()
            .and_then(|id| id.strip_prefix("spiffe://"))
            .map(|rest| rest.split('/').next().unwrap_or(rest))
    }

    /// The claims object of an mTLS principal. Every key is always present; an absent value
    /// is `null` (`spiffe_id`, `cn`), an absent list is `[]`.
    pub fn claims(&self) -> Map<String, Value> {
        let mut m = Map::new();
        let opt = |v: &Option<String>| v.clone().map_or(Value::Null, Value::String);
        m.insert("spiffe_id".into(), opt(&self.spiffe_id));
        m.insert("dns".into(), self.dns.clone().into());
        m.insert("email".into(), self.email.clone().into());
        m.insert("cn".into(), opt(&self.cn));
        m.insert("subject_dn".into(), self.subject_dn.clone().into());
        m.insert("issuer_dn".into(), self.issuer_dn.clone().into());
        m.insert("serial".into(), self.serial.clone().into());
        m.insert(
            "fingerprint_sha256".into(),
            self.fingerprint_sha256.clone().into(),
        );
        m.insert("x5t#S256".into(), self.x5t_s256.clone().into());
        m.insert("not_before".into(), self.not_before.into());
        m.insert("not_after".into(), self.not_after.into());
        m
    }
}

/// A URI SAN whose scheme is `spiffe` in any case: such a SAN must be a valid SPIFFE ID.
fn looks_spiffe(uri: &str) -> bool {
    uri.get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("spiffe:"))
}

/// Validates a SPIFFE ID (SPIFFE-ID spec 2.1-2.3): scheme `spiffe` in lower case, a trust domain
/// of `[a-z0-9._-]` (no port, no user info), a path of non-empty segments of
/// `[A-Za-z0-9._-]` other than `.` and `..`, no trailing `/`, no query, no fragment.
pub fn validate_spiffe_id(id: &str) -> Result<String, Error> {
    if id.len() > MAX_SPIFFE_ID_BYTES {
        return Err(refused("SPIFFE ID is longer than 2048 bytes"));
    }
    let rest = id
        .strip_prefix("spiffe://")
        .ok_or_else(|| refused("SPIFFE ID scheme must be spiffe:// in lower case"))?;
    let (domain, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if domain.is_empty() {
        return Err(refused("SPIFFE ID has an empty trust domain"));
    }
    if !domain
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
    {
        return Err(refused(
            "SPIFFE trust domain holds a character outside [a-z0-9._-] (upper case, port, user info?)",
        ));
    }
    if !path.is_empty() {
        for segment in path[1..].split('/') {
            if segment.is_empty() {
                return Err(refused("SPIFFE ID path has an empty segment or trailing /"));
            }
            if segment == "." || segment == ".." {
                return Err(refused("SPIFFE ID path has a . or .. segment"));
            }
            if !segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
            {
                return Err(refused(
                    "SPIFFE ID path holds a character outside [A-Za-z0-9._-] (query, fragment?)",
                ));
            }
        }
    }
    Ok(id.to_owned())
}

fn attribute_string(a: &AttributeTypeAndValue<'_>) -> Option<String> {
    if let Ok(s) = a.as_str() {
        return Some(s.to_owned());
    }
    let value = a.attr_value();
    let data = value.as_bytes();
    match value.tag().0 {
        // BMPString: UTF-16BE.
        30 if data.len() % 2 == 0 => {
            let units: Vec<u16> = data
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        // UniversalString: UTF-32BE.
        28 if data.len() % 4 == 0 => data
            .chunks_exact(4)
            .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
            .collect(),
        // TeletexString: read as Latin-1, as pyca/cryptography does.
        20 => Some(data.iter().map(|&b| b as char).collect()),
        _ => None,
    }
}

/// RFC 4514 short names, as pyca/cryptography's `rfc4514_string()` writes them; other
/// attribute types are written as dotted OIDs.
fn short_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.3" => "CN",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.6" => "C",
        "2.5.4.9" => "STREET",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        _ => return None,
    })
}

fn escape_value(v: &str, out: &mut String) {
    let n = v.chars().count();
    for (i, c) in v.chars().enumerate() {
        match c {
            '\\' | '"' | '+' | ',' | ';' | '<' | '>' => {
                out.push('\\');
                out.push(c);
            }
            '\0' => out.push_str("\\00"),
            '#' | ' ' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            ' ' if i + 1 == n => out.push_str("\\ "),
            c => out.push(c),
        }
    }
}

/// The DER of a universal, primitive value (for the `#hex` form of non-string values).
fn value_der(a: &AttributeTypeAndValue<'_>) -> Vec<u8> {
    let value = a.attr_value();
    let data = value.as_bytes();
    let tag = (value.tag().0 & 0x1f) as u8;
    let mut der = vec![tag];
    let len = data.len();
    if len < 128 {
        der.push(len as u8);
    } else {
        let bytes = (len as u64).to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        der.push(0x80 | (8 - skip) as u8);
        der.extend_from_slice(&bytes[skip..]);
    }
    der.extend_from_slice(data);
    der
}

/// The RFC 4514 string of a name: RDNs last first, separated by `,`; attributes of a
/// multi-valued RDN by `+`.
pub(crate) fn rfc4514(name: &X509Name<'_>) -> String {
    let mut out = String::new();
    let rdns: Vec<_> = name.iter().collect();
    for (i, rdn) in rdns.iter().rev().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, attr) in rdn.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            let oid = attr.attr_type().to_id_string();
            out.push_str(short_name(&oid).unwrap_or(&oid));
            out.push('=');
            match attribute_string(attr) {
                Some(s) => escape_value(&s, &mut out),
                None => {
                    out.push('#');
                    out.push_str(&hex_encode(&value_der(attr)));
                }
            }
        }
    }
    out
}
