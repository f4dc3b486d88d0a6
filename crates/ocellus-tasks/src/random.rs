//! Small draws on top of [`RandomState`]: integer ranges, choices, shuffles.

use ocellus_core::RandomState;

/// A whole number in `lo..=hi`.
pub(crate) fn int(rng: &mut RandomState, lo: u32, hi: u32) -> u32 {
    debug_assert!(lo <= hi);
    lo + rng.below(hi - lo + 1)
}

/// One element of a non-empty slice.
pub(crate) fn choose<T: Copy>(rng: &mut RandomState, items: &[T]) -> T {
    items[rng.below(items.len() as u32) as usize]
}

/// Fisher–Yates shuffle in place.
pub(crate) fn shuffle<T>(rng: &mut RandomState, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = rng.below(i as u32 + 1) as usize;
        items.swap(i, j);
    }
}

/// `true` with probability `p`.
pub(crate) fn chance(rng: &mut RandomState, p: f64) -> bool {
    rng.random_sample() < p
}
