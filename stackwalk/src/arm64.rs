//! ARM64 unwinding from `.pdata` and `.xdata` (MS Learn, "ARM64 exception handling").
//!
//! `.pdata` entries are 8 bytes: the function's start RVA, then either the RVA of its `.xdata`
//! record (low 2 bits 0) or packed unwind data (low bits 1 or 2). An `.xdata` record holds a
//! header, optional epilog scopes and byte-coded unwind codes listed in the reverse order of
//! the prolog's instructions, which is the order in which they are undone. Packed data
//! describes a canonical prolog by its parts (saved integer and FP registers, home area,
//! frame chaining, frame size) and is unwound by arithmetic.
//!
//! Supported: every documented code that restores general-purpose registers or SP (`alloc_*`,
//! `save_r19r20_x`, `save_fplr(_x)`, `save_regp(_x)`, `save_reg(_x)`, `save_lrpair`,
//! `save_next`, `set_fp`, `add_fp`, `pac_sign_lr`, `nop`, FP register saves, which are skipped),
//! unwinding from the middle of a prolog or an epilog scope for a frame whose PC was
//! interrupted. Not supported (the unwind fails with [`Error::BadUnwindCode`] and the walker
//! falls back to the frame-record chain): SVE `alloc_z`, `save_any_reg`, and the custom
//! trap-frame, machine-frame and context codes of assembly routines.

use crate::context::{ARM64_NONVOLATILE, ContextArm64, arm64_reg};
use crate::image::ModuleUnwind;
use crate::{Error, ReadMemory};

/// How a function's unwind data is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Arm64UnwindData {
    /// An `.xdata` record at this RVA.
    Xdata {
        /// RVA of the record.
        rva: u32,
    },
    /// Packed unwind data (the `.pdata` entry's second word).
    Packed {
        /// The raw word (flag in bits 0-1).
        word: u32,
    },
}

/// A decoded ARM64 `.pdata` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arm64Function {
    /// RVA of the function's first instruction.
    pub begin: u32,
    /// Length of the function in bytes.
    pub length: u32,
    /// Its unwind data.
    pub data: Arm64UnwindData,
}

impl Arm64Function {
    /// True when `rva` lies in the function.
    pub fn contains(&self, rva: u32) -> bool {
        rva >= self.begin
            && u64::from(rva) < u64::from(self.begin).saturating_add(u64::from(self.length))
    }
}

fn read_u32(module: &dyn ModuleUnwind, rva: u32) -> Result<u32, Error> {
    let mut b = [0u8; 4];
    module.read_rva(rva, &mut b)?;
    Ok(u32::from_le_bytes(b))
}

/// Decodes the `.pdata` entry `(begin, word)`.
pub fn decode_entry(
    module: &dyn ModuleUnwind,
    begin: u32,
    word: u32,
) -> Result<Arm64Function, Error> {
    let (length, data) = match word & 3 {
        0 => {
            let h = read_u32(module, word)?;
            (
                (h & 0x3_ffff).saturating_mul(4),
                Arm64UnwindData::Xdata { rva: word },
            )
        }
        1 | 2 => (
            ((word >> 2) & 0x7ff).saturating_mul(4),
            Arm64UnwindData::Packed { word },
        ),
        _ => return Err(Error::BadFunctionEntry { rva: begin }),
    };
    Ok(Arm64Function {
        begin,
        length,
        data,
    })
}

/// The ARM64 function covering `rva`, from the module's exception directory; `Ok(None)` when
/// there is none (a leaf without `.pdata`, or no table).
pub fn function_entry_arm64(
    module: &dyn ModuleUnwind,
    rva: u32,
) -> Result<Option<Arm64Function>, Error> {
    let Some((table, size)) = module.exception_directory() else {
        return Ok(None);
    };
    let entry = |i: u32| -> Result<(u32, u32), Error> {
        let at = i
            .checked_mul(8)
            .and_then(|o| table.checked_add(o))
            .ok_or(Error::BadFunctionEntry { rva: table })?;
        let mut b = [0u8; 8];
        module.read_rva(at, &mut b)?;
        let [a0, a1, a2, a3, b0, b1, b2, b3] = b;
        Ok((
            u32::from_le_bytes([a0, a1, a2, a3]),
            u32::from_le_bytes([b0, b1, b2, b3]),
        ))
    };
    let (mut lo, mut hi) = (0u32, size / 8);
    let mut best = None;
    for _ in 0..64 {
        if lo >= hi {
            break;
        }
        let mid = lo.saturating_add(hi.saturating_sub(lo) / 2);
        let e = entry(mid)?;
        if e.0 <= rva {
            best = Some(e);
            lo = mid.saturating_add(1);
        } else {
            hi = mid;
        }
    }
    match best {
        Some((begin, word)) => {
            let f = decode_entry(module, begin, word)?;
            Ok(f.contains(rva).then_some(f))
        }
        None => Ok(None),
    }
}

/// A parsed `.xdata` record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Xdata {
    /// Function length in bytes.
    pub function_length: u32,
    /// An exception handler follows the codes.
    pub has_handler: bool,
    /// `E`: one epilog, whose codes start at [`Xdata::single_epilog_index`], at the end of the
    /// function; no scope words.
    pub single_epilog_index: Option<u32>,
    /// Epilog scopes: start offset (bytes from the function start) and first code index.
    pub epilog_scopes: Vec<(u32, u32)>,
    /// The unwind code bytes.
    pub codes: Vec<u8>,
}

impl Xdata {
    /// Reads the `.xdata` record at `rva`.
    pub fn read(module: &dyn ModuleUnwind, rva: u32) -> Result<Self, Error> {
        let h = read_u32(module, rva)?;
        let version = u8::try_from((h >> 18) & 3).unwrap_or(u8::MAX);
        if version != 0 {
            return Err(Error::UnsupportedUnwindVersion { rva, version });
        }
        let overflow = Error::Overflow {
            addr: u64::from(rva),
        };
        let mut pos = rva.checked_add(4).ok_or(overflow.clone())?;
        let (mut epilogs, mut words) = ((h >> 22) & 0x1f, (h >> 27) & 0x1f);
        if epilogs == 0 && words == 0 {
            let x = read_u32(module, pos)?;
            epilogs = x & 0xffff;
            words = (x >> 16) & 0xff;
            pos = pos.checked_add(4).ok_or(overflow.clone())?;
        }
        let single = (h >> 21) & 1 != 0;
        let mut epilog_scopes = Vec::new();
        if !single {
            // At most 65,535 scope words (256 KiB), in one read.
            let len = usize::try_from(epilogs.saturating_mul(4)).unwrap_or(0);
            let mut raw = vec![0u8; len];
            module.read_rva(pos, &mut raw)?;
            for w in raw.chunks_exact(4) {
                let w = u32::from_le_bytes([
                    w.first().copied().unwrap_or(0),
                    w.get(1).copied().unwrap_or(0),
                    w.get(2).copied().unwrap_or(0),
                    w.get(3).copied().unwrap_or(0),
                ]);
                epilog_scopes.push(((w & 0x3_ffff).saturating_mul(4), w >> 22));
            }
            pos = pos
                .checked_add(epilogs.saturating_mul(4))
                .ok_or(overflow.clone())?;
        }
        let len = usize::try_from(words.saturating_mul(4)).unwrap_or(0);
        let mut codes = vec![0u8; len];
        module.read_rva(pos, &mut codes)?;
        Ok(Xdata {
            function_length: (h & 0x3_ffff).saturating_mul(4),
            has_handler: (h >> 20) & 1 != 0,
            single_epilog_index: single.then_some(epilogs),
            epilog_scopes,
            codes,
        })
    }
}

/// One decoded unwind code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Code {
    /// SP += n.
    Alloc(u64),
    /// Integer register pair (`reg`, `reg + 1`, or `reg`, LR when `lr`) at SP + `off`; SP +=
    /// `post` afterwards (pre-indexed saves).
    SavePair {
        reg: u8,
        second: u8,
        off: u64,
        post: u64,
    },
    /// One integer register at SP + `off`; SP += `post`.
    SaveReg { reg: u8, off: u64, post: u64 },
    /// FP registers at SP + whatever; SP += `post`. `pair` for save_next purposes.
    SaveFp {
        reg: u8,
        pair: bool,
        off: u64,
        post: u64,
    },
    /// SP = X29 (`set_fp`) or X29 - n (`add_fp`).
    SetFp(u64),
    /// `save_next`.
    Next,
    /// `nop`, `pac_sign_lr`: an instruction with no register effect.
    Nop,
    /// `end` / `end_c`.
    End,
}

fn bad(rva: u32, op: u8) -> Error {
    Error::BadUnwindCode { rva, op }
}

/// Decodes the code at `codes[i]`; returns it and its length in bytes.
fn decode(codes: &[u8], i: usize, rva: u32) -> Result<(Code, usize), Error> {
    let b0 = *codes.get(i).ok_or(bad(rva, 0xff))?;
    let b = |k: usize| -> Result<u64, Error> {
        codes
            .get(i.saturating_add(k))
            .map(|&v| u64::from(v))
            .ok_or(bad(rva, b0))
    };
    let x0 = u64::from(b0);
    Ok(match b0 {
        0x00..=0x1f => (Code::Alloc((x0 & 0x1f).saturating_mul(16)), 1),
        0x20..=0x3f => (
            Code::SavePair {
                reg: 19,
                second: 20,
                off: 0,
                post: (x0 & 0x1f).saturating_mul(8),
            },
            1,
        ),
        0x40..=0x7f => (
            Code::SavePair {
                reg: 29,
                second: 30,
                off: (x0 & 0x3f).saturating_mul(8),
                post: 0,
            },
            1,
        ),
        0x80..=0xbf => (
            Code::SavePair {
                reg: 29,
                second: 30,
                off: 0,
                post: (x0 & 0x3f).saturating_add(1).saturating_mul(8),
            },
            1,
        ),
        0xc0..=0xc7 => (Code::Alloc((((x0 & 7) << 8) | b(1)?).saturating_mul(16)), 2),
        0xc8..=0xd7 => {
            let w = (x0 << 8) | b(1)?;
            let x = u8::try_from((w >> 6) & 0xf).unwrap_or(0);
            let z = w & 0x3f;
            let reg = 19u8.saturating_add(x);
            match b0 & 0xfc {
                0xc8 => (
                    Code::SavePair {
                        reg,
                        second: reg.saturating_add(1),
                        off: z.saturating_mul(8),
                        post: 0,
                    },
                    2,
                ),
                0xcc => (
                    Code::SavePair {
                        reg,
                        second: reg.saturating_add(1),
                        off: 0,
                        post: z.saturating_add(1).saturating_mul(8),
                    },
                    2,
                ),
                0xd0 => (
                    Code::SaveReg {
                        reg,
                        off: z.saturating_mul(8),
                        post: 0,
                    },
                    2,
                ),
                _ if b0 & 0xfe == 0xd4 => {
                    let x = u8::try_from((w >> 5) & 0xf).unwrap_or(0);
                    (
                        Code::SaveReg {
                            reg: 19u8.saturating_add(x),
                            off: 0,
                            post: (w & 0x1f).saturating_add(1).saturating_mul(8),
                        },
                        2,
                    )
                }
                _ => {
                    // 0xd6/0xd7: save_lrpair <x(19 + 2X), lr> at [sp + Z*8].
                    let x = u8::try_from((w >> 6) & 0x7).unwrap_or(0);
                    (
                        Code::SavePair {
                            reg: 19u8.saturating_add(x.saturating_mul(2)),
                            second: 30,
                            off: z.saturating_mul(8),
                            post: 0,
                        },
                        2,
                    )
                }
            }
        }
        0xd8..=0xdd => {
            let w = (x0 << 8) | b(1)?;
            let x = u8::try_from((w >> 6) & 0x7).unwrap_or(0);
            let z = w & 0x3f;
            let reg = 8u8.saturating_add(x);
            match b0 & 0xfe {
                0xd8 => (
                    Code::SaveFp {
                        reg,
                        pair: true,
                        off: z.saturating_mul(8),
                        post: 0,
                    },
                    2,
                ),
                0xda => (
                    Code::SaveFp {
                        reg,
                        pair: true,
                        off: 0,
                        post: z.saturating_add(1).saturating_mul(8),
                    },
                    2,
                ),
                _ => (
                    Code::SaveFp {
                        reg,
                        pair: false,
                        off: z.saturating_mul(8),
                        post: 0,
                    },
                    2,
                ),
            }
        }
        0xde => {
            let w = b(1)?;
            let x = u8::try_from(w >> 5).unwrap_or(0);
            (
                Code::SaveFp {
                    reg: 8u8.saturating_add(x),
                    pair: false,
                    off: 0,
                    post: (w & 0x1f).saturating_add(1).saturating_mul(8),
                },
                2,
            )
        }
        0xe0 => (
            Code::Alloc(((b(1)? << 16) | (b(2)? << 8) | b(3)?).saturating_mul(16)),
            4,
        ),
        0xe1 => (Code::SetFp(0), 1),
        0xe2 => (Code::SetFp(b(1)?.saturating_mul(8)), 2),
        0xe3 | 0xfc => (Code::Nop, 1),
        0xe4 | 0xe5 => (Code::End, 1),
        0xe6 => (Code::Next, 1),
        _ => return Err(bad(rva, b0)),
    })
}

/// Decodes the codes from byte `start` up to `end`/`end_c` (at most 1,024 codes).
fn decode_run(codes: &[u8], start: usize, rva: u32) -> Result<Vec<Code>, Error> {
    let mut out = Vec::new();
    let mut i = start;
    while out.len() < 1024 {
        let (c, n) = decode(codes, i, rva)?;
        if c == Code::End {
            return Ok(out);
        }
        out.push(c);
        i = i.saturating_add(n);
    }
    Err(bad(rva, 0xe4))
}

/// Applies decoded codes, in order, to `ctx`.
fn apply(
    codes: &[Code],
    ctx: &mut ContextArm64,
    mem: &dyn ReadMemory,
    rva: u32,
) -> Result<(), Error> {
    let rd = |addr: u64| -> Result<u64, Error> { Ok(mem.read_u64(addr)?) };
    let at = |sp: u64, off: u64| sp.checked_add(off).ok_or(Error::Overflow { addr: sp });
    let mut i = 0usize;
    while let Some(&c) = codes.get(i) {
        if c == Code::Next {
            // A run of save_next belongs to the save it precedes (it follows it in the prolog):
            // pair k of the run is 2k + 2 registers and 16k + 16 bytes past that save.
            let run = codes
                .get(i..)
                .map_or(0, |r| r.iter().take_while(|&&c| c == Code::Next).count());
            let base_at = i.saturating_add(run);
            let base = codes.get(base_at).copied().ok_or(bad(rva, 0xe6))?;
            for k in 0..run {
                // Code i + k is the (run - k)-th pair after the base one.
                let n = u64::try_from(run.saturating_sub(k)).unwrap_or(0);
                if let Code::SavePair { reg, off, .. } = base
                    && reg < 29
                {
                    let r =
                        reg.saturating_add(u8::try_from(n.saturating_mul(2)).unwrap_or(u8::MAX));
                    let addr = at(ctx.sp, off.saturating_add(n.saturating_mul(16)))?;
                    if r < 29 {
                        ctx.set_reg(r, rd(addr)?);
                        ctx.set_reg(r.saturating_add(1), rd(at(addr, 8)?)?);
                    }
                } else if !matches!(base, Code::SaveFp { .. }) {
                    return Err(bad(rva, 0xe6));
                }
            }
            i = base_at;
            continue;
        }
        match c {
            Code::Alloc(n) => ctx.sp = at(ctx.sp, n)?,
            Code::SavePair {
                reg,
                second,
                off,
                post,
            } => {
                let addr = at(ctx.sp, off)?;
                ctx.set_reg(reg, rd(addr)?);
                ctx.set_reg(second, rd(at(addr, 8)?)?);
                ctx.sp = at(ctx.sp, post)?;
            }
            Code::SaveReg { reg, off, post } => {
                ctx.set_reg(reg, rd(at(ctx.sp, off)?)?);
                ctx.sp = at(ctx.sp, post)?;
            }
            Code::SaveFp { post, .. } => ctx.sp = at(ctx.sp, post)?,
            Code::SetFp(n) => {
                let fp = ctx.fp().ok_or(bad(rva, 0xe1))?;
                ctx.sp = fp.checked_sub(n).ok_or(Error::Overflow { addr: fp })?;
            }
            Code::Nop | Code::Next | Code::End => {}
        }
        i = i.saturating_add(1);
    }
    Ok(())
}

/// The result of one ARM64 unwind step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arm64Step {
    /// The caller's registers (volatile ones unknown; PC is the return address from LR).
    pub context: ContextArm64,
    /// The function entry used (`None` for a leaf without `.pdata`, returned through LR).
    pub function: Option<Arm64Function>,
}

/// Number of instructions of the canonical prolog packed data describes, and the unwind of
/// a PC in the body.
fn unwind_packed(word: u32, ctx: &mut ContextArm64, mem: &dyn ReadMemory) -> Result<(), Error> {
    let reg_f = (word >> 13) & 7;
    let reg_i = (word >> 16) & 0xf;
    let h = (word >> 20) & 1;
    let cr = (word >> 21) & 3;
    let frame_size = u64::from((word >> 23) & 0x1ff).saturating_mul(16);
    let int_size = u64::from(reg_i)
        .saturating_mul(8)
        .saturating_add(if cr == 1 { 8 } else { 0 });
    let fp_size = if reg_f > 0 {
        u64::from(reg_f).saturating_add(1).saturating_mul(8)
    } else {
        0
    };
    let save_size = int_size
        .saturating_add(fp_size)
        .saturating_add(u64::from(h).saturating_mul(64))
        .saturating_add(15)
        & !15;
    let local_size = frame_size.checked_sub(save_size).ok_or(bad(0, 0))?;
    let rd = |addr: u64| -> Result<u64, Error> { Ok(mem.read_u64(addr)?) };
    let overflow = Error::Overflow { addr: ctx.sp };
    if cr >= 2 {
        // Chained: X29 points at the {X29, LR} record at the bottom of the local area.
        let fp = ctx.fp().ok_or(bad(0, 0xe1))?;
        ctx.sp = fp;
        let lr = rd(fp.checked_add(8).ok_or(overflow.clone())?)?;
        ctx.set_reg(arm64_reg::FP, rd(fp)?);
        ctx.set_reg(arm64_reg::LR, lr);
    }
    ctx.sp = ctx.sp.checked_add(local_size).ok_or(overflow.clone())?;
    for k in 0..reg_i {
        let addr = ctx
            .sp
            .checked_add(u64::from(k).saturating_mul(8))
            .ok_or(overflow.clone())?;
        ctx.set_reg(19u8.saturating_add(u8::try_from(k).unwrap_or(0)), rd(addr)?);
    }
    if cr == 1 {
        let addr = ctx
            .sp
            .checked_add(u64::from(reg_i).saturating_mul(8))
            .ok_or(overflow.clone())?;
        ctx.set_reg(arm64_reg::LR, rd(addr)?);
    }
    ctx.sp = ctx.sp.checked_add(save_size).ok_or(overflow)?;
    Ok(())
}

/// Instructions of the prolog packed data describes (its epilog has as many, plus `ret`).
fn packed_prolog_len(word: u32) -> u32 {
    let reg_f = (word >> 13) & 7;
    let reg_i = (word >> 16) & 0xf;
    let h = (word >> 20) & 1;
    let cr = (word >> 21) & 3;
    let frame = ((word >> 23) & 0x1ff).saturating_mul(16);
    let ints = reg_i.saturating_add(u32::from(cr == 1));
    let mut n = u32::from(cr == 2).saturating_add(ints.div_ceil(2));
    if reg_f > 0 {
        n = n.saturating_add(reg_f.saturating_add(1).div_ceil(2));
    }
    n = n.saturating_add(h.saturating_mul(4));
    n.saturating_add(match (cr >= 2, frame) {
        (true, 0..=512) => 2,
        (true, 513..=4080) => 3,
        (true, _) => 4,
        (false, 0) => 0,
        (false, 1..=4080) => 1,
        (false, _) => 2,
    })
}

/// Unwinds one ARM64 frame with the module's `.pdata`/`.xdata`.
///
/// `interrupted` is true for frame 0 and a frame reached through a trap: the PC may sit in a
/// prolog or an epilog. Otherwise PC is a return address and the function is looked up at
/// PC − 1. An interrupted PC that no entry covers, in a module with a table, is a leaf: it
/// returns through LR with SP unchanged. `Ok(None)`: no entry covers a return address, or
/// (packed data) the PC is in a prolog or epilog, which only `.xdata` codes describe exactly.
pub fn unwind_arm64(
    ctx: &ContextArm64,
    module: &dyn ModuleUnwind,
    base: u64,
    memory: &dyn ReadMemory,
    interrupted: bool,
) -> Result<Option<Arm64Step>, Error> {
    let lookup = if interrupted {
        ctx.pc
    } else {
        ctx.pc.saturating_sub(1)
    };
    let rva_of = |a: u64| {
        a.checked_sub(base)
            .and_then(|r| u32::try_from(r).ok())
            .ok_or(Error::Overflow { addr: a })
    };
    let Some(f) = function_entry_arm64(module, rva_of(lookup)?)? else {
        // Only leaf functions (no stack, LR untouched) go without `.pdata`: when the module has
        // a table, an interrupted PC outside it returns through LR.
        let has_table = module
            .exception_directory()
            .is_some_and(|(_, size)| size >= 8);
        if interrupted
            && has_table
            && let Some(lr) = ctx.lr()
        {
            let mut out = ctx.clone();
            out.pc = crate::walk::strip_pac(lr);
            out.valid &= ARM64_NONVOLATILE;
            return Ok(Some(Arm64Step {
                context: out,
                function: None,
            }));
        }
        return Ok(None);
    };
    let offset = rva_of(ctx.pc)?.wrapping_sub(f.begin);
    let mut out = ctx.clone();
    match f.data {
        Arm64UnwindData::Packed { word } => {
            let prolog = packed_prolog_len(word).saturating_mul(4);
            let epilog_start = f.length.saturating_sub(prolog.saturating_add(4));
            if interrupted && (offset < prolog || offset >= epilog_start) && word & 3 == 1 {
                return Ok(None);
            }
            unwind_packed(word, &mut out, memory)?;
        }
        Arm64UnwindData::Xdata { rva } => {
            let x = Xdata::read(module, rva)?;
            let prolog = decode_run(&x.codes, 0, rva)?;
            let mut codes = prolog.clone();
            if interrupted {
                let k = usize::try_from(offset / 4).unwrap_or(usize::MAX);
                let count = prolog.len();
                // Epilog scopes: the codes from the scope's index, minus the instructions the
                // epilog already ran.
                let mut scopes: Vec<(u32, u32)> = x.epilog_scopes.clone();
                if let Some(index) = x.single_epilog_index {
                    let byte = usize::try_from(index).unwrap_or(usize::MAX);
                    let n = byte_index_run_len(&x.codes, byte, rva)?;
                    let len = u32::try_from(n).unwrap_or(u32::MAX).saturating_add(1);
                    scopes.push((f.length.saturating_sub(len.saturating_mul(4)), index));
                }
                let mut in_epilog = false;
                for (start, index) in scopes {
                    let byte = usize::try_from(index).unwrap_or(usize::MAX);
                    let Ok(run) = decode_run(&x.codes, byte, rva) else {
                        continue;
                    };
                    let end = start.saturating_add(
                        u32::try_from(run.len())
                            .unwrap_or(u32::MAX)
                            .saturating_add(1)
                            .saturating_mul(4),
                    );
                    if offset >= start && offset < end {
                        let done =
                            usize::try_from(offset.saturating_sub(start) / 4).unwrap_or(usize::MAX);
                        codes = run.get(done..).map(<[Code]>::to_vec).unwrap_or_default();
                        in_epilog = true;
                        break;
                    }
                }
                if !in_epilog && k < count {
                    codes = prolog
                        .get(count.saturating_sub(k)..)
                        .map(<[Code]>::to_vec)
                        .unwrap_or_default();
                }
            }
            apply(&codes, &mut out, memory, rva)?;
        }
    }
    let lr = out.lr().ok_or(bad(f.begin, 0xe4))?;
    out.pc = crate::walk::strip_pac(lr);
    out.valid &= ARM64_NONVOLATILE;
    Ok(Some(Arm64Step {
        context: out,
        function: Some(f),
    }))
}

/// Number of codes from byte `start` to the next `end`.
fn byte_index_run_len(codes: &[u8], start: usize, rva: u32) -> Result<usize, Error> {
    decode_run(codes, start, rva).map(|r| r.len())
}

/// Number of instructions of the function's prolog, as its unwind data describes it (one per
/// unwind code before `end`, or the canonical prolog of packed data).
pub fn prolog_instructions(module: &dyn ModuleUnwind, f: &Arm64Function) -> Result<u32, Error> {
    Ok(match f.data {
        Arm64UnwindData::Packed { word } if word & 3 == 2 => 0,
        Arm64UnwindData::Packed { word } => packed_prolog_len(word),
        Arm64UnwindData::Xdata { rva } => {
            let x = Xdata::read(module, rva)?;
            let n = decode_run(&x.codes, 0, rva)?.len();
            u32::try_from(n).unwrap_or(u32::MAX)
        }
    })
}
