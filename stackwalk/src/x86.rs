//! x86 unwinding: frame data (FPO and frame-data programs from a PDB) and its evaluator.

use std::collections::HashMap;

use crate::context::{ContextX86, x86_reg};
use crate::{Error, ReadMemory};

/// The kind of an x86 frame record (`FPO_DATA.cbFrame`, or a `FRAMEDATA` record).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FrameKind {
    /// Frame-pointer omitted (FPO_DATA type 0).
    Fpo,
    /// Kernel trap frame.
    Trap,
    /// Kernel task state segment.
    Tss,
    /// Standard EBP frame.
    Standard,
    /// A `FRAMEDATA` record (usually with a program).
    FrameData,
    /// Anything else.
    Unknown,
}

/// One x86 frame-data record, covering `[rva, rva + code_size)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameEntry {
    /// RVA of the code block.
    pub rva: u32,
    /// Size of the code block.
    pub code_size: u32,
    /// Kind of record.
    pub kind: FrameKind,
    /// Bytes of locals.
    pub locals_size: u32,
    /// Bytes of parameters.
    pub params_size: u32,
    /// Bytes of prolog.
    pub prolog_size: u16,
    /// Bytes of saved registers.
    pub saved_regs_size: u16,
    /// The function uses (allocates) EBP.
    pub uses_base_pointer: bool,
    /// The frame-data program, if any.
    pub program: Option<String>,
}

impl FrameEntry {
    fn contains(&self, rva: u32) -> bool {
        rva >= self.rva
            && u64::from(rva) < u64::from(self.rva).saturating_add(u64::from(self.code_size))
    }
}

/// The frame-data records of one module, sorted by RVA.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrameTable {
    entries: Vec<FrameEntry>,
}

impl FrameTable {
    /// Builds a table (sorts the entries).
    pub fn new(mut entries: Vec<FrameEntry>) -> Self {
        entries.sort_by_key(|e| (e.rva, e.kind != FrameKind::FrameData));
        FrameTable { entries }
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The innermost record covering `rva` (frame-data records preferred over FPO records).
    pub fn lookup(&self, rva: u32) -> Option<&FrameEntry> {
        let end = self.entries.partition_point(|e| e.rva <= rva);
        let mut best: Option<&FrameEntry> = None;
        // Records nest rarely and shallowly; a bounded look back is enough.
        for e in self.entries.get(..end)?.iter().rev().take(16) {
            if e.contains(rva) {
                match best {
                    Some(b) if b.rva > e.rva => break,
                    Some(b) if b.kind == FrameKind::FrameData => {}
                    _ => best = Some(e),
                }
            }
        }
        best
    }
}

/// Maps a CodeView register name `$<n>` (as newer Microsoft programs write them) to `$name`.
fn canonical_register(tok: &str) -> Option<&'static str> {
    Some(match tok.strip_prefix('$')?.parse::<u32>().ok()? {
        17 => "$eax",
        18 => "$ecx",
        19 => "$edx",
        20 => "$ebx",
        21 => "$esp",
        22 => "$ebp",
        23 => "$esi",
        24 => "$edi",
        33 => "$eip",
        _ => return None,
    })
}

#[derive(Debug, Clone)]
enum Tok<'a> {
    Num(u32),
    Var(&'a str),
}

/// Evaluates a frame-data program (postfix: `+ - * / % @ ^ =`) over `vars`.
///
/// Variables are names beginning with `$` or `.`; CodeView register numbers such as `$20` are
/// read as their register names (`$ebx`). `^` dereferences a 32-bit value through `mem`.
pub fn eval_program(
    program: &str,
    vars: &mut HashMap<String, u32>,
    mem: &dyn ReadMemory,
) -> Result<(), Error> {
    let mut stack: Vec<Tok<'_>> = Vec::new();
    let bad = |reason| Error::BadProgram { reason };
    let value = |t: Tok<'_>, vars: &HashMap<String, u32>| -> Result<u32, Error> {
        match t {
            Tok::Num(n) => Ok(n),
            Tok::Var(v) => {
                let name = canonical_register(v).unwrap_or(v);
                vars.get(name).copied().ok_or(Error::BadProgram {
                    reason: "unknown variable",
                })
            }
        }
    };
    // Real programs glue an assignment to the next name: `$T0 $ebp 204 + =$eip ...`.
    let tokens = program
        .split_whitespace()
        .flat_map(|t| match t.strip_prefix('=') {
            Some(rest) if !rest.is_empty() => [Some("="), Some(rest)],
            _ => [Some(t), None],
        });
    for (count, tok) in tokens.flatten().enumerate() {
        if count > 4096 || stack.len() > 256 {
            return Err(bad("program too long"));
        }
        match tok {
            "+" | "-" | "*" | "/" | "%" | "@" => {
                let b = stack.pop().ok_or(bad("stack underflow"))?;
                let a = stack.pop().ok_or(bad("stack underflow"))?;
                let (a, b) = (value(a, vars)?, value(b, vars)?);
                let r = match tok {
                    "+" => a.wrapping_add(b),
                    "-" => a.wrapping_sub(b),
                    "*" => a.wrapping_mul(b),
                    "/" => a.checked_div(b).ok_or(bad("division by zero"))?,
                    "%" => a.checked_rem(b).ok_or(bad("division by zero"))?,
                    _ => {
                        if b == 0 || !b.is_power_of_two() {
                            return Err(bad("bad alignment"));
                        }
                        a & !(b.wrapping_sub(1))
                    }
                };
                stack.push(Tok::Num(r));
            }
            "^" => {
                let a = stack.pop().ok_or(bad("stack underflow"))?;
                let a = value(a, vars)?;
                let v = mem.read_u32(u64::from(a))?;
                stack.push(Tok::Num(v));
            }
            "=" => {
                let v = stack.pop().ok_or(bad("stack underflow"))?;
                let v = value(v, vars)?;
                match stack.pop().ok_or(bad("stack underflow"))? {
                    Tok::Var(name) => {
                        let name = canonical_register(name).unwrap_or(name);
                        if vars.len() > 256 {
                            return Err(bad("too many variables"));
                        }
                        vars.insert(name.to_string(), v);
                    }
                    Tok::Num(_) => return Err(bad("assignment to a number")),
                }
            }
            t if t.starts_with('$') || t.starts_with('.') => stack.push(Tok::Var(t)),
            t => {
                let n = if let Some(h) = t.strip_prefix("0x") {
                    u32::from_str_radix(h, 16)
                } else if let Some(neg) = t.strip_prefix('-') {
                    neg.parse::<u32>().map(|v| v.wrapping_neg())
                } else {
                    t.parse::<u32>()
                };
                stack.push(Tok::Num(n.map_err(|_| bad("bad token"))?));
            }
        }
    }
    if stack.is_empty() {
        Ok(())
    } else {
        Err(bad("values left on the stack"))
    }
}

/// Unwinds one x86 frame with a frame-data record.
///
/// `callee_params` is the parameter size of the function one frame deeper (0 for frame 0): its
/// arguments still sit between this frame's ESP and its locals.
pub fn unwind_x86_frame_data(
    ctx: &ContextX86,
    entry: &FrameEntry,
    callee_params: u32,
    mem: &dyn ReadMemory,
) -> Result<ContextX86, Error> {
    let esp = ctx.esp();
    let frame_size = entry
        .locals_size
        .checked_add(u32::from(entry.saved_regs_size))
        .and_then(|v| v.checked_add(callee_params))
        .ok_or(Error::Overflow {
            addr: u64::from(esp),
        })?;
    let ra_search = esp.checked_add(frame_size).ok_or(Error::Overflow {
        addr: u64::from(esp),
    })?;
    let mut out = ctx.clone();
    out.valid &= crate::context::X86_NONVOLATILE;
    match &entry.program {
        Some(program) => {
            let mut vars: HashMap<String, u32> = HashMap::new();
            vars.insert("$eip".into(), ctx.eip);
            for (n, name) in x86_reg::NAMES.iter().enumerate() {
                let n = u8::try_from(n).unwrap_or(0);
                if let Some(v) = ctx.reg(n) {
                    vars.insert(format!("${name}"), v);
                }
            }
            vars.insert(".cbCalleeParams".into(), callee_params);
            vars.insert(".cbSavedRegs".into(), u32::from(entry.saved_regs_size));
            vars.insert(".cbLocals".into(), entry.locals_size);
            vars.insert(".cbParams".into(), entry.params_size);
            vars.insert(".raSearchStart".into(), ra_search);
            vars.insert(".raSearch".into(), ra_search);
            let (seeded_eip, seeded_esp) = (ctx.eip, esp);
            eval_program(program, &mut vars, mem)?;
            let eip = *vars
                .get("$eip")
                .ok_or(Error::BadProgram { reason: "no $eip" })?;
            let new_esp = *vars
                .get("$esp")
                .ok_or(Error::BadProgram { reason: "no $esp" })?;
            if eip == seeded_eip && new_esp == seeded_esp {
                return Err(Error::BadProgram {
                    reason: "program did not unwind",
                });
            }
            out.eip = eip;
            out.set_reg(x86_reg::ESP, new_esp);
            for (r, name) in [
                (x86_reg::EBP, "$ebp"),
                (x86_reg::EBX, "$ebx"),
                (x86_reg::ESI, "$esi"),
                (x86_reg::EDI, "$edi"),
            ] {
                if let Some(&v) = vars.get(name) {
                    out.set_reg(r, v);
                }
            }
        }
        None => {
            out.eip = mem.read_u32(u64::from(ra_search))?;
            if entry.uses_base_pointer {
                let at = esp
                    .checked_add(callee_params)
                    .and_then(|v| v.checked_add(u32::from(entry.saved_regs_size)))
                    .and_then(|v| v.checked_sub(8))
                    .ok_or(Error::Overflow {
                        addr: u64::from(esp),
                    })?;
                out.set_reg(x86_reg::EBP, mem.read_u32(u64::from(at))?);
            }
            let new_esp = ra_search.checked_add(4).ok_or(Error::Overflow {
                addr: u64::from(esp),
            })?;
            out.set_reg(x86_reg::ESP, new_esp);
        }
    }
    Ok(out)
}

/// Unwinds one x86 frame through the EBP chain: `eip = [ebp+4]`, `ebp = [ebp]`, `esp = ebp+8`.
pub fn unwind_x86_ebp(ctx: &ContextX86, mem: &dyn ReadMemory) -> Result<ContextX86, Error> {
    let ebp = ctx.reg(x86_reg::EBP).ok_or(Error::BadContext {
        what: "EBP unknown",
    })?;
    let at = |d: u32| {
        ebp.checked_add(d).ok_or(Error::Overflow {
            addr: u64::from(ebp),
        })
    };
    let mut out = ctx.clone();
    out.valid &= crate::context::X86_NONVOLATILE;
    out.eip = mem.read_u32(u64::from(at(4)?))?;
    out.set_reg(x86_reg::EBP, mem.read_u32(u64::from(ebp))?);
    out.set_reg(x86_reg::ESP, at(8)?);
    Ok(out)
}
