//! The x86 kernel trap frame (`_KTRAP_FRAME` of 32-bit Windows).
//!
//! x86 trap handlers (`KiTrap0E`...) build the frame on the kernel stack and point EBP at it,
//! and copy the interrupted EBP and EIP to `DbgEbp`/`DbgEip` at its start so that an EBP chain
//! runs through it. The interrupted ESP is not always in the frame: the hardware pushes ESP
//! and SS only when it changes privilege (user mode) or leaves V86 mode. For a kernel-mode
//! frame the interrupted ESP is the address of `HardwareEsp` itself, unless the frame was
//! edited (an `NtContinue` to another kernel ESP), which clears the `FRAME_EDITED` bits of
//! `SegCs` and keeps the ESP in `TempEsp` (the rule of `KiEspFromTrapFrame`).

use zerocopy::FromBytes;

use crate::context::ContextX86;
use crate::raw;
use crate::{Error, ReadMemory};

/// The bits of `SegCs` that an edited kernel frame clears.
pub const FRAME_EDITED: u32 = 0xfff8;
/// `EFLAGS.VM`: the interrupted code ran in virtual-8086 mode.
pub const EFLAGS_V86_MASK: u32 = 0x0002_0000;
/// Offset of `HardwareEsp` in the x86 `_KTRAP_FRAME` (every layout).
pub const HARDWARE_ESP_OFFSET: u32 = 0x74;

/// Which x86 `_KTRAP_FRAME` layout the kernel uses. The two differ before `ExceptionList`
/// (0x4c): `TempSegCs`, `TempEsp`, EDX, ECX, EAX.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum X86TrapLayout {
    /// Windows XP to 7 (checked against the XP 2600 and 7 7601 layouts).
    #[default]
    Xp,
    /// Windows 10 (from a Windows 10 1903 layout; 8 and 8.1 are assumed to match, unverified).
    Win10,
}

impl X86TrapLayout {
    /// The layout of an OS build number (below 9200, Windows 8: [`X86TrapLayout::Xp`]).
    pub fn for_build(build: u32) -> Self {
        if build < 9200 {
            X86TrapLayout::Xp
        } else {
            X86TrapLayout::Win10
        }
    }
}

/// An x86 `_KTRAP_FRAME`, reduced to the fields `.trap` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KTrapFrameX86 {
    /// Where the trap frame was read.
    pub address: u32,
    /// `DbgEbp`: a copy of EBP that lets an EBP chain run through the frame.
    pub dbg_ebp: u32,
    /// `DbgEip`: a copy of EIP.
    pub dbg_eip: u32,
    /// `TempSegCs` (CS of an edited frame).
    pub temp_seg_cs: u32,
    /// `TempEsp` (ESP of an edited frame).
    pub temp_esp: u32,
    /// EAX.
    pub eax: u32,
    /// ECX.
    pub ecx: u32,
    /// EDX.
    pub edx: u32,
    /// EBX.
    pub ebx: u32,
    /// ESI.
    pub esi: u32,
    /// EDI.
    pub edi: u32,
    /// EBP.
    pub ebp: u32,
    /// `ErrCode`.
    pub error_code: u32,
    /// The interrupted EIP.
    pub eip: u32,
    /// `SegCs`.
    pub seg_cs: u32,
    /// EFLAGS.
    pub eflags: u32,
    /// `HardwareEsp`: the interrupted ESP for user-mode and V86 frames only.
    pub hardware_esp: u32,
    /// `HardwareSegSs`: valid with `HardwareEsp`.
    pub hardware_seg_ss: u32,
}

impl KTrapFrameX86 {
    /// Size of an x86 `_KTRAP_FRAME` (both layouts).
    pub const SIZE: usize = 0x8c;

    /// Parses the first [`KTrapFrameX86::SIZE`] bytes of `bytes`, the frame at `address`.
    pub fn parse(address: u32, bytes: &[u8], layout: X86TrapLayout) -> Result<Self, Error> {
        let bad = Error::BadTrapFrame {
            what: "x86 KTRAP_FRAME (truncated)",
            addr: u64::from(address),
        };
        // Fields from ExceptionList on are at the same offsets in both layouts.
        let (t, _) = raw::KTrapFrameX86::read_from_prefix(bytes).map_err(|_| bad.clone())?;
        let mut f = KTrapFrameX86 {
            address,
            dbg_ebp: t.dbg_ebp.get(),
            dbg_eip: t.dbg_eip.get(),
            temp_seg_cs: t.temp_seg_cs.get(),
            temp_esp: t.temp_esp.get(),
            eax: t.eax.get(),
            ecx: t.ecx.get(),
            edx: t.edx.get(),
            ebx: t.ebx.get(),
            esi: t.esi.get(),
            edi: t.edi.get(),
            ebp: t.ebp.get(),
            error_code: t.err_code.get(),
            eip: t.eip.get(),
            seg_cs: t.seg_cs.get(),
            eflags: t.e_flags.get(),
            hardware_esp: t.hardware_esp.get(),
            hardware_seg_ss: t.hardware_seg_ss.get(),
        };
        if layout == X86TrapLayout::Win10 {
            let (w, _) = raw::KTrapFrameX86Win10::read_from_prefix(bytes).map_err(|_| bad)?;
            f.temp_seg_cs = u32::from(w.temp_seg_cs.get());
            f.temp_esp = w.temp_esp.get();
            f.eax = w.eax.get();
            f.ecx = w.ecx.get();
            f.edx = w.edx.get();
        }
        Ok(f)
    }

    /// Reads and parses the trap frame at `address`.
    pub fn read(
        memory: &dyn ReadMemory,
        address: u32,
        layout: X86TrapLayout,
    ) -> Result<Self, Error> {
        let mut b = [0u8; Self::SIZE];
        memory.read(u64::from(address), &mut b)?;
        Self::parse(address, &b, layout)
    }

    /// True when the interrupted code ran in user mode (CS has RPL 3).
    pub fn is_user_mode(&self) -> bool {
        self.seg_cs & 3 == 3
    }

    /// True when the interrupted code ran in virtual-8086 mode.
    pub fn is_v86(&self) -> bool {
        self.eflags & EFLAGS_V86_MASK != 0
    }

    /// True for a kernel-mode frame whose ESP was edited (kept in `TempEsp`).
    pub fn is_edited(&self) -> bool {
        !self.is_user_mode() && !self.is_v86() && self.seg_cs & FRAME_EDITED == 0
    }

    /// The interrupted ESP (`KiEspFromTrapFrame`): `HardwareEsp` for user-mode and V86 frames,
    /// `TempEsp` for an edited kernel frame, else the address of `HardwareEsp` (the hardware
    /// pushed nothing more for a kernel-to-kernel trap).
    pub fn esp(&self) -> u32 {
        if self.is_user_mode() || self.is_v86() {
            self.hardware_esp
        } else if self.is_edited() {
            self.temp_esp
        } else {
            self.address.wrapping_add(HARDWARE_ESP_OFFSET)
        }
    }

    /// The interrupted CS (`TempSegCs` for an edited frame).
    pub fn cs(&self) -> u32 {
        if self.is_edited() {
            self.temp_seg_cs
        } else {
            self.seg_cs
        }
    }

    /// True when the frame is well formed: EFLAGS bit 1 (always 1) set, CS with RPL 0 or 3
    /// (or V86 mode), and a non-zero EIP.
    pub fn is_plausible(&self) -> bool {
        self.eflags & 2 != 0 && (matches!(self.cs() & 3, 0 | 3) || self.is_v86()) && self.eip != 0
    }

    /// True when `DbgEbp`/`DbgEip` repeat EBP/EIP, as the trap handlers write them: together
    /// with [`is_plausible`](Self::is_plausible), what the walker takes as "EBP points at a
    /// trap frame".
    pub fn links_match(&self) -> bool {
        self.dbg_ebp == self.ebp && self.dbg_eip == self.eip
    }

    /// The registers at the interruption (all eight general-purpose registers and EIP).
    pub fn context(&self) -> ContextX86 {
        ContextX86 {
            eip: self.eip,
            gpr: [
                self.eax,
                self.ecx,
                self.edx,
                self.ebx,
                self.esp(),
                self.ebp,
                self.esi,
                self.edi,
            ],
            valid: 0xff,
        }
    }
}
