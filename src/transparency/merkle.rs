//! The transparency log's Merkle tree (RFC 6962 / RFC 9162, SHA-256): leaf and
//! node hashes, the root of any prefix, and inclusion and consistency proofs
//! with their verification. Pure functions; the log's storage lives elsewhere.

use sha2::{Digest, Sha256};

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// The leaf hash: SHA-256(0x00 || data).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    h.finalize().into()
}

/// The interior node hash: SHA-256(0x01 || left || right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of the empty tree: SHA-256 of the empty string.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The largest power of two strictly less than `n` (requires `n >= 2`).
fn split(n: usize) -> usize {
    debug_assert!(n >= 2);
    1 << (usize::BITS - 1 - (n - 1).leading_zeros())
}

/// MTH of the first n leaf hashes (RFC 6962 2.1: split at the largest power of two < n).
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// PATH(m, D[n]) for leaf index m of the first n = leaves.len() leaves (RFC 6962 2.1.1).
pub fn inclusion_proof(leaves: &[Hash], index: usize) -> Option<Vec<Hash>> {
    if index >= leaves.len() {
        return None;
    }
    let mut proof = Vec::new();
    path(leaves, index, &mut proof);
    Some(proof)
}

/// Appends PATH(m, D) to `out`, deepest sibling first. Requires `m < d.len()`.
fn path(d: &[Hash], m: usize, out: &mut Vec<Hash>) {
    let n = d.len();
    if n <= 1 {
        return;
    }
    let k = split(n);
    if m < k {
        path(&d[..k], m, out);
        out.push(root(&d[k..]));
    } else {
        path(&d[k..], m - k, out);
        out.push(root(&d[..k]));
    }
}

/// PROOF(m, D[n]) between tree sizes m (old) and n = leaves.len() (RFC 6962 2.1.2); None if m == 0 or m > n.
pub fn consistency_proof(leaves: &[Hash], old_size: usize) -> Option<Vec<Hash>> {
    if old_size == 0 || old_size > leaves.len() {
        return None;
    }
    let mut proof = Vec::new();
    subproof(old_size, leaves, true, &mut proof);
    Some(proof)
}

/// Appends SUBPROOF(m, D, b) to `out`. Requires `1 <= m <= d.len()`.
fn subproof(m: usize, d: &[Hash], b: bool, out: &mut Vec<Hash>) {
    let n = d.len();
    if m == n {
        if !b {
            out.push(root(d));
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof(m, &d[..k], b, out);
        out.push(root(&d[k..]));
    } else {
        subproof(m - k, &d[k..], false, out);
        out.push(root(&d[..k]));
    }
}

/// RFC 9162 2.1.3.2 verification algorithm.
pub fn verify_inclusion(leaf: &Hash, index: u64, size: u64, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let mut fn_ = index;
    let mut sn = size - 1;
    let mut r = *leaf;
    for p in proof {
        if sn == 0 {
            return false;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    sn == 0 && r == *root
}

/// RFC 9162 2.1.4.2 verification algorithm.
///
/// Additionally (as the RFC's generation algorithm implies) `old_size ==
/// new_size` is accepted with an empty proof when the two roots are equal.
/// `old_size == 0` is always rejected, matching [`consistency_proof`].
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> bool {
    if old_size == 0 || old_size > new_size {
        return false;
    }
    if old_size == new_size {
        return proof.is_empty() && old_root == new_root;
    }
    // Step 1: a proof between different sizes is never empty.
    let Some((first, rest)) = proof.split_first() else {
        return false;
    };
    // Step 2: if old_size is a power of two, the old root is the implicit first element.
    let (start, rest) = if old_size.is_power_of_two() {
        (old_root, proof)
    } else {
        (first, rest)
    };
    // Steps 3-4.
    let mut fn_ = old_size - 1;
    let mut sn = new_size - 1;
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    // Step 5.
    let mut fr = *start;
    let mut sr = *start;
    // Step 6.
    for c in rest {
        if sn == 0 {
            return false;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    // Step 7.
    sn == 0 && fr == *old_root && sr == *new_root
}

/// Lower-case hexadecimal encoding of a hash.
pub fn hex(h: &Hash) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(64);
    for b in h {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The leaf inputs of the Certificate Transparency reference tests.
    const CT_LEAVES: [&[u8]; 8] = [
        b"",
        b"\x00",
        b"\x10",
        b"\x20\x21",
        b"\x30\x31",
        b"\x40\x41\x42\x43",
        b"\x50\x51\x52\x53\x54\x55\x56\x57",
        b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
    ];

    /// Roots of the CT reference tree for sizes 1..=8.
    const CT_ROOTS: [&str; 8] = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    fn ct_leaves() -> Vec<Hash> {
        CT_LEAVES.iter().map(|d| leaf_hash(d)).collect()
    }

    fn unhex(s: &str) -> Hash {
        let mut h = [0u8; 32];
        for (i, b) in h.iter_mut().enumerate() {
            *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
        }
        h
    }

    fn hexes(v: &[Hash]) -> Vec<String> {
        v.iter().map(hex).collect()
    }

    fn ct_root(n: usize) -> Hash {
        unhex(CT_ROOTS[n - 1])
    }

    /// (leaf index, tree size, audit path) from the CT reference tests.
    const CT_PATHS: [(usize, usize, &[&str]); 5] = [
        (0, 1, &[]),
        (
            0,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            5,
            8,
            &[
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            2,
            3,
            &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
        ),
        (
            1,
            5,
            &[
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
    ];

    /// (old size, new size, proof) from the CT reference tests.
    const CT_CONSISTENCY: [(usize, usize, &[&str]); 4] = [
        (1, 1, &[]),
        (
            1,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            6,
            8,
            &[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            2,
            5,
            &[
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
    ];

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(
            hex(&empty_root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(root(&[]), empty_root());
    }

    #[test]
    fn hashes_are_domain_separated() {
        let l = leaf_hash(b"");
        assert_eq!(hex(&l), CT_ROOTS[0]);
        assert_ne!(leaf_hash(&[0u8; 64]), node_hash(&[0u8; 32], &[0u8; 32]));
        let mut buf = vec![0x01];
        buf.extend_from_slice(&l);
        buf.extend_from_slice(&l);
        let direct: Hash = Sha256::digest(&buf).into();
        assert_eq!(node_hash(&l, &l), direct);
    }

    #[test]
    fn split_is_largest_power_of_two_below_n() {
        for (n, k) in [
            (2, 1),
            (3, 2),
            (4, 2),
            (5, 4),
            (8, 4),
            (9, 8),
            (64, 32),
            (65, 64),
        ] {
            assert_eq!(split(n), k, "n = {n}");
        }
    }

    #[test]
    fn ct_reference_roots() {
        let leaves = ct_leaves();
        for n in 1..=8 {
            assert_eq!(hex(&root(&leaves[..n])), CT_ROOTS[n - 1], "size {n}");
        }
    }

    #[test]
    fn ct_reference_inclusion_proofs() {
        let leaves = ct_leaves();
        for (m, n, want) in CT_PATHS {
            let got = inclusion_proof(&leaves[..n], m).unwrap();
            assert_eq!(hexes(&got), want, "PATH({m}, D[{n}])");
            assert!(verify_inclusion(
                &leaves[m],
                m as u64,
                n as u64,
                &got,
                &ct_root(n)
            ));
        }
    }

    #[test]
    fn ct_reference_consistency_proofs() {
        let leaves = ct_leaves();
        for (m, n, want) in CT_CONSISTENCY {
            let got = consistency_proof(&leaves[..n], m).unwrap();
            assert_eq!(hexes(&got), want, "PROOF({m}, D[{n}])");
            assert!(verify_consistency(
                m as u64,
                n as u64,
                &ct_root(m),
                &ct_root(n),
                &got
            ));
        }
    }

    #[test]
    fn out_of_range_requests_are_refused() {
        let leaves = ct_leaves();
        assert_eq!(inclusion_proof(&leaves, 8), None);
        assert_eq!(inclusion_proof(&[], 0), None);
        assert_eq!(consistency_proof(&leaves, 0), None);
        assert_eq!(consistency_proof(&leaves, 9), None);
        assert!(!verify_inclusion(&leaves[0], 1, 1, &[], &leaves[0]));
        assert!(!verify_inclusion(&leaves[0], 0, 0, &[], &leaves[0]));
        let r8 = ct_root(8);
        assert!(!verify_consistency(0, 8, &empty_root(), &r8, &[]));
        assert!(!verify_consistency(8, 4, &r8, &ct_root(4), &[]));
        // Different sizes never verify with an empty proof.
        assert!(!verify_consistency(4, 8, &ct_root(4), &r8, &[]));
    }

    fn tree(n: usize, seed: u64) -> Vec<Hash> {
        (0..n as u64)
            .map(|i| {
                let mut d = seed.to_be_bytes().to_vec();
                d.extend_from_slice(&i.to_be_bytes());
                leaf_hash(&d)
            })
            .collect()
    }

    fn flip(h: &Hash, bit: usize) -> Hash {
        let mut h = *h;
        h[(bit / 8) % 32] ^= 1 << (bit % 8);
        h
    }

    proptest! {
        #[test]
        fn inclusion_proofs_verify_and_tampering_fails(
            (n, i, j) in (1usize..=64).prop_flat_map(|n| (Just(n), 0..n, 0..n)),
            seed in any::<u64>(),
            bit in 0usize..256,
            k in any::<usize>(),
        ) {
            let leaves = tree(n, seed);
            let r = root(&leaves);
            let p = inclusion_proof(&leaves, i).unwrap();
            let (iu, nu) = (i as u64, n as u64);
            prop_assert!(verify_inclusion(&leaves[i], iu, nu, &p, &r));
            // Tampered leaf.
            prop_assert!(!verify_inclusion(&flip(&leaves[i], bit), iu, nu, &p, &r));
            // Tampered index (another in range, and out of range).
            if j != i {
                prop_assert!(!verify_inclusion(&leaves[i], j as u64, nu, &p, &r));
            }
            prop_assert!(!verify_inclusion(&leaves[i], nu, nu, &p, &r));
            // Tampered, truncated and extended proof.
            if !p.is_empty() {
                let mut bad = p.clone();
                let at = k % bad.len();
                bad[at] = flip(&bad[at], bit);
                prop_assert!(!verify_inclusion(&leaves[i], iu, nu, &bad, &r));
                prop_assert!(!verify_inclusion(&leaves[i], iu, nu, &p[..p.len() - 1], &r));
            }
            let mut longer = p.clone();
            longer.push(r);
            prop_assert!(!verify_inclusion(&leaves[i], iu, nu, &longer, &r));
            // Wrong root.
            prop_assert!(!verify_inclusion(&leaves[i], iu, nu, &p, &flip(&r, bit)));
        }

        #[test]
        fn consistency_proofs_verify_and_tampering_fails(
            (n, m) in (1usize..=64).prop_flat_map(|n| (Just(n), 1..=n)),
            seed in any::<u64>(),
            bit in 0usize..256,
            k in any::<usize>(),
        ) {
            let leaves = tree(n, seed);
            let old = root(&leaves[..m]);
            let new = root(&leaves);
            let p = consistency_proof(&leaves, m).unwrap();
            let (mu, nu) = (m as u64, n as u64);
            prop_assert!(verify_consistency(mu, nu, &old, &new, &p));
            // Wrong old root, wrong new root.
            prop_assert!(!verify_consistency(mu, nu, &flip(&old, bit), &new, &p));
            prop_assert!(!verify_consistency(mu, nu, &old, &flip(&new, bit), &p));
            // Tampered proof element.
            if !p.is_empty() {
                let mut bad = p.clone();
                let at = k % bad.len();
                bad[at] = flip(&bad[at], bit);
                prop_assert!(!verify_consistency(mu, nu, &old, &new, &bad));
            }
            // An empty proof never links different sizes.
            if m != n {
                prop_assert!(!verify_consistency(mu, nu, &old, &new, &[]));
            }
        }
    }
}
