//! Byte encoding of saved environment states (see [`crate::EnvState`]).

use ocellus_core::RandomState;

use crate::EnvError;

/// Appends values to a state buffer.
#[derive(Default)]
pub(crate) struct Writer(pub Vec<u8>);

impl Writer {
    pub fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    pub fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub fn f32(&mut self, v: f32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub fn f64(&mut self, v: f64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub fn rng(&mut self, rng: &RandomState) {
        self.0.extend_from_slice(&rng.to_bytes());
    }
    /// A length-prefixed byte string.
    pub fn bytes(&mut self, b: &[u8]) {
        self.u32(b.len() as u32);
        self.0.extend_from_slice(b);
    }
}

/// Reads values back, failing with a message that names what was cut short.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], EnvError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| {
                EnvError::InvalidState(format!(
                    "saved state ends before its {what} (byte {})",
                    self.at
                ))
            })?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }
    pub fn u8(&mut self, what: &str) -> Result<u8, EnvError> {
        Ok(self.take(1, what)?[0])
    }
    pub fn u32(&mut self, what: &str) -> Result<u32, EnvError> {
        Ok(u32::from_le_bytes(
            self.take(4, what)?.try_into().expect("4 bytes"),
        ))
    }
    pub fn f32(&mut self, what: &str) -> Result<f32, EnvError> {
        Ok(f32::from_le_bytes(
            self.take(4, what)?.try_into().expect("4 bytes"),
        ))
    }
    pub fn f64(&mut self, what: &str) -> Result<f64, EnvError> {
        Ok(f64::from_le_bytes(
            self.take(8, what)?.try_into().expect("8 bytes"),
        ))
    }
    pub fn rng(&mut self, what: &str) -> Result<RandomState, EnvError> {
        let b = self.take(RandomState::STATE_BYTES, what)?;
        RandomState::from_bytes(b)
            .ok_or_else(|| EnvError::InvalidState(format!("saved {what} is not a generator state")))
    }
    pub fn bytes(&mut self, what: &str) -> Result<&'a [u8], EnvError> {
        let n = self.u32(what)? as usize;
        self.take(n, what)
    }
    /// Errors unless everything was read.
    pub fn finish(self) -> Result<(), EnvError> {
        if self.at == self.bytes.len() {
            Ok(())
        } else {
            Err(EnvError::InvalidState(format!(
                "saved state has {} unexpected trailing bytes",
                self.bytes.len() - self.at
            )))
        }
    }
}

/// Checks the tag of a state against the environment loading it.
pub(crate) fn check_task(saved: &str, mine: &str) -> Result<(), EnvError> {
    if saved == mine {
        Ok(())
    } else {
        Err(EnvError::InvalidState(format!(
            "saved state is for `{saved}`, not `{mine}`"
        )))
    }
}
