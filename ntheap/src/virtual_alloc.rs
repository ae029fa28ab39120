//! `_HEAP_VIRTUAL_ALLOC_ENTRY`: large blocks on `_HEAP.VirtualAllocdBlocks`.

use crate::entry::*;
use crate::error::Error;
use crate::finding::*;
use crate::heap::*;
use crate::list::*;
use crate::memory::{MemoryError, ReadMemory};

/// A large block (`_HEAP_VIRTUAL_ALLOC_ENTRY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VirtualBlock {
    /// Address of the `_HEAP_VIRTUAL_ALLOC_ENTRY`.
    pub address: u64,
    /// First byte of user data.
    pub user_address: u64,
    /// `CommitSize`.
    pub commit_size: u64,
    /// `ReserveSize`.
    pub reserve_size: u64,
    /// Requested size: `CommitSize - BusyBlock.Size`.
    pub requested_size: Option<u64>,
    /// Decoded `BusyBlock.Flags`.
    pub flags: EntryFlags,
}

impl VirtualBlock {
    /// The block as an [`Entry`] (state [`EntryState::VirtualAlloc`], size = commit size).
    pub fn as_entry(&self) -> Entry {
        Entry {
            address: self.address,
            user_address: self.user_address,
            size: self.commit_size,
            previous_size: 0,
            flags: self.flags,
            unused_bytes: 0,
            requested_size: self.requested_size,
            state: EntryState::VirtualAlloc,
            front_end: false,
        }
    }
}

impl Heap {
    /// The large blocks on `VirtualAllocdBlocks`, plus findings.
    pub fn virtual_blocks<M: ReadMemory + ?Sized>(
        &self,
        mem: &M,
    ) -> (Vec<VirtualBlock>, Vec<Finding>) {
        let l = &self.layout;
        let w = l.width;
        let mut findings = Vec::new();
        let Some(head) = self.address.checked_add(l.heap_virtual_allocd_blocks) else {
            return (Vec::new(), findings);
        };
        let list = walk_list(mem, head, w, self.limits.max_list_steps);
        findings.extend(list.findings);
        let mut out = Vec::new();
        let hdr_len = l.vae_busy_block.saturating_add(w.granularity());
        for vae in list.links {
            let buf = match read_buf(mem, vae, hdr_len) {
                Ok(b) => b,
                Err(Error::NotCaptured { addr, len }) => {
                    findings.push(Finding::from_mem(MemoryError::NotCaptured { addr, len }));
                    continue;
                }
                Err(_) => continue,
            };
            let (Some(commit), Some(reserve), Some(raw)) = (
                get_ptr(&buf, l.vae_commit_size, w),
                get_ptr(&buf, l.vae_reserve_size, w),
                get_bytes::<8>(&buf, l.vae_busy_block.saturating_add(w.header_offset())),
            ) else {
                continue;
            };
            let (h, _ok) = self.decode_header(raw);
            let mut user = vae.saturating_add(hdr_len);
            if self.flags.contains(HeapFlags::CAPTURE_STACK_BACKTRACES) {
                user = user.saturating_add(w.granularity().saturating_mul(2));
            }
            out.push(VirtualBlock {
                address: vae,
                user_address: user,
                commit_size: commit,
                reserve_size: reserve,
                requested_size: commit.checked_sub(u64::from(h.size.get())),
                flags: EntryFlags::from_bits_retain(h.flags),
            });
        }
        (out, findings)
    }
}
