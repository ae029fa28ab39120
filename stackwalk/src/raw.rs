//! Raw little-endian layouts of the kernel frames the walker reads, with SDK field names (as
//! the kernel PDBs name them), checked against PDB-derived layouts in the tests.
//!
//! - [`KTrapFrame`]: x64 `_KTRAP_FRAME` (0x190 bytes; identical for the fields below in
//!   Windows 7 SP1 7601, 8.1 9600, 11 22000 and 11 22631).
//! - [`KExceptionFrame`]: x64 `_KEXCEPTION_FRAME` (0x140 bytes, same builds; 0x28..0x30 and
//!   0xd8..0xf0 changed meaning between builds and are kept as raw words).
//! - [`KTrapFrameX86`]: x86 `_KTRAP_FRAME` of Windows XP to 7 (0x8c bytes);
//!   [`KTrapFrameX86Win10`]: the Windows 10 one (`DbgArgPointer` gone, 0x8c bytes).

use zerocopy::little_endian::{U16, U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// x64 `_KTRAP_FRAME`.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
#[allow(missing_docs)]
pub struct KTrapFrame {
    pub p1_home: U64,
    pub p2_home: U64,
    pub p3_home: U64,
    pub p4_home: U64,
    pub p5: U64,
    pub previous_mode: u8,
    pub previous_irql: u8,
    pub fault_indicator: u8,
    pub exception_active: u8,
    pub mx_csr: U32,
    pub rax: U64,
    pub rcx: U64,
    pub rdx: U64,
    pub r8: U64,
    pub r9: U64,
    pub r10: U64,
    pub r11: U64,
    pub gs_base: U64,
    pub xmm0_5: [[u8; 16]; 6],
    pub fault_address: U64,
    pub dr0: U64,
    pub dr1: U64,
    pub dr2: U64,
    pub dr3: U64,
    pub dr6: U64,
    pub dr7: U64,
    pub debug_control: U64,
    pub last_branch_to_rip: U64,
    pub last_branch_from_rip: U64,
    pub last_exception_to_rip: U64,
    pub last_exception_from_rip: U64,
    pub seg_ds: U16,
    pub seg_es: U16,
    pub seg_fs: U16,
    pub seg_gs: U16,
    pub trap_frame: U64,
    pub rbx: U64,
    pub rdi: U64,
    pub rsi: U64,
    pub rbp: U64,
    /// `ErrorCode`, or `ExceptionFrame` (a union).
    pub error_code: U64,
    pub rip: U64,
    pub seg_cs: U16,
    pub fill0: u8,
    pub logging: u8,
    pub fill1: [U16; 2],
    pub e_flags: U32,
    pub fill2: U32,
    pub rsp: U64,
    pub seg_ss: U16,
    pub fill3: U16,
    pub fill4: U32,
}
const _: () = assert!(size_of::<KTrapFrame>() == 0x190);

/// x64 `_KEXCEPTION_FRAME`.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
#[allow(missing_docs)]
pub struct KExceptionFrame {
    pub p1_home: U64,
    pub p2_home: U64,
    pub p3_home: U64,
    pub p4_home: U64,
    pub p5: U64,
    /// `InitialStack` (Windows 7) or `Spare1` (8.1 and later).
    pub spare1: U64,
    pub xmm6_15: [[u8; 16]; 10],
    pub trap_frame: U64,
    /// `CallbackStack`, `OutputBuffer`, `OutputLength`, spare: their order changed after
    /// Windows 7.
    pub callback_words: [U64; 3],
    pub mx_csr: U64,
    pub rbp: U64,
    pub rbx: U64,
    pub rdi: U64,
    pub rsi: U64,
    pub r12: U64,
    pub r13: U64,
    pub r14: U64,
    pub r15: U64,
    /// `Return`: the return address of the function that built the frame.
    pub return_address: U64,
}
const _: () = assert!(size_of::<KExceptionFrame>() == 0x140);

/// x86 `_KTRAP_FRAME`, Windows XP to 7.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
#[allow(missing_docs)]
pub struct KTrapFrameX86 {
    pub dbg_ebp: U32,
    pub dbg_eip: U32,
    pub dbg_arg_mark: U32,
    pub dbg_arg_pointer: U32,
    pub temp_seg_cs: U32,
    pub temp_esp: U32,
    pub dr0: U32,
    pub dr1: U32,
    pub dr2: U32,
    pub dr3: U32,
    pub dr6: U32,
    pub dr7: U32,
    pub seg_gs: U32,
    pub seg_es: U32,
    pub seg_ds: U32,
    pub edx: U32,
    pub ecx: U32,
    pub eax: U32,
    pub previous_previous_mode: U32,
    pub exception_list: U32,
    pub seg_fs: U32,
    pub edi: U32,
    pub esi: U32,
    pub ebx: U32,
    pub ebp: U32,
    pub err_code: U32,
    pub eip: U32,
    pub seg_cs: U32,
    pub e_flags: U32,
    pub hardware_esp: U32,
    pub hardware_seg_ss: U32,
    pub v86_es: U32,
    pub v86_ds: U32,
    pub v86_fs: U32,
    pub v86_gs: U32,
}
const _: () = assert!(size_of::<KTrapFrameX86>() == 0x8c);

/// x86 `_KTRAP_FRAME`, Windows 10: `DbgArgPointer` is gone, `TempSegCs` shrank to 16 bits
/// (followed by `Logging` and `FrameType`), `MxCsr` follows `PreviousIrql`. From `ExceptionList`
/// (0x4c) on, it is the same as [`KTrapFrameX86`].
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
#[allow(missing_docs)]
pub struct KTrapFrameX86Win10 {
    pub dbg_ebp: U32,
    pub dbg_eip: U32,
    pub dbg_arg_mark: U32,
    pub temp_seg_cs: U16,
    pub logging: u8,
    pub frame_type: u8,
    pub temp_esp: U32,
    pub dr0: U32,
    pub dr1: U32,
    pub dr2: U32,
    pub dr3: U32,
    pub dr6: U32,
    pub dr7: U32,
    pub seg_gs: U32,
    pub seg_es: U32,
    pub seg_ds: U32,
    pub edx: U32,
    pub ecx: U32,
    pub eax: U32,
    pub previous_previous_mode: u8,
    pub entropy_queue_dpc: u8,
    pub reserved1: u8,
    pub previous_irql: u8,
    pub mx_csr: U32,
    pub exception_list: U32,
    pub seg_fs: U32,
    pub edi: U32,
    pub esi: U32,
    pub ebx: U32,
    pub ebp: U32,
    pub err_code: U32,
    pub eip: U32,
    pub seg_cs: U32,
    pub e_flags: U32,
    pub hardware_esp: U32,
    pub hardware_seg_ss: U32,
    pub v86_es: U32,
    pub v86_ds: U32,
    pub v86_fs: U32,
    pub v86_gs: U32,
}
const _: () = assert!(size_of::<KTrapFrameX86Win10>() == 0x8c);
