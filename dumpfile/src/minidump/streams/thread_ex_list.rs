//! `MINIDUMP_THREAD_EX_LIST` (ThreadExListStream).

use std::ops::Deref;

use zerocopy::FromBytes;

use super::*;
use crate::memory::MemoryRange;
use crate::minidump::stream_type;
use crate::{Error, Minidump, raw};

/// A thread from the ThreadExList.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadEx {
    /// The common part.
    pub thread: Thread,
    /// IA-64 backing store.
    pub backing_store: MemoryRange,
}

impl<D: Deref<Target = [u8]>> Minidump<D> {
    /// The ThreadExList stream.
    pub fn thread_ex_list(&self) -> Result<Option<Vec<ThreadEx>>, Error> {
        let st = stream_type::THREAD_EX_LIST;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(None);
        };
        let (_, entries) = counted_list(b, st, rva, size_of::<raw::ThreadEx>())?;
        let list = <[raw::ThreadEx]>::ref_from_bytes(entries)
            .map_err(|_| bad(st, rva, "thread array size"))?;
        Ok(Some(
            list.iter()
                .map(|t| ThreadEx {
                    thread: thread_from_raw(&t.thread),
                    backing_store: MemoryRange {
                        base: t.backing_store.start_of_memory_range.get(),
                        size: u64::from(t.backing_store.memory.data_size.get()),
                    },
                })
                .collect(),
        ))
    }
}
