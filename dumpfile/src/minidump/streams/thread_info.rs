//! `MINIDUMP_THREAD_INFO_LIST` (ThreadInfoListStream).

use std::ops::Deref;

use zerocopy::FromBytes;

use super::*;
use crate::minidump::stream_type;
use crate::{Error, Minidump, raw};

/// An entry of the ThreadInfoList (times in FILETIME units of 100 ns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThreadInfo {
    /// Thread id.
    pub thread_id: u32,
    /// `MINIDUMP_THREAD_INFO_*` flags.
    pub dump_flags: u32,
    /// HRESULT if the thread could not be dumped.
    pub dump_error: u32,
    /// Exit status.
    pub exit_status: u32,
    /// Creation time (FILETIME).
    pub create_time: u64,
    /// Exit time (FILETIME, 0 if running).
    pub exit_time: u64,
    /// Kernel time.
    pub kernel_time: u64,
    /// User time.
    pub user_time: u64,
    /// Start address.
    pub start_address: u64,
    /// Affinity.
    pub affinity: u64,
}

impl<D: Deref<Target = [u8]>> Minidump<D> {
    /// The ThreadInfoList stream.
    pub fn thread_info(&self) -> Result<Option<Vec<ThreadInfo>>, Error> {
        let st = stream_type::THREAD_INFO_LIST;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(None);
        };
        let (h, _) = raw::ListHeader32::read_from_prefix(b)
            .map_err(|_| bad(st, rva, "shorter than its header"))?;
        let it = sized_entries(
            b,
            st,
            rva,
            h.size_of_header.get(),
            h.size_of_entry.get(),
            u64::from(h.number_of_entries.get()),
            size_of::<raw::ThreadInfo>(),
        )?;
        let mut out = Vec::new();
        for e in it {
            let (t, _) =
                raw::ThreadInfo::read_from_prefix(e).map_err(|_| bad(st, rva, "short entry"))?;
            out.push(ThreadInfo {
                thread_id: t.thread_id.get(),
                dump_flags: t.dump_flags.get(),
                dump_error: t.dump_error.get(),
                exit_status: t.exit_status.get(),
                create_time: t.create_time.get(),
                exit_time: t.exit_time.get(),
                kernel_time: t.kernel_time.get(),
                user_time: t.user_time.get(),
                start_address: t.start_address.get(),
                affinity: t.affinity.get(),
            });
        }
        Ok(Some(out))
    }
}
