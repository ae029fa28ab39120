//! The only place where `dumpfile`'s types meet the other crates' inputs: the dump's memory as
//! each crate's `ReadMemory`, the heaps the PEB lists opened with `ntheap`, and small facts
//! (thread contexts, PDB identities) every command reads the same way.
//!
//! Commands go through these adapters and never build their own: one rule for which heaps a
//! process has, one mapping of "not in the dump". (Module names come from `dumpfile` itself.)

pub mod heaps;
pub mod stack;

pub use self::heaps::{FoundHeap, find_heaps, heap_width_name, layout_choice, open_heap_at};
pub use self::stack::{pdb_identity, thread_context, wow64_context};

/// The dump's memory as the input of `ntheap`, `pe-sections` and `stackwalk`; a range the dump
/// did not capture maps to each crate's "not captured" error, anything else to "failed".
#[derive(Debug, Clone, Copy)]
pub struct DumpMemory<'a>(pub &'a dumpfile::Minidump);

/// Implements one crate's `ReadMemory` (the workspace's shared memory template) for
/// [`DumpMemory`].
macro_rules! read_memory_for_dump {
    ($krate:ident, $ty:ty) => {
        impl $krate::ReadMemory for $ty {
            fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), $krate::MemoryError> {
                let dump: &dumpfile::Minidump = self;
                dump.memory().read(addr, buf).map_err(|e| {
                    if e.is_not_captured() {
                        $krate::MemoryError::not_captured(addr, buf.len())
                    } else {
                        $krate::MemoryError::failed(addr, buf.len())
                    }
                })
            }
        }
    };
}

read_memory_for_dump!(ntheap, DumpMemory<'_>);
read_memory_for_dump!(pe_sections, DumpMemory<'_>);
read_memory_for_dump!(stackwalk, DumpMemory<'_>);
read_memory_for_dump!(ntheap, Dump);
read_memory_for_dump!(pe_sections, Dump);
read_memory_for_dump!(stackwalk, Dump);

impl std::ops::Deref for DumpMemory<'_> {
    type Target = dumpfile::Minidump;
    fn deref(&self) -> &dumpfile::Minidump {
        self.0
    }
}

/// An opened dump that is also its own memory for every crate: `&Dump` is a
/// `&dyn pe_sections::ReadMemory` (and the others) as long as the dump lives, which a
/// [`pe_sections::PeImage`] mapped from it needs. Derefs to the [`dumpfile::Minidump`].
#[derive(Debug)]
pub struct Dump(pub dumpfile::Minidump);

impl std::ops::Deref for Dump {
    type Target = dumpfile::Minidump;
    fn deref(&self) -> &dumpfile::Minidump {
        &self.0
    }
}
