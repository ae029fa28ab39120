//! The structures `!vm` reads beyond plain counters: a paging file (`_MMPAGING_FILE`, from
//! `nt!MmPagingFile[]`), the system PTE pool (`_MI_SYSTEM_PTE_TYPE`, `nt!MiSystemPteInfo`) and a
//! page list head (`_MMPFNLIST`, `nt!MmModifiedPageListHead`). Tables only for builds whose
//! PDB-derived layouts are at hand (Windows XP x86, 7 x86 and x64, 8.1 x64, 11 x64); other builds
//! take the layout from the kernel's ISF or PDB when given, and otherwise leave the line out.

use crate::layout::{Arch, KernelBuild, f, layout_table};

layout_table! {
    /// `_MMPAGING_FILE`: one paging file's sizes (pages) and name.
    pub struct MmPagingFileLayout = "_MMPAGING_FILE" {
        /// `Size`: pages the file holds now (WinDbg's "Current").
        size_pages: "Size",
        /// `MaximumSize` (pages).
        maximum_size: "MaximumSize",
        /// `MinimumSize` (pages).
        minimum_size: "MinimumSize",
        /// `FreeSpace` (pages).
        free_space: "FreeSpace",
        /// `PageFileName` (`_UNICODE_STRING`).
        page_file_name: "PageFileName",
    }
}

impl MmPagingFileLayout {
    /// The layout for a build: XP x86 (also taken for Server 2003, whose PDB is not at hand),
    /// 7 x86 and x64, 8.1 x64, 11 21H2-23H2 x64; `None` for other builds.
    pub fn for_build(b: KernelBuild) -> Option<MmPagingFileLayout> {
        let counters = |w: u32, name: u32, size: u32| MmPagingFileLayout {
            size,
            size_pages: f(0, w),
            maximum_size: f(w, w),
            minimum_size: f(w.saturating_mul(2), w),
            free_space: f(w.saturating_mul(3), w),
            page_file_name: f(name, w.saturating_mul(2)),
        };
        match (b.arch, b.build) {
            (Arch::X86, 2600..=3790) => Some(counters(4, 0x30, 0x44)),
            (Arch::X86, 7600 | 7601) => Some(counters(4, 0x24, 0x50)),
            (Arch::X64, 7600 | 7601) => Some(counters(8, 0x48, 0x90)),
            (Arch::X64, 9600) => Some(counters(8, 0x70, 0xe0)),
            (Arch::X64, 22000..=22631) => Some(counters(8, 0x60, 0x120)),
            _ => None,
        }
    }
}

layout_table! {
    /// `_MI_SYSTEM_PTE_TYPE`: the system PTE pool (`nt!MiSystemPteInfo`, Windows Vista+).
    pub struct MiSystemPteTypeLayout = "_MI_SYSTEM_PTE_TYPE" {
        /// `TotalFreeSystemPtes`: WinDbg's "Free System PTEs".
        total_free_system_ptes: "TotalFreeSystemPtes",
    }
}

impl MiSystemPteTypeLayout {
    /// The layout for a build: 7 x86 and x64, 8.1 x64, 11 21H2-23H2 x64; `None` for other
    /// builds (XP and Server 2003 keep the count in `nt!MmTotalFreeSystemPtes[0]`).
    pub fn for_build(b: KernelBuild) -> Option<MiSystemPteTypeLayout> {
        let (size, off, w) = match (b.arch, b.build) {
            (Arch::X86, 7600 | 7601) => (0x30, 0x20, 4),
            (Arch::X64, 7600 | 7601) => (0x48, 0x34, 4),
            (Arch::X64, 9600) => (0x68, 0x58, 8),
            (Arch::X64, 22000..=22631) => (0x58, 0x50, 8),
            _ => return None,
        };
        Some(MiSystemPteTypeLayout {
            size,
            total_free_system_ptes: f(off, w),
        })
    }
}

layout_table! {
    /// `_MMPFNLIST`: a page list head (`nt!MmModifiedPageListHead`).
    pub struct MmPfnListLayout = "_MMPFNLIST" {
        /// `Total`: pages on the list (WinDbg's "Modified Pages" for the modified list).
        total: "Total",
    }
}

impl MmPfnListLayout {
    /// `Total` is the first field, pointer-sized, in every build whose PDB is at hand (XP and
    /// 7 x86, 7, 8.1 and 11 x64); the size of the whole structure is stated only there.
    pub fn for_build(b: KernelBuild) -> MmPfnListLayout {
        let w = b.arch.pointer_size();
        let w = u32::try_from(w).unwrap_or(8);
        let size = match (b.arch, b.build) {
            (Arch::X86, 2600) => 0x10,
            (Arch::X86, 7600 | 7601) => 0x14,
            (Arch::X64, 7600 | 7601 | 9600) => 0x28,
            (Arch::X64, 22000) => 0x58,
            _ => 0,
        };
        MmPfnListLayout {
            size,
            total: f(0, w),
        }
    }
}
