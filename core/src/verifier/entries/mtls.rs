//! `mtls` credentials.

use std::any::Any;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::{built, core_config, secret_fields};
use crate::config::{ConfigError, DocPath, ReferenceKind};
use crate::decision::{Challenge, Denial, Principal};
use crate::request::Request;
use crate::verifier::{require_scopes, BuildContext, Method};

use crate::mtls::{MtlsConfig, MtlsVerifier};

// ---------------------------------------------------------------- mtls

#[derive(Debug)]
struct MtlsMethod(MtlsVerifier);

impl Method for MtlsMethod {
    fn name(&self) -> &'static str {
        "mtls"
    }
    fn verify(&self, request: &Request, scopes: &[String]) -> Result<Principal, Denial> {
        require_scopes(self.0.verify(request)?, scopes)
    }
    fn challenge(&self) -> Option<Challenge> {
        None
    }
    fn as_any(&self) -> &dyn Any {
        &self.0
    }
}

pub(super) fn build_mtls(
    mut object: Map<String, Value>,
    ctx: &BuildContext<'_>,
) -> Result<Arc<dyn Method>, ConfigError> {
    secret_fields(
        &mut object,
        ctx,
        &[
            &["trust_anchors", "*"],
            &["intermediates", "*"],
            &["crls", "*"],
        ],
        ReferenceKind::Material,
    )?;
    let config: MtlsConfig = core_config(object)?;
    let verifier = MtlsVerifier::new(config).map_err(|e| built(e, DocPath::root()))?;
    Ok(Arc::new(MtlsMethod(verifier)))
}
