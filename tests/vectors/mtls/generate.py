#!/usr/bin/env python3
"""Writes mtls.json: client-certificate verification cases for every runner.

An independent reference: the PKI (roots, intermediates, a name-constrained CA, leaves with
ECDSA P-256, RSA and Ed25519 keys, CRLs) is built here with pyca/cryptography, and the expected
identity (SANs, RFC 4514 DNs via rfc4514_string(), serial, fingerprints, x5t#S256) is computed
by it, not by portcullis. Keys are fresh on every run and never written; the JSON holds only
certificates and CRLs. Regenerate with
  python3 -m venv /tmp/mtlsgen && /tmp/mtlsgen/bin/pip install cryptography
  /tmp/mtlsgen/bin/python tests/vectors/mtls/generate.py
"""

import base64
import datetime
import hashlib
import json
import math
import pathlib
import random
import urllib.parse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

HERE = pathlib.Path(__file__).parent
NOW = 1750000000
NB = 1577836800  # 2020-01-01
NA = 4102358400  # 2099-12-31
cases = []


def t(unix):
    return datetime.datetime.fromtimestamp(unix, datetime.timezone.utc)


def b64(data):
    return base64.b64encode(data).decode()


def ec_key():
    return ec.generate_private_key(ec.SECP256R1())


def sign_hash(key):
    return None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()


def name(**attrs):
    oids = {"C": NameOID.COUNTRY_NAME, "O": NameOID.ORGANIZATION_NAME,
            "OU": NameOID.ORGANIZATIONAL_UNIT_NAME, "CN": NameOID.COMMON_NAME}
    return x509.Name([x509.NameAttribute(oids[k], v) for k, v in attrs.items()])


class Ca:
    def __init__(self, subject, key=None, issuer=None, pathlen=None, nc=None, nb=NB, na=NA):
        self.key = key or ec_key()
        self.subject = subject
        self.parent = issuer
        signer = issuer or self
        b = (x509.CertificateBuilder().subject_name(subject).issuer_name(signer.subject)
             .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(t(nb)).not_valid_after(t(na))
             .add_extension(x509.BasicConstraints(ca=True, path_length=pathlen), critical=True)
             .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                          key_encipherment=False, data_encipherment=False,
                                          key_agreement=False, key_cert_sign=True, crl_sign=True,
                                          encipher_only=False, decipher_only=False), critical=True)
             .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()),
                            critical=False))
        if nc is not None:
            b = b.add_extension(nc, critical=True)
        self.cert = b.sign(signer.key, sign_hash(signer.key))
        self.der = self.cert.public_bytes(serialization.Encoding.DER)
        self.pem = self.cert.public_bytes(serialization.Encoding.PEM).decode()

    def chain(self):
        """This CA and its parents below the root (DER list)."""
        out, ca = [], self
        while ca.parent is not None:
            out.append(ca.der)
            ca = ca.parent
        return out

    def leaf(self, key=None, subject=None, sans=(), eku=(ExtendedKeyUsageOID.CLIENT_AUTH,),
             nb=NB, na=NA, key_usage=None):
        key = key or ec_key()
        b = (x509.CertificateBuilder().subject_name(subject or name())
             .issuer_name(self.subject).public_key(key.public_key())
             .serial_number(x509.random_serial_number())
             .not_valid_before(t(nb)).not_valid_after(t(na))
             .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
             .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                 self.key.public_key()), critical=False))
        if eku is not None:
            b = b.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
        if sans:
            b = b.add_extension(x509.SubjectAlternativeName(list(sans)), critical=False)
        if key_usage is not None:
            flags = dict(digital_signature=False, content_commitment=False, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                         crl_sign=False, encipher_only=False, decipher_only=False)
            flags.update({k: True for k in key_usage})
            b = b.add_extension(x509.KeyUsage(**flags), critical=True)
        cert = b.sign(self.key, sign_hash(self.key))
        return Leaf(cert, self)

    def crl(self, revoked=(), this_update=1700000000, next_update=NA, number=1):
        b = (x509.CertificateRevocationListBuilder().issuer_name(self.subject)
             .last_update(t(this_update)).next_update(t(next_update))
             .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                 self.key.public_key()), critical=False))
        if number is not None:
            b = b.add_extension(x509.CRLNumber(number), critical=False)
        for serial in revoked:
            b = b.add_revoked_certificate(x509.RevokedCertificateBuilder().serial_number(serial)
                                          .revocation_date(t(1700000000)).build())
        return b.sign(self.key, sign_hash(self.key)).public_bytes(
            serialization.Encoding.PEM).decode()


class Leaf:
    def __init__(self, cert, ca):
        self.cert = cert
        self.der = cert.public_bytes(serialization.Encoding.DER)
        self.pem = cert.public_bytes(serialization.Encoding.PEM).decode()
        self.chain = [self.der] + ca.chain()
        self.fp = hashlib.sha256(self.der).hexdigest()

    def claims(self):
        c = self.cert
        try:
            san = c.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        except x509.ExtensionNotFound:
            san = None  # recent cryptography refuses an empty SubjectAlternativeName

        def values(kind):
            return san.get_values_for_type(kind) if san is not None else []

        uris = [u for u in values(x509.UniformResourceIdentifier)
                if u.lower().startswith("spiffe:")]
        cns = c.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return {
            "spiffe_id": uris[0] if uris else None,
            "dns": values(x509.DNSName),
            "email": values(x509.RFC822Name),
            "cn": cns[0].value if cns else None,
            "subject_dn": c.subject.rfc4514_string(),
            "issuer_dn": c.issuer.rfc4514_string(),
            "serial": format(c.serial_number, "x"),
            "fingerprint_sha256": self.fp,
            "x5t#S256": thumbprint(self.der),
            "not_before": int(c.not_valid_before_utc.timestamp()),
            "not_after": int(c.not_valid_after_utc.timestamp()),
        }

    def principal(self, subject, scopes=()):
        claims = self.claims()
        return {"ok": {"subject": subject, "method": "mtls",
                       "credential_id": "sha256:" + self.fp, "scopes": list(scopes),
                       "expires_at": claims["not_after"], "claims": claims,
                       "claims_canonical": json.dumps(claims, sort_keys=True,
                                                      separators=(",", ":"))}}


def thumbprint(der):
    return base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()


def add(id_, source, input_, expect, now=NOW):
    cases.append({"id": id_, "source": source, "now": now, "input": input_, "expect": expect})


def err(code):
    return {"error": code}


# --- the PKI ---------------------------------------------------------------------------------

root = Ca(name(O="Example", CN="Example Root CA"))
inter = Ca(name(O="Example", CN="Example Issuing CA"), issuer=root, pathlen=0)
inter2 = Ca(name(O="Example", CN="Example Revoked Issuing CA"), issuer=root, pathlen=0)
nc_ca = Ca(name(O="Example", CN="Example Constrained CA"), issuer=root, pathlen=0,
           nc=x509.NameConstraints(permitted_subtrees=[x509.DNSName("example.com")],
                                   excluded_subtrees=None))
pl0 = Ca(name(O="Example", CN="Example Path Length 0 CA"), issuer=root, pathlen=0)
sub = Ca(name(O="Example", CN="Example Sub CA"), issuer=pl0)
other = Ca(name(O="Mallory", CN="Untrusted Root"))
rsa_root = Ca(name(C="US", O="Example RSA", CN="Example RSA Root"),
              key=rsa.generate_private_key(public_exponent=65537, key_size=2048))

URI, DNS, EMAIL = x509.UniformResourceIdentifier, x509.DNSName, x509.RFC822Name
SPIFFE_ID = "spiffe://example.org/ns/prod/sa/api"
spiffe = inter.leaf(subject=name(O="Example", CN="api"), sans=[URI(SPIFFE_ID)])
spiffe_root = root.leaf(subject=name(CN="api-direct"), sans=[URI("spiffe://example.org/direct")])
dns_rsa = root.leaf(key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
                    subject=name(CN="api.example.com"),
                    sans=[DNS("api.example.com"), DNS("www.example.com")])
email_ed = root.leaf(key=ed25519.Ed25519PrivateKey.generate(), subject=name(CN="Alice"),
                     sans=[EMAIL("alice@example.com")])
cn_only = root.leaf(subject=name(C="US", O="Example, Inc.", OU="R&D + Ops", CN="legacy-client"))
server_eku = root.leaf(subject=name(CN="server-only"), sans=[DNS("server.example.com")],
                       eku=(ExtendedKeyUsageOID.SERVER_AUTH,))
no_eku = root.leaf(subject=name(CN="no-eku"), eku=None)
revoked = inter.leaf(subject=name(CN="revoked"), sans=[URI("spiffe://example.org/revoked")])
under_inter2 = inter2.leaf(subject=name(CN="child-of-revoked-ca"),
                           sans=[URI("spiffe://example.org/inter2")])
expired = root.leaf(subject=name(CN="expired"), nb=1600000000, na=1700000000)
early = root.leaf(subject=name(CN="early"), nb=1800000000, na=1900000000)
other_td = root.leaf(subject=name(CN="other-td"), sans=[URI("spiffe://other.org/api")])
bad_spiffe = root.leaf(subject=name(CN="bad"), sans=[URI("spiffe://Example.org/api")])
port_spiffe = root.leaf(subject=name(CN="port"), sans=[URI("spiffe://example.org:8443/api")])
two_spiffe = root.leaf(subject=name(CN="two"),
                       sans=[URI("spiffe://example.org/a"), URI("spiffe://example.org/b")])
https_uri = root.leaf(subject=name(CN="web"), sans=[URI("https://example.org/api")])
nc_ok = nc_ca.leaf(subject=name(CN="constrained"), sans=[DNS("api.example.com")])
nc_bad = nc_ca.leaf(subject=name(CN="escapee"), sans=[DNS("evil.test")])
too_deep = sub.leaf(subject=name(CN="too-deep"), sans=[URI("spiffe://example.org/deep")])
stranger = other.leaf(subject=name(CN="api"), sans=[URI(SPIFFE_ID)])
rsa_leaf = rsa_root.leaf(subject=name(CN="rsa-signed"), sans=[DNS("rsa.example.com")])

tampered = bytearray(spiffe_root.der)
tampered[-1] ^= 0x01
tampered = bytes(tampered)

INTER_CRL = inter.crl([revoked.cert.serial_number])
ROOT_CRL = root.crl()
ROOT_CRL_REVOKING_INTER2 = root.crl([inter2.cert.serial_number])
INTER2_CRL = inter2.crl()
STALE_CRL = inter.crl([], this_update=1700000000, next_update=1740000000)


def config(**extra):
    c = {"trust_anchors": [root.pem]}
    c.update(extra)
    return c


def verify(chain, cfg=None, peer=None, headers=None):
    i = {"op": "verify", "config": cfg if cfg is not None else config(),
         "chain_b64": [b64(d) for d in chain]}
    if peer is not None:
        i["peer_address"] = peer
    if headers is not None:
        i["request"] = {"method": "GET", "target": "/", "headers": [list(h) for h in headers]}
    return i


# --- chain ------------------------------------------------------------------------------------

add("spiffe-via-intermediate", "SPIFFE X509-SVID through an intermediate sent by the client",
    verify(spiffe.chain), spiffe.principal(SPIFFE_ID))
add("spiffe-direct", "leaf issued by the root", verify(spiffe_root.chain),
    spiffe_root.principal("spiffe://example.org/direct"))
add("intermediate-from-config", "intermediate taken from the configured pool",
    verify([spiffe.der], config(intermediates=[inter.pem])), spiffe.principal(SPIFFE_ID))
add("intermediate-missing", "no intermediate: no path to the root",
    verify([spiffe.der]), err("mtls_untrusted"))
add("untrusted-root", "leaf of another root carrying the same SPIFFE ID",
    verify(stranger.chain), err("mtls_untrusted"))
add("two-anchors-rsa", "RSA root among two anchors, RSA PKCS#1 SHA-256 signature",
    verify(rsa_leaf.chain, config(trust_anchors=[root.pem, rsa_root.pem])),
    rsa_leaf.principal("rsa.example.com"))
add("expired", "notAfter 1700000000 < now", verify(expired.chain), err("mtls_expired"))
add("expired-ok-before", "the same certificate at a time inside its validity",
    verify(expired.chain), expired.principal("expired"), now=1650000000)
add("not-yet-valid", "notBefore 1800000000 > now", verify(early.chain), err("mtls_not_yet_valid"))
add("eku-server-auth-only", "RFC 5280 4.2.1.12: serverAuth only", verify(server_eku.chain),
    err("mtls_usage_invalid"))
add("eku-absent-required", "no EKU extension, require_client_auth_eku true (default)",
    verify(no_eku.chain), err("mtls_usage_invalid"))
add("eku-absent-allowed", "no EKU extension, require_client_auth_eku false",
    verify(no_eku.chain, config(require_client_auth_eku=False)), no_eku.principal("no-eku"))
add("eku-server-auth-only-lax", "serverAuth only is refused even when EKU is optional",
    verify(server_eku.chain, config(require_client_auth_eku=False)), err("mtls_usage_invalid"))
add("ca-as-leaf", "an intermediate CA certificate presented as the client's",
    verify([inter.der]), err("mtls_usage_invalid"))
add("name-constraints-ok", "dNSName inside the permitted subtree example.com",
    verify(nc_ok.chain), nc_ok.principal("api.example.com"))
add("name-constraints-violation", "dNSName evil.test outside the permitted subtree",
    verify(nc_bad.chain), err("mtls_name_constraint_violation"))
add("path-length", "pathLenConstraint 0 with a CA below it", verify(too_deep.chain),
    err("mtls_path_invalid"))
add("signature-tampered", "last signature byte flipped", verify([tampered]),
    err("mtls_signature_invalid"))
add("garbage-der", "not DER", verify([b"not a certificate"]), err("mtls_certificate_malformed"))
add("truncated-der", "DER cut in half", verify([spiffe_root.der[: len(spiffe_root.der) // 2]]),
    err("mtls_certificate_malformed"))
add("no-certificate", "no peer certificate", verify([]), err("mtls_certificate_missing"))
add("config-no-anchor", "trust_anchors empty", verify(spiffe.chain, {"trust_anchors": []}),
    err("config_invalid"))
add("config-bad-anchor-pem", "trust anchor is not PEM",
    verify(spiffe.chain, config(trust_anchors=["-----BEGIN CERTIFICATE-----\n!!\n"
                                               "-----END CERTIFICATE-----\n"])),
    err("config_invalid"))
add("config-unknown-field", "deny_unknown_fields", verify(spiffe.chain, config(crl=[])),
    err("json_invalid"))

# --- revocation -------------------------------------------------------------------------------

both = [INTER_CRL, ROOT_CRL]
add("crl-revoked", "leaf on its issuer's CRL", verify(revoked.chain, config(crls=both)),
    err("mtls_revoked"))
add("crl-not-revoked", "leaf and intermediate covered, neither revoked",
    verify(spiffe.chain, config(crls=both)), spiffe.principal(SPIFFE_ID))
add("crl-chain-unknown-deny", "depth chain: no CRL covers the intermediate, unknown denied",
    verify(spiffe.chain, config(crls=[INTER_CRL])), err("mtls_revocation_unknown"))
add("crl-chain-unknown-allow", "depth chain, unknown_status allow",
    verify(spiffe.chain, config(crls=[INTER_CRL], unknown_status="allow")),
    spiffe.principal(SPIFFE_ID))
add("crl-end-entity-only", "depth end_entity: the intermediate is not checked",
    verify(spiffe.chain, config(crls=[INTER_CRL], revocation_depth="end_entity")),
    spiffe.principal(SPIFFE_ID))
add("crl-intermediate-revoked-chain", "the issuing CA is on the root's CRL, depth chain",
    verify(under_inter2.chain, config(crls=[ROOT_CRL_REVOKING_INTER2, INTER2_CRL])),
    err("mtls_revoked"))
add("crl-intermediate-revoked-end-entity", "the same with depth end_entity: passes",
    verify(under_inter2.chain, config(crls=[ROOT_CRL_REVOKING_INTER2, INTER2_CRL],
                                      revocation_depth="end_entity")),
    under_inter2.principal("spiffe://example.org/inter2"))
add("crl-leaf-unknown-deny", "leaf of the root with only the intermediate's CRL",
    verify(spiffe_root.chain, config(crls=[INTER_CRL], revocation_depth="end_entity")),
    err("mtls_revocation_unknown"))
add("crl-leaf-unknown-allow", "the same with unknown_status allow",
    verify(spiffe_root.chain, config(crls=[INTER_CRL], revocation_depth="end_entity",
                                     unknown_status="allow")),
    spiffe_root.principal("spiffe://example.org/direct"))
add("crl-expired", "the covering CRL's nextUpdate (1740000000) has passed",
    verify(spiffe.chain, config(crls=[STALE_CRL, ROOT_CRL])), err("mtls_crl_invalid"))
add("crl-garbage", "CRL PEM that is not a CRL",
    verify(spiffe.chain, config(crls=["-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n"])),
    err("mtls_crl_invalid"))

# --- identity ---------------------------------------------------------------------------------

add("subject-dns-rsa", "no SPIFFE ID: first DNS SAN (RSA key)", verify(dns_rsa.chain),
    dns_rsa.principal("api.example.com"))
add("subject-email-ed25519", "e-mail SAN (Ed25519 key)", verify(email_ed.chain),
    email_ed.principal("alice@example.com"))
add("subject-cn", "no SAN: common name; DN with escaped , and +", verify(cn_only.chain),
    cn_only.principal("legacy-client"))
add("subject-dn", "subject_from dn: RFC 4514 string as pyca/cryptography writes it",
    verify(cn_only.chain, config(subject_from=["dn"])),
    cn_only.principal(cn_only.cert.subject.rfc4514_string()))
add("subject-fingerprint", "subject_from fingerprint",
    verify(spiffe.chain, config(subject_from=["fingerprint"])),
    spiffe.principal("sha256:" + spiffe.fp))
add("subject-none", "subject_from spiffe on a certificate without SPIFFE ID",
    verify(dns_rsa.chain, config(subject_from=["spiffe"])), err("mtls_identity_refused"))
add("https-uri-ignored", "a non-SPIFFE URI SAN is not an identity", verify(https_uri.chain),
    https_uri.principal("web"))
add("trust-domain-ok", "spiffe_trust_domains holds example.org",
    verify(spiffe.chain, config(spiffe_trust_domains=["example.org"])),
    spiffe.principal(SPIFFE_ID))
add("trust-domain-other", "trust domain other.org not allowed",
    verify(other_td.chain, config(spiffe_trust_domains=["example.org"])),
    err("mtls_identity_refused"))
add("trust-domain-no-spiffe", "allow-list set, certificate without SPIFFE ID",
    verify(dns_rsa.chain, config(spiffe_trust_domains=["example.org"])),
    err("mtls_identity_refused"))
add("spiffe-uppercase-domain", "SPIFFE-ID 2.1: trust domain must be lower case",
    verify(bad_spiffe.chain), err("mtls_identity_refused"))
add("spiffe-port", "SPIFFE-ID 2.1: no port", verify(port_spiffe.chain),
    err("mtls_identity_refused"))
add("spiffe-two", "X509-SVID 2: one SPIFFE ID only", verify(two_spiffe.chain),
    err("mtls_identity_refused"))

RULES = [
    {"match": {"spiffe_prefix": "spiffe://example.org/ns/dev"}, "subject": "dev", "scopes": []},
    {"match": {"spiffe_prefix": "spiffe://example.org/ns/prod"}, "subject": "prod-api",
     "scopes": ["orders:read", "orders:write"]},
    {"match": {"dns": "API.example.com"}, "subject": "dns-client", "scopes": ["dns"]},
    {"match": {"email": "alice@example.com"}, "scopes": ["mail"]},
    {"match": {"cn": "legacy-client"}, "subject": "legacy", "scopes": ["legacy"]},
    {"match": {"dn": "CN=no-eku"}, "subject": "by-dn", "scopes": ["dn"]},
    {"match": {"fingerprint": ":".join(spiffe_root.fp[i:i + 2].upper()
                                       for i in range(0, 64, 2))},
     "subject": "pinned-by-rule", "scopes": ["fp"]},
]
add("rule-spiffe-prefix", "first matching rule: prefix on a segment boundary",
    verify(spiffe.chain, config(rules=RULES)),
    spiffe.principal("prod-api", ["orders:read", "orders:write"]))
add("rule-dns", "dns rule, ASCII case-insensitive", verify(dns_rsa.chain, config(rules=RULES)),
    dns_rsa.principal("dns-client", ["dns"]))
add("rule-email-no-subject", "rule without subject: subject_from applies",
    verify(email_ed.chain, config(rules=RULES)), email_ed.principal("alice@example.com", ["mail"]))
add("rule-cn", "cn rule", verify(cn_only.chain, config(rules=RULES)),
    cn_only.principal("legacy", ["legacy"]))
add("rule-dn", "dn rule", verify(no_eku.chain, config(rules=RULES, require_client_auth_eku=False)),
    no_eku.principal("by-dn", ["dn"]))
add("rule-fingerprint", "fingerprint rule, upper case with colons",
    verify(spiffe_root.chain, config(rules=RULES)),
    spiffe_root.principal("pinned-by-rule", ["fp"]))
add("rule-required-no-match", "require_rule_match and no rule matches",
    verify(other_td.chain, config(rules=RULES, require_rule_match=True)),
    err("mtls_identity_refused"))
add("rule-prefix-boundary", "prefix .../ns/prod does not match .../ns/production",
    verify(root.leaf(sans=[URI("spiffe://example.org/ns/production")]).chain,
           config(rules=RULES[1:2], require_rule_match=True)),
    err("mtls_identity_refused"))
add("rule-bad-config", "a rule match with two fields",
    verify(spiffe.chain, config(rules=[{"match": {"dns": "a", "cn": "b"}}])),
    err("config_invalid"))
add("pin-match", "pinned fingerprint, upper case with colons",
    verify(spiffe.chain, config(pinned_fingerprints=[
        "00" * 32, ":".join(spiffe.fp[i:i + 2].upper() for i in range(0, 64, 2))])),
    spiffe.principal(SPIFFE_ID))
add("pin-mismatch", "leaf is not pinned",
    verify(spiffe.chain, config(pinned_fingerprints=[spiffe_root.fp])), err("mtls_pin_mismatch"))
add("pin-bad-config", "pin is not 64 hex digits",
    verify(spiffe.chain, config(pinned_fingerprints=["abcd"])), err("config_invalid"))

# --- forwarded certificates ------------------------------------------------------------------

XFCC_CFG = config(forwarded={"header": "x-forwarded-client-cert", "format": "xfcc",
                             "trusted_proxies": ["127.0.0.1/32", "::1/128", "10.0.0.0/8"]})
NGINX_CFG = config(forwarded={"header": "x-ssl-client-cert", "format": "nginx",
                              "trusted_proxies": ["10.0.0.0/8"]})


def enc(pem):
    return urllib.parse.quote(pem, safe="")


def pem_chain(leaf):
    return "".join(x509.load_der_x509_certificate(d).public_bytes(
        serialization.Encoding.PEM).decode() for d in leaf.chain)


XFCC = ('By=spiffe://example.org/proxy;Hash=' + spiffe.fp + ';Cert="' + enc(spiffe.pem)
        + '";Chain="' + enc(pem_chain(spiffe)) + '";Subject="CN=api,O=Example";URI=' + SPIFFE_ID)
add("xfcc-chain", "Envoy XFCC from a trusted proxy: Chain of the last element",
    verify([], XFCC_CFG, "10.1.2.3", [("x-forwarded-client-cert", XFCC)]),
    spiffe.principal(SPIFFE_ID))
add("xfcc-cert-only", "XFCC with Cert only (leaf of the root)",
    verify([], XFCC_CFG, "127.0.0.1",
           [("X-Forwarded-Client-Cert", 'Hash=00;Cert="' + enc(spiffe_root.pem) + '"')]),
    spiffe_root.principal("spiffe://example.org/direct"))
add("xfcc-ipv6-proxy", "trusted proxy ::1",
    verify([], XFCC_CFG, "::1", [("x-forwarded-client-cert", XFCC)]),
    spiffe.principal(SPIFFE_ID))
add("xfcc-forged-fields-ignored", "URI/Subject/DNS/Hash claim admin; the certificate says otherwise",
    verify([], XFCC_CFG, "10.0.0.9", [("x-forwarded-client-cert",
        'Hash=ffff;Subject="CN=admin,O=\\"Example\\";x";URI=spiffe://example.org/admin;DNS=admin;Cert='
        + enc(dns_rsa.pem))]),
    dns_rsa.principal("api.example.com"))
add("xfcc-last-element-wins", "two hops: the nearest proxy's (last) element is used",
    verify([], XFCC_CFG, "10.0.0.9", [("x-forwarded-client-cert",
        'Cert="' + enc(spiffe_root.pem) + '",By=x;Cert="' + enc(stranger.pem) + '"')]),
    err("mtls_untrusted"))
add("xfcc-last-element-good", "two hops, the last element holds the trusted certificate",
    verify([], XFCC_CFG, "10.0.0.9", [("x-forwarded-client-cert",
        'Cert="' + enc(stranger.pem) + '",By=x;Cert="' + enc(spiffe_root.pem) + '"')]),
    spiffe_root.principal("spiffe://example.org/direct"))
add("xfcc-untrusted-peer", "header from 192.0.2.7, not a trusted proxy",
    verify([], XFCC_CFG, "192.0.2.7", [("x-forwarded-client-cert", XFCC)]),
    err("mtls_forwarded_untrusted"))
add("xfcc-no-peer-address", "header and no peer address",
    verify([], XFCC_CFG, None, [("x-forwarded-client-cert", XFCC)]),
    err("mtls_forwarded_untrusted"))
add("xfcc-untrusted-peer-with-tls-cert", "forged header beside a real TLS certificate",
    verify(spiffe_root.chain, XFCC_CFG, "192.0.2.7", [("x-forwarded-client-cert", XFCC)]),
    err("mtls_forwarded_untrusted"))
add("xfcc-direct-client", "configured, no header, direct client: the TLS chain is used",
    verify(spiffe_root.chain, XFCC_CFG, "192.0.2.7"),
    spiffe_root.principal("spiffe://example.org/direct"))
add("xfcc-proxy-without-header", "trusted proxy and no header: no certificate",
    verify(spiffe_root.chain, XFCC_CFG, "10.0.0.1"), err("mtls_certificate_missing"))
add("xfcc-repeated", "two XFCC header fields",
    verify([], XFCC_CFG, "10.0.0.1", [("x-forwarded-client-cert", XFCC),
                                      ("x-forwarded-client-cert", XFCC)]),
    err("mtls_forwarded_malformed"))
add("xfcc-unterminated-quote", "quoted value never closed",
    verify([], XFCC_CFG, "10.0.0.1", [("x-forwarded-client-cert", 'Cert="' + enc(spiffe.pem))]),
    err("mtls_forwarded_malformed"))
add("xfcc-no-cert", "element with neither Cert nor Chain",
    verify([], XFCC_CFG, "10.0.0.1", [("x-forwarded-client-cert", "By=a;Hash=b;URI=" + SPIFFE_ID)]),
    err("mtls_forwarded_malformed"))
add("xfcc-bad-percent", "bad percent-encoding",
    verify([], XFCC_CFG, "10.0.0.1", [("x-forwarded-client-cert", 'Cert="%zz"')]),
    err("mtls_forwarded_malformed"))
add("xfcc-not-pem", "Cert decodes to text without a PEM block",
    verify([], XFCC_CFG, "10.0.0.1", [("x-forwarded-client-cert", 'Cert="hello%20world"')]),
    err("mtls_forwarded_malformed"))
add("nginx-ok", "nginx $ssl_client_escaped_cert from a trusted proxy",
    verify([], NGINX_CFG, "10.20.30.40", [("X-SSL-Client-Cert", enc(dns_rsa.pem))]),
    dns_rsa.principal("api.example.com"))
add("nginx-untrusted", "nginx header from an untrusted address",
    verify([], NGINX_CFG, "127.0.0.1", [("X-SSL-Client-Cert", enc(dns_rsa.pem))]),
    err("mtls_forwarded_untrusted"))
add("nginx-empty", "nginx sends an empty value when the client had no certificate",
    verify([], NGINX_CFG, "10.0.0.1", [("X-SSL-Client-Cert", "")]),
    err("mtls_certificate_missing"))
add("nginx-garbage", "not PEM",
    verify([], NGINX_CFG, "10.0.0.1", [("X-SSL-Client-Cert", "abc%2")]),
    err("mtls_forwarded_malformed"))
add("nginx-expired", "forwarded certificates are verified like TLS ones",
    verify([], NGINX_CFG, "10.0.0.1", [("X-SSL-Client-Cert", enc(expired.pem))]),
    err("mtls_expired"))
add("forwarded-bad-cidr", "trusted_proxies entry with host bits set",
    verify([], config(forwarded={"trusted_proxies": ["10.0.0.1/8"]}), "10.0.0.1"),
    err("config_invalid"))

# --- leaf policy: no CA key usage, no weak key; CRLs with a cRLNumber; chain depth ---------------


def rsalib_key(seed):
    """An RSA key built as Infineon RSALib built them (ROCA, CVE-2017-15361; Nemec et al., CCS
    2017): primes k*M + (65537^a mod M), M the product of the first 126 primes (2048-bit keys)."""
    rng = random.Random(seed)

    def probable_prime(n):
        if any(n % q == 0 for q in (2, 3, 5, 7, 11, 13)):
            return False
        d, r = n - 1, 0
        while d % 2 == 0:
            d, r = d // 2, r + 1
        for _ in range(40):
            x = pow(rng.randrange(2, n - 1), d, n)
            if x in (1, n - 1):
                continue
            for _ in range(r - 1):
                x = pow(x, 2, n)
                if x == n - 1:
                    break
            else:
                return False
        return True

    primes, c = [], 2
    while len(primes) < 126:
        if all(c % q for q in primes if q * q <= c):
            primes.append(c)
        c += 1
    m = math.prod(primes)

    def prime():
        while True:
            p = (rng.randrange(2 ** 1023 // m, 2 ** 1024 // m) * m
                 + pow(65537, rng.randrange(1, 2 ** 62), m))
            if p.bit_length() == 1024 and math.gcd(p - 1, 65537) == 1 and probable_prime(p):
                return p

    p, q = prime(), prime()
    d = pow(65537, -1, math.lcm(p - 1, q - 1))
    return rsa.RSAPrivateNumbers(p, q, d, d % (p - 1), d % (q - 1), pow(q, -1, p),
                                 rsa.RSAPublicNumbers(65537, p * q)).private_key()


ku_cert_sign = root.leaf(subject=name(CN="ku-cert-sign"), sans=[DNS("ku.example.com")],
                         key_usage=["digital_signature", "key_cert_sign"])
ku_plain = root.leaf(subject=name(CN="ku-plain"), sans=[DNS("plain.example.com")],
                     key_usage=["digital_signature"])
add("leaf-key-cert-sign", "RFC 5280 4.2.1.3: keyCertSign on a leaf (cA false) is a CA key",
    verify(ku_cert_sign.chain), err("mtls_usage_invalid"))
add("leaf-key-cert-sign-forwarded", "the same leaf forwarded by a trusted proxy",
    verify([], NGINX_CFG, "10.0.0.1", [("X-SSL-Client-Cert", enc(ku_cert_sign.pem))]),
    err("mtls_usage_invalid"))
add("leaf-key-usage-digital-signature", "keyUsage digitalSignature only: a client key",
    verify(ku_plain.chain), ku_plain.principal("plain.example.com"))

NO_NUMBER_CRL = root.crl(number=None)
add("crl-without-number", "RFC 5280 5.2.3: a CRL without cRLNumber is refused at load",
    verify(spiffe_root.chain, config(crls=[NO_NUMBER_CRL], revocation_depth="end_entity")),
    err("mtls_crl_invalid"))
add("crl-with-number", "the same CRL with a cRLNumber covers the leaf",
    verify(spiffe_root.chain, config(crls=[root.crl(number=7)], revocation_depth="end_entity")),
    spiffe_root.principal("spiffe://example.org/direct"))

weak = {
    "rsa-1024": rsa.generate_private_key(public_exponent=65537, key_size=1024),
    "rsa-2047": rsa.generate_private_key(public_exponent=65537, key_size=2047),
    "dsa-2048": dsa.generate_private_key(key_size=2048),
    "p-192": ec.generate_private_key(ec.SECP192R1()),
    "p-224": ec.generate_private_key(ec.SECP224R1()),
    "secp256k1": ec.generate_private_key(ec.SECP256K1()),
    "ed448": ed448.Ed448PrivateKey.generate(),
    "rsa-roca": rsalib_key(20171016),
}
for label, key in weak.items():
    leaf = root.leaf(key=key, subject=name(CN="weak-" + label), sans=[DNS(label + ".example.com")])
    add("weak-key-" + label, "leaf key refused by policy (the CAs' keys are webpki's to check)",
        verify(leaf.chain), err("mtls_key_refused"))
    if label in ("rsa-1024", "dsa-2048", "p-192"):
        add("weak-key-" + label + "-forwarded", "a weak leaf key forwarded by a proxy that did "
            "not check it", verify([], NGINX_CFG, "10.0.0.1", [("X-SSL-Client-Cert", enc(leaf.pem))]),
            err("mtls_key_refused"))
strong = {"rsa-3072": rsa.generate_private_key(public_exponent=65537, key_size=3072),
          "p-384": ec.generate_private_key(ec.SECP384R1()),
          "p-521": ec.generate_private_key(ec.SECP521R1())}
for label, key in strong.items():
    leaf = root.leaf(key=key, subject=name(CN="key-" + label), sans=[DNS(label + ".example.com")])
    add("key-" + label, "an accepted leaf key type", verify(leaf.chain),
        leaf.principal(label + ".example.com"))

add("depth-0-direct", "max_chain_depth 0: a leaf the anchor issued",
    verify(spiffe_root.chain, config(max_chain_depth=0)),
    spiffe_root.principal("spiffe://example.org/direct"))
add("depth-0-via-intermediate", "max_chain_depth 0: one intermediate is too many",
    verify(spiffe.chain, config(max_chain_depth=0)), err("mtls_path_invalid"))
add("depth-1-via-intermediate", "max_chain_depth 1: one intermediate",
    verify(spiffe.chain, config(max_chain_depth=1)), spiffe.principal(SPIFFE_ID))
add("depth-over-webpki-limit", "max_chain_depth above webpki's limit of 6 is refused",
    verify(spiffe.chain, config(max_chain_depth=7)), err("config_invalid"))

old_root = Ca(name(O="Example", CN="Expired Root CA"), nb=NB, na=1700000000)
under_old_root = old_root.leaf(subject=name(CN="child-of-expired-root"),
                               sans=[DNS("old.example.com")])
add("expired-trust-anchor", "a trust anchor is a name and a key (RFC 5280 6.1.1): its own "
    "validity is not checked, so an expired root still anchors a valid leaf",
    verify(under_old_root.chain, config(trust_anchors=[old_root.pem])),
    under_old_root.principal("old.example.com"))

email_ca = Ca(name(O="Example", CN="Example Mail CA"), issuer=root, pathlen=0,
              nc=x509.NameConstraints(permitted_subtrees=[x509.RFC822Name("example.com")],
                                      excluded_subtrees=None))
mail_leaf = email_ca.leaf(subject=name(CN="Bob"), sans=[EMAIL("bob@example.com")])
dns_under_mail = email_ca.leaf(subject=name(CN="svc"), sans=[DNS("svc.example.com")])
add("email-constraint-refuses-email-san", "webpki does not implement rfc822Name constraints: "
    "an e-mail SAN under an e-mail-constrained CA is refused, even one inside the subtree",
    verify(mail_leaf.chain), err("mtls_name_constraint_violation"))
add("email-constraint-dns-san", "a leaf without e-mail SAN under the same CA passes",
    verify(dns_under_mail.chain), dns_under_mail.principal("svc.example.com"))
uri_ca = Ca(name(O="Example", CN="Example URI CA"), issuer=root, pathlen=0,
            nc=x509.NameConstraints(permitted_subtrees=[
                x509.UniformResourceIdentifier("example.org")], excluded_subtrees=None))
uri_leaf = uri_ca.leaf(subject=name(CN="spiffe-under-uri-ca"),
                       sans=[URI("spiffe://example.org/constrained")])
add("uri-constraint-refuses-spiffe", "webpki does not implement URI constraints: a SPIFFE ID "
    "under a URI-constrained CA is refused", verify(uri_leaf.chain),
    err("mtls_name_constraint_violation"))

# --- RFC 8705 ---------------------------------------------------------------------------------

for leaf, label in [(spiffe, "ecdsa"), (dns_rsa, "rsa"), (email_ed, "ed25519")]:
    add("thumbprint-" + label, "RFC 8705 3.1: x5t#S256 = base64url(SHA-256(DER))",
        {"op": "thumbprint", "cert_b64": b64(leaf.der)}, {"ok": {"x5t#S256": thumbprint(leaf.der)}})
TP = thumbprint(spiffe.der)
add("confirm-ok", "cnf.x5t#S256 matches", {"op": "confirm", "cert_b64": b64(spiffe.der),
    "claims": {"sub": "u", "cnf": {"x5t#S256": TP}}}, {"ok": {}})
add("confirm-other-cert", "bound to another certificate", {"op": "confirm",
    "cert_b64": b64(dns_rsa.der), "claims": {"cnf": {"x5t#S256": TP}}},
    err("jwt_confirmation_mismatch"))
add("confirm-no-cnf", "no cnf claim", {"op": "confirm", "cert_b64": b64(spiffe.der),
    "claims": {"sub": "u"}}, err("jwt_confirmation_mismatch"))
add("confirm-cnf-string", "cnf is not an object", {"op": "confirm", "cert_b64": b64(spiffe.der),
    "claims": {"cnf": TP}}, err("jwt_confirmation_mismatch"))
add("confirm-jkt-only", "cnf.jkt (DPoP) is not a certificate binding",
    {"op": "confirm", "cert_b64": b64(spiffe.der), "claims": {"cnf": {"jkt": TP}}},
    err("jwt_confirmation_mismatch"))
add("confirm-case", "thumbprints compare exactly (base64url is case-sensitive)",
    {"op": "confirm", "cert_b64": b64(spiffe.der),
     "claims": {"cnf": {"x5t#S256": TP.swapcase()}}}, err("jwt_confirmation_mismatch"))


# --- adversarial review (issue 19): intermediates, validity edges, CRL scope, XFCC injection ---
ADV = "adversarial review: "
KU_FLAGS = dict(digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False)


class OddCa(Ca):
    """An intermediate with the extensions given (None leaves one out)."""

    def __init__(self, cn, issuer, bc=True, ku=("key_cert_sign", "crl_sign"), eku=None,
                 nb=NB, na=NA, nc=None):
        self.key = ec_key()
        self.subject = name(O="Example", CN=cn)
        self.parent = issuer
        b = (x509.CertificateBuilder().subject_name(self.subject).issuer_name(issuer.subject)
             .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(t(nb)).not_valid_after(t(na))
             .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()),
                            critical=False))
        if bc is not None:
            b = b.add_extension(x509.BasicConstraints(ca=bc, path_length=None), critical=True)
        if ku is not None:
            b = b.add_extension(x509.KeyUsage(**dict(KU_FLAGS, **{k: True for k in ku})),
                                critical=True)
        if eku is not None:
            b = b.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
        if nc is not None:
            b = b.add_extension(nc, critical=True)
        self.cert = b.sign(issuer.key, sign_hash(issuer.key))
        self.der = self.cert.public_bytes(serialization.Encoding.DER)
        self.pem = self.cert.public_bytes(serialization.Encoding.PEM).decode()


for id_, ca, expect_code, source in [
    ("intermediate-ca-false", OddCa("Not A CA", root, bc=False), "mtls_usage_invalid",
     "RFC 5280 4.2.1.9: an issuer without cA true"),
    ("intermediate-no-basic-constraints", OddCa("No BC", root, bc=None), "mtls_usage_invalid",
     "RFC 5280 4.2.1.9: an issuer without basicConstraints"),
    ("intermediate-eku-server-auth-only", OddCa("Server EKU CA", root,
                                                eku=(ExtendedKeyUsageOID.SERVER_AUTH,)),
     "mtls_usage_invalid", "an intermediate whose EKU excludes clientAuth constrains its leaves"),
    ("intermediate-ku-without-cert-sign", OddCa("No CertSign CA", root, ku=("digital_signature",)),
     "mtls_usage_invalid", "RFC 5280 4.2.1.3: keyCertSign clear, the key must not verify "
     "certificate signatures"),
    ("intermediate-expired", OddCa("Expired CA", root, nb=1600000000, na=1700000000),
     "mtls_expired", "RFC 5280 6.1.3 (a)(2): every certificate of the path is within its validity"),
    ("intermediate-not-yet-valid", OddCa("Early CA", root, nb=1800000000),
     "mtls_not_yet_valid", "RFC 5280 6.1.3 (a)(2)"),
]:
    leaf = ca.leaf(subject=name(CN="below-" + id_), sans=[URI("spiffe://example.org/odd")])
    add("adv-" + id_, ADV + source, verify(leaf.chain), err(expect_code))
eku_any = OddCa("Client EKU CA", root, eku=(ExtendedKeyUsageOID.CLIENT_AUTH,))
leaf = eku_any.leaf(subject=name(CN="below-client-eku"), sans=[URI("spiffe://example.org/eku")])
add("adv-intermediate-eku-client-auth", ADV + "an intermediate whose EKU lists clientAuth",
    verify(leaf.chain), leaf.principal("spiffe://example.org/eku"))

# Validity edges: notBefore and notAfter are inclusive (RFC 5280 4.1.2.5).
for id_, nb, na, expect in [
    ("validity-not-after-is-now", NB, NOW, "ok"),
    ("validity-not-after-one-second-ago", NB, NOW - 1, "mtls_expired"),
    ("validity-not-before-is-now", NOW, NA, "ok"),
    ("validity-not-before-in-one-second", NOW + 1, NA, "mtls_not_yet_valid"),
]:
    leaf = root.leaf(subject=name(CN=id_), sans=[URI("spiffe://example.org/" + id_)], nb=nb, na=na)
    add("adv-" + id_, ADV + "RFC 5280 4.1.2.5: the validity period includes both dates",
        verify(leaf.chain), leaf.principal("spiffe://example.org/" + id_) if expect == "ok"
        else err(expect))

# Name constraints: excluded subtrees.
nc_ex = OddCa("Excluding CA", root, nc=x509.NameConstraints(
    permitted_subtrees=None, excluded_subtrees=[x509.DNSName("evil.example.com")]))
for id_, dns, expect in [("excluded-dns-refused", "api.evil.example.com", "mtls_name_constraint_violation"),
                         ("excluded-dns-other-name-ok", "api.example.com", "ok")]:
    leaf = nc_ex.leaf(subject=name(CN=dns), sans=[DNS(dns)])
    add("adv-name-constraints-" + id_, ADV + "RFC 5280 4.2.1.10: excludedSubtrees",
        verify(leaf.chain), leaf.principal(dns) if expect == "ok" else err(expect))
nc_cn = OddCa("Constrained CN CA", root, nc=x509.NameConstraints(
    permitted_subtrees=[x509.DNSName("example.com")], excluded_subtrees=None))
leaf = nc_cn.leaf(subject=name(CN="evil.test"))
add("adv-name-constraints-cn-not-a-dns-name", ADV + "a leaf without SAN whose CN looks like a "
    "host outside the permitted subtree (webpki does not read the CN as a DNS name)",
    verify(leaf.chain, config(subject_from=["cn"])), leaf.principal("evil.test"))

# CRL scope and freshness.
def crl_of(issuer_name, signer, revoked=(), this_update=1700000000, next_update=NA, idp=None):
    b = (x509.CertificateRevocationListBuilder().issuer_name(issuer_name)
         .last_update(t(this_update)).next_update(t(next_update))
         .add_extension(x509.CRLNumber(7), critical=False)
         .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()),
                        critical=False))
    if idp is not None:
        b = b.add_extension(idp, critical=True)
    for serial in revoked:
        b = b.add_revoked_certificate(x509.RevokedCertificateBuilder().serial_number(serial)
                                      .revocation_date(t(1700000000)).build())
    return b.sign(signer, sign_hash(signer)).public_bytes(serialization.Encoding.PEM).decode()


EE = dict(revocation_depth="end_entity")
add("adv-crl-forged-signature-revokes-leaf", ADV + "a CRL naming the root as issuer, signed by "
    "another key, revoking a good leaf: not the root's CRL",
    verify(spiffe_root.chain, config(crls=[crl_of(root.subject, other.key,
                                                  [spiffe_root.cert.serial_number])], **EE)),
    err("mtls_crl_invalid"))
add("adv-crl-of-other-issuer", ADV + "a CRL of an untrusted CA only: the leaf's status is unknown",
    verify(spiffe_root.chain, config(crls=[other.crl()], **EE)), err("mtls_revocation_unknown"))
add("adv-crl-this-update-in-future", ADV + "a CRL whose thisUpdate is after now",
    verify(spiffe_root.chain, config(crls=[crl_of(root.subject, root.key, this_update=NOW + 3600)],
                                     **EE)), spiffe_root.principal("spiffe://example.org/direct"))
add("adv-crl-next-update-is-now", ADV + "nextUpdate equal to now: the CRL is past its "
    "nextUpdate (webpki counts the second itself as late)",
    verify(spiffe_root.chain, config(crls=[crl_of(root.subject, root.key, next_update=NOW)], **EE)),
    err("mtls_crl_invalid"))
add("adv-crl-next-update-in-one-second", ADV + "nextUpdate one second after now: fresh",
    verify(spiffe_root.chain, config(crls=[crl_of(root.subject, root.key, next_update=NOW + 1)],
                                     **EE)), spiffe_root.principal("spiffe://example.org/direct"))
add("adv-crl-idp-only-ca-certs", ADV + "RFC 5280 5.2.5: a CRL scoped by an issuingDistributionPoint "
    "(here CA certificates only) is not supported: refused rather than read as covering the leaf",
    verify(spiffe_root.chain, config(crls=[crl_of(root.subject, root.key, idp=x509.IssuingDistributionPoint(
        full_name=None, relative_name=None, only_contains_user_certs=False,
        only_contains_ca_certs=True, only_some_reasons=None, indirect_crl=False,
        only_contains_attribute_certs=False))], **EE)), err("mtls_crl_invalid"))

# Forwarded certificate headers with injected delimiters (the client's own XFCC, then the
# proxy's element appended: Envoy's APPEND_FORWARD).
mallory = root.leaf(subject=name(CN='mal"lory'), sans=[URI("spiffe://example.org/mallory")])


def proxy_element(leaf, subject='CN=mal\\"lory'):
    return (',By=spiffe://example.org/proxy;Hash=' + leaf.fp + ';Cert="' + enc(leaf.pem)
            + '";Subject="' + subject + '";URI=spiffe://example.org/mallory')


for id_, client_part, source in [
    ("xfcc-client-open-quote-swallows-proxy", 'Cert="' + enc(spiffe.pem),
     "the client's unterminated quote would take the proxy's element into its own Cert"),
    ("xfcc-client-open-quote-with-backslash", 'Cert="' + enc(spiffe.pem) + "\\",
     "the same, ending in a backslash that would escape the proxy's comma"),
    ("xfcc-client-semicolon-cert-open", 'By=x;Cert="' + enc(spiffe.pem) + '";Chain="',
     "a client element ending in an open Chain quote"),
]:
    add("adv-" + id_, ADV + source,
        verify([], XFCC_CFG, "10.0.0.9", [("x-forwarded-client-cert", client_part + proxy_element(mallory))]),
        err("mtls_forwarded_malformed"))
add("adv-xfcc-client-element-then-proxy", ADV + "a complete client element naming the victim's "
    "certificate, then the proxy's: the proxy's (last) element decides",
    verify([], XFCC_CFG, "10.0.0.9", [("x-forwarded-client-cert", 'Cert="' + enc(spiffe.pem) + '"'
                                       + proxy_element(mallory))]),
    mallory.principal("spiffe://example.org/mallory"))
add("adv-xfcc-escaped-quote-in-subject", ADV + "a quote escaped inside a quoted value",
    verify([], XFCC_CFG, "10.0.0.9", [("x-forwarded-client-cert", proxy_element(mallory)[1:])]),
    mallory.principal("spiffe://example.org/mallory"))
for id_, value, expect in [
    ("xfcc-two-cert-keys", 'Cert="' + enc(spiffe.pem) + '";Cert="' + enc(mallory.pem) + '"',
     err("mtls_forwarded_malformed")),
    ("xfcc-key-case-insensitive", 'CERT="' + enc(spiffe_root.pem) + '"',
     spiffe_root.principal("spiffe://example.org/direct")),
    ("xfcc-chain-beats-cert", 'Cert="' + enc(mallory.pem) + '";Chain="' + enc(pem_chain(spiffe)) + '"',
     spiffe.principal(SPIFFE_ID)),
    ("xfcc-text-after-quote", 'Cert="' + enc(spiffe_root.pem) + '"x', err("mtls_forwarded_malformed")),
    ("xfcc-stray-quote-unquoted", "Cert=" + enc(spiffe_root.pem) + '"', err("mtls_forwarded_malformed")),
    ("xfcc-empty-element-last", 'Cert="' + enc(spiffe_root.pem) + '",', err("mtls_forwarded_malformed")),
    ("xfcc-raw-pem-newlines-encoded-only", 'Cert="' + spiffe_root.pem.replace("\n", "%0A") + '"',
     spiffe_root.principal("spiffe://example.org/direct")),
]:
    add("adv-" + id_, ADV + "XFCC: key=value pairs split at ';', elements at ',', outside quotes",
        verify([], XFCC_CFG, "10.0.0.9", [("x-forwarded-client-cert", value)]), expect)
for id_, value, expect in [
    ("nginx-victim-then-own", enc(spiffe_root.pem + mallory.pem),
     spiffe_root.principal("spiffe://example.org/direct")),
    ("nginx-text-before-pem", enc("subject=CN=admin\n" + dns_rsa.pem),
     dns_rsa.principal("api.example.com")),
    ("nginx-truncated-pem", enc(dns_rsa.pem[:-40]), err("mtls_forwarded_malformed")),
]:
    add("adv-" + id_, ADV + "nginx $ssl_client_escaped_cert: PEM blocks, leaf first; only a "
        "trusted proxy sets it", verify([], NGINX_CFG, "10.0.0.1", [("X-SSL-Client-Cert", value)]),
        expect)
ids = [c["id"] for c in cases]
assert len(ids) == len(set(ids)), "duplicate ids"
doc = {"cases": cases}
(HERE / "mtls.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
ok = sum(1 for c in cases if "ok" in c["expect"])
print(f"{len(cases)} cases, {ok} positive, {len(cases) - ok} negative")
