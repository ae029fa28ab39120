//! Full page heap (`gflags +hpa`, Application Verifier): `_DPH_HEAP_ROOT` and its
//! `_DPH_HEAP_BLOCK` nodes.
//!
//! With full page heap on, every allocation of a heap gets its own virtual block: the user
//! area ends at a page boundary followed by an inaccessible guard page, and a
//! `_DPH_BLOCK_INFORMATION` sits just before it. The heap's bookkeeping lives in a
//! `_DPH_HEAP_ROOT` (signature 0xFFEEDDCC) one page above the heap handle: busy blocks are the
//! nodes of an AVL tree (`BusyNodesTable`), freed blocks (their memory decommitted) a singly
//! linked list (`pFreeAllocationListHead`), and the roots of all page heaps are linked through
//! `NextHeap`. Small and internal allocations go to an ordinary NT heap (`NormalHeap`).
//!
//! Light page heap (blocks inside `NormalHeap` with a `_DPH_BLOCK_INFORMATION` prefix) is
//! walked by [`crate::LightPageHeap`]: its blocks are the normal heap's.

use std::collections::HashSet;

use crate::error::Error;
use crate::finding::{Finding, FindingKind};
use crate::heap::PAGE_SIZE;
use crate::limits::Limits;
use crate::memory::{PointerWidth, ReadMemory};

/// `_DPH_HEAP_ROOT.Signature`.
pub const DPH_HEAP_ROOT_SIGNATURE: u32 = 0xFFEE_DDCC;
/// `_DPH_BLOCK_INFORMATION.StartStamp` of a busy full-page-heap block.
pub const DPH_BUSY_START_STAMP: u32 = 0xABCD_BBBB;
/// `_DPH_BLOCK_INFORMATION.StartStamp` of a freed full-page-heap block.
pub const DPH_FREE_START_STAMP: u32 = 0xABCD_BBBA;
/// `_DPH_BLOCK_INFORMATION.EndStamp` of a busy full-page-heap block.
pub const DPH_BUSY_END_STAMP: u32 = 0xDCBA_BBBB;
/// `_DPH_BLOCK_INFORMATION.EndStamp` of a freed full-page-heap block (busy stamp − 1).
pub const DPH_FREE_END_STAMP: u32 = 0xDCBA_BBBA;

/// Offsets of the page-heap structures the walker reads.
///
/// The built-in tables ([`PageHeapLayout::builtin`]) equal the Windows 10 19041 ntdll and
/// wntdll PDBs (checked by a test against the corpus PDBs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageHeapLayout {
    /// Pointer width.
    pub width: PointerWidth,
    /// `_DPH_HEAP_ROOT.HeapFlags` (u32).
    pub root_heap_flags: u64,
    /// `_DPH_HEAP_ROOT.BusyNodesTable` (`_RTL_AVL_TABLE`, `BalancedRoot` first).
    pub root_busy_nodes_table: u64,
    /// `_DPH_HEAP_ROOT.nBusyAllocations` (u32).
    pub root_busy_allocations: u64,
    /// `_DPH_HEAP_ROOT.pFreeAllocationListHead`.
    pub root_free_list_head: u64,
    /// `_DPH_HEAP_ROOT.nFreeAllocations` (u32).
    pub root_free_allocations: u64,
    /// `_DPH_HEAP_ROOT.NextHeap` (`LIST_ENTRY`).
    pub root_next_heap: u64,
    /// `_DPH_HEAP_ROOT.ExtraFlags` (u32).
    pub root_extra_flags: u64,
    /// `_DPH_HEAP_ROOT.NormalHeap`.
    pub root_normal_heap: u64,
    /// `sizeof(_DPH_HEAP_ROOT)`.
    pub root_size: u64,
    /// `_DPH_HEAP_BLOCK.pNextAlloc` (free list link; the AVL links share offset 0).
    pub block_next_alloc: u64,
    /// `_DPH_HEAP_BLOCK.pUserAllocation`.
    pub block_user_allocation: u64,
    /// `_DPH_HEAP_BLOCK.pVirtualBlock`.
    pub block_virtual_block: u64,
    /// `_DPH_HEAP_BLOCK.nVirtualBlockSize`.
    pub block_virtual_block_size: u64,
    /// `_DPH_HEAP_BLOCK.nVirtualAccessSize`.
    pub block_virtual_access_size: u64,
    /// `_DPH_HEAP_BLOCK.nUserRequestedSize`.
    pub block_user_requested_size: u64,
    /// `_DPH_HEAP_BLOCK.nUserActualSize`.
    pub block_user_actual_size: u64,
    /// `_DPH_HEAP_BLOCK.StackTrace`.
    pub block_stack_trace: u64,
    /// `sizeof(_DPH_HEAP_BLOCK)`.
    pub block_size: u64,
    /// `sizeof(_DPH_BLOCK_INFORMATION)` (it ends where the user area starts).
    pub info_size: u64,
    /// `_DPH_BLOCK_INFORMATION.Heap`.
    pub info_heap: u64,
    /// `_DPH_BLOCK_INFORMATION.RequestedSize`.
    pub info_requested_size: u64,
    /// `_DPH_BLOCK_INFORMATION.ActualSize`.
    pub info_actual_size: u64,
    /// `_DPH_BLOCK_INFORMATION.FreeQueue` (a `LIST_ENTRY`; `TraceIndex` shares it).
    pub info_free_queue: u64,
    /// `_DPH_BLOCK_INFORMATION.StackTrace`.
    pub info_stack_trace: u64,
    /// `_DPH_BLOCK_INFORMATION.EndStamp` (u32).
    pub info_end_stamp: u64,
}

impl PageHeapLayout {
    /// The built-in table for a width (Windows 10 1809+ ntdll; the research notes give the
    /// same `_DPH_HEAP_ROOT` offsets for Windows 7 x86).
    pub const fn builtin(width: PointerWidth) -> PageHeapLayout {
        match width {
            PointerWidth::Bits32 => PageHeapLayout {
                width,
                root_heap_flags: 4,
                root_busy_nodes_table: 0x20,
                root_busy_allocations: 0x5c,
                root_free_list_head: 0x64,
                root_free_allocations: 0x6c,
                root_next_heap: 0xa4,
                root_extra_flags: 0xac,
                root_normal_heap: 0xb4,
                root_size: 0xc0,
                block_next_alloc: 0,
                block_user_allocation: 0x10,
                block_virtual_block: 0x14,
                block_virtual_block_size: 0x18,
                block_virtual_access_size: 0x1c,
                block_user_requested_size: 0x20,
                block_user_actual_size: 0x24,
                block_stack_trace: 0x30,
                block_size: 0x40,
                info_size: 0x20,
                info_heap: 4,
                info_requested_size: 8,
                info_actual_size: 0xc,
                info_free_queue: 0x10,
                info_stack_trace: 0x18,
                info_end_stamp: 0x1c,
            },
            PointerWidth::Bits64 => PageHeapLayout {
                width,
                root_heap_flags: 4,
                root_busy_nodes_table: 0x38,
                root_busy_allocations: 0xa8,
                root_free_list_head: 0xb8,
                root_free_allocations: 0xc8,
                root_next_heap: 0x138,
                root_extra_flags: 0x148,
                root_normal_heap: 0x150,
                root_size: 0x168,
                block_next_alloc: 0,
                block_user_allocation: 0x20,
                block_virtual_block: 0x28,
                block_virtual_block_size: 0x30,
                block_virtual_access_size: 0x38,
                block_user_requested_size: 0x40,
                block_user_actual_size: 0x48,
                block_stack_trace: 0x60,
                block_size: 0x80,
                info_size: 0x40,
                info_heap: 8,
                info_requested_size: 0x10,
                info_actual_size: 0x18,
                info_free_queue: 0x20,
                info_stack_trace: 0x30,
                info_end_stamp: 0x3c,
            },
        }
    }
}

/// One `_DPH_HEAP_BLOCK`: a busy or freed full-page-heap allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageHeapBlock {
    /// Address of the `_DPH_HEAP_BLOCK` node.
    pub node: u64,
    /// Busy (in `BusyNodesTable`) or freed (on the free list).
    pub busy: bool,
    /// `pUserAllocation`: the address the program got.
    pub user_address: u64,
    /// `nUserRequestedSize`.
    pub requested_size: u64,
    /// `nUserActualSize`.
    pub actual_size: u64,
    /// `pVirtualBlock`: the block's pages (guard page included).
    pub virtual_block: u64,
    /// `nVirtualBlockSize`.
    pub virtual_size: u64,
    /// `StackTrace`: the allocation stack, 0 when none was captured.
    pub stack_trace: u64,
}

impl PageHeapBlock {
    /// Whether `addr` lies in the block's virtual block or its user area.
    pub fn contains(&self, addr: u64) -> bool {
        let inside = |start: u64, len: u64| addr.checked_sub(start).is_some_and(|d| d < len);
        inside(self.virtual_block, self.virtual_size)
            || inside(self.user_address, self.requested_size.max(1))
    }
}

/// A walked full page heap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageHeap {
    /// Address of the `_DPH_HEAP_ROOT`.
    pub root: u64,
    /// The layout used.
    pub layout: PageHeapLayout,
    /// `HeapFlags` (page-heap options: 0x1 enable page heap, 0x2 collect stack traces, ...).
    pub flags: u32,
    /// `ExtraFlags`.
    pub extra_flags: u32,
    /// `NormalHeap`: the NT heap of small and internal allocations.
    pub normal_heap: u64,
    /// `nBusyAllocations` as recorded.
    pub busy_allocations: u32,
    /// `nFreeAllocations` as recorded.
    pub free_allocations: u32,
    /// Busy blocks, by user address.
    pub busy: Vec<PageHeapBlock>,
    /// Freed blocks, in free-list order.
    pub free: Vec<PageHeapBlock>,
    /// What the walk met and stepped over.
    pub findings: Vec<Finding>,
}

fn at(base: u64, off: u64) -> Result<u64, Error> {
    base.checked_add(off).ok_or(Error::Overflow { addr: base })
}

/// The `_DPH_HEAP_ROOT` of a heap handle from `PEB.ProcessHeaps`: one page above the handle
/// (or at the handle itself), when its signature is there; `None` for any other heap.
pub fn page_heap_root_of<M: ReadMemory + ?Sized>(mem: &M, handle: u64) -> Option<u64> {
    [handle.checked_add(PAGE_SIZE), Some(handle)]
        .into_iter()
        .flatten()
        .find(|a| mem.read_u32(*a).ok() == Some(DPH_HEAP_ROOT_SIGNATURE))
}

/// Every page-heap root linked to `root` through `NextHeap`, `root` first. Stops at the list
/// head (a node without the signature), on a cycle, or after `limits.max_list_steps` steps.
pub fn page_heap_roots<M: ReadMemory + ?Sized>(
    mem: &M,
    root: u64,
    width: PointerWidth,
    limits: &Limits,
) -> Vec<u64> {
    let l = PageHeapLayout::builtin(width);
    let mut out = vec![root];
    let mut seen: HashSet<u64> = HashSet::from([root]);
    let mut cur = root;
    for _ in 0..limits.max_list_steps {
        let Ok(link) = at(cur, l.root_next_heap) else {
            break;
        };
        let Ok(flink) = mem.read_ptr(link, width) else {
            break;
        };
        let Some(next) = flink.checked_sub(l.root_next_heap) else {
            break;
        };
        if !seen.insert(next) {
            break;
        }
        // The list head (in verifier's data) has no signature: step over it once.
        if mem.read_u32(next).ok() == Some(DPH_HEAP_ROOT_SIGNATURE) {
            out.push(next);
        }
        cur = next;
    }
    out
}

impl PageHeap {
    /// The heap handle: one page below the root.
    pub fn handle(&self) -> u64 {
        self.root.saturating_sub(PAGE_SIZE)
    }

    /// Read the root at `root` and walk its busy tree and free list. `Err` when the root is
    /// not in the dump or has no page-heap signature; everything after that is a finding.
    pub fn open<M: ReadMemory + ?Sized>(
        mem: &M,
        root: u64,
        layout: PageHeapLayout,
        limits: &Limits,
    ) -> Result<PageHeap, Error> {
        let w = layout.width;
        let sig = mem.read_u32(root)?;
        if sig != DPH_HEAP_ROOT_SIGNATURE {
            return Err(Error::NotAHeap {
                addr: root,
                found: sig,
            });
        }
        let mut h = PageHeap {
            root,
            layout,
            flags: mem.read_u32(at(root, layout.root_heap_flags)?)?,
            extra_flags: mem.read_u32(at(root, layout.root_extra_flags)?)?,
            normal_heap: mem.read_ptr(at(root, layout.root_normal_heap)?, w)?,
            busy_allocations: mem.read_u32(at(root, layout.root_busy_allocations)?)?,
            free_allocations: mem.read_u32(at(root, layout.root_free_allocations)?)?,
            busy: Vec::new(),
            free: Vec::new(),
            findings: Vec::new(),
        };
        let table = at(root, layout.root_busy_nodes_table)?;
        h.walk_busy(mem, table, limits);
        let head = mem.read_ptr(at(root, layout.root_free_list_head)?, w)?;
        h.walk_free(mem, head, limits);
        h.busy.sort_by_key(|b| b.user_address);
        Ok(h)
    }

    fn note(&mut self, limits: &Limits, f: Finding) {
        if self.findings.len() < limits.max_findings {
            self.findings.push(f);
        }
    }

    fn bad(&mut self, limits: &Limits, address: u64, reason: &'static str) {
        self.note(
            limits,
            Finding {
                address,
                kind: FindingKind::BadPageHeap { reason },
            },
        );
    }

    fn read_block<M: ReadMemory + ?Sized>(
        &self,
        mem: &M,
        node: u64,
        busy: bool,
    ) -> Result<PageHeapBlock, Error> {
        let l = &self.layout;
        let w = l.width;
        let mut buf = vec![0u8; usize::try_from(l.block_size).unwrap_or(0)];
        mem.read(node, &mut buf)?;
        let ptr = |off: u64| -> u64 {
            let o = usize::try_from(off).unwrap_or(usize::MAX);
            match w {
                PointerWidth::Bits32 => buf
                    .get(o..o.saturating_add(4))
                    .and_then(|b| b.try_into().ok())
                    .map_or(0, |b| u64::from(u32::from_le_bytes(b))),
                PointerWidth::Bits64 => buf
                    .get(o..o.saturating_add(8))
                    .and_then(|b| b.try_into().ok())
                    .map_or(0, u64::from_le_bytes),
            }
        };
        Ok(PageHeapBlock {
            node,
            busy,
            user_address: ptr(l.block_user_allocation),
            requested_size: ptr(l.block_user_requested_size),
            actual_size: ptr(l.block_user_actual_size),
            virtual_block: ptr(l.block_virtual_block),
            virtual_size: ptr(l.block_virtual_block_size),
            stack_trace: ptr(l.block_stack_trace),
        })
    }

    /// Checks a node's numbers against each other; a busy block's `_DPH_BLOCK_INFORMATION`
    /// stamps too when its page is in the dump.
    fn check_block<M: ReadMemory + ?Sized>(&mut self, mem: &M, b: &PageHeapBlock, limits: &Limits) {
        let user_end = b.user_address.checked_add(b.requested_size);
        let vb_end = b.virtual_block.checked_add(b.virtual_size);
        if b.requested_size > b.actual_size && b.actual_size != 0 {
            self.bad(limits, b.node, "requested size larger than the actual size");
        }
        if b.virtual_size != 0
            && (b.user_address < b.virtual_block
                || user_end.is_none()
                || vb_end.is_none()
                || user_end > vb_end)
        {
            self.bad(limits, b.node, "user area outside its virtual block");
        }
        if !b.busy {
            return;
        }
        let Some(info) = b.user_address.checked_sub(self.layout.info_size) else {
            self.bad(limits, b.node, "user address below the block information");
            return;
        };
        if let Ok(stamp) = mem.read_u32(info) {
            // Light page heap stamps (0xABCDAAAA) are accepted: the tree is the same.
            if stamp != DPH_BUSY_START_STAMP && stamp != crate::DPH_LIGHT_BUSY_START_STAMP {
                self.bad(limits, info, "StartStamp is not a busy page-heap stamp");
            }
        }
    }

    fn walk_busy<M: ReadMemory + ?Sized>(&mut self, mem: &M, table: u64, limits: &Limits) {
        let w = self.layout.width;
        let p = w.bytes();
        // `BalancedRoot` is a sentinel: the tree hangs from its RightChild (both children are
        // followed, in case a writer used the left one).
        let mut stack: Vec<u64> = Vec::new();
        for off in [p, p.saturating_mul(2)] {
            match at(table, off).and_then(|a| Ok(mem.read_ptr(a, w)?)) {
                Ok(0) => {}
                Ok(child) => stack.push(child),
                Err(Error::NotCaptured { addr, len }) => self.note(
                    limits,
                    Finding::from_mem(crate::MemoryError::NotCaptured { addr, len }),
                ),
                Err(_) => self.bad(limits, table, "unreadable BusyNodesTable"),
            }
        }
        let mut seen: HashSet<u64> = HashSet::new();
        let mut steps = 0usize;
        while let Some(node) = stack.pop() {
            steps = steps.saturating_add(1);
            if steps > limits.max_list_steps {
                self.note(
                    limits,
                    Finding {
                        address: table,
                        kind: FindingKind::LimitReached {
                            what: "page-heap busy nodes",
                        },
                    },
                );
                return;
            }
            if node == table || !node.is_multiple_of(p) {
                self.note(
                    limits,
                    Finding {
                        address: node,
                        kind: FindingKind::BadLink {
                            head: table,
                            value: node,
                        },
                    },
                );
                continue;
            }
            if !seen.insert(node) {
                self.note(
                    limits,
                    Finding {
                        address: node,
                        kind: FindingKind::ListCycle { head: table },
                    },
                );
                continue;
            }
            let b = match self.read_block(mem, node, true) {
                Ok(b) => b,
                Err(e) => {
                    self.note_err(limits, node, e);
                    continue;
                }
            };
            for off in [p, p.saturating_mul(2)] {
                if let Ok(child) = at(node, off).and_then(|a| Ok(mem.read_ptr(a, w)?))
                    && child != 0
                {
                    stack.push(child);
                }
            }
            self.check_block(mem, &b, limits);
            self.busy.push(b);
        }
        if u64::try_from(self.busy.len()).ok() != Some(u64::from(self.busy_allocations)) {
            self.bad(
                limits,
                table,
                "busy nodes found differ from nBusyAllocations",
            );
        }
    }

    fn walk_free<M: ReadMemory + ?Sized>(&mut self, mem: &M, head: u64, limits: &Limits) {
        let w = self.layout.width;
        let mut seen: HashSet<u64> = HashSet::new();
        let mut cur = head;
        let mut steps = 0usize;
        while cur != 0 {
            steps = steps.saturating_add(1);
            if steps > limits.max_list_steps {
                self.note(
                    limits,
                    Finding {
                        address: head,
                        kind: FindingKind::LimitReached {
                            what: "page-heap free list",
                        },
                    },
                );
                return;
            }
            if !cur.is_multiple_of(w.bytes()) {
                self.note(
                    limits,
                    Finding {
                        address: cur,
                        kind: FindingKind::BadLink { head, value: cur },
                    },
                );
                return;
            }
            if !seen.insert(cur) {
                self.note(
                    limits,
                    Finding {
                        address: cur,
                        kind: FindingKind::ListCycle { head },
                    },
                );
                return;
            }
            let b = match self.read_block(mem, cur, false) {
                Ok(b) => b,
                Err(e) => {
                    self.note_err(limits, cur, e);
                    return;
                }
            };
            self.check_block(mem, &b, limits);
            self.free.push(b);
            cur = match at(cur, self.layout.block_next_alloc).and_then(|a| Ok(mem.read_ptr(a, w)?))
            {
                Ok(n) => n,
                Err(e) => {
                    self.note_err(limits, cur, e);
                    return;
                }
            };
        }
    }

    fn note_err(&mut self, limits: &Limits, at: u64, e: Error) {
        let kind = match e {
            Error::NotCaptured { len, .. } => FindingKind::NotCaptured { len },
            Error::ReadFailed { len, .. } => FindingKind::ReadFailed { len },
            _ => FindingKind::BadPageHeap {
                reason: "address arithmetic overflow",
            },
        };
        self.note(limits, Finding { address: at, kind });
    }

    /// The busy or freed block whose virtual block or user area holds `addr` (busy first).
    pub fn find(&self, addr: u64) -> Option<&PageHeapBlock> {
        self.busy
            .iter()
            .chain(self.free.iter())
            .find(|b| b.contains(addr))
    }

    /// The allocation stack of a block: `StackTrace` points at an `_RTL_STACK_TRACE_ENTRY`
    /// of the stack trace database, whose frame count is read at `Depth` (x86 +0xa, x64 +0xe;
    /// `Index` just before it is the fallback) and whose frames follow at +0xc / +0x10.
    ///
    /// `Ok(None)` when no stack was captured; `Err` when the trace is not in the dump.
    pub fn stack_trace<M: ReadMemory + ?Sized>(
        &self,
        mem: &M,
        b: &PageHeapBlock,
    ) -> Result<Option<Vec<u64>>, Error> {
        read_trace(mem, self.layout.width, b.stack_trace)
    }
}

/// The frames of a page-heap stack trace at `trace`: read as an `_RTL_STACK_TRACE_ENTRY`,
/// frame count at `Depth` (x86 +0xa, x64 +0xe; `Index` just before it is the fallback),
/// frames at +0xc / +0x10. `Ok(None)` for a null pointer or an implausible count.
pub(crate) fn read_trace<M: ReadMemory + ?Sized>(
    mem: &M,
    w: PointerWidth,
    trace: u64,
) -> Result<Option<Vec<u64>>, Error> {
    if trace == 0 {
        return Ok(None);
    }
    let (depth_off, frames_off) = match w {
        PointerWidth::Bits32 => (0xa, 0xc),
        PointerWidth::Bits64 => (0xe, 0x10),
    };
    let mut count = mem.read_u16(at(trace, depth_off)?)?;
    if count == 0 || count > crate::ust::MAX_TRACE_FRAMES {
        count = mem.read_u16(at(trace, depth_off.saturating_sub(2))?)?;
    }
    if count == 0 || count > crate::ust::MAX_TRACE_FRAMES {
        return Ok(None);
    }
    let mut frames = Vec::with_capacity(usize::from(count));
    for i in 0..u64::from(count) {
        let a = at(trace, frames_off)?;
        let a = at(a, i.saturating_mul(w.bytes()))?;
        frames.push(mem.read_ptr(a, w)?);
    }
    Ok(Some(frames))
}
