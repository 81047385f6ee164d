//! Chain verification with webpki on the request's clock: anchors, intermediates, EKU, name
//! constraints, path length, signature algorithms, CRLs.

use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, CertificateRevocationListDer, TrustAnchor, UnixTime};
use webpki::{
    CertRevocationList, EndEntityCert, ExpirationPolicy, KeyUsage, OwnedCertRevocationList,
    RevocationCheckDepth, RevocationOptionsBuilder, UnknownStatusPolicy,
};

use super::config::{MtlsConfig, RevocationDepth, UnknownStatus, MAX_CHAIN_DEPTH};
use crate::error::{Error, ErrorCode};

/// Most certificates in one configured PEM string or file.
const MAX_PEM_ITEMS: usize = 1024;

/// The parsed trust configuration, built once.
pub(crate) struct Trust {
    pub(crate) anchor_ders: Vec<CertificateDer<'static>>,
    anchors: Vec<TrustAnchor<'static>>,
    intermediates: Vec<CertificateDer<'static>>,
    pub(crate) crl_ders: Vec<CertificateRevocationListDer<'static>>,
    crls: Vec<CertRevocationList<'static>>,
    pub(crate) depth: RevocationDepth,
    pub(crate) unknown: UnknownStatus,
    pub(crate) eku_required: bool,
    max_depth: Option<usize>,
}

fn config_err(detail: String) -> Error {
    Error::new(ErrorCode::ConfigInvalid, detail)
}

/// Certificates from PEM text (every `CERTIFICATE` block) or from one DER certificate.
pub(crate) fn parse_certificates(
    input: &[u8],
    what: &str,
) -> Result<Vec<CertificateDer<'static>>, Error> {
    if looks_pem(input) {
        let mut out = Vec::new();
        for item in CertificateDer::pem_slice_iter(input) {
            let cert = item.map_err(|_| config_err(format!("{what}: malformed PEM")))?;
            out.push(cert);
            if out.len() > MAX_PEM_ITEMS {
                return Err(config_err(format!("{what}: too many certificates")));
            }
        }
        if out.is_empty() {
            return Err(config_err(format!("{what}: no CERTIFICATE block in PEM")));
        }
        Ok(out)
    } else if input.is_empty() {
        Err(config_err(format!("{what}: empty")))
    } else {
        Ok(vec![CertificateDer::from(input.to_vec())])
    }
}

/// CRLs from PEM text (every `X509 CRL` block) or from one DER CRL.
pub(crate) fn parse_crls(
    input: &[u8],
) -> Result<Vec<CertificateRevocationListDer<'static>>, Error> {
    let crl_err = |d: &'static str| Error::new(ErrorCode::MtlsCrlInvalid, d);
    if looks_pem(input) {
        let mut out = Vec::new();
        for item in CertificateRevocationListDer::pem_slice_iter(input) {
            out.push(item.map_err(|_| crl_err("CRL: malformed PEM"))?);
            if out.len() > MAX_PEM_ITEMS {
                return Err(crl_err("CRL: too many CRLs"));
            }
        }
        if out.is_empty() {
            return Err(crl_err("CRL: no X509 CRL block in PEM"));
        }
        Ok(out)
    } else if input.is_empty() {
        Err(crl_err("CRL: empty"))
    } else {
        Ok(vec![CertificateRevocationListDer::from(input.to_vec())])
    }
}

fn looks_pem(input: &[u8]) -> bool {
    input
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .is_some_and(|i| input[i..].starts_with(b"-----BEGIN"))
}

impl Trust {
    pub(crate) fn new(config: &MtlsConfig) -> Result<Self, Error> {
        if config.trust_anchors.is_empty() {
            return Err(config_err("trust_anchors is empty".into()));
        }
        let mut anchor_ders = Vec::new();
        for (i, pem) in config.trust_anchors.iter().enumerate() {
            anchor_ders.extend(parse_certificates(
                pem.as_bytes(),
                &format!("trust_anchors[{i}]"),
            )?);
        }
        let anchors = anchor_ders
            .iter()
            .enumerate()
            .map(|(i, der)| {
                webpki::anchor_from_trusted_cert(der)
                    .map(|a| a.to_owned())
                    .map_err(|e| config_err(format!("trust anchor {i} is not a certificate: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut intermediates = Vec::new();
        for (i, pem) in config.intermediates.iter().enumerate() {
            for der in parse_certificates(pem.as_bytes(), &format!("intermediates[{i}]"))? {
                EndEntityCert::try_from(&der).map_err(|e| {
                    config_err(format!("intermediates[{i}] is not a certificate: {e}"))
                })?;
                intermediates.push(der);
            }
        }
        let mut crl_ders = Vec::new();
        for pem in &config.crls {
            crl_ders.extend(parse_crls(pem.as_bytes())?);
        }
        if config.max_chain_depth.is_some_and(|d| d > MAX_CHAIN_DEPTH) {
            return Err(config_err(format!(
                "max_chain_depth is at most {MAX_CHAIN_DEPTH} (webpki's own limit)"
            )));
        }
        for der in &crl_ders {
            require_crl_number(der)?;
        }
        let crls = crl_ders
            .iter()
            .map(|der| {
                OwnedCertRevocationList::from_der(der)
                    .map(CertRevocationList::from)
                    .map_err(|e| Error::new(ErrorCode::MtlsCrlInvalid, format!("CRL: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Trust {
            anchor_ders,
            anchors,
            intermediates,
            crl_ders,
            crls,
            depth: config.revocation_depth,
            unknown: config.unknown_status,
            eku_required: config.require_client_auth_eku,
            max_depth: config.max_chain_depth,
        })
    }

    /// Verifies `chain` (leaf first; the rest are candidate intermediates) at `now`.
    pub(crate) fn verify(&self, chain: &[&[u8]], now: i64) -> Result<(), Error> {
        let (leaf, rest) = chain.split_first().ok_or_else(|| {
            Error::new(ErrorCode::MtlsCertificateMissing, "empty certificate chain")
        })?;
        let now = u64::try_from(now)
            .map(|s| UnixTime::since_unix_epoch(Duration::from_secs(s)))
            .map_err(|_| Error::new(ErrorCode::InvalidArgument, "negative time"))?;
        let leaf_der = CertificateDer::from(*leaf);
        let ee = EndEntityCert::try_from(&leaf_der).map_err(map_webpki)?;
        let mut pool: Vec<CertificateDer<'_>> =
            rest.iter().map(|c| CertificateDer::from(*c)).collect();
        pool.extend(
            self.intermediates
                .iter()
                .map(|c| CertificateDer::from(&c[..])),
        );
        let crl_refs: Vec<&CertRevocationList<'_>> = self.crls.iter().collect();
        let revocation = RevocationOptionsBuilder::new(&crl_refs).ok().map(|b| {
            b.with_depth(match self.depth {
                RevocationDepth::EndEntity => RevocationCheckDepth::EndEntity,
                RevocationDepth::Chain => RevocationCheckDepth::Chain,
            })
            .with_status_policy(match self.unknown {
                UnknownStatus::Deny => UnknownStatusPolicy::Deny,
                UnknownStatus::Allow => UnknownStatusPolicy::Allow,
            })
            .with_expiration_policy(ExpirationPolicy::Enforce)
            .build()
        });
        // webpki applies `KeyUsage::required` to the CAs of the path too, and CAs rarely carry
        // an EKU: the leaf-only requirement is checked by the verifier, on its one parse of the
        // leaf (`CertificateIdentity::read_leaf`).
        let usage = KeyUsage::client_auth();
        // A path with too many intermediates, or through an intermediate whose keyUsage does not
        // let it sign certificates, is refused inside path building, so webpki goes on to try
        // another path through other candidates before giving up.
        let max_depth = self.max_depth;
        let path_check = move |path: &webpki::VerifiedPath<'_>| {
            if max_depth.is_some_and(|max| path.intermediate_certificates().count() > max) {
                return Err(webpki::Error::MaximumPathDepthExceeded);
            }
            if !path
                .intermediate_certificates()
                .all(|cert| may_sign_certificates(cert.der().as_ref()))
            {
                return Err(webpki::Error::EndEntityUsedAsCa);
            }
            Ok(())
        };
        ee.verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &self.anchors,
            &pool,
            now,
            usage,
            revocation,
            Some(&path_check),
        )
        .map_err(map_webpki)?;
        Ok(())
    }
}

/// The detail of a path through an issuer that may not sign certificates.
const ISSUER_MAY_NOT_SIGN: &str =
    "an issuer of the chain may not sign certificates (cA false, or keyUsage without keyCertSign)";

/// RFC 5280 6.1.4 (n): an intermediate whose keyUsage is present must assert keyCertSign.
/// webpki checks basicConstraints but not keyUsage on the CAs of a path, so a certificate whose
/// key may only sign CRLs, say, could otherwise issue client certificates (found by the
/// adversarial review). The certificate is already parsed and its signature checked by webpki;
/// one that x509-parser cannot read is refused too.
fn may_sign_certificates(der: &[u8]) -> bool {
    match x509_parser::parse_x509_certificate(der) {
        Ok((_, cert)) => match cert.key_usage() {
            Ok(None) => true,
            Ok(Some(ku)) => ku.value.key_cert_sign(),
            Err(_) => false,
        },
        Err(_) => false,
    }
}

/// Refuses a CRL without the cRLNumber extension. RFC 5280 5.2.3 makes it mandatory, and
/// without it nothing orders two CRLs of one issuer: an old CRL, from before a revocation,
/// would be as good as the current one as proof that a certificate is not revoked.
fn require_crl_number(der: &[u8]) -> Result<(), Error> {
    let crl_err = |d: &'static str| Error::new(ErrorCode::MtlsCrlInvalid, d);
    let (_, crl) = x509_parser::parse_x509_crl(der).map_err(|_| crl_err("CRL: not a DER CRL"))?;
    match crl.crl_number() {
        Some(_) => Ok(()),
        None => Err(crl_err(
            "CRL has no cRLNumber extension (RFC 5280 5.2.3): it cannot be told from an older one",
        )),
    }
}

/// Each webpki failure to its own code; the detail names webpki's error.
#[allow(deprecated)] // the unit variants may still be produced
pub(crate) fn map_webpki(e: webpki::Error) -> Error {
    use webpki::Error as W;
    let code = match &e {
        W::BadDer
        | W::BadDerTime
        | W::TrailingData(_)
        | W::UnsupportedCertVersion
        | W::InvalidSerialNumber
        | W::InvalidCertValidity
        | W::MalformedExtensions
        | W::ExtensionValueInvalid
        | W::MalformedDnsIdentifier => ErrorCode::MtlsCertificateMalformed,
        W::UnknownIssuer | W::CertDistrusted => ErrorCode::MtlsUntrusted,
        W::CertExpired { .. } => ErrorCode::MtlsExpired,
        W::CertNotValidYet { .. } => ErrorCode::MtlsNotYetValid,
        W::RequiredEkuNotFound
        | W::RequiredEkuNotFoundContext(_)
        | W::EmptyEkuExtension
        | W::CaUsedAsEndEntity
        | W::EndEntityUsedAsCa => ErrorCode::MtlsUsageInvalid,
        W::CertRevoked => ErrorCode::MtlsRevoked,
        W::UnknownRevocationStatus => ErrorCode::MtlsRevocationUnknown,
        W::NameConstraintViolation
        | W::MalformedNameConstraint
        | W::InvalidNetworkMaskConstraint
        | W::MaximumNameConstraintComparisonsExceeded
        | W::UnsupportedNameType => ErrorCode::MtlsNameConstraintViolation,
        W::InvalidSignatureForPublicKey
        | W::SignatureAlgorithmMismatch
        | W::UnsupportedSignatureAlgorithm
        | W::UnsupportedSignatureAlgorithmContext(_)
        | W::UnsupportedSignatureAlgorithmForPublicKey
        | W::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => ErrorCode::MtlsSignatureInvalid,
        W::CrlExpired { .. }
        | W::InvalidCrlSignatureForPublicKey
        | W::IssuerNotCrlSigner
        | W::InvalidCrlNumber
        | W::UnsupportedCrlIssuingDistributionPoint
        | W::UnsupportedCrlVersion
        | W::UnsupportedDeltaCrl
        | W::UnsupportedIndirectCrl
        | W::UnsupportedRevocationReason
        | W::UnsupportedRevocationReasonsPartitioning
        | W::UnsupportedCrlSignatureAlgorithm
        | W::UnsupportedCrlSignatureAlgorithmContext(_)
        | W::UnsupportedCrlSignatureAlgorithmForPublicKey
        | W::UnsupportedCrlSignatureAlgorithmForPublicKeyContext(_) => ErrorCode::MtlsCrlInvalid,
        // PathLenConstraintViolated, MaximumPathDepthExceeded, MaximumPathBuildCallsExceeded,
        // MaximumSignatureChecksExceeded, UnsupportedCriticalExtension and anything newer.
        _ => ErrorCode::MtlsPathInvalid,
    };
    let detail = match &e {
        // The context variants carry certificate bytes or long lists; keep the log line short.
        W::CertExpired { .. } => "certificate expired".to_owned(),
        W::CertNotValidYet { .. } => "certificate not valid yet".to_owned(),
        W::CrlExpired { .. } => "CRL is past its nextUpdate".to_owned(),
        W::RequiredEkuNotFoundContext(_) => "clientAuth extended key usage missing".to_owned(),
        W::EndEntityUsedAsCa => ISSUER_MAY_NOT_SIGN.to_owned(),
        other => format!("chain verification failed: {other:?}")
            .chars()
            .take(200)
            .collect(),
    };
    Error::new(code, detail)
}

/// Reads CRL files (PEM or DER) and returns them as PEM strings for [`MtlsConfig::crls`].
pub fn load_crl_files<P: AsRef<std::path::Path>>(paths: &[P]) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    for path in paths {
        let bytes = std::fs::read(path.as_ref()).map_err(|e| {
            Error::new(
                ErrorCode::MtlsCrlInvalid,
                format!("cannot read CRL file {}: {e}", path.as_ref().display()),
            )
        })?;
        for der in parse_crls(&bytes)? {
            out.push(pem_encode("X509 CRL", &der));
        }
    }
    Ok(out)
}

/// Reads certificate files (PEM or DER) and returns them as PEM strings (for `trust_anchors`
/// or `intermediates`).
pub fn load_certificate_files<P: AsRef<std::path::Path>>(
    paths: &[P],
) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    for path in paths {
        let shown = path.as_ref().display().to_string();
        let bytes = std::fs::read(path.as_ref())
            .map_err(|e| config_err(format!("cannot read certificate file {shown}: {e}")))?;
        for der in parse_certificates(&bytes, &shown)? {
            out.push(pem_encode("CERTIFICATE", &der));
        }
    }
    Ok(out)
}

/// DER as a PEM block with 64-character lines.
pub fn pem_encode(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}
