//! Process facts read through the memory view: TEBs, PEB(s), heaps, loader list, command line.

use std::collections::HashSet;

use crate::{Arch, Budget, Error, Minidump};

/// A module from the loader's `InLoadOrderModuleList` (`LDR_DATA_TABLE_ENTRY`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoaderModule {
    /// Address of the `LDR_DATA_TABLE_ENTRY`.
    pub entry: u64,
    /// `DllBase`.
    pub base: u64,
    /// `SizeOfImage`.
    pub size: u32,
    /// `FullDllName`, if its buffer is in the dump.
    pub full_name: Option<String>,
    /// `BaseDllName`, if its buffer is in the dump.
    pub base_name: Option<String>,
}

/// A PE image found by its headers in captured memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedImage {
    /// Where its `MZ` header is.
    pub base: u64,
    /// `IMAGE_FILE_HEADER.Machine` (0x14c i386, 0x8664 AMD64, 0xaa64 ARM64).
    pub machine: u16,
    /// `IMAGE_FILE_HEADER.TimeDateStamp`.
    pub time_date_stamp: u32,
    /// `OptionalHeader.SizeOfImage`.
    pub size_of_image: u32,
    /// `OptionalHeader.CheckSum`.
    pub checksum: u32,
    /// The export directory's DLL name, if that part of the image is captured.
    pub export_name: Option<String>,
}

/// TEB facts of one thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadTeb {
    /// Thread id.
    pub id: u32,
    /// The native TEB (from the ThreadList).
    pub teb: u64,
    /// `NtTib.StackBase` / `StackLimit` of the native TEB, if readable.
    pub stack_base_limit: Option<(u64, u64)>,
    /// The 32-bit TEB of a WOW64 thread, if found.
    pub teb32: Option<u64>,
    /// `NtTib.StackBase` / `StackLimit` of the 32-bit TEB, if readable.
    pub stack32_base_limit: Option<(u64, u64)>,
}

/// Facts about the dumped process, read through the captured memory.
///
/// Missing memory does not fail the whole call: what could not be read is `None`/empty and
/// explained in `warnings`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProcessInfo {
    /// The native PEB (64-bit on x64 dumps).
    pub peb: Option<u64>,
    /// The WOW64 32-bit PEB, if any.
    pub peb32: Option<u64>,
    /// True if the process is a 32-bit process under WOW64 in an x64 dump.
    pub is_wow64: bool,
    /// `PEB.ImageBaseAddress` (native PEB).
    pub image_base: Option<u64>,
    /// `PEB32.ImageBaseAddress`.
    pub image_base32: Option<u64>,
    /// `PEB.ProcessHeap`.
    pub process_heap: Option<u64>,
    /// `PEB32.ProcessHeap`.
    pub process_heap32: Option<u64>,
    /// `PEB.ProcessHeaps[0 .. NumberOfHeaps]`.
    pub process_heaps: Vec<u64>,
    /// `PEB32.ProcessHeaps[0 .. NumberOfHeaps]`.
    pub process_heaps32: Vec<u64>,
    /// `PEB.NumberOfHeaps`.
    pub number_of_heaps: Option<u32>,
    /// `PEB32.NumberOfHeaps`.
    pub number_of_heaps32: Option<u32>,
    /// `PEB.ProcessParameters.CommandLine` (the 32-bit one if the 64-bit one is unreadable).
    pub command_line: Option<String>,
    /// `PEB.ProcessParameters.ImagePathName`.
    pub image_path: Option<String>,
    /// The native loader list.
    pub loader_modules: Vec<LoaderModule>,
    /// The 32-bit loader list (WOW64).
    pub loader_modules32: Vec<LoaderModule>,
    /// TEB facts per thread.
    pub threads: Vec<ThreadTeb>,
    /// PE images whose headers are in captured memory at the start of a captured range but
    /// that neither the ModuleList nor a loader list names (e.g. the 32-bit `ntdll.dll` of a
    /// WOW64 process stopped before its 32-bit loader ran).
    pub unlisted_images: Vec<MappedImage>,
    /// What could not be read, and why.
    pub warnings: Vec<String>,
}

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

type Layout = ProcessLayout;
const LAYOUT64: Layout = ProcessLayout::X64;
const LAYOUT32: Layout = ProcessLayout::X86;

/// Offset of the 32-bit TEB from the 64-bit one on Windows 7–10 (WOW64).
const TEB32_DELTA: u64 = 0x2000;

/// Facts read from one PEB.
#[derive(Debug, Default)]
struct PebFacts {
    image_base: Option<u64>,
    process_heap: Option<u64>,
    number_of_heaps: Option<u32>,
    heaps: Vec<u64>,
    command_line: Option<String>,
    image_path: Option<String>,
    modules: Vec<LoaderModule>,
}

impl Minidump {
    /// PE images whose `MZ`/`PE` headers sit at the start of a page-aligned captured range.
    ///
    /// One header probe per range (each an O(log n) lookup); nothing else is scanned.
    pub fn mapped_images(&self) -> Vec<MappedImage> {
        let mem = self.memory();
        let mut out = Vec::new();
        for r in mem.ranges() {
            if r.base % 0x1000 != 0 || r.size < 0x40 {
                continue;
            }
            if let Some(img) = self.image_at(r.base) {
                out.push(img);
            }
        }
        out
    }

    /// Parses the PE headers of an image mapped at `base`, if they are captured.
    pub fn image_at(&self, base: u64) -> Option<MappedImage> {
        let mem = self.memory();
        if mem.read_u16(base).ok()? != 0x5a4d {
            return None;
        }
        let lfanew = mem.read_u32(base.checked_add(0x3c)?).ok()?;
        if lfanew == 0 || lfanew > 0x1000 {
            return None;
        }
        let nt = base.checked_add(u64::from(lfanew))?;
        if mem.read_u32(nt).ok()? != 0x0000_4550 {
            return None;
        }
        let machine = mem.read_u16(nt.checked_add(4)?).ok()?;
        let time_date_stamp = mem.read_u32(nt.checked_add(8)?).ok()?;
        let opt = nt.checked_add(0x18)?;
        let magic = mem.read_u16(opt).ok()?;
        let export_dir_off = match magic {
            0x10b => 0x60,
            0x20b => 0x70,
            _ => return None,
        };
        let size_of_image = mem.read_u32(opt.checked_add(0x38)?).ok()?;
        let checksum = mem.read_u32(opt.checked_add(0x40)?).ok()?;
        let export_name = (|| {
            let exp_rva = mem.read_u32(opt.checked_add(export_dir_off)?).ok()?;
            if exp_rva == 0 || exp_rva >= size_of_image {
                return None;
            }
            let exp = base.checked_add(u64::from(exp_rva))?;
            let name_rva = mem.read_u32(exp.checked_add(0x0c)?).ok()?;
            if name_rva == 0 || name_rva >= size_of_image {
                return None;
            }
            let name_addr = base.checked_add(u64::from(name_rva))?;
            let (range, bytes) = mem.region_at(name_addr)?;
            let off = usize::try_from(name_addr.checked_sub(range.base)?).ok()?;
            let tail = bytes.get(off..)?;
            let tail = tail.get(..tail.len().min(256))?;
            let end = tail.iter().position(|&b| b == 0)?;
            let name = tail.get(..end)?;
            Some(String::from_utf8_lossy(name).into_owned())
        })();
        Some(MappedImage {
            base,
            machine,
            time_date_stamp,
            size_of_image,
            checksum,
            export_name,
        })
    }

    fn ptr_at(&self, addr: u64, off: u64, l: &Layout) -> Result<u64, Error> {
        let a = addr.checked_add(off).ok_or(Error::AddressOverflow {
            address: addr,
            len: off,
        })?;
        self.memory().read_ptr(a, l.ptr)
    }

    /// Reads a `UNICODE_STRING` at `addr` (Length u16, Buffer pointer).
    fn unicode_string(&self, addr: u64, l: &Layout, budget: &mut Budget) -> Result<String, Error> {
        let len = self.memory().read_u16(addr)?;
        if u32::from(len) > self.limits().max_string_bytes {
            return Err(Error::InvalidString { rva: addr });
        }
        budget.take(u64::from(len), "strings read from memory")?;
        let buf = self.ptr_at(addr, l.ustr_buffer, l)?;
        let mut bytes = vec![0u8; usize::from(len)];
        self.memory().read(buf, &mut bytes)?;
        Ok(crate::utf16_lossy(&bytes))
    }

    /// Finds the 32-bit TEB of a WOW64 thread given its 64-bit TEB. Candidates, in order:
    /// `WowTebOffset` (TEB64+0x180c, Windows 10) when non-zero; `NtTib.ExceptionList` of the
    /// 64-bit TEB (WOW64 keeps the TEB32 address there: 0x7efdd000 in the Windows 7 corpus dump);
    /// TEB64 + 0x2000. A candidate is accepted only if its `NtTib.Self` points to itself.
    pub fn find_teb32(&self, teb64: u64) -> Option<u64> {
        let mut candidates = Vec::with_capacity(3);
        if let Ok(off) = self.memory().read_u32(teb64.saturating_add(0x180c)) {
            let off = i64::from(off.cast_signed());
            if off != 0
                && let Some(c) = teb64.checked_add_signed(off)
            {
                candidates.push(c);
            }
        }
        if let Ok(c) = self.memory().read_u64(teb64)
            && c != 0
            && c <= u64::from(u32::MAX)
        {
            candidates.push(c);
        }
        if let Some(c) = teb64.checked_add(TEB32_DELTA) {
            candidates.push(c);
        }
        candidates.into_iter().find(|&c| {
            self.memory()
                .read_u32(c.saturating_add(LAYOUT32.teb_self))
                .is_ok_and(|s| u64::from(s) == c)
        })
    }

    fn read_peb(
        &self,
        peb: u64,
        l: &Layout,
        label: &str,
        warnings: &mut Vec<String>,
        budget: &mut Budget,
    ) -> PebFacts {
        let mut f = PebFacts::default();
        let mut warn = |what: &str, e: &Error| warnings.push(format!("{label}: {what}: {e}"));
        match self.ptr_at(peb, l.peb_image_base, l) {
            Ok(v) => f.image_base = Some(v),
            Err(e) => warn("ImageBaseAddress", &e),
        }
        match self.ptr_at(peb, l.peb_process_heap, l) {
            Ok(v) => f.process_heap = Some(v),
            Err(e) => warn("ProcessHeap", &e),
        }
        match self
            .memory()
            .read_u32(peb.saturating_add(l.peb_number_of_heaps))
        {
            Ok(n) => {
                f.number_of_heaps = Some(n);
                let limit = self.limits().max_heaps;
                if n > limit {
                    warnings.push(format!(
                        "{label}: NumberOfHeaps {n} exceeds the limit {limit}; reading {limit}"
                    ));
                }
                let n = n.min(limit);
                match self.ptr_at(peb, l.peb_process_heaps, l) {
                    Ok(arr) => {
                        for i in 0..u64::from(n) {
                            let at = arr.saturating_add(i.saturating_mul(l.ptr as u64));
                            match self.memory().read_ptr(at, l.ptr) {
                                Ok(h) => f.heaps.push(h),
                                Err(e) => {
                                    warnings.push(format!("{label}: ProcessHeaps[{i}]: {e}"));
                                    break;
                                }
                            }
                        }
                    }
                    Err(e) => warnings.push(format!("{label}: ProcessHeaps: {e}")),
                }
            }
            Err(e) => warnings.push(format!("{label}: NumberOfHeaps: {e}")),
        }
        match self.ptr_at(peb, l.peb_params, l) {
            Ok(params) if params != 0 => {
                match self.unicode_string(params.saturating_add(l.params_command_line), l, budget) {
                    Ok(s) => f.command_line = Some(s),
                    Err(e) => warnings.push(format!("{label}: CommandLine: {e}")),
                }
                match self.unicode_string(params.saturating_add(l.params_image_path), l, budget) {
                    Ok(s) => f.image_path = Some(s),
                    Err(e) => warnings.push(format!("{label}: ImagePathName: {e}")),
                }
            }
            Ok(_) => warnings.push(format!("{label}: ProcessParameters is NULL")),
            Err(e) => warnings.push(format!("{label}: ProcessParameters: {e}")),
        }
        match self.ptr_at(peb, l.peb_ldr, l) {
            Ok(ldr) if ldr != 0 => {
                let (mods, err) =
                    self.walk_loader(ldr.saturating_add(l.ldr_in_load_order), l, budget);
                f.modules = mods;
                if let Some(e) = err {
                    warnings.push(format!("{label}: loader list: {e}"));
                }
            }
            Ok(_) => warnings.push(format!("{label}: Ldr is NULL")),
            Err(e) => warnings.push(format!("{label}: Ldr: {e}")),
        }
        f
    }

    /// Walks `InLoadOrderModuleList` from its head, with a step limit and cycle detection.
    /// Returns what was read and the error that stopped the walk, if any.
    fn walk_loader(
        &self,
        head: u64,
        l: &Layout,
        budget: &mut Budget,
    ) -> (Vec<LoaderModule>, Option<Error>) {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut prev = head;
        let mut cur = match self.memory().read_ptr(head, l.ptr) {
            Ok(v) => v,
            Err(e) => return (out, Some(e)),
        };
        let limit = self.limits().max_list_steps;
        let mut steps = 0u32;
        while cur != head {
            if cur == 0 {
                return (
                    out,
                    Some(Error::Corrupt {
                        address: prev,
                        reason: "NULL Flink in the loader list",
                    }),
                );
            }
            if !seen.insert(cur) {
                return (out, Some(Error::ListCycle { at: cur }));
            }
            steps = steps.saturating_add(1);
            if steps > limit {
                return (out, Some(Error::ListTooLong { head, limit }));
            }
            let base = match self.ptr_at(cur, l.entry_dll_base, l) {
                Ok(v) => v,
                Err(e) => return (out, Some(e)),
            };
            let size = self
                .memory()
                .read_u32(cur.saturating_add(l.entry_size_of_image))
                .unwrap_or(0);
            out.push(LoaderModule {
                entry: cur,
                base,
                size,
                full_name: self
                    .unicode_string(cur.saturating_add(l.entry_full_name), l, budget)
                    .ok(),
                base_name: self
                    .unicode_string(cur.saturating_add(l.entry_base_name), l, budget)
                    .ok(),
            });
            prev = cur;
            cur = match self.memory().read_ptr(cur, l.ptr) {
                Ok(v) => v,
                Err(e) => return (out, Some(e)),
            };
        }
        (out, None)
    }

    /// Reads the process facts: TEBs, PEB (and the WOW64 PEB32), heaps, image base, loader
    /// module lists and command line. Only a corrupt ThreadList is an error; missing memory is
    /// reported in [`ProcessInfo::warnings`].
    pub fn process(&self) -> Result<ProcessInfo, Error> {
        let arch = self.arch();
        let l = match arch {
            Arch::X86 => LAYOUT32,
            _ => LAYOUT64,
        };
        let mut info = ProcessInfo::default();
        let threads = self.threads()?;
        let modules = self.modules().unwrap_or_default();
        let wow64_module = self.has_wow64_module();
        let no_modules = modules.is_empty();
        for t in &threads {
            let stack = match (
                self.ptr_at(t.teb, l.teb_stack_base, &l),
                self.ptr_at(t.teb, l.teb_stack_limit, &l),
            ) {
                (Ok(b), Ok(lim)) => Some((b, lim)),
                _ => None,
            };
            let (teb32, stack32) = if arch == Arch::X64 && (wow64_module || no_modules) {
                match self.find_teb32(t.teb) {
                    Some(t32) => {
                        let s = match (
                            self.ptr_at(t32, LAYOUT32.teb_stack_base, &LAYOUT32),
                            self.ptr_at(t32, LAYOUT32.teb_stack_limit, &LAYOUT32),
                        ) {
                            (Ok(b), Ok(lim)) => Some((b, lim)),
                            _ => None,
                        };
                        (Some(t32), s)
                    }
                    None => (None, None),
                }
            } else {
                (None, None)
            };
            if info.peb.is_none() {
                match self.ptr_at(t.teb, l.teb_peb, &l) {
                    Ok(p) if p != 0 => info.peb = Some(p),
                    Ok(_) => {}
                    Err(e) => info
                        .warnings
                        .push(format!("TEB {:#x} of thread {:#x}: PEB: {e}", t.teb, t.id)),
                }
            }
            if let (Some(t32), None) = (teb32, info.peb32) {
                match self.ptr_at(t32, LAYOUT32.teb_peb, &LAYOUT32) {
                    Ok(p) if p != 0 => info.peb32 = Some(p),
                    Ok(_) => {}
                    Err(e) => info
                        .warnings
                        .push(format!("TEB32 {t32:#x} of thread {:#x}: PEB32: {e}", t.id)),
                }
            }
            info.threads.push(ThreadTeb {
                id: t.id,
                teb: t.teb,
                stack_base_limit: stack,
                teb32,
                stack32_base_limit: stack32,
            });
        }
        info.is_wow64 = arch == Arch::X64 && (info.peb32.is_some() || wow64_module);
        if info.is_wow64 && info.peb32.is_none() {
            info.warnings
                .push("WOW64 process, but no 32-bit TEB/PEB is in the dump".to_string());
        }
        let mut warnings = std::mem::take(&mut info.warnings);
        let mut budget = Budget::new(self.limits());
        if let Some(peb) = info.peb {
            let f = self.read_peb(peb, &l, "PEB", &mut warnings, &mut budget);
            info.image_base = f.image_base;
            info.process_heap = f.process_heap;
            info.number_of_heaps = f.number_of_heaps;
            info.process_heaps = f.heaps;
            info.command_line = f.command_line;
            info.image_path = f.image_path;
            info.loader_modules = f.modules;
        } else {
            warnings.push("no PEB: no thread TEB is readable".to_string());
        }
        if let Some(peb32) = info.peb32 {
            let f = self.read_peb(peb32, &LAYOUT32, "PEB32", &mut warnings, &mut budget);
            info.image_base32 = f.image_base;
            info.process_heap32 = f.process_heap;
            info.number_of_heaps32 = f.number_of_heaps;
            info.process_heaps32 = f.heaps;
            if info.command_line.is_none() {
                info.command_line = f.command_line;
            }
            if info.image_path.is_none() {
                info.image_path = f.image_path;
            }
            info.loader_modules32 = f.modules;
        }
        let listed: HashSet<u64> = modules
            .iter()
            .map(|m| m.base)
            .chain(info.loader_modules.iter().map(|m| m.base))
            .chain(info.loader_modules32.iter().map(|m| m.base))
            .collect();
        info.unlisted_images = self
            .mapped_images()
            .into_iter()
            .filter(|i| !listed.contains(&i.base))
            .collect();
        info.warnings = warnings;
        Ok(info)
    }
}
