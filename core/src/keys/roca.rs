//! The ROCA fingerprint (CVE-2017-15361; Nemec, Sýs, Švenda, Klinec, Matyáš: "The Return of
//! Coppersmith's Attack: Practical Factorization of Widely Used RSA Moduli", ACM CCS 2017).
//!
//! Infineon's RSALib built every prime as `p = k·M + (65537^a mod M)`, `M` the product of the
//! first 39 to 225 primes (by key size), so every modulus it made is a power of 65537 modulo
//! `M`, and such moduli can be factored in CPU-days to CPU-years. The test is the paper's: a
//! modulus carries the fingerprint when one exponent `c` gives `N ≡ 65537^c (mod l)` for every
//! prime `l` up to 167 (a factor of `M` at every key size). The discrete logarithm is found per
//! prime, where the group is tiny (Pohlig-Hellman's reduction: the order of 65537 modulo their
//! product is 2^4·3^4·5^2·7·11·13·17·23·29·37·41·53·83, about 2^61), and the per-prime answers
//! must agree (Chinese remainders). A random modulus passes with probability about 2^-154,
//! so a key refused here was made by RSALib (or built to look so, which only its holder loses).

/// The odd primes up to 167: every RSALib `M` has them as factors.
const PRIMES: [u32; 38] = [
    3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
    101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
];

/// RSALib's generator (and public exponent).
const GENERATOR: u32 = 65537;

/// `n mod p` for a big-endian `n`.
fn residue(n: &[u8], p: u32) -> u32 {
    n.iter().fold(0u32, |r, &b| (r * 256 + u32::from(b)) % p)
}

/// The order of `GENERATOR` modulo `p`, and the discrete logarithm of `r` in that group (if `r`
/// is a power of it). At most `p - 1` steps.
fn order_and_log(r: u32, p: u32) -> (u32, Option<u32>) {
    let g = GENERATOR % p;
    let (mut x, mut log) = (1u32, None);
    for k in 1..p {
        if x == r && log.is_none() {
            log = Some(k - 1);
        }
        x = x * g % p;
        if x == 1 {
            return (k, log);
        }
    }
    // Unreachable for a prime p (Fermat), kept total.
    (p - 1, log)
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// True when the big-endian RSA modulus `n` has the ROCA fingerprint.
pub(crate) fn has_fingerprint(n: &[u8]) -> bool {
    // The solutions so far: c ≡ `c` (mod `m`). m stays below 2^62 (the order above) and every
    // product below is of m and a number under 167: u128 never overflows.
    let (mut c, mut m) = (0u128, 1u128);
    for p in PRIMES {
        let (order, log) = order_and_log(residue(n, p), p);
        let Some(log) = log else {
            return false;
        };
        let (order, log) = (u128::from(order), u128::from(log));
        let g = gcd(m, order);
        let (c_mod, log_mod) = (c % g, log % g);
        if c_mod != log_mod {
            return false;
        }
        // c + m·t ≡ log (mod order) ⇔ (m/g)·t ≡ (log - c)/g (mod order/g), m/g invertible.
        let step = order / g;
        let want = ((log + order * m - c % (order * m)) / g) % step;
        let inverse = (0..step).find(|&t| (m / g % step) * t % step == 1 % step);
        let Some(inverse) = inverse else {
            return false;
        };
        let t = want * inverse % step;
        c += m * t;
        m *= step;
        c %= m;
    }
    true
}

/// The published fingerprinted modulus, for other modules' tests.
#[cfg(test)]
pub(crate) mod tests_support {
    pub(crate) fn published_modulus() -> Vec<u8> {
        super::tests::hex(super::tests::PUBLIC_VECTOR)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn hex(s: &str) -> Vec<u8> {
        let s = if s.len() % 2 == 1 {
            format!("0{s}")
        } else {
            s.to_owned()
        };
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// The modulus of `pubkey03.pem`, a fingerprinted key among the public test data of the
    /// paper's detection tool (crocs-muni/roca, `roca/tests/data`).
    pub(super) const PUBLIC_VECTOR: &str = "1a9c5a687db8fb2a30f82dff8dda154c291ef27b04b25e185b8ab20c4c6a5f604859fe59ede54a0af7c0e7288800ad7193bb731a5bf1e1170d7a1c66930d41ea3eb21dedf7b8af5d42a91c34f72045b96efd57cb182301ddcc26967e5508e9ab889986d57e837dfe70f99fc37c498f43c17c3b9b064cf704443d7a033e03a821697aabf30fb29ee7d33b3767965a89058e3b39754bd3a1c007d28a23b0cfa79f9d711ac6e4c4b4f77b0634b1ecd68591af03c7d53b62a5f2d91163d4ef4f8f26831ae461ed85ec5f788c5123ffc12c87420fdcfea1d1b4a52c3521824fb3998348739b62a986d8e76b2289bc2eb8bc06d138147851b83a07183d210559f906321";

    /// p·q with p, q = k·M + (65537^a mod M), M the product of the first 126 primes (RSALib's
    /// form for 2048-bit keys), built with Python integers from the paper's description.
    const CONSTRUCTED: &str = "90f569cc7d9179a6224f84e0b221a030c2969cceef976b4c0d11d3f1428fb46a62d805fdadbef5d584d05319aa72ecebadc469bb1826da742a7b68a6d3602656627e6d1e3f43cb2f113274f34e14fbb4b11a96d9a7c0897f56b16a6c86ce1a1ca7b7100c595f75b3bd06f5c8ac877d31b903a59eaa6c338b88f999e459f9dfba12accb11f00a5a177e242e2be96e98155c68be742f775f070120ba0144aefccdbb81fa36d150077a4895db7a5f1093d34b445990dbf6d602049b4f8e9f325469a2fbfb0a44a7c75aba3fa0f11834737d635e3b6d0939ad7d6de95b2a04504f4ee639bd5942632505fa553def0e7194c7027f4854036aad5f6bf6e6c4ad8ac8a1";

    /// A modulus from the same tool's tests that lies in the subgroup modulo each small prime
    /// separately, with no single exponent for all: the per-prime residue test flags it, the
    /// discrete-logarithm test must not.
    const RESIDUES_ONLY: &str = "671f033425b5ae00140c5b04dbcaeada430ae348cf3bf18d6ec4621ea824c52dd2b0ac85762b28a5d39ff23da73d4fcb241bf97b696e403eca234e05db9fe9ace2da265887c7b2ac7f9e7ed5bf6d919d43286776cf57c07d3411e15f729fa6e563858059334d072638d9dfbfc4f32474b6c6071092f5a961a7271f3209b37d9d";

    #[test]
    fn fingerprinted_moduli_are_found() {
        assert!(has_fingerprint(&hex(PUBLIC_VECTOR)));
        assert!(has_fingerprint(&hex(CONSTRUCTED)));
        // Every power of 65537 itself (small ones as numbers).
        for power in [1u64, 65537, 65537 * 65537] {
            assert!(has_fingerprint(&power.to_be_bytes()), "{power}");
        }
    }

    #[test]
    fn other_moduli_are_not() {
        assert!(!has_fingerprint(&hex(RESIDUES_ONLY)));
        // The RFC 7638 example key, and a residue 0 (a multiple of 3).
        let rfc = crate::keys::jwk::b64url_decode("0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw").unwrap();
        assert!(!has_fingerprint(&rfc));
        assert!(!has_fingerprint(&[3]));
        assert!(!has_fingerprint(&[]));
        // Keys from aws-lc-rs's generator.
        for _ in 0..4 {
            let key = crate::keys::SigningKey::generate_rsa(
                crate::keys::KeyAlgorithm::RsaPkcs1Sha256,
                2048,
            )
            .unwrap();
            assert!(key.verifying_key().is_ok());
        }
    }

    #[test]
    fn a_fingerprinted_key_does_not_load() {
        let der = crate::keys::der::encode_rsa_public(&hex(PUBLIC_VECTOR), &[1, 0, 1]);
        let e = crate::keys::VerifyingKey::from_der(crate::keys::KeyAlgorithm::RsaPssSha256, &der)
            .unwrap_err();
        assert_eq!(e.code(), crate::error::ErrorCode::SignatureSecretInvalid);
        assert!(e.detail().contains("ROCA"), "{}", e.detail());
    }
}
