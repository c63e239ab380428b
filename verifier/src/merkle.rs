//! The Merkle tree of RFC 9162 (Certificate Transparency version 2.0) as the archive builds it: tree
//! hashes (§2.1.1), inclusion proofs (§2.1.3.1) and consistency proofs (§2.1.4.1). Their
//! verification, which needs no store, is the protocol's: [`shared::merkle`].
//!
//! The archive is append-only and must answer proofs for *any* past tree size, because an auditor
//! holds whichever signed tree head it saw last. Every hash that the RFC's recursions need is
//! `MTH(D[lo:hi])` for a range whose left parts are perfect subtrees, so the archive keeps the hash of
//! every perfect subtree that has completed ([`NodeStore`]): `2n − 1` hashes for `n` leaves, each
//! written once, in the same transaction as the leaf that completes it ([`nodes_completed_by_append`]),
//! and never updated. Then a root or a proof for any size costs O(log n) lookups, with no
//! recomputation and no mutable "current tree" state that could disagree with the leaves.
//!
//! Sizes and indices are `u64` and will come from untrusted query parameters: every function checks
//! them and returns an error, never panics and never overflows.

use shared::merkle::node_hash;
use shared::primitives::Digest;
use std::convert::Infallible;

/// `MTH({}) = HASH()` (RFC 9162 §2.1.1): the hash of the empty tree, SHA-256 of the empty string.
fn empty_root() -> Digest {
    Digest::of(&[])
}

/// Storage of the hashes of *perfect* subtrees, which is all a log needs to serve any root or proof.
///
/// The subtree at `level` (its height; level 0 holds the leaf hashes) and `index` covers the leaves
/// `[index·2^level, (index+1)·2^level)`. An archive keeps every complete one, so that any root or proof
/// needs only O(log n) lookups (see the module documentation).
pub trait NodeStore {
    /// Why a lookup failed (a database error, for instance); [`Infallible`] for memory.
    type Error: std::error::Error + Send + Sync + 'static;

    /// The hash of the perfect subtree at (`level`, `index`), or `None` if the store does not hold it
    /// (it is not complete yet, or the store is damaged; the caller turns this into
    /// [`TreeError::MissingNode`]).
    fn node(&self, level: u32, index: u64) -> Result<Option<Digest>, Self::Error>;
}

/// Why a root or proof could not be computed from a [`NodeStore`], or a leaf could not be appended.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TreeError<E> {
    /// An inclusion proof was asked for a leaf the tree does not contain (this includes every index
    /// in the empty tree): `PATH(m, D_n)` is defined only for `0 ≤ m < n` (RFC 9162 §2.1.3.1).
    #[error("leaf index {leaf_index} is not below tree size {tree_size}")]
    IndexOutOfRange {
        /// The requested leaf, 0-based.
        leaf_index: u64,
        /// The size of the tree it was looked for in.
        tree_size: u64,
    },
    /// A consistency proof was asked from the empty tree: `PROOF(m, D_n)` is defined only for
    /// `0 < m` (RFC 9162 §2.1.4.1), and a client never needs one, since nothing can contradict the
    /// empty tree.
    #[error("consistency proofs start from a non-empty tree (RFC 9162 §2.1.4.1 needs 0 < first)")]
    FirstIsZero,
    /// A consistency proof was asked from a larger tree to a smaller one; an append-only log only
    /// grows.
    #[error("first tree size {first} is larger than second tree size {second}")]
    FirstLargerThanSecond {
        /// The size of the earlier tree.
        first: u64,
        /// The size of the later tree.
        second: u64,
    },
    /// The tree already holds `u64::MAX` leaves, the most a `u64` tree size can count.
    #[error("cannot append leaf {leaf_index}: the tree size would not fit in 64 bits")]
    TreeFull {
        /// The index the leaf would have had.
        leaf_index: u64,
    },
    /// The store already holds a leaf at the index being appended: appending twice would give two
    /// different trees the same size.
    #[error("leaf {leaf_index} is already in the tree")]
    AlreadyAppended {
        /// The index of the leaf being appended.
        leaf_index: u64,
    },
    /// The store lacks a perfect subtree that a tree of the requested size contains: either the size
    /// is beyond what the log has appended (the caller should bound sizes by its current tree size
    /// first), or the store is damaged.
    #[error("the store has no node at level {level}, index {index}")]
    MissingNode {
        /// Height of the missing subtree (0 = a leaf hash).
        level: u32,
        /// Its index within the level.
        index: u64,
    },
    /// The store itself failed.
    #[error("node store: {0}")]
    Store(#[source] E),
}

/// The RFC's `k`: the largest power of two smaller than `n` (RFC 9162 §2.1.1), for `n ≥ 2`; 0 for
/// `n ≤ 1`, where the RFC never splits.
fn largest_power_of_two_below(n: u64) -> u64 {
    match n.checked_sub(1).and_then(u64::checked_ilog2) {
        Some(bit) => 1 << bit,
        None => 0,
    }
}

/// The stored hash at (`level`, `index`), or [`TreeError::MissingNode`].
fn stored<S: NodeStore>(store: &S, level: u32, index: u64) -> Result<Digest, TreeError<S::Error>> {
    store.node(level, index).map_err(TreeError::Store)?.ok_or(TreeError::MissingNode { level, index })
}

/// `MTH(D[lo:hi])` (RFC 9162 §2.1.1), from the perfect subtrees in `store`; the empty range hashes
/// as the empty tree, as in the RFC.
///
/// The RFC splits `n = hi − lo` at `k`, the largest power of two smaller than `n`. In every range that
/// the recursions of §2.1.1, §2.1.3.1 and §2.1.4.1 visit, `lo` is a multiple of the smallest power of
/// two ≥ `n`, so the left part is a perfect subtree (one lookup) and only the right part recurses: at
/// most 64 lookups. An unaligned range would still hash correctly, with more lookups.
fn range_hash<S: NodeStore>(store: &S, lo: u64, hi: u64) -> Result<Digest, TreeError<S::Error>> {
    let n = hi.saturating_sub(lo);
    if n == 0 {
        return Ok(empty_root());
    }
    if n.is_power_of_two() && lo.is_multiple_of(n) {
        let level = n.trailing_zeros();
        return stored(store, level, lo >> level);
    }
    // n ≥ 2 here (n = 1 is a power of two dividing lo), so 0 < k < n and lo < mid < hi: no overflow.
    let mid = lo + largest_power_of_two_below(n);
    let left = range_hash(store, lo, mid)?;
    let right = range_hash(store, mid, hi)?;
    Ok(node_hash(&left, &right))
}

/// A node that an append completes: `(level, index, hash)` of a perfect subtree, as [`NodeStore`]
/// numbers them.
pub type CompletedNode = (u32, u64, Digest);

/// The nodes that become complete when leaf number `leaf_index` (0-based, so the tree grows to
/// `leaf_index + 1` leaves) with hash `leaf` is appended, given a store that already holds every
/// complete node of the smaller tree (RFC 9162 §2.1.1 for the hashes).
///
/// Returns `(level, index, hash)` for level 0 (the leaf itself) and for every parent that completes,
/// bottom-up; the caller inserts them in the same transaction as the leaf, so that the store never
/// holds a leaf without its completed ancestors. A leaf at index `m` completes one parent per trailing
/// one bit of `m`, each from its left sibling already in the store.
///
/// Checks, at the cost of one or two lookups, that the store holds the previous leaf
/// ([`TreeError::MissingNode`]) and not yet this one ([`TreeError::AlreadyAppended`]), so that a
/// wrong `leaf_index` cannot silently build another tree.
pub fn nodes_completed_by_append<S: NodeStore>(
    store: &S,
    leaf_index: u64,
    leaf: Digest,
) -> Result<Vec<CompletedNode>, TreeError<S::Error>> {
    if leaf_index == u64::MAX {
        return Err(TreeError::TreeFull { leaf_index });
    }
    if store.node(0, leaf_index).map_err(TreeError::Store)?.is_some() {
        return Err(TreeError::AlreadyAppended { leaf_index });
    }
    if leaf_index.is_multiple_of(2) {
        if let Some(previous) = leaf_index.checked_sub(1) {
            stored(store, 0, previous)?;
        }
    }
    let mut completed = vec![(0, leaf_index, leaf)];
    let (mut level, mut index, mut hash) = (0u32, leaf_index, leaf);
    // At most 63 rounds, since leaf_index < u64::MAX has at most 63 trailing ones.
    while index % 2 == 1 {
        let left = stored(store, level, index - 1)?;
        hash = node_hash(&left, &hash);
        level += 1;
        index >>= 1;
        completed.push((level, index, hash));
    }
    Ok(completed)
}

/// `MTH(D[0:tree_size])` (RFC 9162 §2.1.1), from the perfect subtrees in `store`: at most 64 lookups.
///
/// The empty tree's hash is `HASH()`, SHA-256 of the empty string. A size beyond what the store holds
/// gives [`TreeError::MissingNode`].
pub fn root<S: NodeStore>(store: &S, tree_size: u64) -> Result<Digest, TreeError<S::Error>> {
    range_hash(store, 0, tree_size)
}

/// The inclusion proof `PATH(leaf_index, D[0:tree_size])` (RFC 9162 §2.1.3.1): the hashes needed to
/// recompute the root from the leaf, bottom-up, in O(log n) lookups.
///
/// Follows the RFC's recursion iteratively: at each split `k` of the current range, the leaf is on one
/// side and `MTH` of the other side joins the proof. Fails with [`TreeError::IndexOutOfRange`] unless
/// `leaf_index < tree_size`, and with [`TreeError::MissingNode`] if the store does not reach
/// `tree_size` (checked on the last leaf, so that it fails even where the proof would be empty).
pub fn inclusion_proof<S: NodeStore>(
    store: &S,
    leaf_index: u64,
    tree_size: u64,
) -> Result<Vec<Digest>, TreeError<S::Error>> {
    let Some(last) = tree_size.checked_sub(1).filter(|last| leaf_index <= *last) else {
        return Err(TreeError::IndexOutOfRange { leaf_index, tree_size });
    };
    stored(store, 0, last)?;
    let (mut lo, mut hi) = (0, tree_size);
    let mut path = Vec::new();
    // Invariant: lo ≤ leaf_index < hi. The RFC's recursion appends each sibling after the deeper
    // ones, so the siblings are collected top-down and reversed.
    while hi - lo > 1 {
        let mid = lo + largest_power_of_two_below(hi - lo);
        if leaf_index < mid {
            path.push(range_hash(store, mid, hi)?);
            hi = mid;
        } else {
            path.push(range_hash(store, lo, mid)?);
            lo = mid;
        }
    }
    path.reverse();
    Ok(path)
}

/// The consistency proof `PROOF(first, D[0:second])` (RFC 9162 §2.1.4.1): the hashes from which both
/// `MTH(D[0:first])` and `MTH(D[0:second])` can be recomputed, proving that the first tree is a prefix
/// of the second, in O(log n) lookups.
///
/// Follows the RFC's `SUBPROOF` recursion iteratively. `first == second` gives the empty proof (the RFC
/// defines only `first < second`; `SUBPROOF(m, D[m], true)` is empty, and
/// [`shared::merkle::verify_consistency`] accepts it for equal hashes); `first == 0` and
/// `first > second` are errors. A `second` beyond what the store holds gives [`TreeError::MissingNode`].
pub fn consistency_proof<S: NodeStore>(store: &S, first: u64, second: u64) -> Result<Vec<Digest>, TreeError<S::Error>> {
    if first > second {
        return Err(TreeError::FirstLargerThanSecond { first, second });
    }
    let Some(last) = second.checked_sub(1).filter(|_| first > 0) else {
        return Err(TreeError::FirstIsZero);
    };
    stored(store, 0, last)?;
    // SUBPROOF(m, D[lo:hi], b) with m = first − lo. Invariant: lo < first ≤ hi. `whole_first` is the
    // RFC's `b`: true while D[lo:first] is the whole first tree, whose hash the verifier already has.
    let (mut lo, mut hi, mut whole_first) = (0, second, true);
    let mut proof = Vec::new();
    while first < hi {
        // hi − lo ≥ 2 since lo < first < hi.
        let mid = lo + largest_power_of_two_below(hi - lo);
        if first <= mid {
            proof.push(range_hash(store, mid, hi)?);
            hi = mid;
        } else {
            proof.push(range_hash(store, lo, mid)?);
            lo = mid;
            whole_first = false;
        }
    }
    if !whole_first {
        proof.push(range_hash(store, lo, hi)?);
    }
    proof.reverse();
    Ok(proof)
}

/// An in-memory [`NodeStore`] holding every complete perfect subtree (a `Vec` per level), for tests,
/// the offline verifier and recomputing a whole log from its leaves.
#[derive(Default, Clone, Debug, PartialEq, Eq)]
pub struct MemoryTree {
    /// `levels[l][i]` is the hash of the perfect subtree at level `l`, index `i`; level `l` holds
    /// `len() >> l` hashes.
    levels: Vec<Vec<Digest>>,
}

impl MemoryTree {
    /// The empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a leaf, given its [`shared::merkle::leaf_hash`], and every parent it completes
    /// (RFC 9162 §2.1.1).
    ///
    /// Does the same as [`nodes_completed_by_append`], but cannot fail, since the tree holds its own
    /// invariant; the tests check that the two agree.
    pub fn push(&mut self, leaf_hash: Digest) {
        let (mut level, mut hash) = (0, leaf_hash);
        loop {
            if self.levels.len() == level {
                self.levels.push(Vec::new());
            }
            let Some(row) = self.levels.get_mut(level) else { return };
            row.push(hash);
            // A level whose length became even has completed a pair, so their parent completes too.
            match row.as_slice() {
                [.., left, right] if row.len() % 2 == 0 => hash = node_hash(left, right),
                _ => return,
            }
            level += 1;
        }
    }

    /// The number of leaves.
    pub fn len(&self) -> u64 {
        self.levels.first().map_or(0, |leaves| leaves.len() as u64)
    }

    /// Whether the tree has no leaves.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `MTH` of the whole tree (RFC 9162 §2.1.1), with no lookups that could fail.
    ///
    /// A tree of `n` leaves is the perfect subtrees for the one bits of `n`, largest on the left, and
    /// the one at level `l` is the last hash of that level; the RFC's recursion folds them from the
    /// right.
    pub fn root(&self) -> Digest {
        let len = self.len();
        let mut peaks = (0u32..)
            .zip(&self.levels)
            .filter(|(level, _)| len.checked_shr(*level).unwrap_or(0) % 2 == 1)
            .filter_map(|(_, row)| row.last());
        match peaks.next() {
            None => empty_root(),
            Some(smallest) => peaks.fold(*smallest, |right, left| node_hash(left, &right)),
        }
    }
}

impl NodeStore for MemoryTree {
    type Error = Infallible;

    fn node(&self, level: u32, index: u64) -> Result<Option<Digest>, Infallible> {
        let row = usize::try_from(level).ok().and_then(|level| self.levels.get(level));
        Ok(row.zip(usize::try_from(index).ok()).and_then(|(row, index)| row.get(index)).copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use proptest::sample::Index;
    use shared::merkle::{leaf_hash, verify_consistency, verify_inclusion, ProofError};

    // ---- A naive reference, straight from the RFC's recursive definitions over a list of leaves. ----

    /// The RFC's k for n ≥ 2, by counting.
    fn split(n: usize) -> usize {
        let mut k = 1;
        while k * 2 < n {
            k *= 2;
        }
        k
    }

    /// MTH(D_n), §2.1.1 (hashing written out, independently of `leaf_hash` and `node_hash`).
    fn mth(d: &[Vec<u8>]) -> Digest {
        match d {
            [] => Digest::of(&[]),
            [leaf] => Digest::of_parts(&[&[0], leaf]),
            _ => {
                let k = split(d.len());
                Digest::of_parts(&[&[1], &mth(&d[..k]).0, &mth(&d[k..]).0])
            }
        }
    }

    /// PATH(m, D_n), §2.1.3.1.
    fn path(m: usize, d: &[Vec<u8>]) -> Vec<Digest> {
        if d.len() <= 1 {
            return vec![];
        }
        let k = split(d.len());
        let (mut p, other) = if m < k { (path(m, &d[..k]), &d[k..]) } else { (path(m - k, &d[k..]), &d[..k]) };
        p.push(mth(other));
        p
    }

    /// PROOF(m, D_n) = SUBPROOF(m, D_n, true), §2.1.4.1, for 0 < m ≤ n.
    fn proof(m: usize, d: &[Vec<u8>]) -> Vec<Digest> {
        subproof(m, d, true)
    }

    fn subproof(m: usize, d: &[Vec<u8>], b: bool) -> Vec<Digest> {
        if m == d.len() {
            return if b { vec![] } else { vec![mth(d)] };
        }
        let k = split(d.len());
        let (mut p, other) =
            if m <= k { (subproof(m, &d[..k], b), &d[k..]) } else { (subproof(m - k, &d[k..], false), &d[..k]) };
        p.push(mth(other));
        p
    }

    // ---- Helpers. ----

    fn h(hex: &str) -> Digest {
        Digest::from_hex(hex).expect("64 lowercase hex digits")
    }

    fn memory(leaves: &[Vec<u8>]) -> MemoryTree {
        let mut tree = MemoryTree::new();
        for leaf in leaves {
            tree.push(leaf_hash(leaf));
        }
        tree
    }

    /// Builds a tree through `nodes_completed_by_append`, as the archive does, and checks that it
    /// equals the one `push` builds.
    fn appended(leaves: &[Vec<u8>]) -> MemoryTree {
        let mut tree = MemoryTree::new();
        for (leaf_index, leaf) in (0u64..).zip(leaves) {
            let completed = nodes_completed_by_append(&tree, leaf_index, leaf_hash(leaf)).expect("append");
            for (level, index, hash) in completed {
                let level = level as usize;
                if tree.levels.len() <= level {
                    tree.levels.push(Vec::new());
                }
                assert_eq!(tree.levels[level].len() as u64, index, "nodes complete in order");
                tree.levels[level].push(hash);
            }
        }
        assert_eq!(tree, memory(leaves));
        tree
    }

    /// Distinct leaves, so that distinct ranges have distinct hashes.
    fn leaves(count: usize, salt: u64) -> Vec<Vec<u8>> {
        (0..count as u64).map(|i| [salt.to_be_bytes(), i.to_be_bytes()].concat()).collect()
    }

    fn flip(proof: &[Digest], element: usize, bit: usize) -> Vec<Digest> {
        let mut wrong = proof.to_vec();
        wrong[element].0[bit / 8] ^= 1 << (bit % 8);
        wrong
    }

    // ---- Known answers: the stored nodes of the RFC 6962 test tree of transparency-dev/merkle
    // (testonly/constants.go). The known roots and proofs pin `shared::merkle`'s verification, which
    // the tests below then use as their oracle. ----

    const LEAVES: [&str; 8] =
        ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

    /// NodeHashes(): every perfect subtree of the 8-leaf tree, by level.
    const NODES: [&[&str]; 4] = [
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
            "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
        ],
        &[
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        ],
        &[
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
        &["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
    ];

    fn reference_leaves() -> Vec<Vec<u8>> {
        LEAVES.iter().map(|leaf| hex::decode(leaf).expect("test hex")).collect()
    }

    fn hashes(hex: &[&str]) -> Vec<Digest> {
        hex.iter().map(|x| h(x)).collect()
    }

    /// The stored nodes are the known ones; every prefix's root and every proof equals the naive
    /// reference and verifies, anchored to the known root of the whole tree.
    #[test]
    fn reference_tree() {
        let leaves = reference_leaves();
        let tree = appended(&leaves);
        for (level, row) in NODES.iter().enumerate() {
            assert_eq!(tree.levels[level], hashes(row), "level {level}");
        }
        let whole = h(NODES[3][0]);
        for size in 1..=8u64 {
            let n = size as usize;
            let root_hash = root(&tree, size).expect("root");
            assert_eq!(root_hash, mth(&leaves[..n]), "naive, size {size}");
            assert_eq!(memory(&leaves[..n]).root(), root_hash, "MemoryTree::root, size {size}");
            let consistency = consistency_proof(&tree, size, 8).expect("consistency proof");
            assert_eq!(consistency, proof(n, &leaves), "{size} to 8");
            assert_eq!(verify_consistency(size, 8, &root_hash, &whole, &consistency), Ok(()), "{size} to 8");
            for leaf_index in 0..size {
                let inclusion = inclusion_proof(&tree, leaf_index, size).expect("inclusion proof");
                assert_eq!(inclusion, path(leaf_index as usize, &leaves[..n]), "{leaf_index} in {size}");
                let leaf = leaf_hash(&leaves[leaf_index as usize]);
                assert_eq!(verify_inclusion(&leaf, leaf_index, size, &inclusion, &root_hash), Ok(()));
            }
        }
    }

    #[test]
    fn empty_tree() {
        let tree = MemoryTree::new();
        let empty = Digest::of(&[]);
        assert!(tree.is_empty());
        assert_eq!(tree.len(), 0);
        assert_eq!(tree.root(), empty);
        assert_eq!(root(&tree, 0), Ok(empty));
        assert_eq!(inclusion_proof(&tree, 0, 0), Err(TreeError::IndexOutOfRange { leaf_index: 0, tree_size: 0 }));
        assert_eq!(consistency_proof(&tree, 0, 0), Err(TreeError::FirstIsZero));
        // Sizes the store does not reach.
        assert_eq!(root(&tree, 1), Err(TreeError::MissingNode { level: 0, index: 0 }));
        assert_eq!(inclusion_proof(&tree, 0, 1), Err(TreeError::MissingNode { level: 0, index: 0 }));
        assert_eq!(consistency_proof(&tree, 1, 1), Err(TreeError::MissingNode { level: 0, index: 0 }));
    }

    #[test]
    fn single_leaf() {
        let leaf = leaf_hash(b"only");
        let mut tree = MemoryTree::new();
        tree.push(leaf);
        assert_eq!(tree.len(), 1);
        assert_eq!(tree.root(), leaf);
        assert_eq!(root(&tree, 1), Ok(leaf));
        assert_eq!(inclusion_proof(&tree, 0, 1), Ok(vec![]));
        assert_eq!(verify_inclusion(&leaf, 0, 1, &[], &leaf), Ok(()));
        assert_eq!(inclusion_proof(&tree, 1, 1), Err(TreeError::IndexOutOfRange { leaf_index: 1, tree_size: 1 }));
        assert_eq!(consistency_proof(&tree, 1, 1), Ok(vec![]));
        assert_eq!(verify_consistency(1, 1, &leaf, &leaf, &[]), Ok(()));
    }

    #[test]
    fn equal_sizes() {
        let leaves = leaves(13, 7);
        let tree = appended(&leaves);
        for size in 1..=13 {
            let hash = mth(&leaves[..size as usize]);
            assert_eq!(consistency_proof(&tree, size, size), Ok(vec![]));
            assert_eq!(verify_consistency(size, size, &hash, &hash, &[]), Ok(()));
        }
    }

    #[test]
    fn last_index() {
        let leaves = leaves(70, 3);
        let tree = appended(&leaves);
        for size in 1..=70u64 {
            let leaf_index = size - 1;
            let proof = inclusion_proof(&tree, leaf_index, size).expect("proof");
            assert_eq!(proof, path(leaf_index as usize, &leaves[..size as usize]));
            let leaf = leaf_hash(&leaves[leaf_index as usize]);
            assert_eq!(verify_inclusion(&leaf, leaf_index, size, &proof, &mth(&leaves[..size as usize])), Ok(()));
        }
    }

    #[test]
    fn huge_sizes_are_errors() {
        let tree = appended(&leaves(5, 1));
        let max = u64::MAX;
        assert!(matches!(root(&tree, max), Err(TreeError::MissingNode { .. })));
        assert!(matches!(root(&tree, 6), Err(TreeError::MissingNode { .. })));
        assert!(matches!(inclusion_proof(&tree, 0, max), Err(TreeError::MissingNode { .. })));
        assert!(matches!(inclusion_proof(&tree, max - 1, max), Err(TreeError::MissingNode { .. })));
        assert_eq!(
            inclusion_proof(&tree, max, max),
            Err(TreeError::IndexOutOfRange { leaf_index: max, tree_size: max })
        );
        assert!(matches!(consistency_proof(&tree, 1, max), Err(TreeError::MissingNode { .. })));
        assert!(matches!(consistency_proof(&tree, max, max), Err(TreeError::MissingNode { .. })));
        assert!(matches!(consistency_proof(&tree, max - 1, max), Err(TreeError::MissingNode { .. })));
        assert_eq!(consistency_proof(&tree, max, 1), Err(TreeError::FirstLargerThanSecond { first: max, second: 1 }));
    }

    #[test]
    fn append_checks_its_preconditions() {
        let tree = appended(&leaves(4, 9));
        let leaf = leaf_hash(b"x");
        assert_eq!(nodes_completed_by_append(&tree, 3, leaf), Err(TreeError::AlreadyAppended { leaf_index: 3 }));
        assert_eq!(nodes_completed_by_append(&tree, 6, leaf), Err(TreeError::MissingNode { level: 0, index: 5 }));
        assert_eq!(nodes_completed_by_append(&tree, 5, leaf), Err(TreeError::MissingNode { level: 0, index: 4 }));
        assert_eq!(nodes_completed_by_append(&tree, u64::MAX, leaf), Err(TreeError::TreeFull { leaf_index: u64::MAX }));
        assert_eq!(nodes_completed_by_append(&MemoryTree::new(), 0, leaf), Ok(vec![(0, 0, leaf)]));
        // Leaf 3 of a 3-leaf tree completes [2,4) and [0,4).
        let three = appended(&leaves(3, 9));
        let completed = nodes_completed_by_append(&three, 3, leaf).expect("append");
        assert_eq!(
            completed.iter().map(|(level, index, _)| (*level, *index)).collect::<Vec<_>>(),
            [(0, 3), (1, 1), (2, 0)]
        );
    }

    /// A tree of up to 300 distinct leaves, with a tree size, a leaf index in it, and a first size.
    fn scenario() -> impl Strategy<Value = (Vec<Vec<u8>>, u64, u64, u64)> {
        (1usize..=300, any::<u64>(), any::<Index>(), any::<Index>(), any::<Index>()).prop_map(
            |(count, salt, size, index, first)| {
                let tree_size = size.index(count) + 1;
                let leaf_index = index.index(tree_size);
                let first = first.index(tree_size) + 1;
                (leaves(count, salt), tree_size as u64, leaf_index as u64, first as u64)
            },
        )
    }

    /// The error `verify_inclusion` must give for a valid proof presented with another index or size
    /// of the tree of `leaves`.
    fn inclusion_rejection(
        leaves: &[Vec<u8>],
        leaf_index: u64,
        tree_size: u64,
        proof_len: usize,
        root_hash: Digest,
    ) -> ProofError {
        if leaf_index >= tree_size {
            return ProofError::IndexOutOfRange { leaf_index, tree_size };
        }
        let expected = path(leaf_index as usize, &leaves[..tree_size as usize]).len();
        if expected != proof_len {
            return ProofError::WrongProofSize { expected, got: proof_len };
        }
        // Placeholder `got`: the caller compares `expected` only.
        ProofError::RootMismatch { expected: root_hash, got: root_hash }
    }

    fn same_variant(got: &ProofError, want: &ProofError) -> bool {
        match (got, want) {
            (ProofError::RootMismatch { expected, .. }, ProofError::RootMismatch { expected: want, .. }) => {
                expected == want
            }
            _ => got == want,
        }
    }

    proptest! {
        #[test]
        fn store_matches_the_rfc_definitions((leaves, tree_size, leaf_index, first) in scenario()) {
            let tree = appended(&leaves);
            let n = tree_size as usize;
            let root_hash = mth(&leaves[..n]);
            prop_assert_eq!(root(&tree, tree_size), Ok(root_hash));
            prop_assert_eq!(memory(&leaves[..n]).root(), root_hash);

            let inclusion = inclusion_proof(&tree, leaf_index, tree_size).expect("inclusion proof");
            prop_assert_eq!(&inclusion, &path(leaf_index as usize, &leaves[..n]));
            let leaf = leaf_hash(&leaves[leaf_index as usize]);
            prop_assert_eq!(verify_inclusion(&leaf, leaf_index, tree_size, &inclusion, &root_hash), Ok(()));

            let consistency = consistency_proof(&tree, first, tree_size).expect("consistency proof");
            prop_assert_eq!(&consistency, &proof(first as usize, &leaves[..n]));
            let first_hash = mth(&leaves[..first as usize]);
            prop_assert_eq!(verify_consistency(first, tree_size, &first_hash, &root_hash, &consistency), Ok(()));
        }

        #[test]
        fn corrupted_inclusion_proofs_are_rejected(
            (leaves, tree_size, leaf_index, _first) in scenario(),
            element in any::<Index>(),
            bit in 0usize..256,
            other_index in any::<Index>(),
            other_size in any::<Index>(),
        ) {
            let tree = appended(&leaves);
            let n = tree_size as usize;
            let root_hash = mth(&leaves[..n]);
            let leaf = leaf_hash(&leaves[leaf_index as usize]);
            let good = inclusion_proof(&tree, leaf_index, tree_size).expect("inclusion proof");

            if !good.is_empty() {
                let wrong = flip(&good, element.index(good.len()), bit);
                let result = verify_inclusion(&leaf, leaf_index, tree_size, &wrong, &root_hash);
                prop_assert!(
                    matches!(result, Err(ProofError::RootMismatch { expected, .. }) if expected == root_hash),
                    "{:?}",
                    result
                );
                let truncated = &good[..good.len() - 1];
                prop_assert_eq!(
                    verify_inclusion(&leaf, leaf_index, tree_size, truncated, &root_hash),
                    Err(ProofError::WrongProofSize { expected: good.len(), got: good.len() - 1 })
                );
            }
            // A wrong leaf or a wrong root, with the right proof.
            let wrong_leaf = flip(&[leaf], 0, bit)[0];
            let got = verify_inclusion(&wrong_leaf, leaf_index, tree_size, &good, &root_hash);
            prop_assert!(
                matches!(got, Err(ProofError::RootMismatch { expected, got }) if expected == root_hash && got != root_hash),
                "{:?}",
                got
            );
            let wrong_root = flip(&[root_hash], 0, bit)[0];
            prop_assert_eq!(
                verify_inclusion(&leaf, leaf_index, tree_size, &good, &wrong_root),
                Err(ProofError::RootMismatch { expected: wrong_root, got: root_hash })
            );

            let mut extended = good.clone();
            extended.push(root_hash);
            prop_assert_eq!(
                verify_inclusion(&leaf, leaf_index, tree_size, &extended, &root_hash),
                Err(ProofError::WrongProofSize { expected: good.len(), got: good.len() + 1 })
            );

            // Another index in the same tree (up to one past the end), with the same leaf hash and proof.
            let wrong_index = other_index.index(n + 1) as u64;
            if wrong_index != leaf_index {
                let got = verify_inclusion(&leaf, wrong_index, tree_size, &good, &root_hash);
                let want = inclusion_rejection(&leaves, wrong_index, tree_size, good.len(), root_hash);
                prop_assert!(got.as_ref().is_err_and(|e| same_variant(e, &want)), "{:?} vs {:?}", got, want);
            }

            // Another size, with that tree's own root.
            let wrong_size = other_size.index(leaves.len()) as u64 + 1;
            if wrong_size != tree_size {
                let wrong_root = mth(&leaves[..wrong_size as usize]);
                let got = verify_inclusion(&leaf, leaf_index, wrong_size, &good, &wrong_root);
                let want = inclusion_rejection(&leaves, leaf_index, wrong_size, good.len(), wrong_root);
                prop_assert!(got.as_ref().is_err_and(|e| same_variant(e, &want)), "{:?} vs {:?}", got, want);
            }
        }

        #[test]
        fn corrupted_consistency_proofs_are_rejected(
            (leaves, second, _leaf_index, first) in scenario(),
            element in any::<Index>(),
            bit in 0usize..256,
            other_first in any::<Index>(),
            other_second in any::<Index>(),
        ) {
            let tree = appended(&leaves);
            let first_hash = mth(&leaves[..first as usize]);
            let second_hash = mth(&leaves[..second as usize]);
            let good = consistency_proof(&tree, first, second).expect("consistency proof");
            let is_mismatch = |result: &Result<(), ProofError>, first_hash: Digest, second_hash: Digest| {
                matches!(result, Err(ProofError::FirstRootMismatch { expected, .. }) if *expected == first_hash)
                    || matches!(result, Err(ProofError::SecondRootMismatch { expected, .. }) if *expected == second_hash)
            };

            if !good.is_empty() {
                let wrong = flip(&good, element.index(good.len()), bit);
                let result = verify_consistency(first, second, &first_hash, &second_hash, &wrong);
                prop_assert!(is_mismatch(&result, first_hash, second_hash), "{:?}", result);
                prop_assert_eq!(
                    verify_consistency(first, second, &first_hash, &second_hash, &good[..good.len() - 1]),
                    Err(ProofError::WrongProofSize { expected: good.len(), got: good.len() - 1 })
                );
            }
            // Wrong hashes with the right proof (the Go tests' "wrong root1", "wrong root2").
            let wrong_first = flip(&[first_hash], 0, bit)[0];
            let got = verify_consistency(first, second, &wrong_first, &second_hash, &good);
            if first == second || first.is_power_of_two() {
                // The first hash is the proof's seed (or the whole answer), so only the second differs.
                prop_assert!(
                    matches!(got, Err(ProofError::SecondRootMismatch { expected, .. }) if expected == second_hash),
                    "{:?}",
                    got
                );
            } else {
                prop_assert_eq!(got, Err(ProofError::FirstRootMismatch { expected: wrong_first, got: first_hash }));
            }
            let wrong_second = flip(&[second_hash], 0, bit)[0];
            prop_assert_eq!(
                verify_consistency(first, second, &first_hash, &wrong_second, &good),
                Err(ProofError::SecondRootMismatch { expected: wrong_second, got: second_hash })
            );

            let mut extended = good.clone();
            extended.push(second_hash);
            prop_assert_eq!(
                verify_consistency(first, second, &first_hash, &second_hash, &extended),
                Err(ProofError::WrongProofSize { expected: good.len(), got: good.len() + 1 })
            );
            let mut prepended = vec![first_hash];
            prepended.extend_from_slice(&good);
            prop_assert_eq!(
                verify_consistency(first, second, &first_hash, &second_hash, &prepended),
                Err(ProofError::WrongProofSize { expected: good.len(), got: good.len() + 1 })
            );

            // Other sizes, each with its tree's own hash.
            let count = leaves.len();
            for (wrong_first, wrong_second) in [
                (other_first.index(count + 1) as u64, second),
                (first, other_second.index(count) as u64 + 1),
            ] {
                if (wrong_first, wrong_second) == (first, second) {
                    continue;
                }
                let wrong_first_hash = mth(&leaves[..wrong_first as usize]);
                let wrong_second_hash = mth(&leaves[..wrong_second as usize]);
                let got = verify_consistency(wrong_first, wrong_second, &wrong_first_hash, &wrong_second_hash, &good);
                if wrong_first > wrong_second {
                    prop_assert_eq!(got, Err(ProofError::FirstLargerThanSecond { first: wrong_first, second: wrong_second }));
                } else if wrong_first == 0 {
                    prop_assert_eq!(got, Err(ProofError::FirstIsZero));
                } else {
                    let expected = proof(wrong_first as usize, &leaves[..wrong_second as usize]).len();
                    if expected != good.len() {
                        prop_assert_eq!(got, Err(ProofError::WrongProofSize { expected, got: good.len() }));
                    } else {
                        prop_assert!(is_mismatch(&got, wrong_first_hash, wrong_second_hash), "{:?}", got);
                    }
                }
            }
        }

        #[test]
        fn arbitrary_arguments_never_panic(
            count in 0usize..40,
            leaf_index in any::<u64>(),
            tree_size in any::<u64>(),
            first in any::<u64>(),
            second in any::<u64>(),
        ) {
            let tree = appended(&leaves(count, 0));
            let _ = root(&tree, tree_size);
            let _ = inclusion_proof(&tree, leaf_index, tree_size);
            let _ = consistency_proof(&tree, first, second);
            let _ = nodes_completed_by_append(&tree, leaf_index, leaf_hash(b"x"));
            // Small values too, where the arithmetic is most delicate.
            let (small_index, small_size, small_first) = (leaf_index % 70, tree_size % 70, first % 70);
            let _ = inclusion_proof(&tree, small_index, small_size);
            let _ = consistency_proof(&tree, small_first, small_size);
        }
    }
}
