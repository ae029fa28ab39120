//! `_PEB` (native and WOW64 PEB32): image, command line, process heaps, loader list head.

use std::ops::Deref;

use std::collections::HashSet;

use super::*;
use crate::{Arch, Error, Minidump};

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

/// A heap of the process, as [`ProcessInfo::heaps`] lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HeapRef {
    /// The heap's address (its handle).
    pub address: u64,
    /// Listed by the WOW64 `PEB32` (a 32-bit heap); otherwise by the native PEB (a heap of the
    /// dump's own pointer width).
    pub peb32: bool,
}

impl ProcessInfo {
    /// Every heap of the process: the native PEB's `ProcessHeap` then `ProcessHeaps`, then the
    /// WOW64 `PEB32`'s. `ProcessHeap` counts even when the `ProcessHeaps` array is not in the dump
    /// (or does not list it); null entries are left out and an address is listed once (first
    /// PEB wins).
    pub fn heaps(&self) -> Vec<HeapRef> {
        let mut out: Vec<HeapRef> = Vec::new();
        let mut seen = HashSet::new();
        let sets = [
            (false, self.process_heap, &self.process_heaps),
            (true, self.process_heap32, &self.process_heaps32),
        ];
        for (peb32, single, list) in sets {
            let first = single.filter(|h| !list.contains(h));
            for address in first.into_iter().chain(list.iter().copied()) {
                if address != 0 && seen.insert(address) {
                    out.push(HeapRef { address, peb32 });
                }
            }
        }
        out
    }
}

/// Facts read from one PEB.
#[derive(Debug, Default)]
pub(crate) struct PebFacts {
    image_base: Option<u64>,
    process_heap: Option<u64>,
    number_of_heaps: Option<u32>,
    heaps: Vec<u64>,
    command_line: Option<String>,
    image_path: Option<String>,
    modules: Vec<LoaderModule>,
}

impl<D: Deref<Target = [u8]>> Minidump<D> {
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
}

impl<D: Deref<Target = [u8]>> Minidump<D> {
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

#[cfg(test)]
mod tests {
    use super::{HeapRef, ProcessInfo};

    fn r(address: u64, peb32: bool) -> HeapRef {
        HeapRef { address, peb32 }
    }

    #[test]
    fn heaps_native_then_wow64_with_process_heap_fallback() {
        // A WOW64 process: both PEBs list heaps; nulls are dropped, repeats listed once.
        let p = ProcessInfo {
            process_heap: Some(0x2d0000),
            process_heaps: vec![0x2d0000, 0, 0x4f0000],
            process_heap32: Some(0x8b0000),
            process_heaps32: vec![0x8b0000, 0x4f0000, 0x9a0000],
            ..ProcessInfo::default()
        };
        assert_eq!(
            p.heaps(),
            [
                r(0x2d0000, false),
                r(0x4f0000, false),
                r(0x8b0000, true),
                r(0x9a0000, true)
            ]
        );
        // ProcessHeaps not in the dump: ProcessHeap alone still names the default heap.
        let p = ProcessInfo {
            process_heap: Some(0x2d0000),
            ..ProcessInfo::default()
        };
        assert_eq!(p.heaps(), [r(0x2d0000, false)]);
        // ProcessHeap missing from a (damaged) list comes first.
        let p = ProcessInfo {
            process_heap32: Some(0x8b0000),
            process_heaps32: vec![0x9a0000],
            ..ProcessInfo::default()
        };
        assert_eq!(p.heaps(), [r(0x8b0000, true), r(0x9a0000, true)]);
        assert!(ProcessInfo::default().heaps().is_empty());
        assert!(
            ProcessInfo {
                process_heap: Some(0),
                ..ProcessInfo::default()
            }
            .heaps()
            .is_empty()
        );
    }
}
