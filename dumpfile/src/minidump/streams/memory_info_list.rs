//! `MINIDUMP_MEMORY_INFO_LIST` (MemoryInfoListStream): the `VirtualQuery` regions.

use std::ops::Deref;

use zerocopy::FromBytes;

use super::*;
use crate::minidump::stream_type;
use crate::{Error, MemState, MemType, Minidump, PageProtection, raw};

/// A region from the MemoryInfoList (`VirtualQuery` result).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryInfo {
    /// Region base.
    pub base_address: u64,
    /// Allocation base.
    pub allocation_base: u64,
    /// Protection at allocation (`PAGE_*`).
    pub allocation_protect: u32,
    /// Region size.
    pub region_size: u64,
    /// `MEM_COMMIT` 0x1000, `MEM_RESERVE` 0x2000, `MEM_FREE` 0x10000.
    pub state: u32,
    /// Current protection (`PAGE_*`).
    pub protect: u32,
    /// `MEM_PRIVATE` 0x20000, `MEM_MAPPED` 0x40000, `MEM_IMAGE` 0x1000000.
    pub type_: u32,
}

impl MemoryInfo {
    /// [`MemoryInfo::state`] as flags (`Display`: `MEM_COMMIT`...).
    pub fn mem_state(&self) -> MemState {
        MemState::from_bits_retain(self.state)
    }
    /// [`MemoryInfo::type_`] as flags (`Display`: `MEM_IMAGE`...).
    pub fn mem_type(&self) -> MemType {
        MemType::from_bits_retain(self.type_)
    }
    /// [`MemoryInfo::protect`] as flags (`Display`: `PAGE_READWRITE | PAGE_GUARD`...).
    pub fn protection(&self) -> PageProtection {
        PageProtection::from_bits_retain(self.protect)
    }
    /// [`MemoryInfo::allocation_protect`] as flags.
    pub fn allocation_protection(&self) -> PageProtection {
        PageProtection::from_bits_retain(self.allocation_protect)
    }
}

impl<D: Deref<Target = [u8]>> Minidump<D> {
    /// The MemoryInfoList stream.
    pub fn memory_info(&self) -> Result<Option<Vec<MemoryInfo>>, Error> {
        let st = stream_type::MEMORY_INFO_LIST;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(None);
        };
        let (h, _) = raw::ListHeader64::read_from_prefix(b)
            .map_err(|_| bad(st, rva, "shorter than its header"))?;
        let it = sized_entries(
            b,
            st,
            rva,
            h.size_of_header.get(),
            h.size_of_entry.get(),
            h.number_of_entries.get(),
            size_of::<raw::MemoryInfo>(),
        )?;
        let mut out = Vec::new();
        for e in it {
            let (m, _) =
                raw::MemoryInfo::read_from_prefix(e).map_err(|_| bad(st, rva, "short entry"))?;
            out.push(MemoryInfo {
                base_address: m.base_address.get(),
                allocation_base: m.allocation_base.get(),
                allocation_protect: m.allocation_protect.get(),
                region_size: m.region_size.get(),
                state: m.state.get(),
                protect: m.protect.get(),
                type_: m.type_.get(),
            });
        }
        Ok(Some(out))
    }
}
