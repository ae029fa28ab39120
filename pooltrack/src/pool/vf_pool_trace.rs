//! `_VF_POOL_TRACE` (`nt!VfPoolTraces`): the log of recent pool allocate and free operations
//! behind `!verifier 80`.

use crate::layout::{Arch, KernelBuild, f, layout_table};

layout_table! {
    /// Where the fields of `_VF_POOL_TRACE` are for one build.
    pub struct VfPoolTraceLayout = "_VF_POOL_TRACE" {
        /// `Address`.
        address: "Address",
        /// `Size`.
        size_field: "Size",
        /// `Thread` (`_ETHREAD*`).
        thread: "Thread",
        /// `StackTrace[]`.
        stack_trace: "StackTrace",
    }
}

impl VfPoolTraceLayout {
    /// The layout for a build: 13 stack slots (x86 0x40, x64 0x80 bytes); x64 20348+ 50 slots
    /// (0x1a8 bytes).
    pub fn for_build(b: KernelBuild) -> VfPoolTraceLayout {
        match b.arch {
            Arch::X86 => VfPoolTraceLayout {
                size: 0x40,
                address: f(0, 4),
                size_field: f(4, 4),
                thread: f(8, 4),
                stack_trace: f(0xc, 13 * 4),
            },
            Arch::X64 if b.build < 20348 => VfPoolTraceLayout {
                size: 0x80,
                address: f(0, 8),
                size_field: f(8, 8),
                thread: f(0x10, 8),
                stack_trace: f(0x18, 13 * 8),
            },
            Arch::X64 => VfPoolTraceLayout {
                size: 0x1a8,
                address: f(0, 8),
                size_field: f(8, 8),
                thread: f(0x10, 8),
                stack_trace: f(0x18, 50 * 8),
            },
        }
    }
}
