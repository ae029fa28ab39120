//! `MINIDUMP_SYSTEM_MEMORY_INFO_1` (SystemMemoryInfoStream).

use std::ops::Deref;

use zerocopy::FromBytes;

use super::*;
use crate::minidump::stream_type;
use crate::{Error, Minidump, raw};

/// `MINIDUMP_SYSTEM_MEMORY_INFO_1`: the typed head, and the performance part raw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemMemoryInfo {
    /// Revision.
    pub revision: u16,
    /// Flags.
    pub flags: u16,
    /// Page size.
    pub page_size: u32,
    /// Allocation granularity.
    pub allocation_granularity: u32,
    /// Number of physical pages.
    pub number_of_physical_pages: u32,
    /// Lowest user-mode address.
    pub minimum_user_mode_address: u64,
    /// Highest user-mode address.
    pub maximum_user_mode_address: u64,
    /// Active processors mask.
    pub active_processors_affinity_mask: u64,
    /// Number of processors.
    pub number_of_processors: u32,
    /// File cache current size.
    pub file_cache_current_size: u64,
    /// File cache peak size.
    pub file_cache_peak_size: u64,
    /// Available pages.
    pub available_pages: u64,
    /// Committed pages.
    pub committed_pages: u64,
    /// Commit limit (pages).
    pub commit_limit: u64,
    /// Peak commitment (pages).
    pub peak_commitment: u64,
    /// `MINIDUMP_SYSTEM_PERFORMANCE_INFORMATION` and anything after, raw.
    pub performance_raw: Vec<u8>,
}

impl<D: Deref<Target = [u8]>> Minidump<D> {
    /// The SystemMemoryInfo stream.
    pub fn system_memory_info(&self) -> Result<Option<SystemMemoryInfo>, Error> {
        let st = stream_type::SYSTEM_MEMORY_INFO;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(None);
        };
        let (h, rest) = raw::SystemMemoryInfo1Head::read_from_prefix(b)
            .map_err(|_| bad(st, rva, "shorter than MINIDUMP_SYSTEM_MEMORY_INFO_1"))?;
        let bi = &h.basic_info;
        Ok(Some(SystemMemoryInfo {
            revision: h.revision.get(),
            flags: h.flags.get(),
            page_size: bi.page_size.get(),
            allocation_granularity: bi.allocation_granularity.get(),
            number_of_physical_pages: bi.number_of_physical_pages.get(),
            minimum_user_mode_address: bi.minimum_user_mode_address.get(),
            maximum_user_mode_address: bi.maximum_user_mode_address.get(),
            active_processors_affinity_mask: bi.active_processors_affinity_mask.get(),
            number_of_processors: bi.number_of_processors.get(),
            file_cache_current_size: h.file_cache_info.current_size.get(),
            file_cache_peak_size: h.file_cache_info.peak_size.get(),
            available_pages: h.basic_perf_info.available_pages.get(),
            committed_pages: h.basic_perf_info.committed_pages.get(),
            commit_limit: h.basic_perf_info.commit_limit.get(),
            peak_commitment: h.basic_perf_info.peak_commitment.get(),
            performance_raw: rest.to_vec(),
        }))
    }
}
