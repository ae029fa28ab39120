//! [`RegionMemory`]: several captured byte runs at their addresses (a stack, a trap frame, an
//! image...), for tests and for callers that hold a handful of regions.

use crate::memory::{MemoryError, ReadMemory, SliceMemory};

/// Several [`SliceMemory`] regions; a read must fall inside one region.
#[derive(Debug, Clone, Default)]
pub struct RegionMemory<'a> {
    regions: Vec<SliceMemory<'a>>,
}

impl<'a> RegionMemory<'a> {
    /// No regions.
    pub fn new() -> Self {
        RegionMemory::default()
    }

    /// Adds a region (regions may be added in any order).
    pub fn add(&mut self, base: u64, bytes: &'a [u8]) -> &mut Self {
        self.regions.push(SliceMemory::new(base, bytes));
        self
    }
}

impl ReadMemory for RegionMemory<'_> {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemoryError> {
        for r in &self.regions {
            if r.read(addr, buf).is_ok() {
                return Ok(());
            }
        }
        Err(MemoryError::not_captured(addr, buf.len()))
    }
}
