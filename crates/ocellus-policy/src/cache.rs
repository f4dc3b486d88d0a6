//! The key/value cache of a decoder-only transformer.

use tch::Tensor;

/// Keys and values of every layer, `[B, kv_heads, T, head_dim]` each, for the `T` positions run
/// so far. A model appends to it in [`crate::Policy::extend`]; the sampler expands it to a group
/// after the shared prompt and picks single rows out of it for later turns.
#[derive(Debug, Default)]
pub struct KvCache {
    layers: Vec<Option<(Tensor, Tensor)>>,
    len: i64,
}

impl KvCache {
    /// An empty cache for `layers` layers.
    pub fn new(layers: usize) -> KvCache {
        KvCache {
            layers: (0..layers).map(|_| None).collect(),
            len: 0,
        }
    }

    /// Positions cached (the position of the next token).
    pub fn len(&self) -> i64 {
        self.len
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Layer `i`'s cached keys and values, if any.
    pub fn layer(&self, i: usize) -> Option<&(Tensor, Tensor)> {
        self.layers.get(i).and_then(Option::as_ref)
    }

    /// Appends `k`, `v` (`[B, kv_heads, n, head_dim]`) to layer `i`; returns the full keys and
    /// values. The caller advances the length once per forward with [`KvCache::advance`].
    pub fn append(&mut self, i: usize, k: Tensor, v: Tensor) -> (Tensor, Tensor) {
        let (k, v) = match self.layers[i].take() {
            Some((pk, pv)) => (Tensor::cat(&[pk, k], 2), Tensor::cat(&[pv, v], 2)),
            None => (k, v),
        };
        self.layers[i] = Some((k.shallow_clone(), v.shallow_clone()));
        (k, v)
    }

    /// Records that `n` positions were appended to every layer.
    pub fn advance(&mut self, n: i64) {
        self.len += n;
    }

    /// Repeats a one-row cache `rows` times (a group sharing one prompt). Gradients flow back to
    /// the shared row.
    pub fn expand(&mut self, rows: i64) {
        for (k, v) in self.layers.iter_mut().flatten() {
            let mut shape = k.size();
            shape[0] = rows;
            *k = k.expand(&shape, false);
            *v = v.expand(&shape, false);
        }
    }

    /// Row `row` of the cache, keeping its first `len` positions (a row that stopped early has
    /// padding after them).
    pub fn select_row(&self, row: i64, len: i64) -> KvCache {
        let layers = self
            .layers
            .iter()
            .map(|l| {
                l.as_ref().map(|(k, v)| {
                    (
                        k.narrow(0, row, 1).narrow(2, 0, len),
                        v.narrow(0, row, 1).narrow(2, 0, len),
                    )
                })
            })
            .collect();
        KvCache { layers, len }
    }
}
