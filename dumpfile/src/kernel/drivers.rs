//! Loaded drivers (`PsLoadedModuleList` walk or the triage driver list), unloaded drivers
//! (`MmUnloadedDrivers` or the triage copy), and a minimal PE header read for the image's
//! time stamp, checksum and CodeView id.

use std::collections::HashSet;

use super::KernelDump;
use super::bytes::{get, u16_at, u32_at, u64_at, utf16};
use super::memory::KernelMemory;
use crate::Error;

/// The CodeView (RSDS) id of an image: what a symbol server is asked for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CodeViewId {
    /// The PDB file name as recorded (often a full build path).
    pub pdb_name: String,
    /// The PDB GUID, as stored (little-endian Data1..Data3).
    pub guid: [u8; 16],
    /// The PDB age.
    pub age: u32,
}

impl CodeViewId {
    /// The GUID in registry form, `3249D99D-0C4F-4E8B-9B8C-2F7A3A0D6E15`.
    pub fn guid_string(&self) -> String {
        let g = &self.guid;
        let d1 = u32::from_le_bytes([g[0], g[1], g[2], g[3]]);
        let d2 = u16::from_le_bytes([g[4], g[5]]);
        let d3 = u16::from_le_bytes([g[6], g[7]]);
        format!(
            "{d1:08X}-{d2:04X}-{d3:04X}-{:02X}{:02X}-{:02X}{:02X}{:02X}{:02X}{:02X}{:02X}",
            g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]
        )
    }

    /// The symbol-server key: GUID without dashes followed by the age in hex.
    pub fn symbol_key(&self) -> String {
        format!("{}{:X}", self.guid_string().replace('-', ""), self.age)
    }
}

/// A loaded driver (kernel module).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Driver {
    /// File name as `lm` shows it (`ntoskrnl.exe`).
    pub name: String,
    /// Full path when present (`\SystemRoot\system32\ntoskrnl.exe`).
    pub path: Option<String>,
    /// Image base.
    pub base: u64,
    /// Image size in bytes.
    pub size: u64,
    /// Link time stamp: from the PE header when it is in the dump, else from the loader entry.
    pub timestamp: Option<u32>,
    /// PE checksum: from the PE header when it is in the dump, else from the loader entry.
    pub checksum: Option<u32>,
    /// Virtual address of the `_KLDR_DATA_TABLE_ENTRY` (None for the triage list).
    pub entry_address: Option<u64>,
    /// The CodeView id, when the image's headers and debug directory are in the dump.
    pub codeview: Option<CodeViewId>,
}

/// An unloaded driver (`_UNLOADED_DRIVERS` entry).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnloadedDriver {
    /// File name.
    pub name: String,
    /// First address the image occupied.
    pub start: u64,
    /// One past its last address.
    pub end: u64,
    /// Unload time (FILETIME), when recorded (not in triage dumps).
    pub time: Option<u64>,
}

/// What the PE headers at an image base say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PeInfo {
    pub(crate) timestamp: u32,
    pub(crate) checksum: u32,
    pub(crate) size_of_image: u32,
    pub(crate) codeview: Option<CodeViewId>,
}

/// Reads the PE headers of the image at `base` (only what is needed; bounded reads).
pub(crate) fn pe_info(mem: &KernelMemory<'_>, base: u64) -> Option<PeInfo> {
    let mut dos = [0u8; 0x40];
    mem.read(base, &mut dos).ok()?;
    if dos.get(..2)? != b"MZ" {
        return None;
    }
    let lfanew = u64::from(u32_at(&dos, 0x3C)?);
    if lfanew > 0x1000 {
        return None;
    }
    let mut nt = [0u8; 0x108];
    mem.read(base.checked_add(lfanew)?, &mut nt).ok()?;
    if nt.get(..4)? != b"PE\0\0" {
        return None;
    }
    let timestamp = u32_at(&nt, 8)?;
    let opt = 0x18u64;
    let magic = u16_at(&nt, opt)?;
    let checksum = u32_at(&nt, opt.checked_add(0x40)?)?;
    let size_of_image = u32_at(&nt, opt.checked_add(0x38)?)?;
    let dirs = match magic {
        0x10B => opt.checked_add(0x60)?,
        0x20B => opt.checked_add(0x70)?,
        _ => return None,
    };
    let count_off = dirs.checked_sub(4)?;
    let ndirs = u32_at(&nt, count_off)?;
    let codeview = (ndirs > 6)
        .then(|| {
            let dbg_rva = u64::from(u32_at(&nt, dirs.checked_add(6 * 8)?)?);
            let dbg_size = u64::from(u32_at(&nt, dirs.checked_add(6 * 8 + 4)?)?);
            codeview(mem, base, dbg_rva, dbg_size, size_of_image)
        })
        .flatten();
    Some(PeInfo {
        timestamp,
        checksum,
        size_of_image,
        codeview,
    })
}

fn codeview(
    mem: &KernelMemory<'_>,
    base: u64,
    rva: u64,
    size: u64,
    image: u32,
) -> Option<CodeViewId> {
    if rva == 0 || size == 0 || rva >= u64::from(image) {
        return None;
    }
    let n = (size / 0x1C).min(16);
    for i in 0..n {
        let mut d = [0u8; 0x1C];
        mem.read(
            base.checked_add(rva)?.checked_add(i.checked_mul(0x1C)?)?,
            &mut d,
        )
        .ok()?;
        if u32_at(&d, 0xC)? != 2 {
            continue;
        }
        let cv_size = u64::from(u32_at(&d, 0x10)?).min(0x400);
        let cv_rva = u64::from(u32_at(&d, 0x14)?);
        if cv_size < 24 || cv_rva >= u64::from(image) {
            return None;
        }
        let mut cv = vec![0u8; usize::try_from(cv_size).ok()?];
        mem.read(base.checked_add(cv_rva)?, &mut cv).ok()?;
        if cv.get(..4)? != b"RSDS" {
            return None;
        }
        let mut guid = [0u8; 16];
        guid.copy_from_slice(cv.get(4..20)?);
        let age = u32_at(&cv, 20)?;
        let name = super::bytes::ascii(cv.get(24..)?);
        return Some(CodeViewId {
            pdb_name: name,
            guid,
            age,
        });
    }
    None
}

/// The file part of a path.
pub(crate) fn file_name(path: &str) -> String {
    path.rsplit(['\\', '/']).next().unwrap_or(path).to_string()
}

/// Loader-entry offsets: DllBase, SizeOfImage, FullDllName, BaseDllName, CheckSum,
/// TimeDateStamp.
struct LdrOffsets {
    dll_base: u64,
    size_of_image: u64,
    full_name: u64,
    base_name: u64,
    checksum: u64,
    timestamp: u64,
}

fn ldr_offsets(is_64bit: bool, build: u32) -> LdrOffsets {
    let win10 = build >= 10240;
    if is_64bit {
        LdrOffsets {
            dll_base: 0x30,
            size_of_image: 0x40,
            full_name: 0x48,
            base_name: 0x58,
            checksum: 0x78,
            timestamp: if win10 { 0x9C } else { 0x80 },
        }
    } else {
        LdrOffsets {
            dll_base: 0x18,
            size_of_image: 0x20,
            full_name: 0x24,
            base_name: 0x2C,
            checksum: 0x40,
            timestamp: if win10 { 0x58 } else { 0x44 },
        }
    }
}

/// Reads a `UNICODE_STRING` at `addr` through memory, bounded by `max` bytes.
fn unicode_string(mem: &KernelMemory<'_>, addr: u64, max: u32) -> Option<String> {
    let len = mem.read_u16(addr).ok()?;
    let ptr_off = if mem.pointer_size() == 8 { 8 } else { 4 };
    let buf = mem.read_pointer_at(addr.checked_add(ptr_off)?).ok()?;
    let n = u32::from(len).min(max) & !1;
    if n == 0 || buf == 0 {
        return None;
    }
    let mut v = vec![0u8; usize::try_from(n).ok()?];
    mem.read(buf, &mut v).ok()?;
    Some(utf16(&v))
}

impl KernelMemory<'_> {
    fn read_pointer_at(&self, addr: u64) -> Result<u64, Error> {
        self.read_pointer(addr)
    }
}

impl KernelDump {
    /// The loaded drivers: the triage driver list for triage dumps, else a walk of
    /// `PsLoadedModuleList` (from the header, or from the KDBG when the header's is 0), in list
    /// order. The walk stops with [`Error::ListTooLong`] after
    /// `min(Limits::max_list_steps, Limits::max_drivers)` entries and with [`Error::ListCycle`]
    /// on a loop.
    pub fn drivers(&self) -> Result<Vec<Driver>, Error> {
        if let Some(t) = self.triage() {
            return Ok(self.triage_drivers(t.header()));
        }
        let mut head = self.header().ps_loaded_module_list;
        if head == 0 {
            head = self
                .kdbg()
                .ok()
                .and_then(|k| k.ps_loaded_module_list())
                .ok_or(Error::Corrupt {
                    address: 0,
                    reason: "no PsLoadedModuleList in the header or KDBG",
                })?;
        }
        let mem = self.memory();
        let o = ldr_offsets(self.header().is_64bit, self.header().minor_version);
        let limit = self.limits().max_list_steps.min(self.limits().max_drivers);
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let mut cur = mem.read_pointer(head)?;
        while cur != head {
            if out.len() >= usize::try_from(limit).unwrap_or(usize::MAX) {
                return Err(Error::ListTooLong { head, limit });
            }
            if cur == 0 {
                return Err(Error::Corrupt {
                    address: head,
                    reason: "NULL link in PsLoadedModuleList",
                });
            }
            if !seen.insert(cur) {
                return Err(Error::ListCycle { at: cur });
            }
            let e = cur;
            let at = |off: u64| e.saturating_add(off);
            let base = mem.read_pointer(at(o.dll_base))?;
            let size = u64::from(mem.read_u32(at(o.size_of_image))?);
            let max = self.limits().max_string_bytes;
            let path = unicode_string(&mem, at(o.full_name), max);
            let base_name = unicode_string(&mem, at(o.base_name), max);
            let name = base_name
                .or_else(|| path.as_deref().map(file_name))
                .unwrap_or_default();
            let pe = pe_info(&mem, base);
            let (timestamp, checksum, codeview) = match pe {
                Some(p) => (Some(p.timestamp), Some(p.checksum), p.codeview),
                None => (
                    mem.read_u32(at(o.timestamp)).ok(),
                    mem.read_u32(at(o.checksum)).ok(),
                    None,
                ),
            };
            out.push(Driver {
                name,
                path,
                base,
                size,
                timestamp,
                checksum,
                entry_address: Some(e),
                codeview,
            });
            cur = mem.read_pointer(e)?;
        }
        Ok(out)
    }

    fn triage_drivers(&self, t: &super::TriageHeader) -> Vec<Driver> {
        let bytes = self.as_bytes();
        if t.fields & super::triage_fields::DRIVER_LIST == 0 {
            return Vec::new();
        }
        let is64 = self.header().is_64bit;
        let count = t.driver_count.min(self.limits().max_drivers);
        let list = u64::from(t.driver_list_offset);
        let pool = u64::from(t.string_pool_offset);
        // Entry size: DUMP_DRIVER_ENTRY = name offset (+ pad on x64) + KLDR_DATA_TABLE_ENTRY.
        // The list is followed by the string pool; use the gap when it divides evenly.
        let default_size: u64 = if is64 { 0x90 } else { 0x4C };
        let entry_size = match pool.checked_sub(list) {
            Some(gap) if count > 0 && gap.checked_rem(u64::from(count)) == Some(0) => {
                match gap.checked_div(u64::from(count)) {
                    Some(s) if (0x40..=0x200).contains(&s) => s,
                    _ => default_size,
                }
            }
            _ => default_size,
        };
        let ldr = if is64 { 8u64 } else { 4 };
        let (o_base, o_size, o_ck, o_ts) = if is64 {
            (0x30u64, 0x40u64, 0x78u64, 0x80u64)
        } else {
            (0x18, 0x20, 0x40, 0x44)
        };
        let mem = self.memory();
        let mut out = Vec::new();
        for i in 0..u64::from(count) {
            let e = list.saturating_add(i.saturating_mul(entry_size));
            let Some(name_off) = u32_at(bytes, e).map(u64::from) else {
                break;
            };
            let l = e.saturating_add(ldr);
            let ptr = |o: u64| {
                if is64 {
                    u64_at(bytes, l.saturating_add(o))
                } else {
                    u32_at(bytes, l.saturating_add(o)).map(u64::from)
                }
            };
            let Some(base) = ptr(o_base) else { break };
            let size = u32_at(bytes, l.saturating_add(o_size))
                .map(u64::from)
                .unwrap_or(0);
            let path = u32_at(bytes, name_off).and_then(|chars| {
                let n = u64::from(chars)
                    .saturating_mul(2)
                    .min(u64::from(self.limits().max_string_bytes));
                get(bytes, name_off.saturating_add(4), n).map(utf16)
            });
            let name = path.as_deref().map(file_name).unwrap_or_default();
            let pe = pe_info(&mem, base);
            let (timestamp, checksum, codeview) = match pe {
                Some(p) => (Some(p.timestamp), Some(p.checksum), p.codeview),
                None => (
                    u32_at(bytes, l.saturating_add(o_ts)),
                    u32_at(bytes, l.saturating_add(o_ck)),
                    None,
                ),
            };
            out.push(Driver {
                name,
                path,
                base,
                size,
                timestamp,
                checksum,
                entry_address: None,
                codeview,
            });
        }
        out
    }

    /// The unloaded drivers, most recent first: the triage copy, or `MmUnloadedDrivers` (a
    /// ring of 50 `_UNLOADED_DRIVERS`, next slot `MmLastUnloadedDriver`) through the KDBG.
    pub fn unloaded_drivers(&self) -> Result<Vec<UnloadedDriver>, Error> {
        let is64 = self.header().is_64bit;
        if let Some(t) = self.triage() {
            let bytes = self.as_bytes();
            let off = u64::from(t.header().unloaded_drivers_offset);
            if off == 0 {
                return Ok(Vec::new());
            }
            let count = u32_at(bytes, off).ok_or(Error::BadKernelDump {
                offset: off,
                reason: "unloaded-driver list outside the file",
            })?;
            let (first, size, name_at, start_at, end_at) = if is64 {
                (8u64, 0x38u64, 0x10u64, 0x28u64, 0x30u64)
            } else {
                (4, 0x28, 0x8, 0x20, 0x24)
            };
            let n = count.min(self.limits().max_drivers);
            let mut out = Vec::new();
            for i in 0..u64::from(n) {
                let e = off
                    .saturating_add(first)
                    .saturating_add(i.saturating_mul(size));
                let Some(len) = u16_at(bytes, e) else { break };
                let name = get(bytes, e.saturating_add(name_at), u64::from(len).min(24))
                    .map(utf16)
                    .unwrap_or_default();
                let (start, end) = if is64 {
                    (
                        u64_at(bytes, e.saturating_add(start_at)),
                        u64_at(bytes, e.saturating_add(end_at)),
                    )
                } else {
                    (
                        u32_at(bytes, e.saturating_add(start_at)).map(u64::from),
                        u32_at(bytes, e.saturating_add(end_at)).map(u64::from),
                    )
                };
                let (Some(start), Some(end)) = (start, end) else {
                    break;
                };
                out.push(UnloadedDriver {
                    name,
                    start,
                    end,
                    time: None,
                });
            }
            return Ok(out);
        }
        let k = self.kdbg()?;
        let mem = self.memory();
        let var = k.mm_unloaded_drivers().ok_or(Error::KdbgNotFound {
            address: k.address,
            reason: "KDBG has no MmUnloadedDrivers",
        })?;
        let array = mem.read_pointer(var)?;
        if array == 0 {
            return Ok(Vec::new());
        }
        let last = match k.mm_last_unloaded_driver() {
            Some(a) => mem.read_u32(a)?,
            None => 0,
        };
        const SLOTS: u64 = 50;
        let (size, start_at, end_at, time_at, ptr_at) = if is64 {
            (0x28u64, 0x10u64, 0x18u64, 0x20u64, 8u64)
        } else {
            (0x18, 0x8, 0xC, 0x10, 4)
        };
        let mut out = Vec::new();
        let last = u64::from(last) % SLOTS;
        for k in 1..=SLOTS {
            let i = last.wrapping_add(SLOTS).wrapping_sub(k) % SLOTS;
            let e = array.saturating_add(i.saturating_mul(size));
            let len = mem.read_u16(e)?;
            let buf = mem.read_pointer(e.saturating_add(ptr_at))?;
            if len == 0 || buf == 0 {
                continue;
            }
            let n = u32::from(len).min(self.limits().max_string_bytes) & !1;
            let mut v = vec![0u8; usize::try_from(n).unwrap_or(0)];
            let name = match mem.read(buf, &mut v) {
                Ok(()) => utf16(&v),
                Err(_) => String::new(),
            };
            out.push(UnloadedDriver {
                name,
                start: mem.read_pointer(e.saturating_add(start_at))?,
                end: mem.read_pointer(e.saturating_add(end_at))?,
                time: mem.read_u64(e.saturating_add(time_at)).ok(),
            });
        }
        Ok(out)
    }
}
