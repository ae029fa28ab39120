//! Synthetic stacks for tests and fuzzing (feature `synth`).

/// Builds the bytes of a stack that grows down: values are laid out from the lowest address
/// (the stack pointer of frame 0) upward.
#[derive(Debug, Clone)]
pub struct StackBuilder {
    base: u64,
    bytes: Vec<u8>,
}

impl StackBuilder {
    /// A stack whose lowest address (frame 0's stack pointer) is `sp`.
    pub fn new(sp: u64) -> Self {
        StackBuilder {
            base: sp,
            bytes: Vec::new(),
        }
    }

    /// Appends a 64-bit value at the next higher address.
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.bytes.extend_from_slice(&v.to_le_bytes());
        self
    }

    /// Appends a 32-bit value.
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.bytes.extend_from_slice(&v.to_le_bytes());
        self
    }

    /// Appends `n` zero bytes.
    pub fn zeros(&mut self, n: usize) -> &mut Self {
        self.bytes.resize(self.bytes.len().saturating_add(n), 0);
        self
    }

    /// The address the next value will be written at.
    pub fn next_address(&self) -> u64 {
        self.base.saturating_add(self.bytes.len() as u64)
    }

    /// The lowest address.
    pub fn base(&self) -> u64 {
        self.base
    }

    /// The bytes built so far.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// One prolog operation, as the function executes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PrologOp {
    /// `push reg`.
    PushNonvol(u8),
    /// `sub rsp, n` (encoded as ALLOC_SMALL, ALLOC_LARGE/0 or ALLOC_LARGE/1 by size).
    Alloc(u32),
    /// `lea fp, [rsp + frame_offset * 16]`. `info` is the code's OpInfo, which unwinders
    /// ignore: MSVC writes 0, LLVM the scaled frame offset.
    SetFpreg {
        /// The OpInfo nibble.
        info: u8,
    },
    /// `mov [rsp + offset], reg` (SAVE_NONVOL or SAVE_NONVOL_FAR by offset).
    SaveNonvol {
        /// Register number.
        reg: u8,
        /// Offset from the frame base.
        offset: u32,
    },
    /// `movaps [rsp + offset], xmm` (SAVE_XMM128 or SAVE_XMM128_FAR by offset).
    SaveXmm128 {
        /// XMM register number.
        reg: u8,
        /// Offset from the frame base.
        offset: u32,
    },
    /// A machine frame was pushed (with an error code or not).
    PushMachframe {
        /// The hardware pushed an error code too.
        error_code: bool,
    },
}

/// Encodes an `UNWIND_INFO` from prolog operations, straight from the documented format.
#[derive(Debug, Clone, Default)]
pub struct UnwindInfoBuilder {
    version: u8,
    flags: u8,
    prolog_size: u8,
    frame_register: u8,
    frame_offset: u8,
    ops: Vec<(u8, PrologOp)>,
    epilog: Option<(u8, bool, Vec<u16>)>,
    chained: Option<[u32; 3]>,
}

fn push_u16(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}

impl UnwindInfoBuilder {
    /// An empty UNWIND_INFO of `version` (1 or 2; other values are written as given).
    pub fn new(version: u8) -> Self {
        UnwindInfoBuilder {
            version,
            ..Self::default()
        }
    }

    /// Sets the prolog size.
    pub fn prolog_size(mut self, n: u8) -> Self {
        self.prolog_size = n;
        self
    }

    /// Sets the UNW_FLAG_* bits (CHAININFO is added by [`chained`](Self::chained)).
    pub fn flags(mut self, flags: u8) -> Self {
        self.flags = flags;
        self
    }

    /// Sets the frame register and its scaled offset.
    pub fn frame(mut self, register: u8, scaled_offset: u8) -> Self {
        self.frame_register = register & 0xf;
        self.frame_offset = scaled_offset & 0xf;
        self
    }

    /// Adds an operation ending at prolog offset `code_offset` (call in execution order).
    pub fn op(mut self, code_offset: u8, op: PrologOp) -> Self {
        self.ops.push((code_offset, op));
        self
    }

    /// Version 2: the epilog size, whether a single epilog sits at the function's end, and the
    /// offsets (from the end) of further epilogs. A zero terminator entry follows, as MSVC
    /// writes it.
    pub fn epilog_v2(mut self, size: u8, at_end: bool, others: &[u16]) -> Self {
        self.epilog = Some((size, at_end, others.to_vec()));
        self
    }

    /// Chains to the parent entry `[begin, end)` with UNWIND_INFO at `info`.
    pub fn chained(mut self, begin: u32, end: u32, info: u32) -> Self {
        self.chained = Some([begin, end, info]);
        self
    }

    /// The encoded bytes (header, codes padded to an even count, chained entry).
    pub fn encode(&self) -> Vec<u8> {
        let mut codes = Vec::new();
        if let Some((size, at_end, others)) = &self.epilog {
            codes.extend_from_slice(&[*size, 0x06 | (u8::from(*at_end) << 4)]);
            for o in others {
                let [lo, hi] = o.to_le_bytes();
                codes.extend_from_slice(&[lo, 0x06 | ((hi & 0xf) << 4)]);
            }
            codes.extend_from_slice(&[0, 0x06]);
        }
        for &(off, op) in self.ops.iter().rev() {
            match op {
                PrologOp::PushNonvol(r) => codes.extend_from_slice(&[off, (r & 0xf) << 4]),
                PrologOp::Alloc(n) => {
                    if (8..=128).contains(&n) && n % 8 == 0 {
                        let info = u8::try_from((n / 8).saturating_sub(1)).unwrap_or(0);
                        codes.extend_from_slice(&[off, 0x02 | (info << 4)]);
                    } else if n % 8 == 0 && n / 8 <= 0xffff {
                        codes.extend_from_slice(&[off, 0x01]);
                        push_u16(&mut codes, u16::try_from(n / 8).unwrap_or(0));
                    } else {
                        codes.extend_from_slice(&[off, 0x11]);
                        codes.extend_from_slice(&n.to_le_bytes());
                    }
                }
                PrologOp::SetFpreg { info } => {
                    codes.extend_from_slice(&[off, 0x03 | ((info & 0xf) << 4)])
                }
                PrologOp::SaveNonvol { reg, offset } => {
                    if offset % 8 == 0 && offset / 8 <= 0xffff {
                        codes.extend_from_slice(&[off, 0x04 | ((reg & 0xf) << 4)]);
                        push_u16(&mut codes, u16::try_from(offset / 8).unwrap_or(0));
                    } else {
                        codes.extend_from_slice(&[off, 0x05 | ((reg & 0xf) << 4)]);
                        codes.extend_from_slice(&offset.to_le_bytes());
                    }
                }
                PrologOp::SaveXmm128 { reg, offset } => {
                    if offset % 16 == 0 && offset / 16 <= 0xffff {
                        codes.extend_from_slice(&[off, 0x08 | ((reg & 0xf) << 4)]);
                        push_u16(&mut codes, u16::try_from(offset / 16).unwrap_or(0));
                    } else {
                        codes.extend_from_slice(&[off, 0x09 | ((reg & 0xf) << 4)]);
                        codes.extend_from_slice(&offset.to_le_bytes());
                    }
                }
                PrologOp::PushMachframe { error_code } => {
                    codes.extend_from_slice(&[off, 0x0a | (u8::from(error_code) << 4)]);
                }
            }
        }
        let count = u8::try_from(codes.len() / 2).unwrap_or(u8::MAX);
        let flags = self.flags | if self.chained.is_some() { 4 } else { 0 };
        let mut out = vec![
            (self.version & 7) | (flags << 3),
            self.prolog_size,
            count,
            self.frame_register | (self.frame_offset << 4),
        ];
        out.extend_from_slice(&codes);
        if count % 2 == 1 {
            out.extend_from_slice(&[0, 0]);
        }
        if let Some(c) = self.chained {
            for v in c {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        out
    }
}

/// Builds a small x64 image in memory: code, `.pdata` and UNWIND_INFOs, without PE headers
/// (the layout is returned separately).
#[derive(Debug, Clone)]
pub struct ImageBuilder {
    bytes: Vec<u8>,
    functions: Vec<[u32; 3]>,
    pdata_rva: u32,
    next_info: u32,
}

impl ImageBuilder {
    /// An image of `size` bytes (at least 0x1000): `.pdata` from 0x100 (up to 64 entries),
    /// UNWIND_INFOs from 0x400, code anywhere above.
    pub fn new(size: u32) -> Self {
        let size = size.max(0x1000);
        ImageBuilder {
            bytes: vec![0xcc; usize::try_from(size).unwrap_or(0x1000)],
            functions: Vec::new(),
            pdata_rva: 0x100,
            next_info: 0x400,
        }
    }

    /// Writes bytes at `rva` (ignored past the end of the image).
    pub fn code(&mut self, rva: u32, code: &[u8]) -> &mut Self {
        let start = usize::try_from(rva).unwrap_or(usize::MAX);
        if let Some(dst) = start
            .checked_add(code.len())
            .and_then(|end| self.bytes.get_mut(start..end))
        {
            dst.copy_from_slice(code);
        }
        self
    }

    /// Adds a function `[begin, end)` with its UNWIND_INFO; returns the info's RVA.
    pub fn function(&mut self, begin: u32, end: u32, info: &UnwindInfoBuilder) -> u32 {
        let at = self.next_info;
        let bytes = info.encode();
        self.code(at, &bytes);
        let len = u32::try_from(bytes.len()).unwrap_or(0);
        self.next_info = at.saturating_add(len).saturating_add(3) & !3;
        self.functions.push([begin, end, at]);
        at
    }

    /// Adds a raw `.pdata` entry.
    pub fn raw_entry(&mut self, begin: u32, end: u32, unwind_data: u32) -> &mut Self {
        self.functions.push([begin, end, unwind_data]);
        self
    }

    /// The image bytes and a layout whose exception directory covers the entries.
    pub fn build(mut self) -> (Vec<u8>, crate::ImageLayout) {
        self.functions.sort_unstable();
        self.functions.truncate(64);
        let mut table = Vec::new();
        for f in &self.functions {
            for v in f {
                table.extend_from_slice(&v.to_le_bytes());
            }
        }
        let pdata = self.pdata_rva;
        self.code(pdata, &table);
        let layout = crate::ImageLayout {
            machine: 0x8664,
            time_date_stamp: 0,
            size_of_image: u32::try_from(self.bytes.len()).unwrap_or(u32::MAX),
            exception: (pdata, u32::try_from(table.len()).unwrap_or(0)),
            debug: (0, 0),
            export: (0, 0),
            sections: Vec::new(),
        };
        (self.bytes, layout)
    }

    /// The image as a ready [`ImageUnwind`](crate::ImageUnwind).
    pub fn into_unwind(self) -> crate::ImageUnwind<crate::FileImage<Vec<u8>>> {
        let (bytes, layout) = self.build();
        crate::ImageUnwind::new(
            crate::FileImage {
                bytes,
                sections: Vec::new(),
            },
            &layout,
        )
    }
}

impl StackBuilder {
    /// Overwrites (or extends with zeros up to) the bytes at `addr`, which must not lie below
    /// the base; ignored otherwise.
    pub fn put(&mut self, addr: u64, bytes: &[u8]) -> &mut Self {
        let Some(start) = addr
            .checked_sub(self.base)
            .and_then(|o| usize::try_from(o).ok())
        else {
            return self;
        };
        let Some(end) = start.checked_add(bytes.len()) else {
            return self;
        };
        if self.bytes.len() < end {
            self.bytes.resize(end, 0);
        }
        if let Some(dst) = self.bytes.get_mut(start..end) {
            dst.copy_from_slice(bytes);
        }
        self
    }

    /// Writes a 64-bit value at `addr` (see [`put`](Self::put)).
    pub fn put_u64(&mut self, addr: u64, v: u64) -> &mut Self {
        self.put(addr, &v.to_le_bytes())
    }

    /// Writes a 32-bit value at `addr` (see [`put`](Self::put)).
    pub fn put_u32(&mut self, addr: u64, v: u32) -> &mut Self {
        self.put(addr, &v.to_le_bytes())
    }
}

/// The bytes of an x64 `_KTRAP_FRAME` holding `t`'s registers (other fields zero).
pub fn encode_trap_frame(t: &crate::KTrapFrame) -> Vec<u8> {
    use zerocopy::{FromZeros, IntoBytes};
    let mut r = crate::raw::KTrapFrame::new_zeroed();
    r.rip.set(t.rip);
    r.rsp.set(t.rsp);
    r.rbp.set(t.rbp);
    r.rax.set(t.rax);
    r.rcx.set(t.rcx);
    r.rdx.set(t.rdx);
    r.r8.set(t.r8);
    r.r9.set(t.r9);
    r.r10.set(t.r10);
    r.r11.set(t.r11);
    r.rbx.set(t.rbx);
    r.rdi.set(t.rdi);
    r.rsi.set(t.rsi);
    r.e_flags.set(t.eflags);
    r.seg_cs.set(t.seg_cs);
    r.seg_ss.set(t.seg_ss);
    r.error_code.set(t.error_code);
    r.fault_address.set(t.fault_address);
    r.previous_mode = t.previous_mode;
    r.previous_irql = t.previous_irql;
    r.exception_active = t.exception_active;
    r.as_bytes().to_vec()
}

/// The bytes of an x64 `_KEXCEPTION_FRAME` holding `e`'s registers (other fields zero).
pub fn encode_exception_frame(e: &crate::KExceptionFrame) -> Vec<u8> {
    use zerocopy::{FromZeros, IntoBytes};
    let mut r = crate::raw::KExceptionFrame::new_zeroed();
    r.rbp.set(e.rbp);
    r.rbx.set(e.rbx);
    r.rdi.set(e.rdi);
    r.rsi.set(e.rsi);
    r.r12.set(e.r12);
    r.r13.set(e.r13);
    r.r14.set(e.r14);
    r.r15.set(e.r15);
    for (dst, x) in r.xmm6_15.iter_mut().zip(e.xmm6_15.iter()) {
        *dst = x.to_le_bytes();
    }
    r.trap_frame.set(e.trap_frame);
    r.return_address.set(e.return_address);
    r.as_bytes().to_vec()
}

/// The bytes of an x86 `_KTRAP_FRAME` in `layout` holding `t`'s registers (other fields zero).
pub fn encode_trap_frame_x86(t: &crate::KTrapFrameX86, layout: crate::X86TrapLayout) -> Vec<u8> {
    use zerocopy::{FromZeros, IntoBytes};
    let mut r = crate::raw::KTrapFrameX86::new_zeroed();
    r.dbg_ebp.set(t.dbg_ebp);
    r.dbg_eip.set(t.dbg_eip);
    r.temp_seg_cs.set(t.temp_seg_cs);
    r.temp_esp.set(t.temp_esp);
    r.eax.set(t.eax);
    r.ecx.set(t.ecx);
    r.edx.set(t.edx);
    r.ebx.set(t.ebx);
    r.esi.set(t.esi);
    r.edi.set(t.edi);
    r.ebp.set(t.ebp);
    r.err_code.set(t.error_code);
    r.eip.set(t.eip);
    r.seg_cs.set(t.seg_cs);
    r.e_flags.set(t.eflags);
    r.hardware_esp.set(t.hardware_esp);
    r.hardware_seg_ss.set(t.hardware_seg_ss);
    if layout == crate::X86TrapLayout::Win10 {
        let mut w = crate::raw::KTrapFrameX86Win10::new_zeroed();
        w.dbg_ebp.set(t.dbg_ebp);
        w.dbg_eip.set(t.dbg_eip);
        w.temp_seg_cs
            .set(u16::try_from(t.temp_seg_cs & 0xffff).unwrap_or(0));
        w.temp_esp.set(t.temp_esp);
        w.eax.set(t.eax);
        w.ecx.set(t.ecx);
        w.edx.set(t.edx);
        w.ebx.set(t.ebx);
        w.esi.set(t.esi);
        w.edi.set(t.edi);
        w.ebp.set(t.ebp);
        w.err_code.set(t.error_code);
        w.eip.set(t.eip);
        w.seg_cs.set(t.seg_cs);
        w.e_flags.set(t.eflags);
        w.hardware_esp.set(t.hardware_esp);
        w.hardware_seg_ss.set(t.hardware_seg_ss);
        return w.as_bytes().to_vec();
    }
    r.as_bytes().to_vec()
}
