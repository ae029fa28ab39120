//! Synthetic stacks for tests and fuzzing (feature `synth`).

/// Builds the bytes of a stack that grows down: values are laid out from the lowest address
/// (the stack pointer of frame 0) upward.
#[derive(Debug, Clone)]
pub struct StackBuilder {
    base: u64,
    bytes: Vec<u8>,
}

impl StackBuilder {
    /// A stack whose lowest address (frame 0's stack pointer) is `sp`.
    pub fn new(sp: u64) -> Self {
        StackBuilder {
            base: sp,
            bytes: Vec::new(),
        }
    }

    /// Appends a 64-bit value at the next higher address.
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.bytes.extend_from_slice(&v.to_le_bytes());
        self
    }

    /// Appends a 32-bit value.
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.bytes.extend_from_slice(&v.to_le_bytes());
        self
    }

    /// Appends `n` zero bytes.
    pub fn zeros(&mut self, n: usize) -> &mut Self {
        self.bytes.resize(self.bytes.len().saturating_add(n), 0);
        self
    }

    /// The address the next value will be written at.
    pub fn next_address(&self) -> u64 {
        self.base.saturating_add(self.bytes.len() as u64)
    }

    /// The lowest address.
    pub fn base(&self) -> u64 {
        self.base
    }

    /// The bytes built so far.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}
