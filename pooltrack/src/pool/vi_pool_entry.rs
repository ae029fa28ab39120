//! `_VI_POOL_ENTRY` (`_VI_POOL_ENTRY_INUSE` / `_VI_POOL_PAGE_HEADER`): Driver Verifier's record
//! of one tracked allocation, in pages of such records.

use crate::layout::{Arch, KernelBuild, f, layout_table};

layout_table! {
    /// Where the fields of `_VI_POOL_ENTRY_INUSE` are for one build.
    pub struct ViPoolEntryInUseLayout = "_VI_POOL_ENTRY_INUSE" {
        /// `VirtualAddress`: the allocation.
        virtual_address: "VirtualAddress",
        /// `CallingAddress`: the caller of the allocator.
        calling_address: "CallingAddress",
        /// `NumberOfBytes`.
        number_of_bytes: "NumberOfBytes",
        /// `Tag`.
        tag: "Tag",
    }
}

impl ViPoolEntryInUseLayout {
    /// The layout for a build (`sizeof(_VI_POOL_ENTRY)`: 0x10 x86, 0x20 x64).
    pub fn for_build(b: KernelBuild) -> ViPoolEntryInUseLayout {
        match b.arch {
            Arch::X86 => ViPoolEntryInUseLayout {
                size: 0x10,
                virtual_address: f(0, 4),
                calling_address: f(4, 4),
                number_of_bytes: f(8, 4),
                tag: f(0xc, 4),
            },
            Arch::X64 => ViPoolEntryInUseLayout {
                size: 0x20,
                virtual_address: f(0, 8),
                calling_address: f(8, 8),
                number_of_bytes: f(0x10, 8),
                tag: f(0x18, 8),
            },
        }
    }
}

layout_table! {
    /// Where the fields of `_VI_POOL_PAGE_HEADER` are for one build (Vista+).
    pub struct ViPoolPageHeaderLayout = "_VI_POOL_PAGE_HEADER" {
        /// `NextPage`.
        next_page: "NextPage",
        /// `VerifierEntry`.
        verifier_entry: "VerifierEntry",
        /// `Signature`.
        signature: "Signature",
    }
}

impl ViPoolPageHeaderLayout {
    /// The layout for a build.
    pub fn for_build(b: KernelBuild) -> ViPoolPageHeaderLayout {
        match b.arch {
            Arch::X86 => ViPoolPageHeaderLayout {
                size: 0xc,
                next_page: f(0, 4),
                verifier_entry: f(4, 4),
                signature: f(8, 4),
            },
            Arch::X64 => ViPoolPageHeaderLayout {
                size: 0x18,
                next_page: f(0, 8),
                verifier_entry: f(8, 8),
                signature: f(0x10, 8),
            },
        }
    }
}
