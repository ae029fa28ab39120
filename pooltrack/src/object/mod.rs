//! Kernel objects: processes (`!process 0 0`), handle tables (`!handle`), object headers and
//! types, and threads (`!thread`), read through [`ReadMemory`] with per-build layout tables.
//!
//! The entry object is [`KernelObjects`]: it holds the memory, the [`ObjectLayout`] of the
//! build, the addresses of the few kernel variables it needs ([`KernelSymbols`]) and the
//! [`Limits`] of every walk.

mod builds;
mod handle_table;
mod list;
mod object_header;
mod object_type;
mod process;
mod render;
#[cfg(feature = "synth")]
pub mod synth;
mod thread;
mod unicode_string;

pub use builds::{LayoutCheck, ObjectLayout, object_layouts};
pub use handle_table::{
    CidEntry, CidIter, CidKind, HandleEntry, HandleEntryEncoding, HandleIter, HandleSummary,
    HandleTableLayout, TypeCount,
};
pub use object_header::{ObjectHeader, ObjectHeaderLayout, OptionalHeaders, TypeRef};
pub use object_type::{ObjectType, ObjectTypeLayout, TypeTable};
pub use process::{Process, ProcessIter, ProcessLayout};
pub use render::ThreadTextContext;
pub use thread::{Thread, ThreadIter, ThreadLayout, ThreadStack, ThreadState, WaitReason};

use crate::error::Error;
use crate::limits::Limits;
use crate::memory::{PointerWidth, ReadMemory};

/// Addresses of the kernel variables the object walks start from (from the PDB, an ISF file or
/// the KDBG block). Each is optional: a walk that needs a missing one returns
/// [`Error::MissingSymbol`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct KernelSymbols {
    /// `nt!PsActiveProcessHead`: the `LIST_ENTRY` head of the process list (KDBG +0x50).
    pub ps_active_process_head: Option<u64>,
    /// `nt!PspCidTable`: the variable holding the address of the process/thread id table
    /// (KDBG +0x58).
    pub psp_cid_table: Option<u64>,
    /// `nt!ObTypeIndexTable`: the array of `_OBJECT_TYPE` pointers (Windows 7 and later).
    pub ob_type_index_table: Option<u64>,
    /// `nt!ObHeaderCookie`: the byte that encodes `_OBJECT_HEADER.TypeIndex` (Windows 10 and
    /// later).
    pub ob_header_cookie: Option<u64>,
}

impl KernelSymbols {
    /// The addresses from a symbol table (an ISF file's `symbols` or a PDB's publics, as RVAs in
    /// [`KernelLayouts::symbols`](crate::KernelLayouts)) and the kernel base. x86 PDB names
    /// decorated with a leading `_` are accepted too. A symbol the table lacks stays `None`
    /// (`ObHeaderCookie` before Windows 10, `ObTypeIndexTable` before 7).
    pub fn from_symbols(kernel_base: u64, symbols: &crate::layout::KernelLayouts) -> Self {
        let addr = |name: &str| {
            symbols
                .symbol(name)
                .or_else(|| symbols.symbol(&format!("_{name}")))
                .and_then(|rva| kernel_base.checked_add(rva))
        };
        KernelSymbols {
            ps_active_process_head: addr("PsActiveProcessHead"),
            psp_cid_table: addr("PspCidTable"),
            ob_type_index_table: addr("ObTypeIndexTable"),
            ob_header_cookie: addr("ObHeaderCookie"),
        }
    }

    /// Set [`KernelSymbols::ps_active_process_head`].
    #[must_use]
    pub const fn with_ps_active_process_head(mut self, addr: u64) -> Self {
        self.ps_active_process_head = Some(addr);
        self
    }
    /// Set [`KernelSymbols::psp_cid_table`].
    #[must_use]
    pub const fn with_psp_cid_table(mut self, addr: u64) -> Self {
        self.psp_cid_table = Some(addr);
        self
    }
    /// Set [`KernelSymbols::ob_type_index_table`].
    #[must_use]
    pub const fn with_ob_type_index_table(mut self, addr: u64) -> Self {
        self.ob_type_index_table = Some(addr);
        self
    }
    /// Set [`KernelSymbols::ob_header_cookie`].
    #[must_use]
    pub const fn with_ob_header_cookie(mut self, addr: u64) -> Self {
        self.ob_header_cookie = Some(addr);
        self
    }
}

/// Reads processes, handle tables, object headers and threads of one kernel.
///
/// Construction reads nothing; the `ObHeaderCookie` byte is read once, on first use.
#[derive(Debug)]
pub struct KernelObjects<M> {
    mem: M,
    layout: ObjectLayout,
    symbols: KernelSymbols,
    limits: Limits,
    cookie: std::cell::OnceCell<Result<u8, Error>>,
}

impl<M: ReadMemory> KernelObjects<M> {
    /// Reader over `mem` with the given layout and kernel variables, and default [`Limits`].
    pub fn new(mem: M, layout: ObjectLayout, symbols: KernelSymbols) -> Self {
        KernelObjects {
            mem,
            layout,
            symbols,
            limits: Limits::default(),
            cookie: std::cell::OnceCell::new(),
        }
    }

    /// Replace the limits.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The memory.
    pub fn memory(&self) -> &M {
        &self.mem
    }
    /// The layout in use.
    pub fn layout(&self) -> &ObjectLayout {
        &self.layout
    }
    /// The kernel variables in use.
    pub fn symbols(&self) -> &KernelSymbols {
        &self.symbols
    }
    /// The limits in use.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Use this `ObHeaderCookie` value instead of reading it from
    /// [`KernelSymbols::ob_header_cookie`] (for example one found by
    /// [`KernelObjects::infer_header_cookie`]).
    #[must_use]
    pub fn with_header_cookie(self, cookie: u8) -> Self {
        let c = std::cell::OnceCell::new();
        let _ = c.set(Ok(cookie));
        KernelObjects { cookie: c, ..self }
    }

    /// Find `ObHeaderCookie` without its symbol (KDBG does not carry it): the first process of
    /// `PsActiveProcessHead` is a `Process` object, whose index `ObTypeIndexTable` gives by
    /// name, so the cookie is its header's stored `TypeIndex` XOR that index XOR the second
    /// byte of the header address. `Ok(None)` for builds without the cookie.
    pub fn infer_header_cookie(&self) -> Result<Option<u8>, Error> {
        let object_header::ObjectHeaderLayout {
            type_ref:
                TypeRef::Index {
                    offset,
                    cookie: true,
                },
            ..
        } = self.layout.object_header
        else {
            return Ok(None);
        };
        let types = self.type_table()?;
        let index = types
            .iter()
            .find(|t| t.name.as_deref() == Some("Process"))
            .and_then(|t| t.index)
            .ok_or(Error::Corrupt {
                what: "ObTypeIndexTable (no Process type)",
                addr: self.symbols.ob_type_index_table.unwrap_or(0),
            })?;
        let first = self.processes()?.next().ok_or(Error::Corrupt {
            what: "process list (empty)",
            addr: self.symbols.ps_active_process_head.unwrap_or(0),
        })??;
        let header = self.header_of(first.address)?;
        let raw = self.mem.read_u8(field(header, offset, "TypeIndex")?)?;
        Ok(Some(object_header::decode_type_index(raw, header, index)))
    }

    pub(crate) fn read_ptr(&self, addr: u64) -> Result<u64, Error> {
        Ok(self.mem.read_ptr(addr, self.layout.width)?)
    }

    /// `ObHeaderCookie`, read once.
    pub(crate) fn header_cookie(&self, at: u64) -> Result<u8, Error> {
        self.cookie
            .get_or_init(|| match self.symbols.ob_header_cookie {
                Some(a) => self.mem.read_u8(a).map_err(Error::from),
                None => Err(Error::MissingSymbol {
                    name: "ObHeaderCookie",
                    addr: at,
                }),
            })
            .clone()
    }
}

/// `base + off` without overflow, as a corrupt-address error.
pub(crate) fn field(base: u64, off: u32, what: &'static str) -> Result<u64, Error> {
    base.checked_add(u64::from(off))
        .ok_or(Error::Corrupt { what, addr: base })
}

/// `addr - off` without underflow (from a list link or a header back to its structure).
pub(crate) fn back(addr: u64, off: u32, what: &'static str) -> Result<u64, Error> {
    addr.checked_sub(u64::from(off))
        .ok_or(Error::Corrupt { what, addr })
}

/// Whether `addr` lies in the kernel half of the address space for this width.
pub(crate) fn is_kernel_address(addr: u64, width: PointerWidth) -> bool {
    match width {
        PointerWidth::Bits32 => (0x8000_0000..=0xFFFF_FFFF).contains(&addr),
        PointerWidth::Bits64 => addr >= 0xFFFF_8000_0000_0000,
    }
}

/// Read an optional value: `Ok` becomes `Some`, "not in the dump" becomes `None`, any other
/// failure is returned.
pub(crate) fn opt<T>(r: Result<T, crate::memory::MemoryError>) -> Result<Option<T>, Error> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_not_captured() => Ok(None),
        Err(e) => Err(e.into()),
    }
}
