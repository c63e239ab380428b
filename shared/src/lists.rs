//! Sorting and collecting the short lists the protocol handles — a form's purposes, a person's
//! receipts, the decisions of one signature — through one compiled sort.
//!
//! The standard library's stable sort, and `collect` into a `BTreeMap` (which sorts, then builds
//! the tree in bulk), compile some 4 KB of code for every element type they meet. The widget met
//! fifteen, and parents on phones download each. Here the sort runs on `(key, index)` pairs of
//! integers, compiled once, and maps are built by insertion, whose code every map has anyway.

use std::collections::BTreeMap;

/// Sorts `items` by `key`, stably: items with equal keys keep their order. `key` runs once per
/// item (std's `sort_by_key` runs it on every comparison).
pub fn sort_by_key<T>(items: &mut Vec<T>, mut key: impl FnMut(&T) -> u64) {
    let mut order: Vec<(u64, usize)> = items.iter().enumerate().map(|(index, item)| (key(item), index)).collect();
    // The indices are distinct, so no two pairs are equal and an unstable sort is stable here.
    order.sort_unstable();
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(order.iter().filter_map(|&(_, index)| slots[index].take()));
}

/// The map of `pairs`; where a key comes twice, the later value stays, as with `collect`.
pub fn map_of<K: Ord, V>(pairs: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    for (key, value) in pairs {
        map.insert(key, value);
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn sorting_by_key_is_the_standard_stable_sort(items in proptest::collection::vec((0u64..8, any::<u32>()), 0..64)) {
            let mut ours = items.clone();
            sort_by_key(&mut ours, |(key, _)| *key);
            let mut std = items;
            std.sort_by_key(|(key, _)| *key);
            prop_assert_eq!(ours, std);
        }

        #[test]
        fn a_map_of_pairs_is_what_collect_gives(pairs in proptest::collection::vec((0u8..16, any::<u32>()), 0..64)) {
            prop_assert_eq!(map_of(pairs.clone()), pairs.into_iter().collect::<BTreeMap<_, _>>());
        }
    }
}
