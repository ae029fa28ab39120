//! `_HANDLE_TABLE` and `_HANDLE_TABLE_ENTRY`: a process's handles (`!handle`), the
//! process/thread id table (`PspCidTable`), and a per-type summary.
//!
//! `TableCode`'s low bits give the depth: 0 = one page of entries, 1 = a page of pointers to
//! entry pages, 2 = pointers to pointer pages. Entry 0 of every entry page is reserved. Pages
//! are read whole, one at a time, so a walk holds one page of memory whatever the table's size.

use super::object_header::TypeKey;
use super::{KernelObjects, field, is_kernel_address};
use crate::error::Error;
use crate::memory::{PointerWidth, ReadMemory};

/// Size of a handle-table page.
const PAGE: u64 = 0x1000;
/// The most handles a table holds (2^24): bounds the top level of a three-level table.
const MAX_TABLE_ENTRIES: u64 = 1 << 24;

/// Entries in one leaf page (entry 0 included).
fn entries_per_page(entry_size: u32) -> u64 {
    PAGE.checked_div(u64::from(entry_size)).unwrap_or(1).max(1)
}

/// Pointers in one pointer page.
fn ptrs_per_page(width: PointerWidth) -> u64 {
    match width {
        PointerWidth::Bits32 => PAGE / 4,
        PointerWidth::Bits64 => PAGE / 8,
    }
}

/// How a `_HANDLE_TABLE_ENTRY` encodes its object pointer and granted access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HandleEntryEncoding {
    /// x86 up to Windows 7 (8-byte entries): `Object & ~7`, the low bits being the lock bit and
    /// attributes; `GrantedAccess` is the u32 at +4.
    X86,
    /// x86 Windows 8 and later (8-byte entries): `ObjectPointerBits:29` at bit 3, so the
    /// pointer is `LowValue & ~7`; `GrantedAccessBits:25` at +4.
    X86Win8,
    /// x64 up to Windows 7 (16-byte entries): `Object & ~7`; `GrantedAccess` at +8.
    X64Win7,
    /// x64 Windows 8 (9200): `Unlocked:1, RefCnt:19, Attributes:3, ObjectPointerBits:41`; the
    /// pointer is the 41 bits shifted left by 4 and sign-extended; `GrantedAccessBits:25` at +8.
    X64Win8,
    /// x64 Windows 8.1 to 11: `Unlocked:1, RefCnt:16, Attributes:3, ObjectPointerBits:44`; the
    /// pointer is the 44 bits shifted left by 4 and sign-extended; `GrantedAccessBits:25` at +8.
    X64Win81,
}

impl HandleEntryEncoding {
    /// Decode an entry's first word (`LowValue`/`Object`) and its access word to
    /// `(pointer, attributes, granted access)`, `None` for a free entry. The attributes are
    /// the entry's `Attributes` bits (bits 1-2 of `Object` up to Windows 7, where 0x1 is
    /// `OBJ_INHERIT` and 0x2 audit-on-close).
    pub fn decode(self, low: u64, high: u32) -> Option<(u64, u8, u32)> {
        if low == 0 {
            return None;
        }
        const ACCESS_BITS: u32 = 0x01FF_FFFF;
        let (ptr, attrs, access) = match self {
            HandleEntryEncoding::X86 => (low & 0xFFFF_FFF8, (low >> 1) & 3, high),
            HandleEntryEncoding::X86Win8 => (low & 0xFFFF_FFF8, (low >> 1) & 3, high & ACCESS_BITS),
            HandleEntryEncoding::X64Win7 => (low & !7, (low >> 1) & 3, high),
            HandleEntryEncoding::X64Win8 => {
                let v = (low >> 23) << 4;
                let v = if v & (1 << 44) != 0 {
                    v | !((1u64 << 45) - 1)
                } else {
                    v
                };
                (v, (low >> 20) & 7, high & ACCESS_BITS)
            }
            HandleEntryEncoding::X64Win81 => {
                let v = (low >> 20) << 4;
                let v = if v & (1 << 47) != 0 {
                    v | 0xFFFF_0000_0000_0000
                } else {
                    v
                };
                (v, (low >> 17) & 7, high & ACCESS_BITS)
            }
        };
        if ptr == 0 {
            return None;
        }
        Some((ptr, u8::try_from(attrs).unwrap_or(0), access))
    }

    /// Whether an in-use entry is locked: bit 0 is the lock bit, set while unlocked, in every
    /// encoding (`Unlocked` from Windows 8).
    pub fn is_locked(self, low: u64) -> bool {
        low & 1 == 0
    }
}

/// Offsets in `_HANDLE_TABLE` and the shape of its entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct HandleTableLayout {
    /// `TableCode` (+0 up to Windows 7, +8 later).
    pub table_code: u32,
    /// `HandleCount`, on builds that keep it (up to Windows 7).
    pub handle_count: Option<u32>,
    /// `UniqueProcessId`.
    pub unique_process_id: u32,
    /// `sizeof(_HANDLE_TABLE_ENTRY)` (8 on x86, 16 on x64).
    pub entry_size: u32,
    /// Offset of `GrantedAccess` / `GrantedAccessBits` in the entry.
    pub granted_access: u32,
    /// How an entry encodes its pointer.
    pub encoding: HandleEntryEncoding,
}

impl HandleTableLayout {
    pub(crate) fn push_fields(&self, v: &mut Vec<(&'static str, &'static str, u32)>) {
        v.push(("_HANDLE_TABLE", "TableCode", self.table_code));
        if let Some(h) = self.handle_count {
            v.push(("_HANDLE_TABLE", "HandleCount", h));
        }
        v.push(("_HANDLE_TABLE", "UniqueProcessId", self.unique_process_id));
        v.push(("_HANDLE_TABLE_ENTRY", "<size>", self.entry_size));
        let access = match self.encoding {
            HandleEntryEncoding::X86 | HandleEntryEncoding::X64Win7 => "GrantedAccess",
            _ => "GrantedAccessBits",
        };
        v.push(("_HANDLE_TABLE_ENTRY", access, self.granted_access));
    }
}

/// One in-use handle-table entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct HandleEntry {
    /// The handle value (a multiple of 4); for `PspCidTable`, the process or thread id.
    pub handle: u64,
    /// Address of the `_HANDLE_TABLE_ENTRY`.
    pub entry_address: u64,
    /// The decoded pointer: the `_OBJECT_HEADER` for a process handle table, the object body
    /// for `PspCidTable`.
    pub pointer: u64,
    /// The object body (`pointer` + header size for a process handle table).
    pub object: u64,
    /// Granted access mask.
    pub granted_access: u32,
    /// The entry's attribute bits (see [`HandleEntryEncoding::decode`]).
    pub attributes: u8,
    /// Whether the entry was locked when the dump was taken.
    pub locked: bool,
}

/// Streaming iterator over the in-use entries of a handle table ([`KernelObjects::handles`]).
///
/// Holds one page. A page that is not in the dump whole is read entry by entry up to its first
/// missing entry (triage dumps hold the beginning of some pages), which yields one `Err`; the
/// walk then goes on with the next page; a `TableCode` of an impossible depth yields one `Err` and ends.
#[derive(Debug)]
pub struct HandleIter<'a, M> {
    k: &'a KernelObjects<M>,
    /// Whether the pointers are object headers (process tables) or object bodies (Cid table).
    headers: bool,
    level: u8,
    base: u64,
    /// Index of the next leaf page (over the whole table).
    leaf: u64,
    /// Leaf pages in the table at most, at this depth.
    max_leaves: u64,
    page: Vec<u8>,
    page_addr: Option<u64>,
    /// The page could not be read whole: its entries are read one by one up to the first one
    /// that is not in the dump (a triage dump holds the beginning of some pages).
    partial: bool,
    /// Next entry index in the loaded page.
    slot: u64,
    emitted: u64,
    pending_error: Option<Error>,
    done: bool,
}

impl<'a, M: ReadMemory> HandleIter<'a, M> {
    fn entries_per_page(&self) -> u64 {
        entries_per_page(self.k.layout.handle_table.entry_size)
    }
    fn ptrs_per_page(&self) -> u64 {
        ptrs_per_page(self.k.layout.width)
    }

    /// The address of leaf page `leaf`, `Ok(None)` past the end of the table.
    fn leaf_address(&self, leaf: u64) -> Result<Option<u64>, Error> {
        let pw = self.k.layout.width.bytes();
        let mid = self.ptrs_per_page();
        match self.level {
            0 => Ok((leaf == 0).then_some(self.base)),
            1 => {
                if leaf >= mid {
                    return Ok(None);
                }
                let p = self.k.read_ptr(field(
                    self.base,
                    u32::try_from(leaf.saturating_mul(pw)).unwrap_or(u32::MAX),
                    "TableCode",
                )?)?;
                Ok((p != 0).then_some(p))
            }
            _ => {
                let top = leaf.checked_div(mid).unwrap_or(0);
                let within = leaf.checked_rem(mid).unwrap_or(0);
                if leaf >= self.max_leaves {
                    return Ok(None);
                }
                let midp = self.k.read_ptr(field(
                    self.base,
                    u32::try_from(top.saturating_mul(pw)).unwrap_or(u32::MAX),
                    "TableCode",
                )?)?;
                if midp == 0 {
                    return Ok(None);
                }
                let p = self.k.read_ptr(field(
                    midp,
                    u32::try_from(within.saturating_mul(pw)).unwrap_or(u32::MAX),
                    "handle table page",
                )?)?;
                Ok((p != 0).then_some(p))
            }
        }
    }

    fn load_next_page(&mut self) -> Option<Result<(), Error>> {
        if self.leaf >= self.max_leaves {
            return None;
        }
        let leaf = self.leaf;
        self.leaf = self.leaf.saturating_add(1);
        match self.leaf_address(leaf) {
            Ok(None) => None,
            Ok(Some(addr)) => {
                self.slot = 1; // entry 0 of every page is reserved
                self.page_addr = Some(addr);
                match self.k.mem.read(addr, &mut self.page) {
                    Ok(()) => {
                        self.partial = false;
                        Some(Ok(()))
                    }
                    Err(e) if e.is_not_captured() => {
                        self.partial = true;
                        Some(Ok(()))
                    }
                    Err(e) => {
                        self.page_addr = None;
                        Some(Err(e.into()))
                    }
                }
            }
            Err(e) => {
                // A pointer page that cannot be read: skip every leaf it covers.
                if self.level == 2 {
                    let mid = self.ptrs_per_page();
                    self.leaf = leaf
                        .checked_div(mid)
                        .unwrap_or(0)
                        .saturating_add(1)
                        .saturating_mul(mid);
                }
                Some(Err(e))
            }
        }
    }
}

impl<M: ReadMemory> Iterator for HandleIter<'_, M> {
    type Item = Result<HandleEntry, Error>;
    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.pending_error.take() {
            self.done = true;
            return Some(Err(e));
        }
        if self.done {
            return None;
        }
        let esize = u64::from(self.k.layout.handle_table.entry_size);
        let per_page = self.entries_per_page();
        let enc = self.k.layout.handle_table.encoding;
        let access_off = u64::from(self.k.layout.handle_table.granted_access);
        let body = u64::from(self.k.layout.object_header.body);
        loop {
            if self.emitted >= self.k.limits.max_handles {
                self.done = true;
                return Some(Err(Error::WalkLimit {
                    what: "handle table",
                    addr: self.base,
                }));
            }
            let Some(page_addr) = self.page_addr.filter(|_| self.slot < per_page) else {
                match self.load_next_page() {
                    None => {
                        self.done = true;
                        return None;
                    }
                    Some(Ok(())) => continue,
                    Some(Err(e)) => return Some(Err(e)),
                }
            };
            let slot = self.slot;
            self.slot = slot.saturating_add(1);
            let off = slot.saturating_mul(esize);
            if self.partial {
                // Copy this entry into the page buffer, or skip it when it is not in the dump.
                let start = usize::try_from(off).unwrap_or(usize::MAX);
                let end = start.saturating_add(usize::try_from(esize).unwrap_or(0));
                let Some(dst) = self.page.get_mut(start..end) else {
                    continue;
                };
                if let Err(e) = self.k.mem.read(page_addr.saturating_add(off), dst) {
                    // The captured part of a page is its beginning: the rest of the page is
                    // skipped, so a page costs one failed read at most.
                    self.slot = per_page;
                    return Some(Err(e.into()));
                }
            }
            let word = |o: u64, n: usize| -> u64 {
                let start = usize::try_from(o).unwrap_or(usize::MAX);
                let mut b = [0u8; 8];
                if let Some(src) = start
                    .checked_add(n)
                    .and_then(|end| self.page.get(start..end))
                    && let Some(dst) = b.get_mut(..n)
                {
                    dst.copy_from_slice(src);
                }
                u64::from_le_bytes(b)
            };
            let (low, high) = match self.k.layout.width {
                PointerWidth::Bits32 => (word(off, 4), word(off.saturating_add(access_off), 4)),
                PointerWidth::Bits64 => (word(off, 8), word(off.saturating_add(access_off), 4)),
            };
            let Some((ptr, attributes, granted_access)) =
                enc.decode(low, u32::try_from(high).unwrap_or(0))
            else {
                continue;
            };
            if !is_kernel_address(ptr, self.k.layout.width) {
                continue;
            }
            let leaf_index = self.leaf.saturating_sub(1);
            let handle = leaf_index
                .saturating_mul(per_page)
                .saturating_add(slot)
                .saturating_mul(4);
            self.emitted = self.emitted.saturating_add(1);
            return Some(Ok(HandleEntry {
                handle,
                entry_address: page_addr.saturating_add(off),
                pointer: ptr,
                object: if self.headers {
                    ptr.saturating_add(body)
                } else {
                    ptr
                },
                granted_access,
                attributes,
                locked: enc.is_locked(low),
            }));
        }
    }
}

/// What a `PspCidTable` entry points to, from the `_DISPATCHER_HEADER.Type` byte at the start
/// of the object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CidKind {
    /// A process (`ProcessObject`, type 3).
    Process,
    /// A thread (`ThreadObject`, type 6).
    Thread,
    /// Anything else (corrupt, or the type byte not in the dump when `None`).
    Other(Option<u8>),
}

/// One `PspCidTable` entry: a process or thread id and its object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CidEntry {
    /// The process or thread id.
    pub id: u64,
    /// The `_EPROCESS` or `_ETHREAD`.
    pub object: u64,
    /// Which of the two.
    pub kind: CidKind,
}

/// Streaming iterator over `PspCidTable` ([`KernelObjects::cid_table`]).
#[derive(Debug)]
pub struct CidIter<'a, M> {
    inner: HandleIter<'a, M>,
}

impl<M: ReadMemory> Iterator for CidIter<'_, M> {
    type Item = Result<CidEntry, Error>;
    fn next(&mut self) -> Option<Self::Item> {
        let e = match self.inner.next()? {
            Ok(e) => e,
            Err(e) => return Some(Err(e)),
        };
        let kind = match self.inner.k.mem.read_u8(e.object) {
            Ok(3) => CidKind::Process,
            Ok(6) => CidKind::Thread,
            Ok(t) => CidKind::Other(Some(t)),
            Err(_) => CidKind::Other(None),
        };
        Some(Ok(CidEntry {
            id: e.handle,
            object: e.object,
            kind,
        }))
    }
}

/// Handles of one object type in a [`HandleSummary`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TypeCount {
    /// The type index (Windows 7 and later), decoded.
    pub index: Option<u8>,
    /// The `_OBJECT_TYPE` address, where known.
    pub type_object: Option<u64>,
    /// The type name (`Thread`, `File`...), where readable.
    pub name: Option<String>,
    /// Handles to objects of this type.
    pub count: u64,
}

/// Handles per object type for one handle table ([`KernelObjects::handle_summary`]): memory
/// proportional to the number of types, not of handles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HandleSummary {
    /// In-use handles found.
    pub handles: u64,
    /// Handles whose object header could not be read or decoded.
    pub unknown_type: u64,
    /// Pages or pointer pages that could not be read.
    pub unreadable_pages: u64,
    /// Whether the walk stopped at a limit or on an impossible `TableCode`.
    pub truncated: bool,
    /// Per type, most handles first (ties by type name).
    pub types: Vec<TypeCount>,
}

/// Distinct type pointers tracked by a summary on builds with type pointers; more are counted
/// as unknown.
const MAX_SUMMARY_TYPES: usize = 256;

impl<M: ReadMemory> KernelObjects<M> {
    /// Walk the `_HANDLE_TABLE` at `table` (an `EPROCESS.ObjectTable`): every in-use entry,
    /// streamed.
    pub fn handles(&self, table: u64) -> Result<HandleIter<'_, M>, Error> {
        self.table_iter(table, true)
    }

    /// Walk `PspCidTable`: every live process and thread id, streamed.
    pub fn cid_table(&self) -> Result<CidIter<'_, M>, Error> {
        let var = self.symbols.psp_cid_table.ok_or(Error::MissingSymbol {
            name: "PspCidTable",
            addr: 0,
        })?;
        let table = self.read_ptr(var)?;
        Ok(CidIter {
            inner: self.table_iter(table, false)?,
        })
    }

    fn table_iter(&self, table: u64, headers: bool) -> Result<HandleIter<'_, M>, Error> {
        let code = self.read_ptr(field(
            table,
            self.layout.handle_table.table_code,
            "TableCode",
        )?)?;
        let level = u8::try_from(code & 3).unwrap_or(3);
        let base = code & !7;
        let low = entries_per_page(self.layout.handle_table.entry_size);
        let mid = ptrs_per_page(self.layout.width);
        let top = MAX_TABLE_ENTRIES.div_ceil(low.saturating_mul(mid).max(1));
        let max_leaves = match level {
            0 => 1,
            1 => mid,
            _ => top.saturating_mul(mid),
        };
        let bad = level > 2 || base == 0 || !is_kernel_address(base, self.layout.width);
        Ok(HandleIter {
            k: self,
            headers,
            level,
            base,
            leaf: 0,
            max_leaves,
            page: vec![0u8; 0x1000],
            page_addr: None,
            partial: false,
            slot: 0,
            emitted: 0,
            pending_error: bad.then_some(Error::Corrupt {
                what: "TableCode",
                addr: table,
            }),
            done: false,
        })
    }

    /// Handles per object type for the `_HANDLE_TABLE` at `table`, in one streaming pass
    /// (memory O(types)); type names are resolved once per type at the end.
    pub fn handle_summary(&self, table: u64) -> Result<HandleSummary, Error> {
        let mut by_index = [0u64; 256];
        let mut by_ptr: Vec<(u64, u64)> = Vec::new();
        let mut s = HandleSummary::default();
        for h in self.handles(table)? {
            let h = match h {
                Ok(h) => h,
                Err(Error::WalkLimit { .. }) | Err(Error::Corrupt { .. }) => {
                    s.truncated = true;
                    continue;
                }
                Err(_) => {
                    s.unreadable_pages = s.unreadable_pages.saturating_add(1);
                    continue;
                }
            };
            s.handles = s.handles.saturating_add(1);
            match self.type_key(h.pointer) {
                Ok(TypeKey::Index(i)) => {
                    if let Some(c) = by_index.get_mut(usize::from(i)) {
                        *c = c.saturating_add(1);
                    }
                }
                Ok(TypeKey::Pointer(p)) => {
                    if let Some(e) = by_ptr.iter_mut().find(|e| e.0 == p) {
                        e.1 = e.1.saturating_add(1);
                    } else if by_ptr.len() < MAX_SUMMARY_TYPES {
                        by_ptr.push((p, 1));
                    } else {
                        s.unknown_type = s.unknown_type.saturating_add(1);
                    }
                }
                Err(_) => s.unknown_type = s.unknown_type.saturating_add(1),
            }
        }
        let table = self.type_table().ok();
        for (i, &count) in by_index.iter().enumerate() {
            if count == 0 {
                continue;
            }
            let index = u8::try_from(i).unwrap_or(u8::MAX);
            let ty = table.as_ref().and_then(|t| t.get(index));
            s.types.push(TypeCount {
                index: Some(index),
                type_object: ty.map(|t| t.address),
                name: ty.and_then(|t| t.name.clone()),
                count,
            });
        }
        for (p, count) in by_ptr {
            let name = self.object_type(p).ok().and_then(|t| t.name);
            s.types.push(TypeCount {
                index: None,
                type_object: Some(p),
                name,
                count,
            });
        }
        // Most handles first; ties by name, so every build lists the same types in the same
        // order whether types are known by pointer or by index.
        s.types.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.name.cmp(&b.name))
                .then(a.index.cmp(&b.index))
                .then(a.type_object.cmp(&b.type_object))
        });
        Ok(s)
    }
}
