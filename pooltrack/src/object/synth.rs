//! Builders of synthetic kernel memory (feature `synth`): process lists, handle tables of every
//! entry encoding and depth, object headers (with `ObHeaderCookie` on Windows 10+), thread
//! objects (running, waiting, terminated), and the handle-leak scenario of a server whose
//! non-paged pool is exhausted by thread objects. Everything is laid out with an
//! [`ObjectLayout`], so the same scenario can be built for XP, 2003, 7, 8.1, 10 or 11.
//!
//! ```
//! use pooltrack::object_synth::{KernelBuilder, ProcessSpec};
//! use pooltrack::{ObjectLayout, PointerWidth};
//!
//! let layout = ObjectLayout::for_build(19041, PointerWidth::Bits64).unwrap();
//! let mut b = KernelBuilder::new(layout);
//! let system = b.add_process(&ProcessSpec::new(4, "System"));
//! let k = b.build();
//! let objects = k.objects();
//! let p: Vec<_> = objects.processes().unwrap().map(Result::unwrap).collect();
//! assert_eq!(p[0].address, system);
//! assert_eq!(p[0].name(), "System");
//! ```
// The builders compute addresses and sizes from what the test author asks for, on a private
// address plan (no dump data), so plain arithmetic is used there; the memory they produce is
// read back with the crate's checked readers, and `SynthMemory::read` itself is checked.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;

use super::handle_table::HandleEntryEncoding;
use super::object_header::{OptionalHeaders, TypeRef, encode_type_index};
use super::{KernelObjects, KernelSymbols, ObjectLayout, ThreadState};
use crate::memory::{MemoryError, PointerWidth, ReadMemory};

/// A per-cell change applied to a [`SynthMemory::add_array`] template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Patch {
    /// A little-endian counter of `width` bytes at `offset`: `start + step * cell`.
    Counter {
        /// Offset in the cell.
        offset: u64,
        /// 4 or 8.
        width: u8,
        /// Value in cell 0.
        start: u64,
        /// Increment per cell.
        step: u64,
    },
    /// A Windows 10+ encoded `TypeIndex` byte at `offset` for the object header at
    /// `header_offset` in the cell.
    TypeIndex {
        /// Offset of the `TypeIndex` byte in the cell.
        offset: u64,
        /// Offset of the object header in the cell.
        header_offset: u64,
        /// The type index to encode.
        index: u8,
        /// `ObHeaderCookie`.
        cookie: u8,
    },
}

#[derive(Debug, Clone)]
enum Region {
    Bytes(Vec<u8>),
    Array {
        stride: u64,
        count: u64,
        template: Vec<u8>,
        patches: Vec<Patch>,
    },
}

impl Region {
    fn len(&self) -> u64 {
        match self {
            Region::Bytes(b) => b.len() as u64,
            Region::Array { stride, count, .. } => stride * count,
        }
    }
}

/// Sparse synthetic memory: byte regions, and arrays of identical cells (a template plus
/// per-cell patches) that cost the memory of one cell however many there are.
#[derive(Debug, Clone, Default)]
pub struct SynthMemory {
    regions: BTreeMap<u64, Region>,
}

impl SynthMemory {
    /// Empty memory.
    pub fn new() -> Self {
        SynthMemory::default()
    }

    /// Map `len` zero bytes at `addr` (replacing nothing: regions must not overlap).
    pub fn map(&mut self, addr: u64, len: usize) {
        self.regions.insert(addr, Region::Bytes(vec![0; len]));
    }

    /// Map `count` cells of `template.len()` bytes at `addr`, each a copy of `template` with
    /// `patches` applied.
    pub fn add_array(&mut self, addr: u64, template: Vec<u8>, count: u64, patches: Vec<Patch>) {
        let stride = template.len() as u64;
        self.regions.insert(
            addr,
            Region::Array {
                stride,
                count,
                template,
                patches,
            },
        );
    }

    /// Remove the region that starts at `addr` (to make memory "not captured").
    pub fn unmap(&mut self, addr: u64) {
        self.regions.remove(&addr);
    }

    /// Overwrite bytes inside a mapped byte region; returns `false` (and writes nothing) when
    /// the range is not inside one.
    pub fn write(&mut self, addr: u64, bytes: &[u8]) -> bool {
        let Some((base, Region::Bytes(b))) = self.regions.range_mut(..=addr).next_back() else {
            return false;
        };
        let Some(dst) = addr
            .checked_sub(*base)
            .and_then(|o| usize::try_from(o).ok())
            .and_then(|o| Some(o..o.checked_add(bytes.len())?))
            .and_then(|r| b.get_mut(r))
        else {
            return false;
        };
        dst.copy_from_slice(bytes);
        true
    }
    /// Write a u8.
    pub fn write_u8(&mut self, addr: u64, v: u8) {
        let _ = self.write(addr, &[v]);
    }
    /// Write a little-endian u16.
    pub fn write_u16(&mut self, addr: u64, v: u16) {
        let _ = self.write(addr, &v.to_le_bytes());
    }
    /// Write a little-endian u32.
    pub fn write_u32(&mut self, addr: u64, v: u32) {
        let _ = self.write(addr, &v.to_le_bytes());
    }
    /// Write a little-endian u64.
    pub fn write_u64(&mut self, addr: u64, v: u64) {
        let _ = self.write(addr, &v.to_le_bytes());
    }
    /// Write a pointer of the given width.
    pub fn write_ptr(&mut self, addr: u64, v: u64, width: PointerWidth) {
        match width {
            PointerWidth::Bits32 => self.write_u32(addr, v as u32),
            PointerWidth::Bits64 => self.write_u64(addr, v),
        }
    }

    /// Bytes held (arrays count one cell).
    pub fn resident_bytes(&self) -> u64 {
        self.regions
            .values()
            .map(|r| match r {
                Region::Bytes(b) => b.len() as u64,
                Region::Array { template, .. } => template.len() as u64,
            })
            .sum()
    }

    fn read_chunk(&self, addr: u64, buf: &mut [u8]) -> Option<usize> {
        let (base, r) = self.regions.range(..=addr).next_back()?;
        let off = addr.checked_sub(*base)?;
        let avail = r.len().checked_sub(off).filter(|&a| a > 0)?;
        let n = usize::try_from(avail.min(buf.len() as u64)).ok()?;
        match r {
            Region::Bytes(b) => {
                let o = usize::try_from(off).ok()?;
                buf.get_mut(..n)?
                    .copy_from_slice(b.get(o..o.checked_add(n)?)?);
                Some(n)
            }
            Region::Array {
                stride,
                template,
                patches,
                ..
            } => {
                let cell = off.checked_div(*stride)?;
                let in_cell = usize::try_from(off.checked_rem(*stride)?).ok()?;
                let n = n.min(template.len().checked_sub(in_cell)?);
                let end = in_cell.checked_add(n)?;
                let out = buf.get_mut(..n)?;
                out.copy_from_slice(template.get(in_cell..end)?);
                let cell_addr = base.checked_add(cell.checked_mul(*stride)?)?;
                // Overlay the patched bytes that fall in the range read.
                for p in patches {
                    let (at, bytes, len) = match *p {
                        Patch::Counter {
                            offset,
                            width,
                            start,
                            step,
                        } => (
                            offset,
                            start.wrapping_add(step.wrapping_mul(cell)).to_le_bytes(),
                            usize::from(width.min(8)),
                        ),
                        Patch::TypeIndex {
                            offset,
                            header_offset,
                            index,
                            cookie,
                        } => {
                            let v = encode_type_index(
                                index,
                                cell_addr.checked_add(header_offset)?,
                                cookie,
                            );
                            (offset, [v, 0, 0, 0, 0, 0, 0, 0], 1)
                        }
                    };
                    let at = usize::try_from(at).ok()?;
                    for (k, b) in bytes.iter().take(len).enumerate() {
                        let pos = at.checked_add(k)?;
                        if (in_cell..end).contains(&pos)
                            && let Some(d) = out.get_mut(pos.checked_sub(in_cell)?)
                        {
                            *d = *b;
                        }
                    }
                }
                Some(n)
            }
        }
    }
}

impl ReadMemory for SynthMemory {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemoryError> {
        let mut done = 0usize;
        while done < buf.len() {
            let a = addr
                .checked_add(done as u64)
                .ok_or(MemoryError::not_captured(addr, buf.len()))?;
            match buf.get_mut(done..).and_then(|b| self.read_chunk(a, b)) {
                Some(n) if n > 0 => done = done.saturating_add(n),
                _ => return Err(MemoryError::not_captured(addr, buf.len())),
            }
        }
        Ok(())
    }
}

/// A process to add with [`KernelBuilder::add_process`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProcessSpec {
    /// Process id.
    pub pid: u64,
    /// Parent process id.
    pub parent_pid: u64,
    /// Image name (truncated to 14 characters as `ImageFileName` is; 15 before Windows 7).
    pub name: String,
    /// Full NT path of the image, for `SeAuditProcessCreationInfo`.
    pub full_name: Option<String>,
    /// Session id; `None`: no session (System, smss).
    pub session_id: Option<u32>,
    /// `Peb`.
    pub peb: u64,
    /// `DirectoryTableBase`.
    pub dir_base: u64,
    /// `CreateTime`.
    pub create_time: u64,
    /// `ExitTime`: non-zero makes an exited-but-referenced process.
    pub exit_time: u64,
}

impl ProcessSpec {
    /// A running process with the given id and name and plausible other fields.
    pub fn new(pid: u64, name: &str) -> Self {
        ProcessSpec {
            pid,
            parent_pid: 0,
            name: name.to_string(),
            full_name: None,
            session_id: None,
            peb: 0,
            dir_base: 0x0018_5000 + pid * 0x1000,
            create_time: 0x01C7_C6E0_0000_0000 + pid,
            exit_time: 0,
        }
    }
    /// Set the parent id.
    #[must_use]
    pub fn parent(mut self, pid: u64) -> Self {
        self.parent_pid = pid;
        self
    }
    /// Set the session.
    #[must_use]
    pub fn session(mut self, id: u32) -> Self {
        self.session_id = Some(id);
        self
    }
    /// Set the PEB.
    #[must_use]
    pub fn peb(mut self, peb: u64) -> Self {
        self.peb = peb;
        self
    }
    /// Set the full image path.
    #[must_use]
    pub fn full_name(mut self, path: &str) -> Self {
        self.full_name = Some(path.to_string());
        self
    }
    /// Set the page-table root.
    #[must_use]
    pub fn dir_base(mut self, v: u64) -> Self {
        self.dir_base = v;
        self
    }
    /// Mark the process exited at `time` (it stays in the list: a zombie).
    #[must_use]
    pub fn exited(mut self, time: u64) -> Self {
        self.exit_time = time;
        self
    }
}

/// A thread to add with [`KernelBuilder::add_thread`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ThreadSpec {
    /// Thread id.
    pub tid: u64,
    /// State.
    pub state: ThreadState,
    /// Wait reason (for a waiting thread).
    pub wait_reason: u8,
    /// `StartAddress`.
    pub start_address: u64,
    /// `Win32StartAddress`.
    pub win32_start_address: u64,
    /// `Teb` (zero for a system thread).
    pub teb: u64,
    /// `WaitTime`.
    pub wait_start_tick: u32,
    /// `ContextSwitches`.
    pub context_switches: u32,
    /// `KernelTime`.
    pub kernel_time: u32,
    /// `UserTime`.
    pub user_time: u32,
    /// Return addresses on the kernel stack, innermost first (zero: none): with any set, the
    /// builder gives the thread a kernel stack of its own holding its saved switch frame and a
    /// frame-pointer chain through them (x86 layouts only; see
    /// [`ThreadSpec::kernel_stack`]).
    pub kernel_frames: [u64; 8],
}

impl ThreadSpec {
    /// A thread in `state` starting at `start`.
    pub fn new(tid: u64, state: ThreadState, start: u64) -> Self {
        ThreadSpec {
            tid,
            state,
            wait_reason: 0,
            start_address: start,
            win32_start_address: start,
            teb: 0,
            wait_start_tick: 975_361,
            context_switches: 1,
            kernel_time: 0,
            user_time: 0,
            kernel_frames: [0; 8],
        }
    }
    /// Waiting for `reason` (`_KWAIT_REASON`).
    #[must_use]
    pub fn waiting(mut self, reason: u8) -> Self {
        self.state = ThreadState::Waiting;
        self.wait_reason = reason;
        self
    }
    /// Set the TEB.
    #[must_use]
    pub fn teb(mut self, teb: u64) -> Self {
        self.teb = teb;
        self
    }
    /// The return addresses of the thread's kernel stack, innermost first (at most 8): the
    /// first is where the context switch returns into (`KiSwapContext`), the second where
    /// `KiSwapContext` returns into (`KiSwapThread`), the rest the callers found through the
    /// EBP chain.
    ///
    /// On x86 the builder writes, at `KernelStack`, the frame Windows' context switch leaves
    /// (the WRK/ReactOS `SwapContext` convention, not PDB-described): `+0` the exception list,
    /// `+4` the APC bypass flag, `+8` the first return address; then `KiSwapContext`'s saved
    /// `EBP`, `EDI`, `ESI`, `EBX` (`+0xC`..`+0x18`) and `+0x1C` the second return address; the
    /// saved `EBP` starts a chain of `[EBP] = caller's EBP`, `[EBP+4] = return address` frames
    /// ending in a zero `EBP`. x64 layouts are left alone (the x64 `KSWITCH_FRAME` is not
    /// described by the PDB-derived layouts this crate is checked against).
    #[must_use]
    pub fn kernel_stack(mut self, frames: &[u64]) -> Self {
        self.kernel_frames = [0; 8];
        for (d, s) in self.kernel_frames.iter_mut().zip(frames) {
            *d = *s;
        }
        self
    }
}

#[derive(Debug, Clone)]
struct ProcSynth {
    eprocess: u64,
    table: u64,
    /// `(index, object header)`, indexes increasing.
    handles: Vec<(u64, u64, u32)>,
    next_index: u64,
    level: u8,
}

/// A synthetic kernel: memory, the symbols to find things in it, and its layout.
#[derive(Debug, Clone)]
pub struct SynthKernel {
    /// The memory.
    pub memory: SynthMemory,
    /// The kernel variables.
    pub symbols: KernelSymbols,
    /// The layout it was built with.
    pub layout: ObjectLayout,
}

impl SynthKernel {
    /// A reader over it.
    pub fn objects(&self) -> KernelObjects<&SynthMemory> {
        KernelObjects::new(&self.memory, self.layout, self.symbols)
    }
}

/// The object types every synthetic kernel has, from index 2.
pub const TYPE_NAMES: [&str; 16] = [
    "Type",
    "Directory",
    "SymbolicLink",
    "Token",
    "Job",
    "Process",
    "Thread",
    "Event",
    "Mutant",
    "Semaphore",
    "Timer",
    "Key",
    "File",
    "Section",
    "IoCompletion",
    "WindowStation",
];

/// Builds synthetic kernel memory for one [`ObjectLayout`].
#[derive(Debug, Clone)]
pub struct KernelBuilder {
    layout: ObjectLayout,
    mem: SynthMemory,
    next: u64,
    cookie: u8,
    head: u64,
    type_table: u64,
    cookie_addr: u64,
    cid_var: u64,
    types: Vec<u64>,
    procs: Vec<ProcSynth>,
    cid: Vec<(u64, u64)>,
    forced_levels: BTreeMap<u64, u8>,
    stacks: Vec<(u64, [u64; 8])>,
}

const COOKIE: u8 = 0x5A;

impl KernelBuilder {
    /// An empty kernel: the process list head, `ObTypeIndexTable` with [`TYPE_NAMES`],
    /// `ObHeaderCookie` and `PspCidTable`.
    pub fn new(layout: ObjectLayout) -> Self {
        let base = match layout.width {
            PointerWidth::Bits32 => 0x8100_0000,
            // Bit 44 set: also representable in the Windows 8 handle-entry encoding.
            PointerWidth::Bits64 => 0xFFFF_FA80_0100_0000,
        };
        let mut b = KernelBuilder {
            layout,
            mem: SynthMemory::new(),
            next: base,
            cookie: COOKIE,
            head: 0,
            type_table: 0,
            cookie_addr: 0,
            cid_var: 0,
            types: Vec::new(),
            procs: Vec::new(),
            cid: Vec::new(),
            forced_levels: BTreeMap::new(),
            stacks: Vec::new(),
        };
        let p = b.ptr();
        b.head = b.alloc(2 * p, 16);
        b.write_ptr(b.head, b.head);
        b.write_ptr(b.head + p, b.head);
        b.type_table = b.alloc(256 * p, 16);
        b.cookie_addr = b.alloc(16, 16);
        b.mem.write_u8(b.cookie_addr, b.cookie);
        b.cid_var = b.alloc(16, 16);
        for (i, name) in TYPE_NAMES.iter().enumerate() {
            let t = b.add_type_object(name, (i + 2) as u8);
            b.write_ptr(b.type_table + (i as u64 + 2) * p, t);
            b.types.push(t);
        }
        b
    }

    fn ptr(&self) -> u64 {
        self.layout.width.bytes()
    }
    fn write_ptr(&mut self, addr: u64, v: u64) {
        self.mem.write_ptr(addr, v, self.layout.width);
    }

    /// Allocate `len` zeroed bytes aligned to `align`.
    pub fn alloc(&mut self, len: u64, align: u64) -> u64 {
        let a = self.next.div_ceil(align) * align;
        // A gap between allocations, as pool headers would leave.
        self.next = a + len + 0x10;
        self.mem.map(a, len as usize);
        a
    }

    /// Reserve `len` bytes of address space (for a template array).
    fn reserve(&mut self, len: u64, align: u64) -> u64 {
        let a = self.next.div_ceil(align) * align;
        self.next = a + len + 0x1000;
        a
    }

    fn write_unicode(&mut self, at: u64, s: &str) {
        let units: Vec<u8> = s.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let buf = self.alloc(units.len() as u64 + 2, 8);
        self.mem.write(buf, &units);
        self.mem.write_u16(at, units.len() as u16);
        self.mem.write_u16(at + 2, units.len() as u16 + 2);
        self.write_ptr(at + self.ptr(), buf);
    }

    fn add_type_object(&mut self, name: &str, index: u8) -> u64 {
        let t = self.alloc(0x190, 16);
        let l = self.layout.object_type;
        self.write_unicode(t + u64::from(l.name), name);
        self.mem.write_u8(t + u64::from(l.index), index);
        let tag = u32::from_le_bytes({
            let mut k = *b"    ";
            for (d, s) in k.iter_mut().zip(name.bytes()) {
                *d = s;
            }
            k
        });
        self.mem.write_u32(t + u64::from(l.key), tag);
        t
    }

    /// The `_OBJECT_TYPE` of a [`TYPE_NAMES`] type (0 for another name).
    pub fn type_object(&self, name: &str) -> u64 {
        TYPE_NAMES
            .iter()
            .position(|n| *n == name)
            .and_then(|i| self.types.get(i).copied())
            .unwrap_or(0)
    }
    fn type_index(name: &str) -> u8 {
        TYPE_NAMES
            .iter()
            .position(|n| *n == name)
            .map_or(0, |i| i as u8 + 2)
    }

    /// The bytes of an object header (no optional headers) of type `type_name` at `header`,
    /// as written by [`KernelBuilder::add_object`].
    fn header_bytes(
        &self,
        type_name: &str,
        header: u64,
        pointer_count: i64,
        handle_count: i64,
        mask: u8,
    ) -> Vec<u8> {
        let l = self.layout.object_header;
        let mut h = vec![0u8; l.body as usize];
        let put = |h: &mut Vec<u8>, off: u32, v: u64, n: usize| {
            h[off as usize..off as usize + n].copy_from_slice(&v.to_le_bytes()[..n]);
        };
        let p = self.ptr() as usize;
        put(&mut h, l.pointer_count, pointer_count as u64, p);
        put(&mut h, l.handle_count, handle_count as u64, p);
        match l.type_ref {
            TypeRef::Pointer { offset } => put(&mut h, offset, self.type_object(type_name), p),
            TypeRef::Index { offset, cookie } => {
                let i = Self::type_index(type_name);
                let v = if cookie {
                    encode_type_index(i, header, self.cookie)
                } else {
                    i
                };
                h[offset as usize] = v;
            }
        }
        if let OptionalHeaders::InfoMask { offset, .. } = l.optional {
            h[offset as usize] = mask;
        }
        h
    }

    /// Add an object of `type_name` with a body of `body_size` bytes, optionally named and
    /// with creator info; returns the body address.
    pub fn add_object(
        &mut self,
        type_name: &str,
        body_size: u64,
        name: Option<&str>,
        creator_pid: Option<u64>,
    ) -> u64 {
        let l = self.layout.object_header;
        let p = self.ptr();
        // Optional headers, lowest address first: name, then creator (bit order reversed).
        let (name_size, creator_size) = match l.optional {
            OptionalHeaders::InfoMask { sizes, .. } => (u64::from(sizes[1]), u64::from(sizes[0])),
            OptionalHeaders::Offsets {
                creator_info_size, ..
            } => (4 * p, u64::from(creator_info_size)),
        };
        let opt_len = name.map_or(0, |_| name_size) + creator_pid.map_or(0, |_| creator_size);
        let start = self.alloc(opt_len + u64::from(l.body) + body_size, 16);
        let header = start + opt_len;
        let mut mask = 0u8;
        let mut flags = 0u8;
        if let Some(pid) = creator_pid {
            let c = header - creator_size;
            self.write_ptr(c + u64::from(l.creator_unique_process), pid);
            mask |= 1;
            flags |= 0x04;
        }
        if let Some(n) = name {
            let at = header - opt_len;
            self.write_unicode(at + u64::from(l.name_info_name), n);
            mask |= 2;
            if let OptionalHeaders::Offsets {
                name_info_offset, ..
            } = l.optional
            {
                self.mem
                    .write_u8(header + u64::from(name_info_offset), opt_len as u8);
            }
        }
        let bytes = self.header_bytes(type_name, header, 1, 0, mask);
        // Keep the NameInfoOffset written above (pre-Win7).
        let keep = match l.optional {
            OptionalHeaders::Offsets {
                name_info_offset, ..
            } => Some((
                name_info_offset,
                self.mem_u8(header + u64::from(name_info_offset)),
            )),
            OptionalHeaders::InfoMask { .. } => None,
        };
        self.mem.write(header, &bytes);
        if let Some((off, v)) = keep {
            self.mem.write_u8(header + u64::from(off), v);
        }
        self.mem.write_u8(header + u64::from(l.flags), flags);
        // Dispatcher header type for processes and threads (what PspCidTable readers check).
        match type_name {
            "Process" => self.mem.write_u8(header + u64::from(l.body), 3),
            "Thread" => self.mem.write_u8(header + u64::from(l.body), 6),
            _ => {}
        }
        header + u64::from(l.body)
    }

    /// Add an object of `type_name` charged `(paged, nonpaged)` pool quota (a quota info header
    /// in front of its header); returns the body address.
    pub fn add_object_with_quota(
        &mut self,
        type_name: &str,
        body_size: u64,
        paged: u32,
        nonpaged: u32,
    ) -> u64 {
        let l = self.layout.object_header;
        let quota_size = match l.optional {
            OptionalHeaders::InfoMask { sizes, .. } => u64::from(sizes[3]),
            OptionalHeaders::Offsets { .. } => 4 * self.ptr(),
        };
        let start = self.alloc(quota_size + u64::from(l.body) + body_size, 16);
        let header = start + quota_size;
        self.mem.write_u32(start, paged);
        self.mem.write_u32(start + 4, nonpaged);
        let bytes = self.header_bytes(type_name, header, 1, 0, 0x08);
        self.mem.write(header, &bytes);
        if let OptionalHeaders::Offsets {
            quota_info_offset, ..
        } = l.optional
        {
            self.mem
                .write_u8(header + u64::from(quota_info_offset), quota_size as u8);
        }
        header + u64::from(l.body)
    }

    fn mem_u8(&self, addr: u64) -> u8 {
        self.mem.read_u8(addr).unwrap_or(0)
    }

    /// Add a process (its object, a `_HANDLE_TABLE`, a session, the full image path) at the
    /// end of the process list; returns the `_EPROCESS` address.
    pub fn add_process(&mut self, spec: &ProcessSpec) -> u64 {
        let l = self.layout.process;
        let w = self.layout.width;
        let p = self.ptr();
        let e = self.add_object("Process", u64::from(l.size), None, None);
        let f = |off: u32| e + u64::from(off);
        self.write_ptr(f(l.unique_process_id), spec.pid);
        self.write_ptr(f(l.inherited_from_unique_process_id), spec.parent_pid);
        self.write_ptr(f(l.peb), spec.peb);
        match w {
            PointerWidth::Bits32 => self
                .mem
                .write_u32(f(l.directory_table_base), spec.dir_base as u32),
            PointerWidth::Bits64 => self.mem.write_u64(f(l.directory_table_base), spec.dir_base),
        }
        // UCHAR[16] up to Vista, [15] from 7; always NUL-terminated.
        let len = if self.layout.build < 7600 { 16 } else { 15 };
        let mut name = vec![0u8; len];
        for (d, s) in name.iter_mut().zip(spec.name.bytes().take(len - 1)) {
            *d = s;
        }
        self.mem.write(f(l.image_file_name), &name);
        self.mem.write_u64(f(l.create_time), spec.create_time);
        self.mem.write_u64(f(l.exit_time), spec.exit_time);
        self.mem.write_u32(
            f(l.exit_status),
            if spec.exit_time != 0 { 0 } else { 0x103 },
        );
        // Thread list: empty.
        let tlh = f(l.thread_list_head);
        self.write_ptr(tlh, tlh);
        self.write_ptr(tlh + p, tlh);
        if let Some(sid) = spec.session_id {
            let s = self.alloc(0x40, 16);
            self.mem.write_u32(s + u64::from(l.session_id), sid);
            self.write_ptr(f(l.session), s);
        }
        if let Some(full) = &spec.full_name {
            let n = self.alloc(2 * p, 16);
            self.write_unicode(n, full);
            self.write_ptr(f(l.se_audit_process_creation_info), n);
        }
        // Handle table (an exited process has none).
        let mut table = 0;
        if spec.exit_time == 0 {
            table = self.alloc(0x80, 16);
            let ht = self.layout.handle_table;
            self.write_ptr(table + u64::from(ht.unique_process_id), spec.pid);
            self.write_ptr(f(l.object_table), table);
        }
        // Link at the tail of PsActiveProcessHead.
        let links = f(l.active_process_links);
        let head = self.head;
        let tail = self.mem.read_ptr(head + p, w).unwrap_or(head);
        self.write_ptr(links, head);
        self.write_ptr(links + p, tail);
        self.write_ptr(tail, links);
        self.write_ptr(head + p, links);
        self.procs.push(ProcSynth {
            eprocess: e,
            table,
            handles: Vec::new(),
            next_index: 1,
            level: 0,
        });
        if spec.exit_time == 0 {
            self.cid.push((spec.pid, e));
        }
        e
    }

    fn write_thread_fields(
        &self,
        t: &mut dyn FnMut(u64, u64, usize),
        owner: u64,
        pid: u64,
        spec: &ThreadSpec,
    ) {
        let l = self.layout.thread;
        let p = self.ptr() as usize;
        let stack_base = 0xF3C4_D000u64 | if p == 8 { 0xFFFF_F880_0000_0000 } else { 0 };
        t(u64::from(l.cid), pid, p);
        t(u64::from(l.cid) + p as u64, spec.tid, p);
        t(u64::from(l.teb), spec.teb, p);
        t(u64::from(l.state), u64::from(spec.state.raw()), 1);
        t(u64::from(l.wait_reason), u64::from(spec.wait_reason), 1);
        t(u64::from(l.owning_process), owner, p);
        t(u64::from(l.wait_time), u64::from(spec.wait_start_tick), 4);
        t(
            u64::from(l.context_switches),
            u64::from(spec.context_switches),
            4,
        );
        t(u64::from(l.kernel_time), u64::from(spec.kernel_time), 4);
        t(u64::from(l.user_time), u64::from(spec.user_time), 4);
        t(u64::from(l.start_address), spec.start_address, p);
        t(
            u64::from(l.win32_start_address),
            spec.win32_start_address,
            p,
        );
        let terminated = spec.state == ThreadState::Terminated;
        t(
            u64::from(l.initial_stack),
            if terminated { 0 } else { stack_base - 0x300 },
            p,
        );
        t(u64::from(l.kernel_stack), stack_base - 0x368, p);
        t(u64::from(l.stack_base), stack_base, p);
        t(u64::from(l.stack_limit), stack_base - 0x3000, p);
        t(u64::from(l.priority), 8, 1);
        t(u64::from(l.base_priority), 8, 1);
        t(u64::from(l.create_time), 0x01C7_C6E0_0000_0000, 8);
        if terminated {
            t(u64::from(l.exit_time), 0x01C7_C6E0_1000_0000, 8);
            t(u64::from(l.cross_thread_flags), 1, 4);
        } else {
            t(u64::from(l.cross_thread_flags), 2, 4);
            t(u64::from(l.exit_status), 0x103, 4);
        }
    }

    /// Add a thread to `process` (linked into its thread list unless terminated, and into
    /// `PspCidTable` unless terminated); returns the `_ETHREAD` address.
    pub fn add_thread(&mut self, process: u64, spec: &ThreadSpec) -> u64 {
        let l = self.layout.thread;
        let w = self.layout.width;
        let p = self.ptr();
        let pid = self
            .mem
            .read_ptr(
                process + u64::from(self.layout.process.unique_process_id),
                w,
            )
            .unwrap_or(0);
        let t = self.add_object("Thread", u64::from(l.size), None, None);
        let mut writes = Vec::new();
        self.write_thread_fields(
            &mut |off, v, n| writes.push((off, v, n)),
            process,
            pid,
            spec,
        );
        for (off, v, n) in writes {
            self.mem.write(t + off, &v.to_le_bytes()[..n]);
        }
        if spec.state != ThreadState::Terminated
            && w == PointerWidth::Bits32
            && spec.kernel_frames.iter().any(|&f| f != 0)
        {
            self.stacks.push((t, spec.kernel_frames));
        }
        if spec.state != ThreadState::Terminated {
            let head = process + u64::from(self.layout.process.thread_list_head);
            let entry = t + u64::from(l.thread_list_entry);
            let tail = self.mem.read_ptr(head + p, w).unwrap_or(head);
            self.write_ptr(entry, head);
            self.write_ptr(entry + p, tail);
            self.write_ptr(tail, entry);
            self.write_ptr(head + p, entry);
            self.cid.push((spec.tid, t));
            let at = process + u64::from(self.layout.process.active_threads);
            let n = self.mem.read_u32(at).unwrap_or(0);
            self.mem.write_u32(at, n + 1);
        }
        t
    }

    /// Give the x86 thread at `thread` a kernel stack of its own (3 pages) holding its saved
    /// switch frame at `KernelStack` and an EBP chain through `frames` (see
    /// [`ThreadSpec::kernel_stack`]).
    fn write_kernel_stack(&mut self, thread: u64, frames: &[u64; 8]) {
        let l = self.layout.thread;
        let frames: Vec<u64> = frames.iter().copied().take_while(|&f| f != 0).collect();
        let limit = self.alloc(0x3000, 0x1000);
        let base = limit + 0x3000;
        let initial = base - 0x300;
        let ks = initial - 0x200;
        let f = |off: u32| thread + u64::from(off);
        self.write_ptr(f(l.initial_stack), initial);
        self.write_ptr(f(l.kernel_stack), ks);
        self.write_ptr(f(l.stack_base), base);
        self.write_ptr(f(l.stack_limit), limit);
        // The switch frame: exception list (end of chain), APC bypass, return into
        // KiSwapContext; KiSwapContext's saved EBP, EDI, ESI, EBX and its return address.
        self.mem.write_u32(ks, 0xFFFF_FFFF);
        self.mem.write_u32(ks + 4, 0);
        let Some(&first) = frames.first() else { return };
        self.mem.write_u32(ks + 8, first as u32);
        let Some(&second) = frames.get(1) else { return };
        self.mem.write_u32(ks + 0x1C, second as u32);
        // The EBP chain of the callers: frame i (i >= 2) is the return address at [EBP + 4]
        // of the frame before it.
        let mut ebp = ks + 0x50;
        if frames.len() > 2 {
            self.mem.write_u32(ks + 0xC, ebp as u32);
        }
        for (i, &ret) in frames.iter().enumerate().skip(2) {
            let next = if i + 1 < frames.len() { ebp + 0x48 } else { 0 };
            self.mem.write_u32(ebp, next as u32);
            self.mem.write_u32(ebp + 4, ret as u32);
            ebp = next;
        }
    }

    /// Add `count` terminated thread objects of `owner` in one template array (constant memory
    /// however many): thread ids `first_tid`, `first_tid + 4`..., each with `HandleCount` 1 and
    /// `PointerCount` 1. Returns `(address of the first _ETHREAD, stride)`.
    pub fn add_terminated_threads(
        &mut self,
        owner: u64,
        count: u64,
        first_tid: u64,
        start: u64,
    ) -> (u64, u64) {
        let l = self.layout;
        let w = l.width;
        let pid = self
            .mem
            .read_ptr(owner + u64::from(l.process.unique_process_id), w)
            .unwrap_or(0);
        let body = u64::from(l.object_header.body);
        let stride = (body + u64::from(l.thread.size)).div_ceil(16) * 16;
        let base = self.reserve(stride * count, 16);
        let mut cell = self.header_bytes("Thread", base, 1, 1, 0);
        cell.resize(stride as usize, 0);
        cell[body as usize] = 6;
        let spec = ThreadSpec::new(first_tid, ThreadState::Terminated, start);
        self.write_thread_fields(
            &mut |off, v, n| {
                let o = (body + off) as usize;
                cell[o..o + n].copy_from_slice(&v.to_le_bytes()[..n]);
            },
            owner,
            pid,
            &spec,
        );
        let mut patches = vec![Patch::Counter {
            offset: body + u64::from(l.thread.cid) + w.bytes(),
            width: w.bytes() as u8,
            start: first_tid,
            step: 4,
        }];
        if let TypeRef::Index {
            offset,
            cookie: true,
        } = l.object_header.type_ref
        {
            patches.push(Patch::TypeIndex {
                offset: u64::from(offset),
                header_offset: 0,
                index: Self::type_index("Thread"),
                cookie: self.cookie,
            });
        }
        self.mem.add_array(base, cell, count, patches);
        (base + body, stride)
    }

    /// Open a handle in `process` to the object whose body is at `object`; returns the handle
    /// value (`None` for a process not added with [`KernelBuilder::add_process`]). Handle
    /// values skip the reserved entry 0 of every table page.
    pub fn add_handle(&mut self, process: u64, object: u64, access: u32) -> Option<u64> {
        let per_page = 0x1000 / u64::from(self.layout.handle_table.entry_size);
        let header = object - u64::from(self.layout.object_header.body);
        let ps = self.procs.iter_mut().find(|p| p.eprocess == process)?;
        if ps.next_index % per_page == 0 {
            ps.next_index += 1;
        }
        let i = ps.next_index;
        ps.next_index += 1;
        ps.handles.push((i, header, access));
        Some(i * 4)
    }

    /// Open handles in `process` to `count` objects at `first`, `first + stride`... (a
    /// [`KernelBuilder::add_terminated_threads`] array).
    pub fn add_handles_to_array(
        &mut self,
        process: u64,
        first: u64,
        stride: u64,
        count: u64,
        access: u32,
    ) {
        for i in 0..count {
            self.add_handle(process, first + i * stride, access);
        }
    }

    /// Build `process`'s handle table with at least `level` levels (0, 1 or 2).
    pub fn force_table_level(&mut self, process: u64, level: u8) {
        self.forced_levels.insert(process, level.min(2));
    }

    fn encode_entry(&self, ptr: u64, access: u32) -> (u64, u32) {
        let low = match self.layout.handle_table.encoding {
            HandleEntryEncoding::X86
            | HandleEntryEncoding::X86Win8
            | HandleEntryEncoding::X64Win7 => ptr | 1,
            HandleEntryEncoding::X64Win8 => (((ptr >> 4) & ((1u64 << 41) - 1)) << 23) | 1,
            HandleEntryEncoding::X64Win81 => (((ptr >> 4) & ((1u64 << 44) - 1)) << 20) | 1,
        };
        (low, access)
    }

    /// Write a handle table holding `entries` (`(index, pointer, access)`, increasing
    /// indexes), at least `min_level` deep; returns the `TableCode`.
    fn write_table(&mut self, entries: &[(u64, u64, u32)], min_level: u8) -> u64 {
        let esize = u64::from(self.layout.handle_table.entry_size);
        let per_page = 0x1000 / esize;
        let p = self.ptr();
        let mid = 0x1000 / p;
        let pages = entries.last().map_or(1, |e| e.0 / per_page + 1);
        let needed = if pages <= 1 {
            0
        } else if pages <= mid {
            1
        } else {
            2
        };
        let level = needed.max(min_level);
        let mut leaves = Vec::with_capacity(pages as usize);
        for _ in 0..pages {
            leaves.push(self.alloc(0x1000, 0x1000));
        }
        for &(i, ptr, access) in entries {
            let (low, high) = self.encode_entry(ptr, access);
            let at = leaves[(i / per_page) as usize] + (i % per_page) * esize;
            self.write_ptr(at, low);
            self.mem.write_u32(
                at + u64::from(self.layout.handle_table.granted_access),
                high,
            );
        }
        let base = match level {
            0 => leaves[0],
            1 => {
                let m = self.alloc(0x1000, 0x1000);
                for (j, leaf) in leaves.iter().enumerate() {
                    self.write_ptr(m + j as u64 * p, *leaf);
                }
                m
            }
            _ => {
                let top = self.alloc(0x1000, 0x1000);
                for (k, chunk) in leaves.chunks(mid as usize).enumerate() {
                    let m = self.alloc(0x1000, 0x1000);
                    for (j, leaf) in chunk.iter().enumerate() {
                        self.write_ptr(m + j as u64 * p, *leaf);
                    }
                    self.write_ptr(top + k as u64 * p, m);
                }
                top
            }
        };
        base | u64::from(level)
    }

    /// Materialise the handle tables and `PspCidTable`, and return the kernel.
    pub fn build(mut self) -> SynthKernel {
        let ht = self.layout.handle_table;
        let procs = std::mem::take(&mut self.procs);
        for ps in &procs {
            if ps.table == 0 {
                continue;
            }
            let min = self
                .forced_levels
                .get(&ps.eprocess)
                .copied()
                .unwrap_or(ps.level);
            let code = self.write_table(&ps.handles, min);
            self.write_ptr(ps.table + u64::from(ht.table_code), code);
            if let Some(off) = ht.handle_count {
                self.mem
                    .write_u32(ps.table + u64::from(off), ps.handles.len() as u32);
            }
        }
        let per_page = 0x1000 / u64::from(ht.entry_size);
        let mut cid: Vec<(u64, u64, u32)> = self
            .cid
            .iter()
            .filter(|(id, _)| (id / 4) % per_page != 0)
            .map(|&(id, obj)| (id / 4, obj, 0))
            .collect();
        cid.sort_unstable();
        cid.dedup_by_key(|e| e.0);
        let cid_table = self.alloc(0x80, 16);
        let code = self.write_table(&cid, 0);
        self.write_ptr(cid_table + u64::from(ht.table_code), code);
        self.write_ptr(self.cid_var, cid_table);
        // Kernel stacks last, so they move no other structure.
        for (thread, frames) in std::mem::take(&mut self.stacks) {
            self.write_kernel_stack(thread, &frames);
        }
        let symbols = KernelSymbols::default()
            .with_ps_active_process_head(self.head)
            .with_psp_cid_table(self.cid_var)
            .with_ob_type_index_table(self.type_table)
            .with_ob_header_cookie(self.cookie_addr);
        SynthKernel {
            memory: self.mem,
            symbols,
            layout: self.layout,
        }
    }
}

/// What [`handle_leak_story`] built, to check a reader against.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LeakStory {
    /// The System `_EPROCESS` (owner of the leaked threads).
    pub system: u64,
    /// The leaking `iexplore.exe` `_EPROCESS`.
    pub iexplore: u64,
    /// Handles held by iexplore.exe (leaked thread handles plus a few ordinary ones).
    pub iexplore_handles: u64,
    /// Leaked handles to terminated thread objects.
    pub leaked: u64,
    /// `mydriver.sys`: `(base, size)`.
    pub driver: (u64, u64),
    /// `mydriver!StatusWaitThread`, where every leaked thread started.
    pub start_address: u64,
    /// Processes in the list.
    pub processes: u64,
    /// Kernel functions the story's live threads run in, `(name, address)`, for a symbol
    /// file: the System worker threads' start (`ExpWorkerThread`) and, on x86, the functions
    /// of their saved kernel stacks.
    pub nt_functions: Vec<(&'static str, u64)>,
    /// The live threads whose kernel stack holds a saved switch frame and a frame chain
    /// (x86 only): `(ETHREAD, return addresses innermost first)`.
    pub stacks: Vec<(u64, Vec<u64>)>,
}

/// Kernel functions of the x86 story (a kernel loaded at 0x80800000), sorted by address.
const NT_X86: [(&str, u64); 9] = [
    ("KiSwapThread", 0x8082_8f40),
    ("KeWaitForSingleObject", 0x8082_9a10),
    ("KeRemoveQueue", 0x8082_a1c0),
    ("KiSwapContext", 0x8083_3e70),
    ("KiFastCallEntry", 0x8088_978c),
    ("KiThreadStartup", 0x8088_c9d2),
    ("ExpWorkerThread", 0x808A_E498),
    ("NtWaitForSingleObject", 0x8091_9b30),
    ("PspSystemThreadStartup", 0x8094_c0f4),
];

fn nt_x86(name: &str, off: u64) -> u64 {
    NT_X86
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(0, |(_, a)| a + off)
}

/// The handle-leak scenario of a server whose non-paged pool is exhausted by thread objects:
/// System, iexplore.exe and a dozen other processes; iexplore.exe holds `leaked` handles to
/// terminated System threads (HandleCount 1, PointerCount 1) that all started at
/// `mydriver!StatusWaitThread` inside `mydriver.sys`, plus a few ordinary handles. System has
/// live threads too (waiting and running), and one exited process is still referenced.
///
/// Works for every layout: x86 (XP, 2003, 7: type pointers or plain type indexes) and x64
/// (10/11: type indexes encoded with `ObHeaderCookie`).
pub fn handle_leak_story(layout: ObjectLayout, leaked: u64) -> (SynthKernel, LeakStory) {
    let x64 = layout.width == PointerWidth::Bits64;
    let (driver, start) = if x64 {
        (
            (0xFFFF_F880_0540_0000u64, 0x1_8000u64),
            0xFFFF_F880_0540_5128u64,
        )
    } else {
        ((0xF5C5_0000u64, 0x1_8000u64), 0xF5C5_D128u64)
    };
    let ntos_start = if x64 {
        0xFFFF_F800_0285_0000u64
    } else {
        0x808A_E498u64
    };
    // Where the live threads wait: a System worker on its queue, a user thread in a wait call.
    let (worker_stack, user_stack) = if x64 {
        (Vec::new(), Vec::new())
    } else {
        (
            vec![
                nt_x86("KiSwapContext", 0x26),
                nt_x86("KiSwapThread", 0x2e5),
                nt_x86("KeRemoveQueue", 0x21f),
                nt_x86("ExpWorkerThread", 0xeb),
                nt_x86("PspSystemThreadStartup", 0x33),
                nt_x86("KiThreadStartup", 0x16),
            ],
            vec![
                nt_x86("KiSwapContext", 0x26),
                nt_x86("KiSwapThread", 0x2e5),
                nt_x86("KeWaitForSingleObject", 0x346),
                nt_x86("NtWaitForSingleObject", 0x8a),
                nt_x86("KiFastCallEntry", 0xfc),
            ],
        )
    };
    let mut b = KernelBuilder::new(layout);
    let system = b.add_process(&ProcessSpec::new(4, "System"));
    let peb = 0x7FFD_F000;
    let specs = [
        ProcessSpec::new(0x170, "smss.exe")
            .parent(4)
            .full_name("\\Device\\HarddiskVolume1\\WINDOWS\\system32\\smss.exe"),
        ProcessSpec::new(0x1a0, "csrss.exe")
            .parent(0x170)
            .session(0)
            .peb(peb),
        ProcessSpec::new(0x1b8, "winlogon.exe")
            .parent(0x170)
            .session(0)
            .peb(peb),
        ProcessSpec::new(0x1e4, "services.exe")
            .parent(0x1b8)
            .session(0)
            .peb(peb),
        ProcessSpec::new(0x1f0, "lsass.exe")
            .parent(0x1b8)
            .session(0)
            .peb(peb),
        ProcessSpec::new(0x290, "svchost.exe")
            .parent(0x1e4)
            .session(0)
            .peb(peb),
        ProcessSpec::new(0x2d8, "svchost.exe")
            .parent(0x1e4)
            .session(0)
            .peb(peb),
        ProcessSpec::new(0x3a4, "spoolsv.exe")
            .parent(0x1e4)
            .session(0)
            .peb(peb),
        ProcessSpec::new(0x1724c, "csrss.exe")
            .parent(0x17230)
            .session(7)
            .peb(peb),
        ProcessSpec::new(0x17238, "explorer.exe")
            .parent(0x17200)
            .session(7)
            .peb(peb),
        ProcessSpec::new(0x17260, "notepad.exe")
            .parent(0x17238)
            .session(7)
            .peb(peb)
            .exited(0x01C7_C6E0_2000_0000),
    ];
    let mut others = Vec::new();
    for s in &specs {
        others.push(b.add_process(s));
    }
    let iexplore = b.add_process(
        &ProcessSpec::new(0x172e4, "iexplore.exe")
            .parent(0x17238)
            .session(7)
            .peb(peb)
            .dir_base(0xc7fb_6bc0)
            .full_name("\\Device\\HarddiskVolume1\\Program Files\\Internet Explorer\\iexplore.exe"),
    );
    // Live System threads: a waiting worker and the running one.
    let worker = b.add_thread(
        system,
        &ThreadSpec::new(8, ThreadState::Waiting, ntos_start)
            .waiting(15)
            .kernel_stack(&worker_stack),
    );
    b.add_thread(
        system,
        &ThreadSpec::new(0x10, ThreadState::Running, ntos_start),
    );
    // A user thread in iexplore.exe.
    let user = b.add_thread(
        iexplore,
        &ThreadSpec::new(0x172e8, ThreadState::Waiting, 0x7C81_0705)
            .waiting(6)
            .teb(0x7FFD_E000)
            .kernel_stack(&user_stack),
    );
    // A few ordinary handles first (named where the object has a name).
    let key = b.add_object("Key", 0x40, Some("\\REGISTRY\\MACHINE"), None);
    let event = b.add_object(
        "Event",
        0x10,
        Some("\\BaseNamedObjects\\ieframe"),
        Some(0x172e4),
    );
    let file = b.add_object("File", 0x70, None, None);
    let mut ordinary = 0;
    for (obj, access) in [
        (key, 0x0002_0019),
        (event, 0x001f_0003),
        (file, 0x0012_0089),
    ] {
        b.add_handle(iexplore, obj, access);
        ordinary += 1;
    }
    // The leak: terminated System threads started by mydriver, one handle each.
    let (first, stride) = b.add_terminated_threads(system, leaked, 0x1885c, start);
    b.add_handles_to_array(iexplore, first, stride, leaked, 0x001f_03ff);
    // Other processes hold a handle or two.
    for (i, p) in others.iter().enumerate().take(8) {
        let ev = b.add_object("Event", 0x10, None, None);
        b.add_handle(*p, ev, 0x001f_0003);
        if i % 2 == 0 {
            b.add_handle(*p, key, 0x0002_0019);
        }
    }
    let story = LeakStory {
        system,
        iexplore,
        iexplore_handles: leaked + ordinary,
        leaked,
        driver,
        start_address: start,
        processes: 2 + specs.len() as u64,
        nt_functions: if x64 {
            vec![("ExpWorkerThread", ntos_start)]
        } else {
            NT_X86.to_vec()
        },
        stacks: if x64 {
            Vec::new()
        } else {
            vec![(worker, worker_stack), (user, user_stack)]
        },
    };
    (b.build(), story)
}

impl SynthMemory {
    /// Every region, `(address, length, is_array)`, by address: what a dump writer copies
    /// (an array region's cells are generated on read, so a writer may stream them).
    pub fn extents(&self) -> Vec<(u64, u64, bool)> {
        self.regions
            .iter()
            .map(|(a, r)| (*a, r.len(), matches!(r, Region::Array { .. })))
            .collect()
    }

    /// The byte regions, `(address, length)`: where a mutation test may write.
    pub fn byte_regions(&self) -> Vec<(u64, usize)> {
        self.regions
            .iter()
            .filter_map(|(a, r)| match r {
                Region::Bytes(b) => Some((*a, b.len())),
                Region::Array { .. } => None,
            })
            .collect()
    }
}

/// Run every reader of [`KernelObjects`] over whatever the memory holds, ignoring the results:
/// the process list (and each process's threads, handle table, summary, handle count), the
/// objects behind the first handles (headers, names, types, threads), `PspCidTable` and the
/// type table. Shared by the fuzz target and the mutation tests; returns how many items were
/// read, so callers can check the work stayed bounded.
pub fn exercise<M: ReadMemory>(k: &KernelObjects<M>) -> u64 {
    let mut n = 0u64;
    let _ = k.confirm_layout(4);
    if let Ok(ps) = k.processes() {
        for p in ps.take(64) {
            n += 1;
            let Ok(p) = p else { continue };
            let count = k.handle_count(&p).unwrap_or(0);
            let _ = p.windbg_text(k.layout().width, count);
            for t in k.threads(&p).take(64) {
                n += 1;
                if let Ok(t) = t {
                    let _ = k.kernel_stack_bytes(&t);
                    let ctx = super::ThreadTextContext::default().with_tick_count(u64::MAX);
                    let _ = t.windbg_text(k.layout().width, &ctx);
                }
            }
            let Some(table) = p.object_table.filter(|&t| t != 0) else {
                continue;
            };
            let _ = k.handle_summary(table);
            if let Ok(hs) = k.handles(table) {
                for h in hs.take(64) {
                    n += 1;
                    let Ok(h) = h else { continue };
                    let _ = k.handle_windbg_text(&h);
                    if let Ok(hdr) = k.object_header(h.pointer) {
                        let _ = k.object_name(&hdr);
                        let _ = k.object_creator(&hdr);
                        let _ = k.type_of(&hdr);
                    }
                    let _ = k.thread(h.object);
                    let _ = k.process(h.object);
                }
            }
        }
    }
    if let Ok(c) = k.cid_table() {
        for e in c.take(256) {
            n += 1;
            let _ = e;
        }
    }
    if let Ok(t) = k.type_table() {
        n += t.len() as u64;
    }
    n
}
