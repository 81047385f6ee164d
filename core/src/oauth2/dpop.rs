//! DPoP proofs (RFC 9449).
