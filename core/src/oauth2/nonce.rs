//! Stateless DPoP nonces.
