//! DPoP proofs (RFC 9449). PLACEHOLDER on the lead's branch: replaced by the dpop branch.
#![allow(missing_docs)]
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode};
use crate::jwt::Algorithm;
use crate::request::Request;
use crate::store::ReplayStore;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DpopConfig {
    pub algorithms: Vec<Algorithm>,
    pub max_age_seconds: u64,
    pub leeway_seconds: u64,
    pub max_proof_bytes: usize,
    pub nonce: Option<NonceConfig>,
}
impl Default for DpopConfig {
    fn default() -> Self {
        DpopConfig {
            algorithms: vec![Algorithm::Es256, Algorithm::EdDsa],
            max_age_seconds: 300,
            leeway_seconds: 5,
            max_proof_bytes: 8192,
            nonce: None,
        }
    }
}
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NonceConfig {
    pub secret: String,
    pub step_seconds: u64,
}
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedProof {
    pub thumbprint: String,
    pub jti: String,
    pub iat: i64,
    pub algorithm: Algorithm,
    pub nonce: Option<String>,
}
#[derive(Debug)]
pub struct DpopVerifier {
    config: DpopConfig,
}
impl DpopVerifier {
    pub fn new(config: DpopConfig, _replay: Arc<dyn ReplayStore>) -> Result<Self, Error> {
        Ok(DpopVerifier { config })
    }
    pub fn config(&self) -> &DpopConfig {
        &self.config
    }
    pub fn verify_request(
        &self,
        _request: &Request,
        _access_token: Option<&str>,
        _origin: Option<&str>,
    ) -> Result<VerifiedProof, Error> {
        Err(Error::new(ErrorCode::DpopProofInvalid, "placeholder"))
    }
    pub fn nonce(&self, _now: i64) -> Option<String> {
        None
    }
    pub fn algorithms_param(&self) -> String {
        let names: Vec<&str> = self.config.algorithms.iter().map(|a| a.name()).collect();
        names.join(" ")
    }
}
