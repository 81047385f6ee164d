//! `Verifier`: any method (`api_key`, `basic`, `jwt`, `webhook`, `pcs1`, `httpsig`, `mtls`,
//! `oauth2`)
//! built from the configuration a gate credential takes, so a service can start with one
//! verifier and move to a gate without rewriting it. The registry is the core's
//! (`portcullis::verifier`).

use napi::bindgen_prelude::{AsyncTask, Either, Object, Unknown};
use napi::{Env, Error, JsString, Result, Status, Task, ValueType};
use napi_derive::napi;

use portcullis::config::{Format, LoadContext};
use portcullis::verifier as core;

use crate::compact::js_text;
use crate::errors::{from_denial, OrThrow, Principal};
use crate::gate::{carried, json_text, read_secrets, PrincipalValues};
use crate::options;
use crate::request::Request;
use crate::task::catch_panic;

/// How `Verifier.fromJson` and `Verifier.fromToml` load a configuration.
#[napi(object, object_to_js = false)]
pub struct VerifierOptions {
    /// The values of `secret:NAME` references.
    pub secrets: Option<std::collections::HashMap<String, String>>,
    /// Where relative paths (`file:` references, `records_file`) start (default: the working
    /// directory).
    pub base_dir: Option<String>,
}

/// One configured method: `{ "method": "jwt", "issuers": [...], ... }`, secrets as references
/// (`env:NAME`, `file:PATH`, `secret:NAME`).
#[napi]
pub struct Verifier {
    inner: core::Verifier,
}

impl From<core::Verifier> for Verifier {
    fn from(inner: core::Verifier) -> Self {
        Verifier { inner }
    }
}

fn type_error(detail: String) -> Error {
    Error::new(Status::InvalidArg, detail)
}

fn load_context(options: Option<Unknown>) -> Result<LoadContext> {
    let mut load = LoadContext::new();
    let Some(options) = options else {
        return Ok(load);
    };
    if matches!(options.get_type()?, ValueType::Undefined | ValueType::Null) {
        return Ok(load);
    }
    let options = options::object(options)?;
    for name in Object::keys(&options)? {
        let Some(value) = options.get::<Unknown>(&name)? else {
            continue;
        };
        if matches!(value.get_type()?, ValueType::Undefined | ValueType::Null) {
            continue;
        }
        match name.as_str() {
            "secrets" => load = load.with_secrets(read_secrets(value)?),
            "baseDir" => {
                if value.get_type()? != ValueType::String {
                    return Err(type_error("option `baseDir` must be a string".into()));
                }
                // SAFETY: the value is a JS string.
                let dir: String = unsafe { value.cast() }?;
                load = load.with_base_dir(dir);
            }
            _ => {
                return Err(type_error(format!(
                    "unknown option `{name}` (expected one of: secrets, baseDir)"
                )))
            }
        }
    }
    Ok(load)
}

#[napi]
impl Verifier {
    fn load(env: &Env, text: &str, format: Format, options: Option<Unknown>) -> Result<Self> {
        let load = load_context(options)?;
        let inner = core::Verifier::load(text, format, &load)
            .map_err(|e| crate::gate::config_error(env, e))?;
        Ok(Verifier { inner })
    }

    /// Builds the method configured by JSON `text`. Throws `config_invalid`, `json_invalid`
    /// or the method's code (`jwt_key_invalid`, ...), `detail` naming the path, line and
    /// column of the bad value.
    #[napi(
        catch_unwind,
        factory,
        ts_args_type = "text: string, options?: VerifierOptions"
    )]
    pub fn from_json(env: Env, text: String, options: Option<Unknown>) -> Result<Self> {
        Self::load(&env, &text, Format::Json, options)
    }

    /// Builds the method configured by TOML `text` (errors as `fromJson`).
    #[napi(
        catch_unwind,
        factory,
        ts_args_type = "text: string, options?: VerifierOptions"
    )]
    pub fn from_toml(env: Env, text: String, options: Option<Unknown>) -> Result<Self> {
        Self::load(&env, &text, Format::Toml, options)
    }

    /// The method's registry name (`jwt`, `api_key`, `webhook`, ...).
    #[napi(catch_unwind, getter)]
    pub fn method(&self) -> &'static str {
        self.inner.method_name()
    }

    /// The `WWW-Authenticate` value for a request that carries no credential (an `oauth2`
    /// method's `Bearer` and `DPoP` challenges separated by `, `), or `null` for methods
    /// without one (webhooks, mTLS).
    #[napi(catch_unwind, getter)]
    pub fn challenge(&self) -> Option<String> {
        self.inner.challenge_header()
    }

    /// The RFC 9728 protected-resource metadata document (JSON text) of an `oauth2` method
    /// with a `resource`, to serve at the URL its challenges name; `null` otherwise.
    #[napi(catch_unwind, getter)]
    pub fn resource_metadata(&self) -> Option<String> {
        self.inner.resource_metadata()
    }

    /// Verifies `request` on the calling thread, requiring every one of `scopes`; throws the
    /// refusal (`code`, `httpStatus`, `challenge`, ...).
    #[napi(catch_unwind)]
    pub fn verify(
        &self,
        env: Env,
        request: &Request,
        scopes: Option<Vec<String>>,
    ) -> Result<Principal> {
        let scopes = scopes.unwrap_or_default();
        Ok(self
            .inner
            .verify(&request.inner, &scopes)
            .or_throw(&env)?
            .into())
    }

    /// `verify` for the JS layer (`gate.js`): the principal as the JSON text of its six values
    /// (`principal.js`), or the object when JSON cannot carry its claims exactly. Not part of
    /// the API.
    #[napi(catch_unwind, skip_typescript, js_name = "_verifyJson")]
    pub fn verify_json<'env>(
        &self,
        env: &'env Env,
        request: &Request,
        scopes: Option<Vec<String>>,
    ) -> Result<Either<JsString<'env>, Principal>> {
        let scopes = scopes.unwrap_or_default();
        let principal = self.inner.verify(&request.inner, &scopes).or_throw(env)?;
        let text = carried(Some(&principal))
            .then(|| json_text(&PrincipalValues(&principal)))
            .flatten();
        Ok(match text {
            Some(text) => Either::A(js_text(env, &text)?),
            None => Either::B(principal.into()),
        })
    }

    /// `verify` on the libuv thread pool (Basic password hashing, a JWKS fetch).
    #[napi(catch_unwind, ts_return_type = "Promise<Principal>")]
    pub fn verify_async(
        &self,
        request: &Request,
        scopes: Option<Vec<String>>,
    ) -> AsyncTask<VerifyTask> {
        AsyncTask::new(VerifyTask {
            verifier: self.inner.clone(),
            request: Some(request.inner.clone()),
            scopes: scopes.unwrap_or_default(),
        })
    }
}

/// The work of `verifyAsync`.
pub struct VerifyTask {
    verifier: core::Verifier,
    request: Option<portcullis::Request>,
    scopes: Vec<String>,
}

impl Task for VerifyTask {
    type Output = std::result::Result<portcullis::Principal, portcullis::Denial>;
    type JsValue = Principal;

    fn compute(&mut self) -> Result<Self::Output> {
        // The request (with its credential) is dropped as soon as it has been checked.
        Ok(match self.request.take() {
            Some(r) => catch_panic(|| self.verifier.verify(&r, &self.scopes))
                .unwrap_or_else(|e| Err(e.into())),
            None => Err(portcullis::Denial::new(
                portcullis::ErrorCode::Internal,
                "verify task ran twice",
            )),
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Principal> {
        output
            .map(Principal::from)
            .map_err(|d| from_denial(&env, d))
    }
}
