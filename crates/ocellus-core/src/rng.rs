//! Seeding that matches dm_control.
//!
//! dm_control seeds each task with `numpy.random.RandomState(seed)` and draws every initial
//! state from it with `uniform` and `randn`. [`RandomState`] reproduces those draws bit for
//! bit, so `reset(seed)` of a native task starts from the state dm_control starts from for the
//! same seed (checked by `scripts/validate_dmc.py`).
//!
//! Port of NumPy's legacy generator: `numpy/random/src/mt19937/mt19937.c` (`mt19937_seed`,
//! `mt19937_gen`), `_mt19937.pyx::_legacy_seeding` (an integer seed goes to `mt19937_seed`),
//! `legacy-distributions.c::legacy_gauss` (polar Box–Muller that caches its second value) and
//! `mt19937_next_double` (53-bit doubles from two 32-bit draws). The Mersenne Twister itself is
//! Matsumoto & Nishimura (1998).

const N: usize = 624;
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

/// NumPy's legacy `RandomState` (MT19937), restricted to the draws ocellus needs.
#[derive(Clone)]
pub struct RandomState {
    key: [u32; N],
    pos: usize,
    /// The second value of the last polar Box–Muller pair, as NumPy caches it.
    cached_gauss: Option<f64>,
}

impl std::fmt::Debug for RandomState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RandomState")
            .field("pos", &self.pos)
            .finish_non_exhaustive()
    }
}

impl RandomState {
    /// The generator `numpy.random.RandomState(seed)` creates.
    pub fn new(seed: u32) -> Self {
        let mut key = [0u32; N];
        let mut s = seed;
        for (i, k) in key.iter_mut().enumerate() {
            *k = s;
            s = 1_812_433_253u32
                .wrapping_mul(s ^ (s >> 30))
                .wrapping_add(i as u32 + 1);
        }
        RandomState {
            key,
            pos: N,
            cached_gauss: None,
        }
    }

    fn regenerate(&mut self) {
        let mag = |y: u32| if y & 1 == 1 { MATRIX_A } else { 0 };
        for i in 0..N - M {
            let y = (self.key[i] & UPPER_MASK) | (self.key[i + 1] & LOWER_MASK);
            self.key[i] = self.key[i + M] ^ (y >> 1) ^ mag(y);
        }
        for i in N - M..N - 1 {
            let y = (self.key[i] & UPPER_MASK) | (self.key[i + 1] & LOWER_MASK);
            self.key[i] = self.key[i + M - N] ^ (y >> 1) ^ mag(y);
        }
        let y = (self.key[N - 1] & UPPER_MASK) | (self.key[0] & LOWER_MASK);
        self.key[N - 1] = self.key[M - 1] ^ (y >> 1) ^ mag(y);
        self.pos = 0;
    }

    /// The next raw 32-bit output (tempered), as `RandomState.randint` sees it.
    pub fn next_u32(&mut self) -> u32 {
        if self.pos == N {
            self.regenerate();
        }
        let mut y = self.key[self.pos];
        self.pos += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// A double in `[0, 1)` with 53 random bits: `RandomState.random_sample()`.
    pub fn random_sample(&mut self) -> f64 {
        let a = (self.next_u32() >> 5) as f64;
        let b = (self.next_u32() >> 6) as f64;
        (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// `RandomState.uniform(low, high)`: `low + (high - low) * random_sample()`.
    pub fn uniform(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.random_sample()
    }

    /// `RandomState.randn()` / `standard_normal()`: polar Box–Muller, second value cached.
    pub fn standard_normal(&mut self) -> f64 {
        if let Some(g) = self.cached_gauss.take() {
            return g;
        }
        loop {
            let x1 = 2.0 * self.random_sample() - 1.0;
            let x2 = 2.0 * self.random_sample() - 1.0;
            let r2 = x1 * x1 + x2 * x2;
            if r2 < 1.0 && r2 != 0.0 {
                let f = (-2.0 * r2.ln() / r2).sqrt();
                self.cached_gauss = Some(f * x1);
                return f * x2;
            }
        }
    }

    /// Length of [`RandomState::to_bytes`]' output.
    pub const STATE_BYTES: usize = N * 4 + 8 + 1 + 8;

    /// The complete generator state as bytes (for checkpoints): the 624 key words, the
    /// position and the cached Gaussian, little-endian.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(Self::STATE_BYTES);
        for k in &self.key {
            out.extend_from_slice(&k.to_le_bytes());
        }
        out.extend_from_slice(&(self.pos as u64).to_le_bytes());
        out.push(u8::from(self.cached_gauss.is_some()));
        out.extend_from_slice(&self.cached_gauss.unwrap_or(0.0).to_le_bytes());
        out
    }

    /// Rebuilds a generator from [`RandomState::to_bytes`]; `None` if the bytes are not such
    /// a state (wrong length, position out of range, bad flag).
    pub fn from_bytes(bytes: &[u8]) -> Option<RandomState> {
        if bytes.len() != Self::STATE_BYTES {
            return None;
        }
        let mut key = [0u32; N];
        for (k, chunk) in key.iter_mut().zip(bytes.chunks_exact(4)) {
            *k = u32::from_le_bytes(chunk.try_into().ok()?);
        }
        let rest = &bytes[N * 4..];
        let pos = u64::from_le_bytes(rest[..8].try_into().ok()?) as usize;
        let cached = f64::from_le_bytes(rest[9..17].try_into().ok()?);
        let cached_gauss = match rest[8] {
            0 => None,
            1 => Some(cached),
            _ => return None,
        };
        (pos <= N).then_some(RandomState {
            key,
            pos,
            cached_gauss,
        })
    }

    /// A whole number in `[0, n)` (not NumPy-compatible; for ocellus' own draws only).
    ///
    /// # Panics
    /// If `n` is 0.
    pub fn below(&mut self, n: u32) -> u32 {
        assert!(n > 0, "below(0) has no value to return");
        // Lemire's multiply-shift; the bias for the small n used here is below 2^-20.
        ((u64::from(self.next_u32()) * u64::from(n)) >> 32) as u32
    }
}

/// The seed of stream `index` derived from a run's `base` seed (SplitMix64 finaliser).
///
/// Batched environments give copy `i` the seed `derive_seed(seed, i)`, so copies are
/// decorrelated and the same `(seed, i)` always yields the same episode.
pub fn derive_seed(base: u64, index: u64) -> u32 {
    let mut z = base.wrapping_add(index.wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 32) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference values printed by NumPy 1.26/2.x:
    //   rs = np.random.RandomState(0); rs.randint(0, 2**32, dtype=np.uint64) ... etc.
    #[test]
    fn matches_numpy_random_state_seed_0() {
        // np.random.RandomState(0).random_sample(3)
        let mut rs = RandomState::new(0);
        let want = [0.5488135039273248, 0.7151893663724195, 0.6027633760716439];
        for w in want {
            assert_eq!(rs.random_sample(), w);
        }
    }

    #[test]
    fn matches_numpy_standard_normal_seed_0() {
        // np.random.RandomState(0).randn(3)
        let mut rs = RandomState::new(0);
        let want = [1.764052345967664, 0.4001572083672233, 0.9787379841057392];
        for w in want {
            assert!((rs.standard_normal() - w).abs() < 1e-15);
        }
    }

    #[test]
    fn matches_mt19937_reference_output_seed_5489() {
        // First output of the reference mt19937ar.c with init_genrand(5489).
        let mut rs = RandomState::new(5489);
        assert_eq!(rs.next_u32(), 3_499_211_612);
    }

    #[test]
    fn state_bytes_round_trip_mid_stream() {
        let mut a = RandomState::new(9);
        for _ in 0..700 {
            a.random_sample();
        }
        a.standard_normal(); // leaves a cached Gaussian
        let mut b = RandomState::from_bytes(&a.to_bytes()).unwrap();
        for _ in 0..1000 {
            assert_eq!(a.standard_normal(), b.standard_normal());
        }
        assert!(RandomState::from_bytes(&[0; 10]).is_none());
        let mut bad = a.to_bytes();
        bad[N * 4 + 8] = 7;
        assert!(RandomState::from_bytes(&bad).is_none());
    }

    #[test]
    fn derived_seeds_differ_per_index_and_repeat() {
        let a: Vec<u32> = (0..8).map(|i| derive_seed(1, i)).collect();
        let b: Vec<u32> = (0..8).map(|i| derive_seed(1, i)).collect();
        assert_eq!(a, b);
        let mut c = a.clone();
        c.sort_unstable();
        c.dedup();
        assert_eq!(c.len(), 8);
        assert_ne!(derive_seed(2, 0), derive_seed(1, 0));
    }
}
