//! `mtls` credentials.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::{built, core_config, secret_fields};
use crate::config::{ConfigError, DocPath, ReferenceKind};
use crate::verifier::{BuildContext, Method};

use crate::mtls::{MtlsConfig, MtlsVerifier};

// ---------------------------------------------------------------- mtls

request_method!(
    MtlsMethod(MtlsVerifier),
    "mtls",
    MtlsVerifier::verify,
    |_| None
);

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
