//! A small, seedable random generator whose whole state can be checkpointed.
//!
//! libtorch's global generator cannot be split into independent streams, and tch does not
//! expose `torch.Generator` objects, so a checkpoint could not restore it per purpose. Each
//! stochastic part of an agent (initialisation, augmentation, policy noise, exploration) instead
//! owns an [`Rng`]: xoshiro256++ (Blackman & Vigna 2018, <https://prng.di.unimi.it/>), seeded
//! through SplitMix64 as its authors recommend. The draws are produced on the host and copied
//! to the model's device, which makes them device-independent (a CUDA run draws exactly what a
//! CPU run draws). The per-update volume is tiny (2 × B shifts and B × A normals).

use tch::{Device, Kind, Tensor};

use crate::state::{StateError, StateProblem};

/// xoshiro256++ with SplitMix64 seeding; its state is four `u64`s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rng {
    s: [u64; 4],
}

fn splitmix64(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Rng {
    /// The generator for stream `stream` of a run seeded with `seed`.
    ///
    /// Different streams of the same seed are decorrelated (their SplitMix64 seeds differ).
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut x = seed ^ stream.wrapping_mul(0xd1b5_4a32_d192_ed03);
        let mut s = [0u64; 4];
        for v in &mut s {
            *v = splitmix64(&mut x);
        }
        if s == [0; 4] {
            s[0] = 1; // unreachable in practice: SplitMix64 is a bijection of a counter.
        }
        Rng { s }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// A double in `[0, 1)` with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A whole number in `[0, n)`, without bias (Lemire's method with rejection).
    ///
    /// # Panics
    /// If `n` is 0.
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "below(0) has no value to return");
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = u128::from(self.next_u64()) * u128::from(n);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }

    /// Fills `out` with standard normal draws (Box–Muller on pairs of uniforms; an odd tail
    /// uses one pair and drops its second value).
    pub fn fill_standard_normal(&mut self, out: &mut [f32]) {
        let mut chunks = out.chunks_exact_mut(2);
        for pair in &mut chunks {
            let (a, b) = self.normal_pair();
            pair[0] = a as f32;
            pair[1] = b as f32;
        }
        if let [last] = chunks.into_remainder() {
            *last = self.normal_pair().0 as f32;
        }
    }

    fn normal_pair(&mut self) -> (f64, f64) {
        // u1 in (0, 1] so that ln(u1) is finite.
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        let r = (-2.0 * u1.ln()).sqrt();
        let theta = std::f64::consts::TAU * u2;
        (r * theta.cos(), r * theta.sin())
    }

    /// An f32 tensor of standard normal draws with `shape`, on `device`.
    pub fn normal_tensor(&mut self, shape: &[i64], device: Device) -> Tensor {
        let n: i64 = shape.iter().product();
        let mut v = vec![0f32; n as usize];
        self.fill_standard_normal(&mut v);
        Tensor::from_slice(&v).view(shape).to_device(device)
    }

    /// An f32 tensor of uniform draws in `[low, high)` with `shape`, on `device`
    /// (`low + (high - low) · u`, computed in f64, then rounded to f32).
    pub fn uniform_tensor(&mut self, shape: &[i64], low: f64, high: f64, device: Device) -> Tensor {
        let n: i64 = shape.iter().product();
        let v: Vec<f32> = (0..n)
            .map(|_| (low + (high - low) * self.uniform()) as f32)
            .collect();
        Tensor::from_slice(&v).view(shape).to_device(device)
    }

    /// The four state words.
    pub fn state(&self) -> [u64; 4] {
        self.s
    }

    /// The generator with the given state words.
    ///
    /// # Errors
    /// If all four words are zero (xoshiro's one invalid state).
    pub fn from_state(s: [u64; 4]) -> Result<Self, StateError> {
        if s == [0; 4] {
            return Err(StateError::one(StateProblem::Value {
                key: String::from("rng"),
                reason: String::from("an all-zero xoshiro256++ state is invalid"),
            }));
        }
        Ok(Rng { s })
    }

    /// The state as an int64 tensor of shape `[4]` (the words' bits reinterpreted), for a
    /// checkpoint.
    pub fn state_tensor(&self) -> Tensor {
        let words: Vec<i64> = self.s.iter().map(|&w| w as i64).collect();
        Tensor::from_slice(&words)
    }

    /// The generator whose state [`Rng::state_tensor`] wrote; `key` names it in errors.
    ///
    /// # Errors
    /// If the tensor is not int64 of shape `[4]` or holds the invalid all-zero state.
    pub fn from_state_tensor(key: &str, t: &Tensor) -> Result<Self, StateError> {
        if t.kind() != Kind::Int64 || t.size() != [4] {
            return Err(StateError::one(StateProblem::Value {
                key: key.to_string(),
                reason: format!(
                    "expected an int64 tensor of shape [4], found {:?} {:?}",
                    t.kind(),
                    t.size()
                ),
            }));
        }
        let words = Vec::<i64>::try_from(&t.to_device(Device::Cpu)).map_err(|e| {
            StateError::one(StateProblem::Value {
                key: key.to_string(),
                reason: e.to_string(),
            })
        })?;
        let s = [
            words[0] as u64,
            words[1] as u64,
            words[2] as u64,
            words[3] as u64,
        ];
        Rng::from_state(s).map_err(|_| {
            StateError::one(StateProblem::Value {
                key: key.to_string(),
                reason: String::from("an all-zero xoshiro256++ state is invalid"),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_differ_and_repeat() {
        let mut a = Rng::new(1, 0);
        let mut b = Rng::new(1, 0);
        let mut c = Rng::new(1, 1);
        let xa: Vec<u64> = (0..4).map(|_| a.next_u64()).collect();
        let xb: Vec<u64> = (0..4).map(|_| b.next_u64()).collect();
        let xc: Vec<u64> = (0..4).map(|_| c.next_u64()).collect();
        assert_eq!(xa, xb);
        assert_ne!(xa, xc);
    }

    #[test]
    fn state_round_trips_through_a_tensor() {
        let mut a = Rng::new(7, 3);
        a.next_u64();
        let t = a.state_tensor();
        let mut b = Rng::from_state_tensor("rng", &t).unwrap();
        assert_eq!(a.next_u64(), b.next_u64());
        assert!(Rng::from_state([0; 4]).is_err());
        assert!(
            Rng::from_state_tensor("rng", &Tensor::zeros([4], (Kind::Int64, Device::Cpu))).is_err()
        );
    }

    #[test]
    fn draws_have_the_right_moments() {
        let mut r = Rng::new(0, 0);
        let mut v = vec![0f32; 200_001];
        r.fill_standard_normal(&mut v);
        let n = v.len() as f64;
        let mean = v.iter().map(|&x| f64::from(x)).sum::<f64>() / n;
        let var = v
            .iter()
            .map(|&x| (f64::from(x) - mean).powi(2))
            .sum::<f64>()
            / n;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.01, "var {var}");
        let mut counts = [0u32; 9];
        for _ in 0..90_000 {
            counts[r.below(9) as usize] += 1;
        }
        for c in counts {
            assert!((9_000..11_000).contains(&c), "{counts:?}");
        }
    }
}
