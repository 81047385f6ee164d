"""Mutual TLS beyond the vectors: real TLS handshakes on loopback with the standard library's
``ssl`` module (server and client certificates from ``portcullis.DevCa``), then portcullis
judging the chain the server received; plus RFC 8705 binding, the dev CA, and bad inputs.

How the handshakes keep portcullis the judge: OpenSSL checks the client chain itself, against
the wall clock, before portcullis sees it. So the server's OpenSSL context trusts every root
used here (portcullis trusts only some), the certificates are valid for the wall clock, and
the "expired" and "not yet valid" cases pin the Request's ``now`` past the certificate's
notAfter / before its notBefore: the ErrorCode asserted is portcullis's. The one case OpenSSL
refuses by itself, a serverAuth-only certificate (OpenSSL's ``ssl_client`` purpose check), is
asserted as that handshake refusal, and portcullis's own code for the same chain is asserted
through ``verify_chain``; so is a certificate really expired by the wall clock.
"""

from __future__ import annotations

import json
import pathlib
import shutil
import socket
import ssl
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import pytest

import portcullis
from portcullis import (
    AuthError,
    DevCa,
    IssuedCertificate,
    MtlsError,
    MtlsVerifier,
    Principal,
    Request,
    UsageError,
)

WALL = int(time.time())
DAY = 86_400
TIMEOUT = 5.0
# The module without its types, for calls that are wrong on purpose.
LOOSE: Any = portcullis


def loose(value: object) -> Any:
    """`value` without its type, for calls that are wrong on purpose."""
    return value


# --- The PKI ----------------------------------------------------------------------------------


@dataclass
class Pki:
    root: DevCa  # trusted by portcullis and OpenSSL
    other_root: DevCa  # trusted by OpenSSL only
    server: IssuedCertificate
    good: IssuedCertificate  # spiffe://demo.example/billing, clientAuth
    files: pathlib.Path

    def write(self, name: str, text: str) -> str:
        path = self.files / name
        path.write_text(text, "ascii")
        return str(path)


def client(ca: DevCa, **spec: Any) -> IssuedCertificate:
    spec.setdefault("not_before", WALL - 3600)
    spec.setdefault("not_after", WALL + DAY)
    return ca.issue_client(**spec)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    root = DevCa("portcullis test root", not_before=WALL - 30 * DAY, not_after=WALL + 3650 * DAY)
    other = DevCa("some other root", not_before=WALL - 30 * DAY, not_after=WALL + 3650 * DAY)
    server = root.issue_server(
        ["localhost", "127.0.0.1"], not_before=WALL - 3600, not_after=WALL + DAY
    )
    good = client(root, spiffe_id="spiffe://demo.example/billing")
    return Pki(root, other, server, good, tmp_path_factory.mktemp("pki"))


# --- One real handshake -----------------------------------------------------------------------


@dataclass
class Exchange:
    """What one connection did: the server's decision (or its handshake failure), what the
    client read back."""

    principal: Optional[Principal] = None
    denial: Optional[AuthError] = None
    server_error: Optional[BaseException] = None
    client_error: Optional[BaseException] = None
    response: bytes = b""
    chain: list[bytes] = field(default_factory=list)
    peer_address: str = ""

    def refused_with(self) -> str:
        assert self.server_error is None, self.server_error
        assert self.denial is not None, f"accepted: {self.principal}"
        assert self.response.startswith(f"HTTP/1.1 {self.denial.http_status} ".encode())
        return self.denial.code


def read_head(conn: ssl.SSLSocket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
        assert len(data) < 65_536, "request head too long"
    return data


def exchange(
    pki: Pki,
    decide: Callable[[Request], Principal],
    cert: Optional[IssuedCertificate],
    *,
    headers: Optional[list[tuple[str, str]]] = None,
    now: Optional[int] = None,
    also_trust: str = "",
    via_curl: bool = False,
) -> Exchange:
    """Runs one HTTPS request over loopback: the server (a thread) requires a client
    certificate, builds a portcullis Request from the connection and answers with `decide`'s
    decision; the client presents `cert`. The server's OpenSSL trusts both roots of `pki` and
    `also_trust`; the client trusts `pki.root`, which issued the server's certificate. With
    `via_curl`, the client is the curl program (`--cert`/`--key`) instead of Python's ssl."""
    result = Exchange()
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.verify_mode = ssl.CERT_REQUIRED
    server_ctx.load_cert_chain(
        pki.write("server.pem", pki.server.chain_pem), pki.write("server.key", pki.server.key_pem)
    )
    server_ctx.load_verify_locations(
        cadata=pki.root.ca_cert_pem() + pki.other_root.ca_cert_pem() + also_trust
    )
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(TIMEOUT)
    port = listener.getsockname()[1]

    def serve() -> None:
        try:
            raw, address = listener.accept()
            raw.settimeout(TIMEOUT)
            with server_ctx.wrap_socket(raw, server_side=True) as tls:
                head = read_head(tls).decode("latin-1").split("\r\n")
                method, target, _ = head[0].split(" ")
                fields = [tuple(line.split(": ", 1)) for line in head[1:] if line]
                result.chain = portcullis.peer_certificates(tls)
                result.peer_address = address[0]
                request = Request(
                    method,
                    target,
                    [(n, v) for n, v in fields],
                    peer_certificates=result.chain,
                    peer_address=address[0],
                    now=now,
                )
                try:
                    result.principal = decide(request)
                    status, text = 200, result.principal.subject
                except AuthError as err:
                    result.denial = err
                    status, text = err.http_status, err.code
                body = text.encode()
                tls.sendall(
                    f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\n"
                    "Connection: close\r\n\r\n".encode()
                    + body
                )
        except (OSError, ssl.SSLError, ValueError) as err:
            result.server_error = err
        finally:
            listener.close()

    thread = threading.Thread(target=serve)
    thread.start()
    if via_curl:
        try:
            curl(pki, port, cert, headers or [], result)
        finally:
            thread.join(timeout=2 * TIMEOUT)
        assert not thread.is_alive(), "server thread did not finish"
        return result
    try:
        client_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        client_ctx.load_verify_locations(cadata=pki.root.ca_cert_pem())
        if cert is not None:
            client_ctx.load_cert_chain(
                pki.write("client.pem", cert.chain_pem), pki.write("client.key", cert.key_pem)
            )
        lines = ["GET /invoices HTTP/1.1", "Host: localhost"]
        lines += [f"{n}: {v}" for n, v in headers or []]
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as raw:
            with client_ctx.wrap_socket(raw, server_hostname="localhost") as tls:
                tls.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
                while len(result.response) < 65_536:
                    chunk = tls.recv(4096)
                    if not chunk:
                        break
                    result.response += chunk
    except (OSError, ssl.SSLError) as err:
        result.client_error = err
    finally:
        thread.join(timeout=2 * TIMEOUT)
    assert not thread.is_alive(), "server thread did not finish"
    return result


def curl(
    pki: Pki,
    port: int,
    cert: Optional[IssuedCertificate],
    headers: list[tuple[str, str]],
    result: Exchange,
) -> None:
    """curl as the TLS client: `-i` prints the status line and headers before the body."""
    args = ["curl", "-sS", "-i", "--max-time", str(int(TIMEOUT)), "--noproxy", "*"]
    args += ["--cacert", pki.write("curl-ca.pem", pki.root.ca_cert_pem())]
    args += ["--resolve", f"localhost:{port}:127.0.0.1"]
    if cert is not None:
        args += ["--cert", pki.write("curl-client.pem", cert.chain_pem)]
        args += ["--key", pki.write("curl-client.key", cert.key_pem)]
    for name, value in headers:
        args += ["-H", f"{name}: {value}"]
    args.append(f"https://localhost:{port}/invoices")
    done = subprocess.run(args, capture_output=True, timeout=2 * TIMEOUT, check=False)
    if done.returncode != 0:
        result.client_error = OSError(done.returncode, done.stderr.decode(errors="replace"))
    result.response = done.stdout


def verifier(pki: Pki, **config: Any) -> MtlsVerifier:
    return MtlsVerifier([pki.root.ca_cert_pem()], **config)


# --- Handshakes: portcullis decides -----------------------------------------------------------


def test_trusted_spiffe_client(pki: Pki) -> None:
    v = verifier(pki, spiffe_trust_domains=["demo.example"])
    ex = exchange(pki, v.verify, pki.good)
    assert ex.server_error is None and ex.client_error is None
    assert ex.principal is not None
    assert (ex.principal.subject, ex.principal.method) == ("spiffe://demo.example/billing", "mtls")
    assert ex.principal.credential_id == f"sha256:{pki.good.fingerprint_sha256}"
    assert ex.principal.claims["x5t#S256"] == portcullis.certificate_thumbprint(pki.good.der)
    assert ex.chain[0] == pki.good.der
    assert ex.peer_address == "127.0.0.1"
    assert ex.response.startswith(b"HTTP/1.1 200 ")
    assert ex.response.endswith(b"spiffe://demo.example/billing")


CURL = shutil.which("curl")


@pytest.mark.skipif(CURL is None, reason="curl is not installed on this machine")
def test_curl_client_certificate(pki: Pki) -> None:
    v = verifier(pki, spiffe_trust_domains=["demo.example"])
    ok = exchange(pki, v.verify, pki.good, via_curl=True)
    assert ok.server_error is None and ok.client_error is None, ok.client_error
    assert ok.principal is not None
    assert ok.principal.subject == "spiffe://demo.example/billing"
    assert ok.response.startswith(b"HTTP/1.1 200 ")
    assert ok.response.endswith(b"spiffe://demo.example/billing")
    other = client(pki.root, spiffe_id="spiffe://other.example/billing")
    refused = exchange(pki, v.verify, other, via_curl=True)
    assert refused.refused_with() == "mtls_identity_refused"
    assert refused.response.endswith(b"mtls_identity_refused")


def test_client_through_an_intermediate(pki: Pki) -> None:
    inter = pki.root.issue_intermediate(
        "issuing CA", not_before=WALL - DAY, not_after=WALL + 365 * DAY, path_len=0
    )
    cert = client(inter, dns=["billing.internal"])
    assert cert.chain_pem == cert.cert_pem + inter.intermediates_pem()
    # Before Python 3.13 only the leaf comes out of the ssl module: the verifier is given the
    # intermediate (a 3.13 server also passes the one the client sent).
    v = verifier(pki, intermediates=[inter.ca_cert_pem()])
    ex = exchange(pki, v.verify, cert)
    assert ex.principal is not None, ex.denial or ex.server_error
    assert ex.principal.subject == "billing.internal"
    # Without the intermediate, the chain cannot be built unless the TLS stack handed it over.
    if len(ex.chain) == 1:
        assert exchange(pki, verifier(pki).verify, cert).refused_with() == "mtls_untrusted"


def test_expired_at_the_request_time(pki: Pki) -> None:
    cert = client(pki.root, spiffe_id="spiffe://demo.example/billing", not_after=WALL + 600)
    ex = exchange(pki, verifier(pki).verify, cert, now=WALL + 601)
    assert ex.refused_with() == "mtls_expired"
    assert ex.denial is not None and ex.denial.http_status == 401
    assert isinstance(ex.denial, MtlsError) and ex.denial.category == "mtls"
    assert ex.denial.challenge is None
    # One second earlier it is still valid: the Request's clock is the one read.
    assert exchange(pki, verifier(pki).verify, cert, now=WALL + 599).principal is not None


def test_not_yet_valid_at_the_request_time(pki: Pki) -> None:
    cert = client(pki.root, cn="early", not_before=WALL - 60)
    ex = exchange(pki, verifier(pki).verify, cert, now=WALL - 61)
    assert ex.refused_with() == "mtls_not_yet_valid"


def test_untrusted_root(pki: Pki) -> None:
    # OpenSSL trusts both roots and completes the handshake; portcullis trusts one.
    cert = client(pki.other_root, spiffe_id="spiffe://demo.example/billing")
    ex = exchange(pki, verifier(pki).verify, cert)
    assert ex.refused_with() == "mtls_untrusted"
    assert ex.response.startswith(b"HTTP/1.1 401 ")


def test_revoked_by_crl(pki: Pki) -> None:
    ca = DevCa("revoking CA", not_before=WALL - DAY, not_after=WALL + 365 * DAY)
    revoked = client(ca, cn="revoked")
    kept = client(ca, cn="kept")
    ca.revoke(revoked.serial, at=WALL - 120)
    crl = ca.crl_pem(this_update=WALL - 60, next_update=WALL + DAY)
    assert "BEGIN X509 CRL" in crl
    v = MtlsVerifier([ca.ca_cert_pem()], crls=[crl])
    # OpenSSL checks no CRL here: revocation is portcullis's call.
    trust = ca.ca_cert_pem()
    assert exchange(pki, v.verify, revoked, also_trust=trust).refused_with() == "mtls_revoked"
    ex = exchange(pki, v.verify, kept, also_trust=trust)
    assert ex.principal is not None and ex.principal.subject == "kept"
    # A CRL that does not cover the issuer leaves the status unknown: refused by default.
    other_crl = pki.other_root.crl_pem(this_update=WALL - 60, next_update=WALL + DAY)
    unknown = MtlsVerifier([ca.ca_cert_pem()], crls=[other_crl])
    ex = exchange(pki, unknown.verify, kept, also_trust=trust)
    assert ex.refused_with() == "mtls_revocation_unknown"


def test_wrong_spiffe_trust_domain(pki: Pki) -> None:
    cert = client(pki.root, spiffe_id="spiffe://other.example/billing")
    ex = exchange(pki, verifier(pki, spiffe_trust_domains=["demo.example"]).verify, cert)
    assert ex.refused_with() == "mtls_identity_refused"
    assert ex.response.startswith(b"HTTP/1.1 403 ")


def test_pinned_fingerprint(pki: Pki) -> None:
    other = client(pki.root, cn="other")
    pinned = verifier(pki, pinned_fingerprints=[other.fingerprint_sha256])
    assert exchange(pki, pinned.verify, pki.good).refused_with() == "mtls_pin_mismatch"
    # Colons and upper case are accepted in a pin.
    fp = pki.good.fingerprint_sha256.upper()
    colons = ":".join(fp[i : i + 2] for i in range(0, len(fp), 2))
    ex = exchange(pki, verifier(pki, pinned_fingerprints=[colons]).verify, pki.good)
    assert ex.principal is not None


def test_rules_map_subject_and_scopes(pki: Pki) -> None:
    v = verifier(
        pki,
        rules=[
            {
                "match": {"spiffe_prefix": "spiffe://demo.example"},
                "subject": "billing-service",
                "scopes": ["invoices:read"],
            }
        ],
        require_rule_match=True,
    )
    ex = exchange(pki, v.verify, pki.good)
    assert ex.principal is not None
    assert (ex.principal.subject, ex.principal.scopes) == ("billing-service", ["invoices:read"])
    stranger = client(pki.root, cn="stranger")
    assert exchange(pki, v.verify, stranger).refused_with() == "mtls_identity_refused"


def forwarded(pki: Pki, proxies: list[str]) -> MtlsVerifier:
    return verifier(
        pki,
        spiffe_trust_domains=["demo.example"],
        forwarded={
            "header": "x-ssl-client-cert",
            "format": "nginx",
            "trusted_proxies": proxies,
        },
    )


def test_forwarded_header_from_an_untrusted_address(pki: Pki) -> None:
    # The connection comes from 127.0.0.1, which is not a trusted proxy here: the header is a
    # forgery whatever certificate the connection itself presented.
    header = [("X-SSL-Client-Cert", urllib.parse.quote(pki.good.cert_pem, safe=""))]
    v = forwarded(pki, ["10.0.0.0/8"])
    ex = exchange(pki, v.verify, pki.good, headers=header)
    assert ex.refused_with() == "mtls_forwarded_untrusted"
    # Without the header the connection's own certificate is verified.
    assert exchange(pki, v.verify, pki.good).principal is not None


def test_forwarded_header_from_a_trusted_proxy(pki: Pki) -> None:
    # The "proxy" connects with a certificate of its own; the forwarded one is the client's.
    proxy = client(pki.root, spiffe_id="spiffe://demo.example/proxy")
    header = [("X-SSL-Client-Cert", urllib.parse.quote(pki.good.cert_pem, safe=""))]
    ex = exchange(pki, forwarded(pki, ["127.0.0.1/32"]).verify, proxy, headers=header)
    assert ex.principal is not None, ex.denial
    assert ex.principal.subject == "spiffe://demo.example/billing"
    # A trusted proxy that forwards nothing: no client certificate.
    ex = exchange(pki, forwarded(pki, ["127.0.0.1/32"]).verify, proxy)
    assert ex.refused_with() == "mtls_certificate_missing"
    # Garbage in the header.
    bad = [("X-SSL-Client-Cert", "not%20a%20certificate")]
    ex = exchange(pki, forwarded(pki, ["127.0.0.1/32"]).verify, proxy, headers=bad)
    assert ex.refused_with() == "mtls_forwarded_malformed"


def test_certificate_bound_token_over_tls(pki: Pki) -> None:
    key = portcullis.JwtKey.generate("ES256")
    keyset = portcullis.JwtKeySet()
    keyset.insert(key)
    jwt = portcullis.JwtVerifier(keyset, require_certificate_binding=True)
    thumbprint = portcullis.certificate_thumbprint(pki.good.der)
    claims = {"sub": "user-1", "exp": WALL + 600, "cnf": {"x5t#S256": thumbprint}}
    bearer = [("Authorization", f"Bearer {portcullis.jwt_encode(claims, key)}")]
    ex = exchange(pki, jwt.verify, pki.good, headers=bearer)
    assert ex.principal is not None and ex.principal.subject == "user-1"
    # The same token over a connection with another certificate.
    thief = client(pki.root, cn="thief")
    ex = exchange(pki, jwt.verify, thief, headers=bearer)
    assert ex.refused_with() == "jwt_confirmation_mismatch"
    assert isinstance(ex.denial, portcullis.JwtError)


# --- Handshakes: OpenSSL decides first --------------------------------------------------------


def test_server_auth_only_certificate_is_refused_by_openssl_and_by_portcullis(pki: Pki) -> None:
    cert = client(pki.root, cn="server-ish", eku_client_auth=False, eku_server_auth=True)
    ex = exchange(pki, verifier(pki).verify, cert)
    assert isinstance(ex.server_error, ssl.SSLError), ex.server_error
    assert ex.principal is None and ex.denial is None
    # portcullis refuses the same chain for its own reason.
    with pytest.raises(MtlsError) as info:
        verifier(pki).verify_chain([cert.der], now=WALL)
    assert info.value.code == "mtls_usage_invalid"
    # ... also when the clientAuth EKU is not required (an EKU without clientAuth).
    lax = verifier(pki, require_client_auth_eku=False)
    with pytest.raises(MtlsError) as info:
        lax.verify_chain([cert.der], now=WALL)
    assert info.value.code == "mtls_usage_invalid"


def test_expired_by_the_wall_clock_is_refused_by_openssl(pki: Pki) -> None:
    cert = client(pki.root, cn="old", not_before=WALL - 3 * DAY, not_after=WALL - 2 * DAY)
    ex = exchange(pki, verifier(pki).verify, cert)
    assert isinstance(ex.server_error, ssl.SSLError), ex.server_error
    with pytest.raises(MtlsError) as info:
        verifier(pki).verify_chain([cert.der])  # now=None: the system clock
    assert info.value.code == "mtls_expired"
    assert verifier(pki).verify_chain([cert.der], now=WALL - 2 * DAY - 1).subject == "old"


def test_no_client_certificate_is_refused_by_openssl(pki: Pki) -> None:
    ex = exchange(pki, verifier(pki).verify, None)
    assert ex.server_error is not None
    with pytest.raises(MtlsError) as info:
        verifier(pki).verify(Request("GET", "/"))
    assert info.value.code == "mtls_certificate_missing"
    assert info.value.http_status == 401


# --- Without a handshake ----------------------------------------------------------------------


def test_verify_chain_and_from_json(pki: Pki) -> None:
    config: dict[str, Any] = {
        "trust_anchors": [pki.root.ca_cert_pem()],
        "spiffe_trust_domains": ["demo.example"],
        "subject_from": ["dn", "fingerprint"],
    }
    v = MtlsVerifier.from_json(json.dumps(config))
    p = v.verify_chain([pki.good.der], now=WALL)
    assert p.subject == f"sha256:{pki.good.fingerprint_sha256}"  # no subject DN: fingerprint
    assert p.expires_at == WALL + DAY
    assert p.claims["serial"] == pki.good.serial
    assert v.verify_chain([bytearray(pki.good.der)], now=WALL).subject == p.subject
    assert v.verify_chain((pki.good.der,), now=WALL).subject == p.subject
    assert MtlsVerifier(**config).verify_chain([pki.good.der], now=WALL).subject == p.subject


def test_certificate_thumbprint_and_confirmation(pki: Pki) -> None:
    import base64
    import hashlib

    want = base64.urlsafe_b64encode(hashlib.sha256(pki.good.der).digest()).rstrip(b"=").decode()
    thumbprint = portcullis.certificate_thumbprint(pki.good.der)
    assert thumbprint == want
    assert portcullis.certificate_thumbprint(bytearray(pki.good.der)) == want
    portcullis.check_confirmation({"cnf": {"x5t#S256": thumbprint}}, thumbprint)
    portcullis.check_confirmation(json.dumps({"cnf": {"x5t#S256": thumbprint}}), thumbprint)
    for claims in ({}, {"cnf": "x"}, {"cnf": {"x5t#S256": want.lower()}}, {"cnf": {"jkt": want}}):
        with pytest.raises(portcullis.JwtError) as info:
            portcullis.check_confirmation(claims, thumbprint)
        assert info.value.code == "jwt_confirmation_mismatch"
    with pytest.raises(UsageError) as usage:
        portcullis.check_confirmation("{not json", thumbprint)
    assert usage.value.code == "json_invalid"
    with pytest.raises(TypeError):
        LOOSE.check_confirmation(b"{}", thumbprint)
    with pytest.raises(TypeError):
        LOOSE.certificate_thumbprint("not bytes")


def test_certificate_binding_without_tls(pki: Pki) -> None:
    key = portcullis.JwtKey.from_secret(bytes(32), "HS256", kid="k")
    keyset = portcullis.JwtKeySet()
    keyset.insert(key)
    thumbprint = portcullis.certificate_thumbprint(pki.good.der)
    claims = {"sub": "u", "exp": WALL + 60, "cnf": {"x5t#S256": thumbprint}}
    token = portcullis.jwt_encode(claims, key)
    auth = [("Authorization", f"Bearer {token}")]
    bound = portcullis.JwtVerifier.from_json('{"require_certificate_binding": true}', keyset)
    assert bound.verify(Request("GET", "/", auth, peer_certificates=[pki.good.der])).subject == "u"
    with pytest.raises(AuthError) as info:
        bound.verify(Request("GET", "/", auth))  # no certificate at all
    assert info.value.code == "jwt_confirmation_mismatch"
    assert info.value.challenge is not None and info.value.challenge.startswith("Bearer ")
    # Not required: the token verifies without a certificate.
    assert portcullis.JwtVerifier(keyset).verify(Request("GET", "/", auth)).subject == "u"


def test_dev_ca_issues_what_it_is_asked(pki: Pki) -> None:
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID

    cert = client(
        pki.root,
        spiffe_id="spiffe://demo.example/a",
        dns=["a.example"],
        email=["a@example.com"],
        cn="a",
        eku_server_auth=True,
    )
    parsed = x509.load_der_x509_certificate(cert.der)
    assert parsed.public_bytes(encoding=_pem()).decode() == cert.cert_pem
    assert format(parsed.serial_number, "x") == cert.serial.lstrip("0")
    san = parsed.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.UniformResourceIdentifier) == ["spiffe://demo.example/a"]
    assert san.get_values_for_type(x509.DNSName) == ["a.example"]
    assert san.get_values_for_type(x509.RFC822Name) == ["a@example.com"]
    eku = parsed.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert set(eku) == {ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH}
    assert int(parsed.not_valid_after_utc.timestamp()) == WALL + DAY
    assert "BEGIN PRIVATE KEY" in cert.key_pem
    assert pki.root.intermediates_pem() == ""
    # Revocations from many threads at once (the CA locks its list).
    ca = DevCa("busy", not_before=WALL - DAY, not_after=WALL + DAY)
    certs = [client(ca, cn=f"c{i}") for i in range(8)]
    threads = [
        threading.Thread(target=ca.revoke, args=(c.serial,), kwargs={"at": WALL - 10})
        for c in certs
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=TIMEOUT)
    crl = x509.load_pem_x509_crl(ca.crl_pem(this_update=WALL - 5, next_update=WALL + 60).encode())
    assert {format(r.serial_number, "x") for r in crl} == {c.serial.lstrip("0") for c in certs}


def _pem() -> Any:
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.PEM


def test_reprs_never_show_keys(pki: Pki) -> None:
    key_body = pki.good.key_pem.splitlines()[1]
    for obj in (pki.good, pki.root, verifier(pki), pki.server):
        text = repr(obj)
        assert "PRIVATE" not in text and key_body not in text, text
    assert repr(pki.good) == (
        f"IssuedCertificate(serial='{pki.good.serial}', "
        f"fingerprint_sha256='{pki.good.fingerprint_sha256}')"
    )
    assert repr(pki.root).startswith("DevCa(common_name='portcullis test root'")
    assert repr(verifier(pki, forwarded={"trusted_proxies": ["::1"]})).endswith(
        "forwarded='x-forwarded-client-cert')"
    )


def test_bad_inputs(pki: Pki) -> None:
    anchor = pki.root.ca_cert_pem()

    def usage(call: Callable[[], Any], code: str) -> None:
        with pytest.raises(AuthError) as info:
            call()
        assert info.value.code == code, info.value.detail
        assert "PRIVATE" not in str(info.value)

    usage(lambda: MtlsVerifier([]), "config_invalid")
    usage(lambda: MtlsVerifier(["not a PEM"]), "config_invalid")
    bad_crl = "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n"
    usage(lambda: MtlsVerifier([anchor], crls=[bad_crl]), "mtls_crl_invalid")
    usage(lambda: LOOSE.MtlsVerifier([anchor], revocation_depth="leaf"), "json_invalid")
    usage(lambda: LOOSE.MtlsVerifier([anchor], subject_from=["nickname"]), "json_invalid")
    usage(lambda: LOOSE.MtlsVerifier([anchor], no_such_option=True), "json_invalid")
    usage(lambda: MtlsVerifier([anchor], pinned_fingerprints=["abc"]), "config_invalid")
    usage(lambda: MtlsVerifier([anchor], rules=[{"match": {}, "scopes": []}]), "config_invalid")
    usage(lambda: MtlsVerifier([anchor], require_rule_match=True), "config_invalid")
    usage(lambda: MtlsVerifier([anchor], spiffe_trust_domains=["a/b"]), "config_invalid")
    usage(lambda: MtlsVerifier([anchor], forwarded={"trusted_proxies": []}), "config_invalid")
    usage(lambda: MtlsVerifier([anchor], forwarded={"trusted_proxies": ["nope"]}), "config_invalid")
    usage(lambda: MtlsVerifier.from_json("{"), "json_invalid")
    usage(lambda: MtlsVerifier.from_json("[]"), "json_invalid")
    usage(lambda: verifier(pki).verify_chain([], now=WALL), "mtls_certificate_missing")
    junk = b"\x30\x03junk"
    usage(lambda: verifier(pki).verify_chain([junk], now=WALL), "mtls_certificate_malformed")
    usage(lambda: verifier(pki).verify_chain([b"x"] * 17), "input_too_large")
    usage(lambda: verifier(pki).verify_chain([junk, b""], now=WALL), "invalid_argument")
    usage(lambda: DevCa("x", not_before=WALL, not_after=10**15), "invalid_argument")
    usage(lambda: pki.root.revoke("zz", at=WALL), "invalid_argument")
    usage(lambda: client(pki.root, spiffe_id="spiffe://bad\u00e9"), "invalid_argument")
    with pytest.raises(TypeError):
        LOOSE.MtlsVerifier(anchor)  # one PEM string, not a list of them
    with pytest.raises(TypeError):
        LOOSE.MtlsVerifier([anchor], rules=[{"match": {"cn": object()}}])
    with pytest.raises(TypeError):
        verifier(pki).verify_chain(loose(pki.good.der))  # bytes, not a list of bytes
    with pytest.raises(TypeError):
        verifier(pki).verify_chain(loose(["a string"]))
    with pytest.raises(TypeError):
        LOOSE.DevCa("x", not_before=WALL)  # not_after is required
    with pytest.raises(TypeError):
        LOOSE.DevCa("x", WALL, WALL + 1)  # keyword-only times
    with pytest.raises(OverflowError):
        pki.root.issue_intermediate("i", not_before=WALL, not_after=WALL + 1, path_len=256)
    with pytest.raises(TypeError):
        LOOSE.peer_certificates(socket.socket())
    with pytest.raises(TypeError):
        verifier(pki).verify(loose("GET /"))
    assert issubclass(MtlsError, AuthError)
    assert portcullis.MtlsError is portcullis._portcullis.MtlsError
