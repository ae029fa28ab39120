//! Process facts read through the memory view: TEBs, PEB(s), heaps, loader list, command line,
//! mapped images. One file per structure; the pointer layouts of 32- and 64-bit processes are here.

use std::ops::Deref;

use crate::bytes::*;
use crate::{Error, Minidump};

mod image;
mod loader;
mod peb;
mod teb;

pub use image::MappedImage;
pub use loader::LoaderModule;
pub use peb::{HeapRef, ProcessInfo};
pub use teb::ThreadTeb;

/// Offsets of the fields [`Minidump::process`] reads, per pointer width. They are the same from
/// Windows 7 to Windows 11 and are checked against Microsoft's ntdll PDBs by the crate's tests
/// (`_TEB`, `_NT_TIB`, `_PEB`, `_PEB_LDR_DATA`, `_LDR_DATA_TABLE_ENTRY`, `_UNICODE_STRING`,
/// `_RTL_USER_PROCESS_PARAMETERS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessLayout {
    /// Pointer size (4 or 8).
    pub ptr: usize,
    /// `_TEB.ProcessEnvironmentBlock`.
    pub teb_peb: u64,
    /// `_TEB.NtTib.StackBase`.
    pub teb_stack_base: u64,
    /// `_TEB.NtTib.StackLimit`.
    pub teb_stack_limit: u64,
    /// `_TEB.NtTib.Self`.
    pub teb_self: u64,
    /// `_PEB.ImageBaseAddress`.
    pub peb_image_base: u64,
    /// `_PEB.Ldr`.
    pub peb_ldr: u64,
    /// `_PEB.ProcessParameters`.
    pub peb_params: u64,
    /// `_PEB.ProcessHeap`.
    pub peb_process_heap: u64,
    /// `_PEB.NumberOfHeaps`.
    pub peb_number_of_heaps: u64,
    /// `_PEB.ProcessHeaps`.
    pub peb_process_heaps: u64,
    /// `_PEB_LDR_DATA.InLoadOrderModuleList`.
    pub ldr_in_load_order: u64,
    /// `_LDR_DATA_TABLE_ENTRY.DllBase`.
    pub entry_dll_base: u64,
    /// `_LDR_DATA_TABLE_ENTRY.SizeOfImage`.
    pub entry_size_of_image: u64,
    /// `_LDR_DATA_TABLE_ENTRY.FullDllName`.
    pub entry_full_name: u64,
    /// `_LDR_DATA_TABLE_ENTRY.BaseDllName`.
    pub entry_base_name: u64,
    /// `_UNICODE_STRING.Buffer`.
    pub ustr_buffer: u64,
    /// `_RTL_USER_PROCESS_PARAMETERS.ImagePathName`.
    pub params_image_path: u64,
    /// `_RTL_USER_PROCESS_PARAMETERS.CommandLine`.
    pub params_command_line: u64,
}

impl ProcessLayout {
    /// 64-bit processes (x64, ARM64).
    pub const X64: ProcessLayout = ProcessLayout {
        ptr: 8,
        teb_peb: 0x60,
        teb_stack_base: 0x08,
        teb_stack_limit: 0x10,
        teb_self: 0x30,
        peb_image_base: 0x10,
        peb_ldr: 0x18,
        peb_params: 0x20,
        peb_process_heap: 0x30,
        peb_number_of_heaps: 0xe8,
        peb_process_heaps: 0xf0,
        ldr_in_load_order: 0x10,
        entry_dll_base: 0x30,
        entry_size_of_image: 0x40,
        entry_full_name: 0x48,
        entry_base_name: 0x58,
        ustr_buffer: 0x08,
        params_image_path: 0x60,
        params_command_line: 0x70,
    };

    /// 32-bit processes (x86, and the WOW64 TEB32/PEB32).
    pub const X86: ProcessLayout = ProcessLayout {
        ptr: 4,
        teb_peb: 0x30,
        teb_stack_base: 0x04,
        teb_stack_limit: 0x08,
        teb_self: 0x18,
        peb_image_base: 0x08,
        peb_ldr: 0x0c,
        peb_params: 0x10,
        peb_process_heap: 0x18,
        peb_number_of_heaps: 0x88,
        peb_process_heaps: 0x90,
        ldr_in_load_order: 0x0c,
        entry_dll_base: 0x18,
        entry_size_of_image: 0x20,
        entry_full_name: 0x24,
        entry_base_name: 0x2c,
        ustr_buffer: 0x04,
        params_image_path: 0x38,
        params_command_line: 0x40,
    };
}

pub(crate) type Layout = ProcessLayout;
pub(crate) const LAYOUT64: Layout = ProcessLayout::X64;
pub(crate) const LAYOUT32: Layout = ProcessLayout::X86;

impl<D: Deref<Target = [u8]>> Minidump<D> {
    pub(crate) fn ptr_at(&self, addr: u64, off: u64, l: &Layout) -> Result<u64, Error> {
        let a = addr.checked_add(off).ok_or(Error::AddressOverflow {
            address: addr,
            len: off,
        })?;
        self.memory().read_ptr(a, l.ptr)
    }

    /// Reads a `UNICODE_STRING` at `addr` (Length u16, Buffer pointer).
    pub(crate) fn unicode_string(
        &self,
        addr: u64,
        l: &Layout,
        budget: &mut Budget,
    ) -> Result<String, Error> {
        let len = self.memory().read_u16(addr)?;
        if u32::from(len) > self.limits().max_string_bytes {
            return Err(Error::InvalidString { rva: addr });
        }
        budget.take(u64::from(len), "strings read from memory")?;
        let buf = self.ptr_at(addr, l.ustr_buffer, l)?;
        let mut bytes = vec![0u8; usize::from(len)];
        self.memory().read(buf, &mut bytes)?;
        Ok(crate::bytes::utf16_lossy(&bytes))
    }
}
