//! Verification of the Merkle tree of RFC 9162 (Certificate Transparency version 2.0): the tree
//! hashes (§2.1.1) and the verification of inclusion proofs (§2.1.3.2) and consistency proofs
//! (§2.1.4.2).
//!
//! This is what an auditor, the `verifier verify` command and the widget run against a signed tree
//! head, so it needs no store and lives in the protocol crate; building the tree and its proofs is
//! the archive's business (`verifier::merkle`). The algorithms are written as the RFC's, step for
//! step.
//!
//! Sizes and indices are `u64` and come from untrusted input: every function checks them and
//! returns an error, never panics and never overflows. Note that an inclusion proof binds the leaf
//! to a *root hash*; the tree size is bound to that root only by whoever signed the two together.

use crate::primitives::Digest;

/// `HASH(0x00 ‖ leaf)` (RFC 9162 §2.1.1): the hash of one entry.
///
/// The `0x00` prefix, distinct from [`node_hash`]'s `0x01`, is the RFC's domain separation: a leaf can
/// never be passed off as an interior node (second-preimage attack on the tree).
pub fn leaf_hash(leaf: &[u8]) -> Digest {
    Digest::of_parts(&[&[0x00], leaf])
}

/// `HASH(0x01 ‖ left ‖ right)` (RFC 9162 §2.1.1): the hash of an interior node from its two children.
///
/// The `0x01` prefix separates interior nodes from leaves (see [`leaf_hash`]).
pub fn node_hash(left: &Digest, right: &Digest) -> Digest {
    Digest::of_parts(&[&[0x01], &left.0, &right.0])
}

/// Why an inclusion (RFC 9162 §2.1.3.2) or consistency (§2.1.4.2) proof was rejected.
///
/// Where two values are compared, `expected` is what the caller supplied or the RFC requires, and
/// `got` is what the proof supplied or leads to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// The leaf index is not below the tree size (so the tree cannot contain it; this includes every
    /// index in the empty tree).
    #[error("leaf index {leaf_index} is not below tree size {tree_size}")]
    IndexOutOfRange {
        /// The leaf the proof is for, 0-based.
        leaf_index: u64,
        /// The size of the tree the proof is against.
        tree_size: u64,
    },
    /// Consistency with the empty tree was asked: RFC 9162 §2.1.4.2 verifies only `0 < first`, and a
    /// proof that proves nothing is more likely a caller's mistake than an intent.
    #[error("consistency proofs start from a non-empty tree (RFC 9162 §2.1.4.2 needs 0 < first)")]
    FirstIsZero,
    /// The earlier tree is larger than the later one: the log would have shrunk.
    #[error("first tree size {first} is larger than second tree size {second}")]
    FirstLargerThanSecond {
        /// The size of the earlier tree.
        first: u64,
        /// The size of the later tree.
        second: u64,
    },
    /// The proof does not have the number of hashes that the RFC's construction gives for these
    /// sizes (checked first, so that a truncated or padded proof is named as such).
    #[error("the proof has {got} hashes where {expected} are needed")]
    WrongProofSize {
        /// The length of `PATH` or `PROOF` for the given index and sizes.
        expected: usize,
        /// The length of the proof supplied.
        got: usize,
    },
    /// The inclusion proof leads to another root than the one supplied.
    #[error("the inclusion proof leads to root {got}, not to {expected}")]
    RootMismatch {
        /// The root hash supplied.
        expected: Digest,
        /// The root the proof leads to.
        got: Digest,
    },
    /// The consistency proof leads to another hash for the earlier tree than the one supplied.
    #[error("the consistency proof leads to first tree hash {got}, not to {expected}")]
    FirstRootMismatch {
        /// The first tree hash supplied.
        expected: Digest,
        /// The hash of the first tree that the proof leads to.
        got: Digest,
    },
    /// The consistency proof leads to another hash for the later tree than the one supplied (for
    /// `first == second`, the two supplied hashes differ).
    #[error("the consistency proof leads to second tree hash {got}, not to {expected}")]
    SecondRootMismatch {
        /// The second tree hash supplied.
        expected: Digest,
        /// The hash of the second tree that the proof leads to.
        got: Digest,
    },
}

/// The number of hashes in `PATH(leaf_index, D[0:tree_size])`, for `leaf_index < tree_size`.
///
/// The paths to `leaf_index` and to the last leaf share the nodes above their highest differing bit:
/// below it (`inner` levels) every level has a sibling; above it, only the levels where the last
/// leaf's index has a one bit have a left sibling (`border`).
fn inclusion_proof_len(leaf_index: u64, tree_size: u64) -> usize {
    let last = tree_size.saturating_sub(1);
    let inner = u64::BITS - (leaf_index ^ last).leading_zeros();
    let border = leaf_index.checked_shr(inner).unwrap_or(0).count_ones();
    (inner + border) as usize
}

/// The number of hashes in `PROOF(first, D[0:second])`, for `0 < first < second`.
///
/// It is the inclusion path of leaf `first − 1` in the second tree, less the levels inside the largest
/// perfect subtree that ends the first tree (`first`'s trailing zeros), plus that subtree's own hash
/// unless it is the whole first tree (`first` a power of two).
fn consistency_proof_len(first: u64, second: u64) -> usize {
    let last_of_first = first.saturating_sub(1);
    let inner = u64::BITS - (last_of_first ^ second.saturating_sub(1)).leading_zeros();
    let border = last_of_first.checked_shr(inner).unwrap_or(0).count_ones();
    let seed = u32::from(!first.is_power_of_two());
    (seed + inner.saturating_sub(first.trailing_zeros()) + border) as usize
}

/// The RFC's `LSB(x)`: whether the least significant bit of `x` is set (RFC 9162 §2.1.3.2, §2.1.4.2).
fn lsb(x: u64) -> bool {
    x & 1 == 1
}

/// Verifies that `proof` shows the leaf with hash `leaf_hash` at `leaf_index` in the tree of size
/// `tree_size` whose root is `root_hash`: the algorithm of RFC 9162 §2.1.3.2, step for step.
///
/// The proof's length is checked first against the RFC's construction, so that a truncated or padded
/// proof is reported as [`ProofError::WrongProofSize`] rather than as a mismatch. The tree size is
/// bound to `root_hash` only by the signed tree head the caller took them from.
pub fn verify_inclusion(
    leaf_hash: &Digest,
    leaf_index: u64,
    tree_size: u64,
    proof: &[Digest],
    root_hash: &Digest,
) -> Result<(), ProofError> {
    // Step 1: the leaf must be in the tree.
    if leaf_index >= tree_size {
        return Err(ProofError::IndexOutOfRange { leaf_index, tree_size });
    }
    let expected = inclusion_proof_len(leaf_index, tree_size);
    if proof.len() != expected {
        return Err(ProofError::WrongProofSize { expected, got: proof.len() });
    }
    // Steps 2 and 3.
    let (mut fn_, mut sn) = (leaf_index, tree_size - 1);
    let mut r = *leaf_hash;
    // Step 4.
    for p in proof {
        // 4a (cannot happen after the length check; kept as the RFC's own guard).
        if sn == 0 {
            return Err(ProofError::WrongProofSize { expected, got: proof.len() });
        }
        // 4b.
        if lsb(fn_) || fn_ == sn {
            r = node_hash(p, &r);
            while !lsb(fn_) && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        // 4c.
        fn_ >>= 1;
        sn >>= 1;
    }
    // Step 5.
    if sn != 0 {
        return Err(ProofError::WrongProofSize { expected, got: proof.len() });
    }
    if r != *root_hash {
        return Err(ProofError::RootMismatch { expected: *root_hash, got: r });
    }
    Ok(())
}

/// Verifies that `proof` shows the tree of size `first` with hash `first_hash` to be a prefix of the
/// tree of size `second` with hash `second_hash`: the algorithm of RFC 9162 §2.1.4.2, step for step.
///
/// The RFC covers `0 < first < second`. For `first == second` the proof must be empty and the two
/// hashes equal (a client re-fetching an unchanged tree); `first == 0` is refused
/// ([`ProofError::FirstIsZero`]) since nothing can be proven about the empty tree. The proof's length
/// is checked first, as in [`verify_inclusion`].
pub fn verify_consistency(
    first: u64,
    second: u64,
    first_hash: &Digest,
    second_hash: &Digest,
    proof: &[Digest],
) -> Result<(), ProofError> {
    if first > second {
        return Err(ProofError::FirstLargerThanSecond { first, second });
    }
    if first == 0 {
        return Err(ProofError::FirstIsZero);
    }
    if first == second {
        if !proof.is_empty() {
            return Err(ProofError::WrongProofSize { expected: 0, got: proof.len() });
        }
        if first_hash != second_hash {
            return Err(ProofError::SecondRootMismatch { expected: *second_hash, got: *first_hash });
        }
        return Ok(());
    }
    // Step 1 (an empty proof) is covered by the length check: the length is at least 1 for first < second.
    let expected = consistency_proof_len(first, second);
    if proof.len() != expected {
        return Err(ProofError::WrongProofSize { expected, got: proof.len() });
    }
    // Step 2: if first is a power of two, the first tree is a perfect subtree of the second, and its
    // hash starts the chain; otherwise the proof's first hash does.
    let (seed, rest) = if first.is_power_of_two() {
        (first_hash, proof)
    } else {
        match proof.split_first() {
            Some(split) => split,
            None => return Err(ProofError::WrongProofSize { expected, got: 0 }),
        }
    };
    // Step 3.
    let (mut fn_, mut sn) = (first - 1, second - 1);
    // Step 4.
    while lsb(fn_) {
        fn_ >>= 1;
        sn >>= 1;
    }
    // Step 5.
    let (mut fr, mut sr) = (*seed, *seed);
    // Step 6.
    for c in rest {
        // 6a (cannot happen after the length check; kept as the RFC's own guard).
        if sn == 0 {
            return Err(ProofError::WrongProofSize { expected, got: proof.len() });
        }
        // 6b.
        if lsb(fn_) || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while !lsb(fn_) && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        // 6c.
        fn_ >>= 1;
        sn >>= 1;
    }
    // Step 7.
    if sn != 0 {
        return Err(ProofError::WrongProofSize { expected, got: proof.len() });
    }
    if fr != *first_hash {
        return Err(ProofError::FirstRootMismatch { expected: *first_hash, got: fr });
    }
    if sr != *second_hash {
        return Err(ProofError::SecondRootMismatch { expected: *second_hash, got: sr });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn h(hex: &str) -> Digest {
        Digest::from_hex(hex).expect("64 lowercase hex digits")
    }

    fn hashes(hex: &[&str]) -> Vec<Digest> {
        hex.iter().map(|x| h(x)).collect()
    }

    fn leaf(index: u64) -> Digest {
        leaf_hash(&hex::decode(LEAVES[index as usize]).expect("test hex"))
    }

    /// The RFC's `k` for `n ≥ 2` (RFC 9162 §2.1.1), computed otherwise than the code under test does.
    fn split(n: u64) -> u64 {
        n.next_power_of_two() / 2
    }

    /// `|PATH(m, D_n)|`, by the recursion of RFC 9162 §2.1.3.1.
    fn path_len(m: u64, n: u64) -> usize {
        if n <= 1 {
            return 0;
        }
        let k = split(n);
        1 + if m < k { path_len(m, k) } else { path_len(m - k, n - k) }
    }

    /// `|SUBPROOF(m, D_n, b)|`, by the recursion of RFC 9162 §2.1.4.1.
    fn subproof_len(m: u64, n: u64, b: bool) -> usize {
        if m == n {
            return usize::from(!b);
        }
        let k = split(n);
        1 + if m <= k { subproof_len(m, k, b) } else { subproof_len(m - k, n - k, false) }
    }

    // ---- Known answers: the RFC 6962 test data of transparency-dev/merkle (testonly/constants.go,
    // proof/verify_test.go), also used by sigstore-rs (src/crypto/merkle/proof_verification.rs). ----

    const LEAVES: [&str; 8] =
        ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

    /// RootHashes(): the root for each size 0..=8.
    const ROOTS: [&str; 9] = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    /// inclusionProofs, with the Go tests' 1-based leaf numbers made 0-based: (leaf_index, tree_size, proof).
    const INCLUSION: [(u64, u64, &[&str]); 5] = [
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
        (2, 3, &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
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

    /// consistencyProofs: (first, second, proof).
    const CONSISTENCY: [(u64, u64, &[&str]); 5] = [
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
        (
            6,
            7,
            &[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
    ];

    #[test]
    fn reference_inclusion_proofs() {
        for (leaf_index, tree_size, proof) in INCLUSION {
            let root_hash = h(ROOTS[tree_size as usize]);
            assert_eq!(
                verify_inclusion(&leaf(leaf_index), leaf_index, tree_size, &hashes(proof), &root_hash),
                Ok(()),
                "{leaf_index} in {tree_size}"
            );
        }
    }

    #[test]
    fn reference_consistency_proofs() {
        for (first, second, proof) in CONSISTENCY {
            let (first_hash, second_hash) = (h(ROOTS[first as usize]), h(ROOTS[second as usize]));
            assert_eq!(
                verify_consistency(first, second, &first_hash, &second_hash, &hashes(proof)),
                Ok(()),
                "{first} to {second}"
            );
        }
    }

    #[test]
    fn hash_domain_separation() {
        assert_eq!(leaf_hash(b""), h(ROOTS[1]));
        assert_eq!(node_hash(&leaf(0), &leaf(1)), h(ROOTS[2]));
        let (a, b) = (leaf_hash(b"a"), leaf_hash(b"b"));
        assert_eq!(node_hash(&a, &b), Digest::of_parts(&[&[1], &a.0, &b.0]));
        assert_ne!(node_hash(&a, &b), leaf_hash(&[a.0, b.0].concat()));
    }

    #[test]
    fn proof_lengths_follow_the_rfc_recursions() {
        for n in 1..=70 {
            for m in 0..n {
                assert_eq!(inclusion_proof_len(m, n), path_len(m, n), "PATH({m}, D_{n})");
            }
            for m in 1..n {
                assert_eq!(consistency_proof_len(m, n), subproof_len(m, n, true), "PROOF({m}, D_{n})");
            }
        }
    }

    #[test]
    fn empty_tree_and_single_leaf() {
        let empty = h(ROOTS[0]);
        assert_eq!(
            verify_inclusion(&empty, 0, 0, &[], &empty),
            Err(ProofError::IndexOutOfRange { leaf_index: 0, tree_size: 0 })
        );
        assert_eq!(verify_consistency(0, 0, &empty, &empty, &[]), Err(ProofError::FirstIsZero));
        assert_eq!(verify_consistency(0, 3, &empty, &empty, &[]), Err(ProofError::FirstIsZero));

        let leaf = leaf_hash(b"only");
        assert_eq!(verify_inclusion(&leaf, 0, 1, &[], &leaf), Ok(()));
        let other = leaf_hash(b"other");
        assert_eq!(
            verify_inclusion(&other, 0, 1, &[], &leaf),
            Err(ProofError::RootMismatch { expected: leaf, got: other })
        );
        assert_eq!(
            verify_inclusion(&leaf, 0, 1, &[leaf], &leaf),
            Err(ProofError::WrongProofSize { expected: 0, got: 1 })
        );
        assert_eq!(verify_consistency(1, 1, &leaf, &leaf, &[]), Ok(()));
    }

    #[test]
    fn equal_sizes() {
        for size in 1..=13u64 {
            let hash = leaf_hash(&size.to_be_bytes());
            assert_eq!(verify_consistency(size, size, &hash, &hash, &[]), Ok(()));
            let other = h(ROOTS[0]);
            assert_eq!(
                verify_consistency(size, size, &hash, &other, &[]),
                Err(ProofError::SecondRootMismatch { expected: other, got: hash })
            );
            assert_eq!(
                verify_consistency(size, size, &hash, &hash, &[hash]),
                Err(ProofError::WrongProofSize { expected: 0, got: 1 })
            );
        }
    }

    #[test]
    fn huge_sizes_are_errors() {
        let max = u64::MAX;
        let any = h(ROOTS[0]);
        assert_eq!(
            verify_inclusion(&any, max - 1, max, &[], &any),
            Err(ProofError::WrongProofSize { expected: 63, got: 0 })
        );
        assert_eq!(verify_inclusion(&any, 0, max, &[], &any), Err(ProofError::WrongProofSize { expected: 64, got: 0 }));
        assert_eq!(
            verify_inclusion(&any, max, max, &[], &any),
            Err(ProofError::IndexOutOfRange { leaf_index: max, tree_size: max })
        );
        assert!(matches!(verify_consistency(max - 1, max, &any, &any, &[]), Err(ProofError::WrongProofSize { .. })));
        assert!(matches!(verify_consistency(1, max, &any, &any, &[]), Err(ProofError::WrongProofSize { .. })));
        assert_eq!(verify_consistency(max, max, &any, &any, &[]), Ok(()));
        assert_eq!(
            verify_consistency(max, max - 1, &any, &any, &[]),
            Err(ProofError::FirstLargerThanSecond { first: max, second: max - 1 })
        );
        // Long proofs are refused by their length alone.
        let long = vec![any; 10_000];
        assert_eq!(
            verify_inclusion(&any, 3, 5, &long, &any),
            Err(ProofError::WrongProofSize { expected: 3, got: 10_000 })
        );
        assert!(matches!(verify_consistency(3, 5, &any, &any, &long), Err(ProofError::WrongProofSize { .. })));
    }

    proptest! {
        #[test]
        fn arbitrary_arguments_never_panic(
            leaf_index in any::<u64>(),
            tree_size in any::<u64>(),
            first in any::<u64>(),
            second in any::<u64>(),
            proof_len in 0usize..70,
        ) {
            let any = leaf_hash(&leaf_index.to_be_bytes());
            let proof = vec![any; proof_len];
            let _ = verify_inclusion(&any, leaf_index, tree_size, &proof, &any);
            let _ = verify_consistency(first, second, &any, &any, &proof);
            // Small values too, where the arithmetic is most delicate.
            let (small_index, small_size, small_first) = (leaf_index % 70, tree_size % 70, first % 70);
            let _ = verify_inclusion(&any, small_index, small_size, &proof, &any);
            let _ = verify_consistency(small_first, small_size, &any, &any, &proof);
        }
    }
}
