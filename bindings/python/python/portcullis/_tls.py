"""Conversion from the standard library's TLS objects to what portcullis reads."""

from __future__ import annotations

import ssl
from typing import Union

__all__ = ["peer_certificates"]


def peer_certificates(conn: Union[ssl.SSLSocket, ssl.SSLObject]) -> list[bytes]:
    """The client's certificate chain of a server-side TLS connection, DER, leaf first: what
    :class:`portcullis.Request` (``peer_certificates=``) and
    :meth:`portcullis.MtlsVerifier.verify_chain` take.

    The leaf is ``getpeercert(binary_form=True)``; on Python >= 3.13 the other certificates
    the peer sent (``get_unverified_chain()``) follow it, as candidate intermediates. Before
    3.13 the standard library cannot read them: configure the intermediates on the verifier.
    An empty list when the peer sent no certificate. Conversion only: portcullis decides.
    """
    if not isinstance(conn, (ssl.SSLSocket, ssl.SSLObject)):
        raise TypeError(
            f"peer_certificates takes an ssl.SSLSocket or ssl.SSLObject, not {type(conn).__name__}"
        )
    leaf = conn.getpeercert(binary_form=True)
    if not leaf:
        return []
    chain = [leaf]
    unverified = getattr(conn, "get_unverified_chain", None)  # Python >= 3.13
    if unverified is not None:
        for der in unverified() or []:
            if isinstance(der, bytes) and der != leaf:
                chain.append(der)
    return chain
