//! `MINIDUMP_THREAD_LIST` (ThreadListStream).

use std::ops::Deref;

use zerocopy::FromBytes;

use super::*;
use crate::memory::MemoryRange;
use crate::minidump::stream_type;
use crate::{Error, Location, Minidump, raw};

/// A thread from the ThreadList.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    /// Thread id.
    pub id: u32,
    /// Suspend count.
    pub suspend_count: u32,
    /// Priority class.
    pub priority_class: u32,
    /// Priority.
    pub priority: u32,
    /// TEB address (the native TEB: TEB64 in an x64 dump).
    pub teb: u64,
    /// Captured stack range.
    pub stack: MemoryRange,
    /// Where the stack bytes are in the file. Full-memory dumps leave the RVA at 0: read the
    /// stack through [`Minidump::memory`] instead.
    pub stack_location: Location,
    /// Where the thread context is in the file.
    pub context: Location,
}

pub(crate) fn thread_from_raw(t: &raw::Thread) -> Thread {
    Thread {
        id: t.thread_id.get(),
        suspend_count: t.suspend_count.get(),
        priority_class: t.priority_class.get(),
        priority: t.priority.get(),
        teb: t.teb.get(),
        stack: MemoryRange {
            base: t.stack.start_of_memory_range.get(),
            size: u64::from(t.stack.memory.data_size.get()),
        },
        stack_location: Location {
            rva: t.stack.memory.rva.get(),
            size: t.stack.memory.data_size.get(),
        },
        context: Location {
            rva: t.thread_context.rva.get(),
            size: t.thread_context.data_size.get(),
        },
    }
}

impl<D: Deref<Target = [u8]>> Minidump<D> {
    /// The ThreadList stream (empty if absent).
    pub fn threads(&self) -> Result<Vec<Thread>, Error> {
        let st = stream_type::THREAD_LIST;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(Vec::new());
        };
        let (_, entries) = counted_list(b, st, rva, size_of::<raw::Thread>())?;
        let list = <[raw::Thread]>::ref_from_bytes(entries)
            .map_err(|_| bad(st, rva, "thread array size"))?;
        Ok(list.iter().map(thread_from_raw).collect())
    }

    /// The thread with this id, if in the ThreadList.
    pub fn thread(&self, id: u32) -> Result<Option<Thread>, Error> {
        Ok(self.threads()?.into_iter().find(|t| t.id == id))
    }
}
