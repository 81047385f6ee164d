//! OAuth 2.0 at the resource server: RFC 9068 JWT access tokens and RFC 7662 introspection of
//! opaque tokens from several issuers, DPoP (RFC 9449) and certificate-bound (RFC 8705) tokens,
//! RFC 6750 / RFC 9449 challenges and the RFC 9728 protected-resource metadata.

mod challenge;
mod config;
pub mod dpop;
pub mod introspection;
mod nonce;
mod server;

pub use config::{
    AccessTokenProfile, CertificateBinding, DpopMode, Issuer, OAuth2Config, ResourceMetadataConfig,
    MAX_ISSUERS,
};
pub use dpop::{
    access_token_hash, normalize_htu, DpopConfig, DpopVerifier, NonceConfig, ProofContext,
    VerifiedProof,
};
pub use introspection::{ClientAuthMethod, IntrospectionConfig, Introspector, TokenInfo};
pub use server::ResourceServer;

#[cfg(test)]
mod tests;
