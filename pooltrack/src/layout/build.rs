//! The key that selects a built-in layout: architecture and build number.

use crate::memory::PointerWidth;

/// Processor architecture of a Windows kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Arch {
    /// 32-bit x86 (`ntoskrnl.exe`/`ntkrpamp.exe`).
    X86,
    /// x64 (AMD64).
    X64,
}

impl Arch {
    /// Pointer width of the architecture.
    pub const fn pointer_width(self) -> PointerWidth {
        match self {
            Arch::X86 => PointerWidth::Bits32,
            Arch::X64 => PointerWidth::Bits64,
        }
    }
    /// Pointer size in bytes (4 or 8).
    pub const fn pointer_size(self) -> u64 {
        self.pointer_width().bytes()
    }
    /// The architecture of a PE/PDB machine type (0x14c, 0x8664), if it is one of ours.
    pub const fn from_machine(machine: u16) -> Option<Arch> {
        match machine {
            0x14c => Some(Arch::X86),
            0x8664 => Some(Arch::X64),
            _ => None,
        }
    }
}

/// A kernel build: the key that selects a built-in layout table.
///
/// `build` is the number in the dump header's MinorVersion (2600, 7601, 9600, 19041, 22631…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KernelBuild {
    /// Processor architecture.
    pub arch: Arch,
    /// Build number (MinorVersion of the dump header).
    pub build: u32,
}

impl KernelBuild {
    /// A build key.
    pub const fn new(arch: Arch, build: u32) -> Self {
        KernelBuild { arch, build }
    }
    /// Pointer width of the build's architecture.
    pub const fn pointer_width(&self) -> PointerWidth {
        self.arch.pointer_width()
    }
    /// The Windows release the build number belongs to, in words ("Windows 8.1", "Windows 10
    /// 1809"…); `None` for a number we do not know.
    pub fn release_name(&self) -> Option<&'static str> {
        Some(match self.build {
            2600 => "Windows XP",
            3790 => "Windows Server 2003",
            6000..=6002 => "Windows Vista",
            7600 | 7601 => "Windows 7",
            9200 => "Windows 8",
            9600 => "Windows 8.1",
            10240 => "Windows 10 1507",
            10586 => "Windows 10 1511",
            14393 => "Windows 10 1607",
            15063 => "Windows 10 1703",
            16299 => "Windows 10 1709",
            17134 => "Windows 10 1803",
            17763 => "Windows 10 1809",
            18362 => "Windows 10 1903",
            18363 => "Windows 10 1909",
            19041 => "Windows 10 2004",
            19042 => "Windows 10 20H2",
            19043 => "Windows 10 21H1",
            19044 => "Windows 10 21H2",
            19045 => "Windows 10 22H2",
            20348 => "Windows Server 2022",
            22000 => "Windows 11 21H2",
            22621 => "Windows 11 22H2",
            22631 => "Windows 11 23H2",
            26100 => "Windows 11 24H2",
            _ => return None,
        })
    }
}

impl core::fmt::Display for KernelBuild {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let arch = match self.arch {
            Arch::X86 => "x86",
            Arch::X64 => "x64",
        };
        match self.release_name() {
            Some(n) => write!(f, "{n} (build {}) {arch}", self.build),
            None => write!(f, "build {} {arch}", self.build),
        }
    }
}
