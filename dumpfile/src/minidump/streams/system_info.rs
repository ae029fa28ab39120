//! `MINIDUMP_SYSTEM_INFO` (SystemInfoStream): processor architecture, OS version.

use std::ops::Deref;

use zerocopy::FromBytes;

use super::*;
use crate::minidump::stream_type;
use crate::{Error, Minidump, raw};

/// Processor architecture of the dumped process's machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Arch {
    /// 32-bit x86 (`PROCESSOR_ARCHITECTURE_INTEL`, 0).
    X86,
    /// x86-64 (`PROCESSOR_ARCHITECTURE_AMD64`, 9).
    X64,
    /// ARM64 (`PROCESSOR_ARCHITECTURE_ARM64`, 12).
    Arm64,
    /// Anything else, or no SystemInfo stream (`0xffff`).
    Unknown(u16),
}

impl Arch {
    /// From `PROCESSOR_ARCHITECTURE_*`.
    pub fn from_raw(v: u16) -> Arch {
        match v {
            0 => Arch::X86,
            9 => Arch::X64,
            12 => Arch::Arm64,
            other => Arch::Unknown(other),
        }
    }

    /// Pointer size in bytes of the native process (4, 8, or 8 for unknown).
    pub fn pointer_size(&self) -> usize {
        match self {
            Arch::X86 => 4,
            _ => 8,
        }
    }

    /// `"x86"`, `"x64"`, `"arm64"` or `"unknown"`.
    pub fn name(&self) -> &'static str {
        match self {
            Arch::X86 => "x86",
            Arch::X64 => "x64",
            Arch::Arm64 => "arm64",
            Arch::Unknown(_) => "unknown",
        }
    }
}

impl std::fmt::Display for Arch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Arch::Unknown(v) => write!(f, "unknown({v:#x})"),
            a => f.write_str(a.name()),
        }
    }
}

/// `MINIDUMP_SYSTEM_INFO`, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemInfo {
    /// Architecture.
    pub arch: Arch,
    /// Processor level (family).
    pub processor_level: u16,
    /// Processor revision.
    pub processor_revision: u16,
    /// Number of processors.
    pub processors: u8,
    /// `VER_NT_WORKSTATION` (1), `VER_NT_DOMAIN_CONTROLLER` (2), `VER_NT_SERVER` (3).
    pub product_type: u8,
    /// OS major version.
    pub major: u32,
    /// OS minor version.
    pub minor: u32,
    /// OS build number.
    pub build: u32,
    /// `VER_PLATFORM_WIN32_NT` (2) for NT.
    pub platform_id: u32,
    /// Service pack string ("Service Pack 1"); `None` if absent or empty.
    pub csd_version: Option<String>,
    /// `VER_SUITE_*` mask.
    pub suite_mask: u16,
    /// x86 CPUID vendor string ("GenuineIntel"), when the CPU union holds x86 information.
    pub cpu_vendor: Option<String>,
    /// The raw `CPU_INFORMATION` union.
    pub cpu_raw: [u8; 24],
}

impl<D: Deref<Target = [u8]>> Minidump<D> {
    /// The SystemInfo stream.
    pub fn system_info(&self) -> Result<Option<SystemInfo>, Error> {
        let st = stream_type::SYSTEM_INFO;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(None);
        };
        let (s, _) = raw::SystemInfo::read_from_prefix(b)
            .map_err(|_| bad(st, rva, "shorter than MINIDUMP_SYSTEM_INFO"))?;
        let arch = Arch::from_raw(s.processor_architecture.get());
        // A bad CSD string is not fatal to the rest of the system info.
        let csd_version = self
            .optional_string(s.csd_version_rva.get(), &mut Budget::new(self.limits()))
            .unwrap_or(None);
        let cpu_vendor = if arch == Arch::X86 || arch == Arch::X64 {
            let v = s.cpu.get(..12).unwrap_or(&[]);
            if v.iter().all(|c| c.is_ascii_graphic()) {
                Some(String::from_utf8_lossy(v).into_owned())
            } else {
                None
            }
        } else {
            None
        };
        Ok(Some(SystemInfo {
            arch,
            processor_level: s.processor_level.get(),
            processor_revision: s.processor_revision.get(),
            processors: s.number_of_processors,
            product_type: s.product_type,
            major: s.major_version.get(),
            minor: s.minor_version.get(),
            build: s.build_number.get(),
            platform_id: s.platform_id.get(),
            csd_version,
            suite_mask: s.suite_mask.get(),
            cpu_vendor,
            cpu_raw: s.cpu,
        }))
    }

    /// The architecture from SystemInfo (`Unknown(0xffff)` if the stream is absent or bad).
    pub fn arch(&self) -> Arch {
        *self.arch_cache.get_or_init(|| {
            self.raw_stream(stream_type::SYSTEM_INFO)
                .and_then(|b| crate::bytes::le_u16(b, 0))
                .map_or(Arch::Unknown(0xffff), Arch::from_raw)
        })
    }

    /// True if the ModuleList names `wow64.dll` (the WOW64 layer of a 32-bit process in an x64
    /// dump). Computed once.
    pub fn has_wow64_module(&self) -> bool {
        self.module_facts().1
    }

    /// (ModuleList non-empty, ModuleList names `wow64.dll`), computed once.
    pub(crate) fn module_facts(&self) -> (bool, bool) {
        *self.wow64_cache.get_or_init(|| {
            let ms = self.modules().unwrap_or_default();
            let wow64 = ms
                .iter()
                .any(|m| m.base_name().eq_ignore_ascii_case("wow64.dll"));
            (!ms.is_empty(), wow64)
        })
    }
}
