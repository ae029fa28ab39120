//! `MINIDUMP_PROCESS_VM_COUNTERS_1/2` (ProcessVmCountersStream).

use std::ops::Deref;

use zerocopy::FromBytes;

use super::*;
use crate::minidump::stream_type;
use crate::{Error, Minidump, raw};

/// `MINIDUMP_PROCESS_VM_COUNTERS_1/2`. Version-2-only fields are `None` in version 1 or when
/// the flags mark them invalid.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProcessVmCounters {
    /// Revision (1 or 2).
    pub revision: u16,
    /// Validity flags (v2).
    pub flags: u16,
    /// Page faults.
    pub page_fault_count: u32,
    /// Peak working set.
    pub peak_working_set_size: u64,
    /// Working set.
    pub working_set_size: u64,
    /// Peak paged pool quota.
    pub quota_peak_paged_pool_usage: u64,
    /// Paged pool quota.
    pub quota_paged_pool_usage: u64,
    /// Peak non-paged pool quota.
    pub quota_peak_non_paged_pool_usage: u64,
    /// Non-paged pool quota.
    pub quota_non_paged_pool_usage: u64,
    /// Pagefile usage.
    pub pagefile_usage: u64,
    /// Peak pagefile usage.
    pub peak_pagefile_usage: u64,
    /// Private bytes.
    pub private_usage: u64,
    /// Peak virtual size (v2, flag 0x2).
    pub peak_virtual_size: Option<u64>,
    /// Virtual size (v2, flag 0x2).
    pub virtual_size: Option<u64>,
    /// Private working set (v2, flag 0x4).
    pub private_working_set_size: Option<u64>,
    /// Shared commit (v2, flag 0x4).
    pub shared_commit_usage: Option<u64>,
    /// Job shared commit (v2, flag 0x10).
    pub job_shared_commit_usage: Option<u64>,
    /// Job private commit (v2, flag 0x10).
    pub job_private_commit_usage: Option<u64>,
    /// Job peak private commit (v2, flag 0x10).
    pub job_peak_private_commit_usage: Option<u64>,
    /// Job private commit limit (v2, flag 0x10).
    pub job_private_commit_limit: Option<u64>,
    /// Job total commit limit (v2, flag 0x10).
    pub job_total_commit_limit: Option<u64>,
}

impl<D: Deref<Target = [u8]>> Minidump<D> {
    /// The ProcessVmCounters stream (version 1 or 2).
    pub fn process_vm_counters(&self) -> Result<Option<ProcessVmCounters>, Error> {
        let st = stream_type::PROCESS_VM_COUNTERS;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(None);
        };
        let rev = crate::bytes::le_u16(b, 0).ok_or_else(|| bad(st, rva, "empty"))?;
        if rev >= 2
            && let Ok((v, _)) = raw::ProcessVmCounters2::read_from_prefix(b)
        {
            {
                let f = v.flags.get();
                let when = |bit: u16, x: u64| (f & bit != 0).then_some(x);
                return Ok(Some(ProcessVmCounters {
                    revision: rev,
                    flags: f,
                    page_fault_count: v.page_fault_count.get(),
                    peak_working_set_size: v.peak_working_set_size.get(),
                    working_set_size: v.working_set_size.get(),
                    quota_peak_paged_pool_usage: v.quota_peak_paged_pool_usage.get(),
                    quota_paged_pool_usage: v.quota_paged_pool_usage.get(),
                    quota_peak_non_paged_pool_usage: v.quota_peak_non_paged_pool_usage.get(),
                    quota_non_paged_pool_usage: v.quota_non_paged_pool_usage.get(),
                    pagefile_usage: v.pagefile_usage.get(),
                    peak_pagefile_usage: v.peak_pagefile_usage.get(),
                    private_usage: v.private_usage.get(),
                    peak_virtual_size: when(0x2, v.peak_virtual_size.get()),
                    virtual_size: when(0x2, v.virtual_size.get()),
                    private_working_set_size: when(0x4, v.private_working_set_size.get()),
                    shared_commit_usage: when(0x4, v.shared_commit_usage.get()),
                    job_shared_commit_usage: when(0x10, v.job_shared_commit_usage.get()),
                    job_private_commit_usage: when(0x10, v.job_private_commit_usage.get()),
                    job_peak_private_commit_usage: when(
                        0x10,
                        v.job_peak_private_commit_usage.get(),
                    ),
                    job_private_commit_limit: when(0x10, v.job_private_commit_limit.get()),
                    job_total_commit_limit: when(0x10, v.job_total_commit_limit.get()),
                }));
            }
        }
        let (v, _) = raw::ProcessVmCounters1::read_from_prefix(b)
            .map_err(|_| bad(st, rva, "shorter than MINIDUMP_PROCESS_VM_COUNTERS_1"))?;
        Ok(Some(ProcessVmCounters {
            revision: rev,
            flags: 0,
            page_fault_count: v.page_fault_count.get(),
            peak_working_set_size: v.peak_working_set_size.get(),
            working_set_size: v.working_set_size.get(),
            quota_peak_paged_pool_usage: v.quota_peak_paged_pool_usage.get(),
            quota_paged_pool_usage: v.quota_paged_pool_usage.get(),
            quota_peak_non_paged_pool_usage: v.quota_peak_non_paged_pool_usage.get(),
            quota_non_paged_pool_usage: v.quota_non_paged_pool_usage.get(),
            pagefile_usage: v.pagefile_usage.get(),
            peak_pagefile_usage: v.peak_pagefile_usage.get(),
            private_usage: v.private_usage.get(),
            ..ProcessVmCounters::default()
        }))
    }
}
