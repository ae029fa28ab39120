//! x64 unwinding with `RtlVirtualUnwind` semantics from `.pdata`/`.xdata`.
//!
//! The algorithm follows the Windows unwinder as published in dotnet/runtime
//! (`src/coreclr/unwinder/amd64/unwinder.cpp`): epilog detection first (by instruction decoding
//! for UNWIND_INFO version 1, by the EPILOG codes for version 2), otherwise the prolog codes
//! whose offset is reached are undone, chained entries followed up to a limit, and finally the
//! return address popped unless a machine frame was met.

use std::collections::HashSet;

use crate::context::{ContextX64, X64_NONVOLATILE};
use crate::image::{ModuleUnwind, RuntimeFunction};
use crate::{Error, Limits, ReadMemory};

/// UNWIND_INFO flag: the function has an exception handler.
pub const UNW_FLAG_EHANDLER: u8 = 1;
/// UNWIND_INFO flag: the function has a termination handler.
pub const UNW_FLAG_UHANDLER: u8 = 2;
/// UNWIND_INFO flag: a chained RUNTIME_FUNCTION follows the codes.
pub const UNW_FLAG_CHAININFO: u8 = 4;

/// Unwind operation codes (`UNWIND_CODE.UnwindOp`).
pub mod op {
    /// Push of a non-volatile register.
    pub const PUSH_NONVOL: u8 = 0;
    /// Large stack allocation (1 or 2 extra slots).
    pub const ALLOC_LARGE: u8 = 1;
    /// Small stack allocation (8..128 bytes).
    pub const ALLOC_SMALL: u8 = 2;
    /// Establishes the frame pointer register.
    pub const SET_FPREG: u8 = 3;
    /// Save of a non-volatile register with MOV (offset / 8 in one slot).
    pub const SAVE_NONVOL: u8 = 4;
    /// Save of a non-volatile register with MOV (32-bit offset in two slots).
    pub const SAVE_NONVOL_FAR: u8 = 5;
    /// Version 1: SAVE_XMM (obsolete); version 2: EPILOG descriptor.
    pub const EPILOG: u8 = 6;
    /// Version 1: SAVE_XMM_FAR (obsolete); version 2: spare.
    pub const SPARE: u8 = 7;
    /// Save of an XMM register (offset / 16 in one slot).
    pub const SAVE_XMM128: u8 = 8;
    /// Save of an XMM register (32-bit offset in two slots).
    pub const SAVE_XMM128_FAR: u8 = 9;
    /// A machine frame (hardware interrupt or exception) was pushed.
    pub const PUSH_MACHFRAME: u8 = 10;
}

/// One `UNWIND_CODE` slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnwindCode {
    /// Offset of the end of the prolog instruction (or epilog size/offset for EPILOG).
    pub code_offset: u8,
    /// The operation.
    pub op: u8,
    /// Operation info (register number, size, flags).
    pub info: u8,
}

/// A parsed `UNWIND_INFO`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnwindInfo {
    /// RVA of this UNWIND_INFO.
    pub rva: u32,
    /// Version (1 or 2 accepted).
    pub version: u8,
    /// UNW_FLAG_* bits.
    pub flags: u8,
    /// Size of the prolog in bytes.
    pub prolog_size: u8,
    /// Frame register number (0 = none).
    pub frame_register: u8,
    /// Scaled frame offset (× 16).
    pub frame_offset: u8,
    /// The raw code slots (operand slots included).
    pub slots: Vec<u16>,
    /// The chained parent entry when UNW_FLAG_CHAININFO is set.
    pub chained: Option<RuntimeFunction>,
}

impl UnwindInfo {
    /// Reads and validates the UNWIND_INFO at `rva`.
    pub fn read(module: &dyn ModuleUnwind, rva: u32) -> Result<Self, Error> {
        let mut h = [0u8; 4];
        module.read_rva(rva, &mut h)?;
        let [vf, prolog_size, count, fr] = h;
        let version = vf & 7;
        let flags = vf >> 3;
        if !(1..=2).contains(&version) {
            return Err(Error::UnsupportedUnwindVersion { rva, version });
        }
        let mut raw = vec![0u8; usize::from(count).saturating_mul(2)];
        let codes_rva = rva.checked_add(4).ok_or(Error::Overflow {
            addr: u64::from(rva),
        })?;
        module.read_rva(codes_rva, &mut raw)?;
        let slots = raw
            .chunks_exact(2)
            .map(|c| {
                u16::from_le_bytes([
                    c.first().copied().unwrap_or(0),
                    c.get(1).copied().unwrap_or(0),
                ])
            })
            .collect();
        let chained = if flags & UNW_FLAG_CHAININFO != 0 {
            let even = u32::from(count).saturating_add(1) & !1;
            let at = codes_rva
                .checked_add(even.saturating_mul(2))
                .ok_or(Error::Overflow {
                    addr: u64::from(rva),
                })?;
            let mut b = [0u8; 12];
            module.read_rva(at, &mut b)?;
            Some(RuntimeFunction::from_bytes(&b).ok_or(Error::BadFunctionEntry { rva: at })?)
        } else {
            None
        };
        Ok(UnwindInfo {
            rva,
            version,
            flags,
            prolog_size,
            frame_register: fr & 0xf,
            frame_offset: fr >> 4,
            slots,
            chained,
        })
    }

    /// Code slot `i` decoded.
    pub fn code(&self, i: usize) -> Option<UnwindCode> {
        let s = *self.slots.get(i)?;
        let [code_offset, b] = s.to_le_bytes();
        Some(UnwindCode {
            code_offset,
            op: b & 0xf,
            info: b >> 4,
        })
    }

    /// Number of slots taken by the code at `i` (itself included).
    pub fn slot_count(&self, c: UnwindCode) -> Result<usize, Error> {
        Ok(match c.op {
            op::PUSH_NONVOL | op::ALLOC_SMALL | op::SET_FPREG | op::PUSH_MACHFRAME => 1,
            op::ALLOC_LARGE if c.info == 0 => 2,
            op::ALLOC_LARGE if c.info == 1 => 3,
            op::SAVE_NONVOL | op::SAVE_XMM128 => 2,
            op::SAVE_NONVOL_FAR | op::SAVE_XMM128_FAR => 3,
            op::EPILOG if self.version >= 2 => 1,
            op::EPILOG => 2,
            op::SPARE => 3,
            _ => {
                return Err(Error::BadUnwindCode {
                    rva: self.rva,
                    op: c.op,
                });
            }
        })
    }

    fn operand16(&self, i: usize) -> Result<u32, Error> {
        self.slots
            .get(i)
            .map(|&v| u32::from(v))
            .ok_or(Error::BadUnwindCode {
                rva: self.rva,
                op: 0xff,
            })
    }

    fn operand32(&self, i: usize) -> Result<u32, Error> {
        let lo = self.operand16(i)?;
        let hi = self.operand16(i.saturating_add(1))?;
        Ok(lo | (hi << 16))
    }
}

/// The result of one x64 unwind step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct X64Step {
    /// The caller's registers (volatile registers marked unknown).
    pub context: ContextX64,
    /// A `PUSH_MACHFRAME` was undone: the new RIP is an interrupted PC, not a return address.
    pub machine_frame: bool,
    /// With `machine_frame`: the address of the machine frame's RIP slot. Windows trap
    /// handlers build their `KTRAP_FRAME` around it (RIP at offset 0x168).
    pub machine_frame_at: Option<u64>,
    /// The function entry used (`None` for a leaf without `.pdata`).
    pub function: Option<RuntimeFunction>,
    /// The frame was unwound by emulating an epilog.
    pub in_epilog: bool,
}

fn rd64(mem: &dyn ReadMemory, addr: u64) -> Result<u64, Error> {
    Ok(mem.read_u64(addr)?)
}

fn add(a: u64, b: u64) -> Result<u64, Error> {
    a.checked_add(b).ok_or(Error::Overflow { addr: a })
}

/// Reads up to `len` code bytes at `addr` (image first, then process memory), stopping at the
/// first unreadable 8-byte block.
fn read_code(
    module: &dyn ModuleUnwind,
    mem: &dyn ReadMemory,
    base: u64,
    addr: u64,
    len: usize,
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut chunk = [0u8; 8];
    while out.len() < len {
        let a = match addr.checked_add(out.len() as u64) {
            Some(a) => a,
            None => break,
        };
        let ok = a
            .checked_sub(base)
            .and_then(|r| u32::try_from(r).ok())
            .is_some_and(|rva| module.read_rva(rva, &mut chunk).is_ok())
            || mem.read(a, &mut chunk).is_ok();
        if !ok {
            break;
        }
        out.extend_from_slice(&chunk);
    }
    out
}

/// Follows the chain of `entry` to its primary (root) entry.
pub(crate) fn primary_entry(
    module: &dyn ModuleUnwind,
    entry: RuntimeFunction,
    limits: &Limits,
) -> Result<RuntimeFunction, Error> {
    let mut cur = entry;
    for _ in 0..limits.max_unwind_chain {
        let info = UnwindInfo::read(module, cur.unwind_info)?;
        match info.chained {
            Some(parent) => cur = parent,
            None => return Ok(cur),
        }
    }
    Err(Error::UnwindChainTooLong {
        rva: entry.begin,
        limit: limits.max_unwind_chain,
    })
}

/// A decoded version-1 epilog (what to emulate).
struct V1Epilog {
    /// `add rsp, imm` amount or `lea rsp, [fp + disp]`.
    stack: Option<StackRelease>,
    pops: Vec<u8>,
}

enum StackRelease {
    Add(u64),
    Lea(u8, i64),
}

fn imm32(code: &[u8], at: usize) -> Option<i32> {
    let s = code.get(at..at.checked_add(4)?)?;
    let mut a = [0u8; 4];
    a.copy_from_slice(s);
    Some(i32::from_le_bytes(a))
}

/// Matches the version-1 epilog pattern at the start of `code`.
#[allow(clippy::too_many_arguments)]
fn match_v1_epilog(
    code: &[u8],
    info: &UnwindInfo,
    module: &dyn ModuleUnwind,
    entry: RuntimeFunction,
    rip_rva: u32,
    limits: &Limits,
) -> Result<Option<V1Epilog>, Error> {
    let b = |i: usize| code.get(i).copied();
    let mut i = 0usize;
    let mut stack = None;
    match (b(0), b(1), b(2)) {
        (Some(0x48), Some(0x83), Some(0xc4)) => {
            let v = b(3).map(|x| i64::from(x as i8));
            match v {
                Some(v) => {
                    stack = Some(StackRelease::Add(v as u64));
                    i = 4;
                }
                None => return Ok(None),
            }
        }
        (Some(0x48), Some(0x81), Some(0xc4)) => match imm32(code, 3) {
            Some(v) => {
                stack = Some(StackRelease::Add(i64::from(v) as u64));
                i = 7;
            }
            None => return Ok(None),
        },
        (Some(rex), Some(0x8d), Some(modrm)) if rex & 0xfe == 0x48 => {
            let md = modrm >> 6;
            let reg = (modrm >> 3) & 7;
            let rm = (modrm & 7) | ((rex & 1) << 3);
            if reg == 4 && rm != 4 && info.frame_register != 0 && rm == info.frame_register {
                match md {
                    1 => {
                        let d = b(3).map(|x| i64::from(x as i8));
                        if let Some(d) = d {
                            stack = Some(StackRelease::Lea(rm, d));
                            i = 4;
                        }
                    }
                    2 => {
                        if let Some(d) = imm32(code, 3) {
                            stack = Some(StackRelease::Lea(rm, i64::from(d)));
                            i = 7;
                        }
                    }
                    _ => {}
                }
                if stack.is_none() {
                    return Ok(None);
                }
            }
        }
        _ => {}
    }
    let mut pops = Vec::new();
    loop {
        match (b(i), b(i.saturating_add(1))) {
            (Some(p), _) if (0x58..=0x5f).contains(&p) => {
                pops.push(p & 7);
                i = i.saturating_add(1);
            }
            (Some(0x41), Some(p)) if (0x58..=0x5f).contains(&p) => {
                pops.push((p & 7) | 8);
                i = i.saturating_add(2);
            }
            _ => break,
        }
        if pops.len() > 16 {
            return Ok(None);
        }
    }
    // Optional REP/REPNE prefix before the terminator.
    if matches!(b(i), Some(0xf2) | Some(0xf3)) && b(i.saturating_add(1)) == Some(0xc3) {
        i = i.saturating_add(1);
    }
    let epilog = Some(V1Epilog { stack, pops });
    let t = match b(i) {
        Some(t) => t,
        None => return Ok(None),
    };
    match t {
        0xc3 | 0xc2 => Ok(epilog),
        0xe9 | 0xeb => {
            // The address of the jmp instruction as an RVA.
            let at = rip_rva
                .checked_add(u32::try_from(i).unwrap_or(u32::MAX))
                .ok_or(Error::Overflow {
                    addr: u64::from(rip_rva),
                })?;
            let (len, disp) = if t == 0xe9 {
                match imm32(code, i.saturating_add(1)) {
                    Some(d) => (5i64, i64::from(d)),
                    None => return Ok(None),
                }
            } else {
                match b(i.saturating_add(1)) {
                    Some(d) => (2i64, i64::from(d as i8)),
                    None => return Ok(None),
                }
            };
            let target = i64::from(at).saturating_add(len).saturating_add(disp);
            let target = match u32::try_from(target) {
                Ok(t) => t,
                // Outside the image: certainly outside the function.
                Err(_) => return Ok(epilog),
            };
            let chained = info.flags & UNW_FLAG_CHAININFO != 0;
            if !entry.contains(target) {
                // Is the target another fragment of the same function?
                let same = match module.function_entry(target)? {
                    Some(te) => {
                        let p1 = primary_entry(module, entry, limits)?;
                        let p2 = primary_entry(module, te, limits)?;
                        (p1 == p2).then_some(p1)
                    }
                    None => None,
                };
                match same {
                    None => Ok(epilog),
                    Some(p) if target == p.begin => Ok(epilog),
                    Some(_) => Ok(None),
                }
            } else if target == entry.begin && !chained {
                Ok(epilog)
            } else {
                Ok(None)
            }
        }
        0xff if b(i.saturating_add(1)) == Some(0x25) => Ok(epilog),
        rex if rex & 0xf8 == 0x48
            && b(i.saturating_add(1)) == Some(0xff)
            && b(i.saturating_add(2)).is_some_and(|m| m & 0x38 == 0x20) =>
        {
            Ok(epilog)
        }
        _ => Ok(None),
    }
}

/// Unwinds one x64 frame.
///
/// `interrupted` is true for frame 0 and for a frame reached through a machine frame: the PC
/// is a real interrupted PC (epilog detection on, lookup at RIP). Otherwise RIP is a return
/// address and the function is looked up at RIP−1.
///
/// Returns `Ok(None)` when the module has no entry for a return address (the caller should
/// try its fallbacks). A PC without an entry in an interrupted frame is a leaf function:
/// its return address is at `[RSP]`.
///
/// Chained unwind information is followed up to the default [`Limits::max_unwind_chain`]; a
/// [`Walker`](crate::Walker) applies its own limits.
pub fn unwind_x64(
    ctx: &ContextX64,
    module: &dyn ModuleUnwind,
    base: u64,
    memory: &dyn ReadMemory,
    interrupted: bool,
) -> Result<Option<X64Step>, Error> {
    unwind_x64_limited(ctx, module, base, memory, interrupted, &Limits::default())
}

/// [`unwind_x64`] under the walker's limits.
pub(crate) fn unwind_x64_limited(
    ctx: &ContextX64,
    module: &dyn ModuleUnwind,
    base: u64,
    memory: &dyn ReadMemory,
    interrupted: bool,
    limits: &Limits,
) -> Result<Option<X64Step>, Error> {
    let rip = ctx.rip;
    let lookup = if interrupted {
        rip
    } else {
        rip.checked_sub(1).ok_or(Error::Overflow { addr: rip })?
    };
    let rva_of = |a: u64| -> Result<u32, Error> {
        a.checked_sub(base)
            .and_then(|r| u32::try_from(r).ok())
            .ok_or(Error::Overflow { addr: a })
    };
    let lookup_rva = rva_of(lookup)?;
    let rip_rva = rva_of(rip)?;
    let mut out = ctx.clone();
    let entry = match module.function_entry(lookup_rva)? {
        Some(e) => e,
        None if interrupted => {
            let rsp = ctx.rsp();
            out.rip = rd64(memory, rsp)?;
            out.set_rsp(add(rsp, 8)?);
            out.valid &= X64_NONVOLATILE;
            return Ok(Some(X64Step {
                context: out,
                machine_frame: false,
                machine_frame_at: None,
                function: None,
                in_epilog: false,
            }));
        }
        None => return Ok(None),
    };
    let info = UnwindInfo::read(module, entry.unwind_info)?;
    let prolog_offset = rip_rva.wrapping_sub(entry.begin);

    if interrupted {
        // Version 2: the epilog is described by EPILOG codes.
        if info.version >= 2 {
            if let Some(offset_in) = v2_epilog_offset(&info, entry, rip_rva) {
                let machine_at =
                    unwind_v2_epilog(&info, module, offset_in, &mut out, memory, limits)?;
                out.valid &= X64_NONVOLATILE;
                return Ok(Some(X64Step {
                    context: out,
                    machine_frame: machine_at.is_some(),
                    machine_frame_at: machine_at,
                    function: Some(entry),
                    in_epilog: true,
                }));
            }
        } else {
            let code = read_code(module, memory, base, rip, 32);
            if let Some(ep) = match_v1_epilog(&code, &info, module, entry, rip_rva, limits)? {
                let mut rsp = out.rsp();
                match ep.stack {
                    Some(StackRelease::Add(v)) => rsp = rsp.wrapping_add(v),
                    Some(StackRelease::Lea(r, d)) => {
                        let fp = out.reg(r).ok_or(Error::BadUnwindCode {
                            rva: info.rva,
                            op: op::SET_FPREG,
                        })?;
                        rsp = fp.wrapping_add(d as u64);
                    }
                    None => {}
                }
                for r in ep.pops {
                    let v = rd64(memory, rsp)?;
                    out.set_reg(r, v);
                    rsp = add(rsp, 8)?;
                }
                out.rip = rd64(memory, rsp)?;
                out.set_rsp(add(rsp, 8)?);
                out.valid &= X64_NONVOLATILE;
                return Ok(Some(X64Step {
                    context: out,
                    machine_frame: false,
                    machine_frame_at: None,
                    function: Some(entry),
                    in_epilog: true,
                }));
            }
        }
    }

    // Establisher frame, computed once from the primary entry.
    let frame_base = if info.frame_register == 0 {
        ctx.rsp()
    } else {
        let fp_form = if prolog_offset >= u32::from(info.prolog_size)
            || info.flags & UNW_FLAG_CHAININFO != 0
        {
            true
        } else {
            let mut found = false;
            let mut i = 0usize;
            while let Some(c) = info.code(i) {
                if c.op == op::SET_FPREG {
                    found = prolog_offset >= u32::from(c.code_offset);
                    break;
                }
                i = i.saturating_add(info.slot_count(c)?);
            }
            found
        };
        if fp_form {
            let fp = ctx.reg(info.frame_register).ok_or(Error::BadUnwindCode {
                rva: info.rva,
                op: op::SET_FPREG,
            })?;
            fp.wrapping_sub(u64::from(info.frame_offset).wrapping_mul(16))
        } else {
            ctx.rsp()
        }
    };

    let mut machine: Option<u64> = None;
    let mut cur_info = info;
    let mut cur_entry = entry;
    let mut seen = HashSet::new();
    let mut links = 0u32;
    loop {
        if !seen.insert(cur_entry.unwind_info) {
            return Err(Error::UnwindChainTooLong {
                rva: entry.begin,
                limit: limits.max_unwind_chain,
            });
        }
        let po = rip_rva.wrapping_sub(cur_entry.begin);
        apply_prolog_codes(&cur_info, po, frame_base, &mut out, memory, &mut machine)?;
        match cur_info.chained {
            None => break,
            Some(parent) => {
                links = links.saturating_add(1);
                if links > limits.max_unwind_chain {
                    return Err(Error::UnwindChainTooLong {
                        rva: entry.begin,
                        limit: limits.max_unwind_chain,
                    });
                }
                cur_info = UnwindInfo::read(module, parent.unwind_info)?;
                cur_entry = parent;
            }
        }
    }
    if machine.is_none() {
        let rsp = out.rsp();
        out.rip = rd64(memory, rsp)?;
        out.set_rsp(add(rsp, 8)?);
    }
    out.valid &= X64_NONVOLATILE;
    Ok(Some(X64Step {
        context: out,
        machine_frame: machine.is_some(),
        machine_frame_at: machine,
        function: Some(entry),
        in_epilog: false,
    }))
}

/// Undoes the prolog codes of one UNWIND_INFO whose offset has been reached.
fn apply_prolog_codes(
    info: &UnwindInfo,
    prolog_offset: u32,
    frame_base: u64,
    out: &mut ContextX64,
    mem: &dyn ReadMemory,
    machine: &mut Option<u64>,
) -> Result<(), Error> {
    let mut i = 0usize;
    while let Some(c) = info.code(i) {
        let n = info.slot_count(c)?;
        if info.slots.len() < i.saturating_add(n) {
            return Err(Error::BadUnwindCode {
                rva: info.rva,
                op: c.op,
            });
        }
        let applies = u32::from(c.code_offset) <= prolog_offset;
        if applies {
            let rsp = out.rsp();
            match c.op {
                op::PUSH_NONVOL => {
                    let v = rd64(mem, rsp)?;
                    out.set_reg(c.info, v);
                    out.set_rsp(add(rsp, 8)?);
                }
                op::ALLOC_LARGE => {
                    let size = if c.info == 0 {
                        u64::from(info.operand16(i.saturating_add(1))?).saturating_mul(8)
                    } else {
                        u64::from(info.operand32(i.saturating_add(1))?)
                    };
                    out.set_rsp(add(rsp, size)?);
                }
                op::ALLOC_SMALL => {
                    out.set_rsp(add(
                        rsp,
                        u64::from(c.info).saturating_mul(8).saturating_add(8),
                    )?);
                }
                op::SET_FPREG => {
                    let fp = out.reg(info.frame_register).ok_or(Error::BadUnwindCode {
                        rva: info.rva,
                        op: c.op,
                    })?;
                    if info.frame_register == 0 {
                        return Err(Error::BadUnwindCode {
                            rva: info.rva,
                            op: c.op,
                        });
                    }
                    out.set_rsp(fp.wrapping_sub(u64::from(info.frame_offset).saturating_mul(16)));
                }
                op::SAVE_NONVOL | op::SAVE_NONVOL_FAR => {
                    let off = if c.op == op::SAVE_NONVOL {
                        u64::from(info.operand16(i.saturating_add(1))?).saturating_mul(8)
                    } else {
                        u64::from(info.operand32(i.saturating_add(1))?)
                    };
                    let v = rd64(mem, add(frame_base, off)?)?;
                    out.set_reg(c.info, v);
                }
                op::SAVE_XMM128 | op::SAVE_XMM128_FAR => {
                    let off = if c.op == op::SAVE_XMM128 {
                        u64::from(info.operand16(i.saturating_add(1))?).saturating_mul(16)
                    } else {
                        u64::from(info.operand32(i.saturating_add(1))?)
                    };
                    let mut b = [0u8; 16];
                    mem.read(add(frame_base, off)?, &mut b)?;
                    if let Some(x) = out.xmm.get_mut(usize::from(c.info)) {
                        *x = u128::from_le_bytes(b);
                    }
                }
                op::EPILOG if info.version < 2 => {
                    // Obsolete v1 SAVE_XMM: low 64 bits, offset scaled by 8.
                    let off = u64::from(info.operand16(i.saturating_add(1))?).saturating_mul(8);
                    let v = rd64(mem, add(frame_base, off)?)?;
                    if let Some(x) = out.xmm.get_mut(usize::from(c.info)) {
                        *x = u128::from(v);
                    }
                }
                op::EPILOG => {}
                op::SPARE if info.version < 2 => {
                    // Obsolete v1 SAVE_XMM_FAR.
                    let off = u64::from(info.operand32(i.saturating_add(1))?);
                    let v = rd64(mem, add(frame_base, off)?)?;
                    if let Some(x) = out.xmm.get_mut(usize::from(c.info)) {
                        *x = u128::from(v);
                    }
                }
                op::PUSH_MACHFRAME => {
                    let skip = if c.info == 0 {
                        0
                    } else if c.info == 1 {
                        8
                    } else {
                        return Err(Error::BadUnwindCode {
                            rva: info.rva,
                            op: c.op,
                        });
                    };
                    let base = add(rsp, skip)?;
                    out.rip = rd64(mem, base)?;
                    let new_sp = rd64(mem, add(base, 24)?)?;
                    out.set_rsp(new_sp);
                    *machine = Some(base);
                }
                _ => {
                    return Err(Error::BadUnwindCode {
                        rva: info.rva,
                        op: c.op,
                    });
                }
            }
        }
        i = i.saturating_add(n);
    }
    Ok(())
}

/// For a version-2 UNWIND_INFO: the offset of `rip_rva` inside one of its epilogs, if any.
pub fn v2_epilog_offset(info: &UnwindInfo, entry: RuntimeFunction, rip_rva: u32) -> Option<u32> {
    let first = info.code(0)?;
    if info.version < 2 || first.op != op::EPILOG {
        return None;
    }
    let size = u32::from(first.code_offset);
    let end = entry.end;
    let check = |from_end: u32| -> Option<u32> {
        let start = end.checked_sub(from_end)?;
        let within = rip_rva.wrapping_sub(start);
        (within < size).then_some(within)
    };
    if first.info & 1 != 0
        && let Some(w) = check(size)
    {
        return Some(w);
    }
    let mut i = 1usize;
    while let Some(c) = info.code(i) {
        if c.op != op::EPILOG {
            break;
        }
        let off = u32::from(c.code_offset) | (u32::from(c.info) << 8);
        if off == 0 {
            break;
        }
        if let Some(w) = check(off) {
            return Some(w);
        }
        i = i.saturating_add(1);
    }
    None
}

/// Emulates the rest of a version-2 epilog: the pops mirror the prolog's pushes.
/// Returns the address of the machine frame's RIP slot when a machine frame ended it.
fn unwind_v2_epilog(
    info: &UnwindInfo,
    module: &dyn ModuleUnwind,
    offset_in: u32,
    out: &mut ContextX64,
    mem: &dyn ReadMemory,
    limits: &Limits,
) -> Result<Option<u64>, Error> {
    let mut current = 0u32;
    let mut pushes_seen = false;
    let mut cur = info.clone();
    let mut links = 0u32;
    'chain: loop {
        let mut i = 0usize;
        while let Some(c) = cur.code(i) {
            let n = cur.slot_count(c)?;
            match c.op {
                op::EPILOG if cur.version >= 2 => {}
                op::PUSH_NONVOL => {
                    pushes_seen = true;
                    if current >= offset_in {
                        let rsp = out.rsp();
                        let v = rd64(mem, rsp)?;
                        out.set_reg(c.info, v);
                        out.set_rsp(add(rsp, 8)?);
                    }
                    current = current.saturating_add(if c.info >= 8 { 2 } else { 1 });
                }
                op::ALLOC_SMALL if pushes_seen && c.info == 0 => {
                    // pushfq / popfq
                    if current >= offset_in {
                        let rsp = out.rsp();
                        out.set_rsp(add(rsp, 8)?);
                    }
                    current = current.saturating_add(1);
                }
                op::PUSH_MACHFRAME => {
                    let skip = if c.info == 0 { 0 } else { 8 };
                    let base = add(out.rsp(), skip)?;
                    out.rip = rd64(mem, base)?;
                    let sp = rd64(mem, add(base, 24)?)?;
                    out.set_rsp(sp);
                    return Ok(Some(base));
                }
                _ if pushes_seen => break 'chain,
                _ => {}
            }
            i = i.saturating_add(n);
        }
        match cur.chained {
            Some(parent) => {
                links = links.saturating_add(1);
                if links > limits.max_unwind_chain {
                    return Err(Error::UnwindChainTooLong {
                        rva: cur.rva,
                        limit: limits.max_unwind_chain,
                    });
                }
                cur = UnwindInfo::read(module, parent.unwind_info)?;
            }
            None => break,
        }
    }
    let rsp = out.rsp();
    out.rip = rd64(mem, rsp)?;
    out.set_rsp(add(rsp, 8)?);
    Ok(None)
}
