//! `MEM_*` states and types and `PAGE_*` protections of a region (`MEMORY_BASIC_INFORMATION`,
//! MemoryInfoList), as bit flags whose `Display` gives the names WinDbg's `!address` prints.

use core::fmt;

bitflags::bitflags! {
    /// `MEMORY_BASIC_INFORMATION.State`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct MemState: u32 {
        /// `MEM_COMMIT`.
        const COMMIT = 0x1000;
        /// `MEM_RESERVE`.
        const RESERVE = 0x2000;
        /// `MEM_FREE`.
        const FREE = 0x1_0000;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `MEMORY_BASIC_INFORMATION.Type` (0 for free regions).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct MemType: u32 {
        /// `MEM_PRIVATE`.
        const PRIVATE = 0x2_0000;
        /// `MEM_MAPPED`.
        const MAPPED = 0x4_0000;
        /// `MEM_IMAGE`.
        const IMAGE = 0x100_0000;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `MEMORY_BASIC_INFORMATION.Protect` / `AllocationProtect`: one access value in the low
    /// byte plus modifiers.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct PageProtection: u32 {
        /// `PAGE_NOACCESS`.
        const NOACCESS = 0x01;
        /// `PAGE_READONLY`.
        const READONLY = 0x02;
        /// `PAGE_READWRITE`.
        const READWRITE = 0x04;
        /// `PAGE_WRITECOPY`.
        const WRITECOPY = 0x08;
        /// `PAGE_EXECUTE`.
        const EXECUTE = 0x10;
        /// `PAGE_EXECUTE_READ`.
        const EXECUTE_READ = 0x20;
        /// `PAGE_EXECUTE_READWRITE`.
        const EXECUTE_READWRITE = 0x40;
        /// `PAGE_EXECUTE_WRITECOPY`.
        const EXECUTE_WRITECOPY = 0x80;
        /// `PAGE_GUARD`.
        const GUARD = 0x100;
        /// `PAGE_NOCACHE`.
        const NOCACHE = 0x200;
        /// `PAGE_WRITECOMBINE`.
        const WRITECOMBINE = 0x400;
        const _ = !0;
    }
}

/// `MEM_COMMIT`, `MEM_RESERVE`, `MEM_FREE`, or the value in hex (`0x0`) for anything else.
impl fmt::Display for MemState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            MemState::COMMIT => f.pad("MEM_COMMIT"),
            MemState::RESERVE => f.pad("MEM_RESERVE"),
            MemState::FREE => f.pad("MEM_FREE"),
            other => f.pad(&format!("{:#x}", other.bits())),
        }
    }
}

/// `MEM_PRIVATE`, `MEM_MAPPED`, `MEM_IMAGE`, or the value in hex (`0x0`) for anything else.
impl fmt::Display for MemType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            MemType::PRIVATE => f.pad("MEM_PRIVATE"),
            MemType::MAPPED => f.pad("MEM_MAPPED"),
            MemType::IMAGE => f.pad("MEM_IMAGE"),
            other => f.pad(&format!("{:#x}", other.bits())),
        }
    }
}

/// The access value's name and then each modifier, as `!address` prints them:
/// `PAGE_READWRITE | PAGE_GUARD`; `<unknown>` for no access value (free or reserved regions),
/// the low byte in hex for a value that is not one of the eight.
impl fmt::Display for PageProtection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let access = self.bits() & 0xff;
        let mut name = match access {
            0x01 => "PAGE_NOACCESS".to_string(),
            0x02 => "PAGE_READONLY".to_string(),
            0x04 => "PAGE_READWRITE".to_string(),
            0x08 => "PAGE_WRITECOPY".to_string(),
            0x10 => "PAGE_EXECUTE".to_string(),
            0x20 => "PAGE_EXECUTE_READ".to_string(),
            0x40 => "PAGE_EXECUTE_READWRITE".to_string(),
            0x80 => "PAGE_EXECUTE_WRITECOPY".to_string(),
            0 => "<unknown>".to_string(),
            other => format!("{other:#x}"),
        };
        for (flag, modifier) in [
            (PageProtection::GUARD, "PAGE_GUARD"),
            (PageProtection::NOCACHE, "PAGE_NOCACHE"),
            (PageProtection::WRITECOMBINE, "PAGE_WRITECOMBINE"),
        ] {
            if self.contains(flag) {
                name.push_str(" | ");
                name.push_str(modifier);
            }
        }
        f.pad(&name)
    }
}

impl PageProtection {
    /// Whether the access value allows execution (`PAGE_EXECUTE*`).
    pub fn is_executable(self) -> bool {
        self.bits() & 0xf0 != 0
    }
    /// Whether the access value allows writing (`PAGE_READWRITE`, `PAGE_WRITECOPY` and their
    /// executable forms).
    pub fn is_writable(self) -> bool {
        self.bits() & 0xcc != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_windbg_prints_them() {
        assert_eq!(MemState::COMMIT.to_string(), "MEM_COMMIT");
        assert_eq!(MemState::from_bits_retain(0).to_string(), "0x0");
        assert_eq!(MemState::from_bits_retain(0x3000).to_string(), "0x3000");
        assert_eq!(MemType::IMAGE.to_string(), "MEM_IMAGE");
        assert_eq!(MemType::from_bits_retain(0).to_string(), "0x0");
        let p = PageProtection::from_bits_retain(0x104);
        assert_eq!(p.to_string(), "PAGE_READWRITE | PAGE_GUARD");
        assert_eq!(PageProtection::from_bits_retain(0).to_string(), "<unknown>");
        assert_eq!(
            PageProtection::from_bits_retain(0x703).to_string(),
            "0x3 | PAGE_GUARD | PAGE_NOCACHE | PAGE_WRITECOMBINE"
        );
        assert_eq!(format!("{:<12}|", MemState::FREE), "MEM_FREE    |");
        assert!(PageProtection::EXECUTE_READ.is_executable());
        assert!(!PageProtection::READWRITE.is_executable());
        assert!(PageProtection::EXECUTE_WRITECOPY.is_writable());
        assert!(!PageProtection::READONLY.is_writable());
    }
}
