//! Which heaps a process has, and opening them with `ntheap`: one rule for every command.
//!
//! The heaps are those `dumpfile` lists ([`dumpfile::ProcessInfo::heaps`]: `PEB.ProcessHeap` and
//! `PEB.ProcessHeaps`, then the WOW64 `PEB32`'s, each address once). The layout is chosen by the
//! dump's OS version and confirmed on each heap.

use ntheap::{Heap, HeapKind, LayoutChoice, PointerWidth, Release};

use super::DumpMemory;

/// A heap of the process as found in its PEB(s), opened or not.
#[derive(Debug)]
pub struct FoundHeap {
    /// Heap address.
    pub address: u64,
    /// Width of the heap (x86 for the WOW64 set).
    pub width: PointerWidth,
    /// The opened heap, or why it could not be opened.
    pub heap: Result<Heap, ntheap::Error>,
    /// NT or segment heap, when the signature could be read.
    pub kind: Option<HeapKind>,
}

/// `"x64"` or `"x86"`.
pub fn heap_width_name(w: PointerWidth) -> &'static str {
    match w {
        PointerWidth::Bits32 => "x86",
        PointerWidth::Bits64 => "x64",
    }
}

/// The heap layout to prefer for this dump's OS version (`Auto` when it is unknown).
pub fn layout_choice(dump: &dumpfile::Minidump) -> LayoutChoice {
    match dump.system_info() {
        Ok(Some(s)) => Release::from_version(s.major, s.minor, s.build)
            .map_or(LayoutChoice::Auto, LayoutChoice::Prefer),
        _ => LayoutChoice::Auto,
    }
}

fn open(dump: &dumpfile::Minidump, address: u64, width: PointerWidth) -> FoundHeap {
    let mem = DumpMemory(dump);
    FoundHeap {
        address,
        width,
        heap: Heap::open(&mem, address, width, layout_choice(dump)),
        kind: Heap::kind_at(&mem, address, width).ok(),
    }
}

/// The heaps `process` lists ([`dumpfile::ProcessInfo::heaps`]: native set first, then the
/// WOW64 set), opened.
pub fn find_heaps(dump: &dumpfile::Minidump, process: &dumpfile::ProcessInfo) -> Vec<FoundHeap> {
    let native = if dump.arch() == dumpfile::Arch::X86 {
        PointerWidth::Bits32
    } else {
        PointerWidth::Bits64
    };
    process
        .heaps()
        .into_iter()
        .map(|h| {
            let width = if h.peb32 {
                PointerWidth::Bits32
            } else {
                native
            };
            open(dump, h.address, width)
        })
        .collect()
}

/// Opens a heap at an address the PEB does not list: the dump's native width first, then
/// 32-bit on x64 dumps (WOW64).
pub fn open_heap_at(dump: &dumpfile::Minidump, address: u64) -> FoundHeap {
    let widths: &[PointerWidth] = if dump.arch() == dumpfile::Arch::X86 {
        &[PointerWidth::Bits32]
    } else {
        &[PointerWidth::Bits64, PointerWidth::Bits32]
    };
    let mut first = None;
    for width in widths {
        let f = open(dump, address, *width);
        if f.heap.is_ok() || f.kind.is_some() {
            return f;
        }
        first.get_or_insert(f);
    }
    first.unwrap_or(FoundHeap {
        address,
        width: PointerWidth::Bits64,
        heap: Err(ntheap::Error::NotCaptured {
            addr: address,
            len: 0,
        }),
        kind: None,
    })
}
