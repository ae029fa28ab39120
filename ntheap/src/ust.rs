//! `_RTL_STACK_TRACE_ENTRY`: allocation stacks of heaps with user-mode stack traces (`+ust`).

use core::mem::offset_of;

use crate::entry::*;
use crate::error::Error;
use crate::heap::*;
use crate::layout::PointerWidth;
use crate::memory::ReadMemory;
use crate::raw::{RtlStackTraceEntry32, RtlStackTraceEntry64};

/// Most frames an `_RTL_STACK_TRACE_ENTRY` holds (`BackTrace[32]`).
pub const MAX_TRACE_FRAMES: u16 = 32;

impl Heap {
    /// The allocation stack of a busy block in a heap that captures stack traces (`+ust`,
    /// `HEAP_CAPTURE_STACK_BACKTRACES`): the first pointer after the block header (for a
    /// large block, after the `_HEAP_VIRTUAL_ALLOC_ENTRY`) points at an
    /// `_RTL_STACK_TRACE_ENTRY` whose frame count is read at the PDB's `Index` offset (x86 +8,
    /// x64 +0xc; `Depth` right after it is the fallback) and whose frames follow at +0xc / +0x10.
    ///
    /// `Ok(None)` when the heap has no traces, the block is free or the pointer is null;
    /// `Err` when the trace is not in the dump.
    pub fn stack_trace<M: ReadMemory + ?Sized>(
        &self,
        mem: &M,
        e: &Entry,
    ) -> Result<Option<Vec<u64>>, Error> {
        if !self.flags.contains(HeapFlags::CAPTURE_STACK_BACKTRACES) || !e.is_busy() {
            return Ok(None);
        }
        let w = self.width();
        let gran = w.granularity();
        let slot = match e.state {
            EntryState::VirtualAlloc => e
                .address
                .checked_add(self.layout.vae_busy_block)
                .and_then(|a| a.checked_add(gran)),
            _ => e.address.checked_add(gran),
        }
        .ok_or(Error::Overflow { addr: e.address })?;
        let trace = mem.read_ptr(slot, w)?;
        if trace == 0 {
            return Ok(None);
        }
        let (index_off, frames_off) = match w {
            PointerWidth::Bits32 => (
                offset_of!(RtlStackTraceEntry32, index),
                offset_of!(RtlStackTraceEntry32, back_trace),
            ),
            PointerWidth::Bits64 => (
                offset_of!(RtlStackTraceEntry64, index),
                offset_of!(RtlStackTraceEntry64, back_trace),
            ),
        };
        let (index_off, frames_off) = (index_off as u64, frames_off as u64);
        let at = |o: u64| trace.checked_add(o).ok_or(Error::Overflow { addr: trace });
        let mut count = mem.read_u16(at(index_off)?)?;
        if count == 0 || count > MAX_TRACE_FRAMES {
            count = mem.read_u16(at(index_off.saturating_add(2))?)?;
        }
        if count == 0 || count > MAX_TRACE_FRAMES {
            return Ok(None);
        }
        let mut frames = Vec::with_capacity(usize::from(count));
        for i in 0..u64::from(count) {
            let a = i
                .checked_mul(w.bytes())
                .and_then(|o| o.checked_add(frames_off))
                .and_then(|o| trace.checked_add(o))
                .ok_or(Error::Overflow { addr: trace })?;
            frames.push(mem.read_ptr(a, w)?);
        }
        Ok(Some(frames))
    }
}
