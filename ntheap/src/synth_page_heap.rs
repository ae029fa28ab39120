//! A synthetic full page heap (`+hpa`): handle page, `_DPH_HEAP_ROOT`, a node pool with a
//! balanced busy tree and a free list, stack trace entries, and one virtual block per busy
//! allocation (user area at the page end, `_DPH_BLOCK_INFORMATION` before it, guard page not
//! in memory). Freed blocks' pages are decommitted, as page heap does.

use crate::heap::PAGE_SIZE;
use crate::memory::PointerWidth;
use crate::page_heap::{DPH_BUSY_END_STAMP, DPH_BUSY_START_STAMP, DPH_HEAP_ROOT_SIGNATURE};
use crate::page_heap::{PageHeapBlock, PageHeapLayout};
use crate::synth::{BuildError, SynthMemory};

/// Builds one full page heap at a page-aligned handle address.
#[derive(Debug, Clone)]
pub struct PageHeapBuilder {
    width: PointerWidth,
    handle: u64,
    normal_heap: u64,
    flags: u32,
    busy: Vec<(u64, Vec<u64>)>,
    free: Vec<(u64, Vec<u64>)>,
}

/// A built page heap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthPageHeap {
    /// The heap handle (what `PEB.ProcessHeaps` lists).
    pub handle: u64,
    /// The `_DPH_HEAP_ROOT` (handle + one page).
    pub root: u64,
    /// The layout it was built with.
    pub layout: PageHeapLayout,
    /// Busy blocks, in the order given.
    pub busy: Vec<PageHeapBlock>,
    /// Freed blocks, in free-list order.
    pub free: Vec<PageHeapBlock>,
    /// The stack written for each busy block (same order as `busy`).
    pub busy_stacks: Vec<Vec<u64>>,
    /// Its memory.
    pub memory: SynthMemory,
}

fn add(a: u64, b: u64) -> Result<u64, BuildError> {
    a.checked_add(b).ok_or(BuildError("address overflow"))
}

fn sub(a: u64, b: u64) -> Result<u64, BuildError> {
    a.checked_sub(b).ok_or(BuildError("address underflow"))
}

fn mul(a: u64, b: u64) -> Result<u64, BuildError> {
    a.checked_mul(b).ok_or(BuildError("size overflow"))
}

/// Write the low `n` bytes of `v` at the sum of `offs`.
fn put(buf: &mut [u8], offs: &[u64], v: u64, n: usize) -> Result<(), BuildError> {
    let off = offs.iter().try_fold(0u64, |acc, o| add(acc, *o))?;
    let o = usize::try_from(off).map_err(|_| BuildError("offset"))?;
    let dst = buf
        .get_mut(o..o.checked_add(n).ok_or(BuildError("offset"))?)
        .ok_or(BuildError("write outside the buffer"))?;
    dst.copy_from_slice(v.to_le_bytes().get(..n).ok_or(BuildError("width"))?);
    Ok(())
}

fn pages(n: u64) -> u64 {
    n.div_ceil(PAGE_SIZE).saturating_mul(PAGE_SIZE)
}

impl PageHeapBuilder {
    /// A page heap whose handle is at `handle` (page aligned).
    pub fn new(width: PointerWidth, handle: u64) -> PageHeapBuilder {
        PageHeapBuilder {
            width,
            handle,
            normal_heap: 0,
            flags: 0x3,
            busy: Vec::new(),
            free: Vec::new(),
        }
    }
    /// `NormalHeap` (default 0).
    pub fn normal_heap(mut self, addr: u64) -> PageHeapBuilder {
        self.normal_heap = addr;
        self
    }
    /// `HeapFlags` (default 3: page heap, stack traces).
    pub fn flags(mut self, flags: u32) -> PageHeapBuilder {
        self.flags = flags;
        self
    }
    /// A busy allocation of `requested` bytes whose allocation stack is `frames` (at most
    /// 32; empty for none).
    pub fn busy(mut self, requested: u64, frames: Vec<u64>) -> PageHeapBuilder {
        self.busy.push((requested, frames));
        self
    }
    /// A freed allocation of `requested` bytes.
    pub fn free(mut self, requested: u64, frames: Vec<u64>) -> PageHeapBuilder {
        self.free.push((requested, frames));
        self
    }

    /// Lay it all out.
    pub fn build(self) -> Result<SynthPageHeap, BuildError> {
        let l = PageHeapLayout::builtin(self.width);
        let w = self.width;
        let p = usize::try_from(w.bytes()).map_err(|_| BuildError("width"))?;
        let gran = w.bytes().saturating_mul(2);
        if !self.handle.is_multiple_of(PAGE_SIZE) {
            return Err(BuildError("handle not page aligned"));
        }
        let root = self
            .handle
            .checked_add(PAGE_SIZE)
            .ok_or(BuildError("address"))?;
        let n_nodes = u64::try_from(self.busy.len().saturating_add(self.free.len()))
            .map_err(|_| BuildError("count"))?;
        let nodes_at = root.checked_add(PAGE_SIZE).ok_or(BuildError("address"))?;
        let nodes_len = pages(n_nodes.saturating_mul(l.block_size).max(1));
        let (trace_size, frames_off, depth_off) = match w {
            PointerWidth::Bits32 => (0x8c_u64, 0xc_u64, 0xa_u64),
            PointerWidth::Bits64 => (0x110, 0x10, 0xe),
        };
        let traces_at = nodes_at
            .checked_add(nodes_len)
            .ok_or(BuildError("address"))?;
        let traces_len = pages(n_nodes.saturating_mul(trace_size).max(1));
        let mut next_vb = traces_at
            .checked_add(traces_len)
            .and_then(|a| a.checked_add(PAGE_SIZE))
            .ok_or(BuildError("address"))?;

        let mut memory = SynthMemory::default();
        memory.regions.push((self.handle, vec![0u8; 0x1000]));
        let mut root_page = vec![0u8; 0x1000];
        let mut node_buf = vec![0u8; usize::try_from(nodes_len).map_err(|_| BuildError("len"))?];
        let mut trace_buf = vec![0u8; usize::try_from(traces_len).map_err(|_| BuildError("len"))?];
        let mut out = SynthPageHeap {
            handle: self.handle,
            root,
            layout: l,
            busy: Vec::new(),
            free: Vec::new(),
            busy_stacks: Vec::new(),
            memory: SynthMemory::default(),
        };
        let all: Vec<(bool, u64, Vec<u64>)> = self
            .busy
            .iter()
            .map(|(r, f)| (true, *r, f.clone()))
            .chain(self.free.iter().map(|(r, f)| (false, *r, f.clone())))
            .collect();
        for (index, (busy, requested, frames)) in all.into_iter().enumerate() {
            let index = u64::try_from(index).map_err(|_| BuildError("count"))?;
            if frames.len() > 32 {
                return Err(BuildError("more than 32 frames"));
            }
            let node_off = index.saturating_mul(l.block_size);
            let node = nodes_at
                .checked_add(node_off)
                .ok_or(BuildError("address"))?;
            let trace = if frames.is_empty() {
                0
            } else {
                let t_off = index.saturating_mul(trace_size);
                let n = u64::try_from(frames.len()).map_err(|_| BuildError("count"))?;
                put(&mut trace_buf, &[t_off, depth_off], n, 2)?;
                for (i, f) in frames.iter().enumerate() {
                    let i = u64::try_from(i).map_err(|_| BuildError("count"))?;
                    put(
                        &mut trace_buf,
                        &[t_off, frames_off, mul(i, w.bytes())?],
                        *f,
                        p,
                    )?;
                }
                add(traces_at, t_off)?
            };
            let actual = requested.div_ceil(gran).saturating_mul(gran);
            let data = pages(actual.saturating_add(l.info_size).max(1));
            let vb = next_vb;
            let vsize = data.saturating_add(PAGE_SIZE);
            next_vb = vb
                .checked_add(vsize)
                .and_then(|a| a.checked_add(PAGE_SIZE))
                .ok_or(BuildError("address"))?;
            let user = sub(add(vb, data)?, actual)?;
            let b = PageHeapBlock {
                node,
                busy,
                user_address: user,
                requested_size: requested,
                actual_size: actual,
                virtual_block: vb,
                virtual_size: vsize,
                stack_trace: trace,
            };
            put(&mut node_buf, &[node_off, l.block_user_allocation], user, p)?;
            put(&mut node_buf, &[node_off, l.block_virtual_block], vb, p)?;
            put(
                &mut node_buf,
                &[node_off, l.block_virtual_block_size],
                vsize,
                p,
            )?;
            put(
                &mut node_buf,
                &[node_off, l.block_virtual_access_size],
                data,
                p,
            )?;
            put(
                &mut node_buf,
                &[node_off, l.block_user_requested_size],
                requested,
                p,
            )?;
            put(
                &mut node_buf,
                &[node_off, l.block_user_actual_size],
                actual,
                p,
            )?;
            put(&mut node_buf, &[node_off, l.block_stack_trace], trace, p)?;
            if busy {
                let mut page = vec![0u8; usize::try_from(data).map_err(|_| BuildError("len"))?];
                let info = sub(sub(data, actual)?, l.info_size)?;
                put(&mut page, &[info], u64::from(DPH_BUSY_START_STAMP), 4)?;
                put(&mut page, &[info, w.bytes()], root, p)?;
                put(&mut page, &[info, l.info_requested_size], requested, p)?;
                put(
                    &mut page,
                    &[info, l.info_requested_size, w.bytes()],
                    actual,
                    p,
                )?;
                put(&mut page, &[info, l.info_stack_trace], trace, p)?;
                put(
                    &mut page,
                    &[info, l.info_end_stamp],
                    u64::from(DPH_BUSY_END_STAMP),
                    4,
                )?;
                let u = usize::try_from(sub(data, actual)?).map_err(|_| BuildError("len"))?;
                let r = usize::try_from(requested).map_err(|_| BuildError("len"))?;
                for (i, byte) in page.iter_mut().enumerate().skip(u) {
                    *byte = if i < u.saturating_add(r) { 0xc0 } else { 0xd0 };
                }
                memory.regions.push((vb, page));
                out.busy.push(b);
                out.busy_stacks.push(frames);
            } else {
                out.free.push(b);
            }
        }
        // Busy tree: balanced, by user address, hanging from BalancedRoot.RightChild.
        let mut order: Vec<usize> = (0..out.busy.len()).collect();
        order.sort_by_key(|i| out.busy.get(*i).map_or(0, |b| b.user_address));
        let table = add(root, l.root_busy_nodes_table)?;
        let tree_root = link_tree(&mut node_buf, nodes_at, &out.busy, &order, table, p)?;
        put(
            &mut root_page,
            &[l.root_busy_nodes_table, mul(w.bytes(), 2)?],
            tree_root,
            p,
        )?;
        // Free list: singly linked through pNextAlloc.
        let mut head = 0u64;
        for b in out.free.iter().rev() {
            put(
                &mut node_buf,
                &[sub(b.node, nodes_at)?, l.block_next_alloc],
                head,
                p,
            )?;
            head = b.node;
        }
        put(&mut root_page, &[0], u64::from(DPH_HEAP_ROOT_SIGNATURE), 4)?;
        put(
            &mut root_page,
            &[l.root_heap_flags],
            u64::from(self.flags),
            4,
        )?;
        let nb = u64::try_from(out.busy.len()).map_err(|_| BuildError("count"))?;
        let nf = u64::try_from(out.free.len()).map_err(|_| BuildError("count"))?;
        put(&mut root_page, &[l.root_busy_allocations], nb, 4)?;
        put(&mut root_page, &[l.root_free_list_head], head, p)?;
        put(&mut root_page, &[l.root_free_allocations], nf, 4)?;
        // NextHeap: a one-root circular list.
        let link = add(root, l.root_next_heap)?;
        put(&mut root_page, &[l.root_next_heap], link, p)?;
        put(&mut root_page, &[l.root_next_heap, w.bytes()], link, p)?;
        put(&mut root_page, &[l.root_normal_heap], self.normal_heap, p)?;
        memory.regions.push((root, root_page));
        memory.regions.push((nodes_at, node_buf));
        memory.regions.push((traces_at, trace_buf));
        memory.regions.sort_by_key(|r| r.0);
        out.memory = memory;
        Ok(out)
    }
}

/// Links `busy[order[..]]` (sorted) as a balanced binary tree; returns its root node.
fn link_tree(
    buf: &mut [u8],
    base: u64,
    busy: &[PageHeapBlock],
    order: &[usize],
    parent: u64,
    p: usize,
) -> Result<u64, BuildError> {
    if order.is_empty() {
        return Ok(0);
    }
    let mid = order.len() / 2;
    let node = busy
        .get(*order.get(mid).ok_or(BuildError("tree"))?)
        .ok_or(BuildError("tree"))?
        .node;
    let off = sub(node, base)?;
    let pw = p as u64;
    let left = link_tree(
        buf,
        base,
        busy,
        order.get(..mid).unwrap_or_default(),
        node,
        p,
    )?;
    let right = link_tree(
        buf,
        base,
        busy,
        order.get(mid.saturating_add(1)..).unwrap_or_default(),
        node,
        p,
    )?;
    put(buf, &[off], parent, p)?;
    put(buf, &[off, pw], left, p)?;
    put(buf, &[off, pw, pw], right, p)?;
    Ok(node)
}

/// Links the roots of several page heaps (and a list head at `head`, as verifier's
/// `AVrfpDphPageHeapList`) into one `NextHeap` list; returns the head's memory region.
pub fn link_page_heaps(
    heaps: &mut [SynthPageHeap],
    head: u64,
) -> Result<(u64, Vec<u8>), BuildError> {
    let Some(first) = heaps.first() else {
        return Err(BuildError("no page heap"));
    };
    let l = first.layout;
    let p = usize::try_from(l.width.bytes()).map_err(|_| BuildError("width"))?;
    let links: Vec<u64> = heaps
        .iter()
        .map(|h| add(h.root, l.root_next_heap))
        .collect::<Result<_, _>>()?;
    let mut head_buf = vec![0u8; p.saturating_mul(2)];
    put(
        &mut head_buf,
        &[0],
        *links.first().ok_or(BuildError("list"))?,
        p,
    )?;
    put(
        &mut head_buf,
        &[l.width.bytes()],
        *links.last().ok_or(BuildError("list"))?,
        p,
    )?;
    for (i, h) in heaps.iter_mut().enumerate() {
        let flink = links.get(i.saturating_add(1)).copied().unwrap_or(head);
        let blink = i
            .checked_sub(1)
            .and_then(|j| links.get(j))
            .copied()
            .unwrap_or(head);
        let link = add(h.root, l.root_next_heap)?;
        let mut b = vec![0u8; p.saturating_mul(2)];
        put(&mut b, &[0], flink, p)?;
        put(&mut b, &[l.width.bytes()], blink, p)?;
        h.memory.write(link, &b);
    }
    Ok((head, head_buf))
}
