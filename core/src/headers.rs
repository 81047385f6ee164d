//! The names of the HTTP header fields portcullis writes for a caller to send, spelled as they
//! are sent. Every surface takes them from here (with the signed values from
//! [`hmac::SignedHeaders::pairs`](crate::hmac::SignedHeaders::pairs) and
//! [`httpsig::SignedHeaders::pairs`](crate::httpsig::SignedHeaders::pairs)), so a name is
//! written once. Reading is case-insensitive (RFC 9110 5.1).

/// `Authorization` (RFC 9110 11.6.2): credentials, and the PCS1 signature.
pub const AUTHORIZATION: &str = "Authorization";
/// `WWW-Authenticate` (RFC 9110 11.6.1): the challenge sent with a 401.
pub const WWW_AUTHENTICATE: &str = "WWW-Authenticate";
/// `Content-Digest` (RFC 9530): the digest of the body.
pub const CONTENT_DIGEST: &str = "Content-Digest";
/// `Signature-Input` (RFC 9421): what an HTTP message signature covers.
pub const SIGNATURE_INPUT: &str = "Signature-Input";
/// `Signature` (RFC 9421): the HTTP message signature.
pub const SIGNATURE: &str = "Signature";
