//! `_HEAP_FREE_ENTRY` on `_HEAP.FreeLists`: the back-end free list.

use crate::finding::*;
use crate::heap::*;
use crate::list::*;
use crate::memory::ReadMemory;

/// The back-end free list (`_HEAP.FreeLists`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FreeList {
    /// (entry address, size in bytes) in list order.
    pub entries: Vec<(u64, u64)>,
}

impl FreeList {
    /// Number of blocks on the list (`!heap -s` "List length").
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    /// Total bytes.
    pub fn total(&self) -> u64 {
        self.entries
            .iter()
            .fold(0u64, |a, (_, s)| a.saturating_add(*s))
    }
    /// Largest block in bytes.
    pub fn largest(&self) -> u64 {
        self.entries.iter().map(|(_, s)| *s).max().unwrap_or(0)
    }
}

impl Heap {
    /// The back-end free list (`FreeLists`), plus findings.
    pub fn free_list<M: ReadMemory + ?Sized>(&self, mem: &M) -> (FreeList, Vec<Finding>) {
        let l = &self.layout;
        let w = l.width;
        let mut findings = Vec::new();
        let mut fl = FreeList::default();
        let Some(head) = self.address.checked_add(l.heap_free_lists) else {
            return (fl, findings);
        };
        let list = walk_list(mem, head, w, self.limits.max_list_steps);
        findings.extend(list.findings);
        for link in list.links {
            let entry = link.wrapping_sub(l.free_entry_free_list);
            let mut raw = [0u8; 8];
            if let Err(e) = mem.read(entry.saturating_add(w.header_offset()), &mut raw) {
                findings.push(Finding::from_mem(e));
                continue;
            }
            let (h, ok) = self.decode_header(raw);
            if !ok {
                findings.push(Finding {
                    address: entry,
                    kind: FindingKind::ChecksumMismatch {
                        expected: checksum(&h),
                        found: h.small_tag_index,
                    },
                });
                continue;
            }
            if h.flags & 1 != 0 {
                findings.push(Finding {
                    address: entry,
                    kind: FindingKind::FreeListEntryBusy,
                });
            }
            let size = u64::from(h.size.get()).saturating_mul(w.granularity());
            fl.entries.push((entry, size));
        }
        (fl, findings)
    }
}
