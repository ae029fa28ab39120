//! Code references: which instructions use a given RVA.
//!
//! The executable sections are swept linearly with the length decoder in [`crate::x86`],
//! restarting at every `.pdata` function start (x64), so each instruction is seen once and
//! a reference is never reported twice.

use crate::headers::Machine;
use crate::image::PeImage;
use crate::reloc::{REL_BASED_DIR64, REL_BASED_HIGHLOW};
use crate::x86::{Insn, decode};
use crate::{Error, Result};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How an instruction refers to the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RefKind {
    /// x64 `[rip + disp32]` memory operand (`lea`, `mov`, `cmp`, `call [..]`, SSE loads...).
    RipRelative,
    /// x64 `[base + index*scale + disp32]` (or `[base + disp32]`) whose disp32 is the RVA
    /// itself: table accesses relative to `__ImageBase`.
    Disp32Rva,
    /// A relative `call`/`jmp`/`jcc` whose destination is the target.
    Branch,
    /// An absolute address (`ImageBase + RVA` or load base + RVA) in a displacement or
    /// immediate (x86 code, or x64 `mov r64, imm64`).
    Absolute,
    /// A base-relocation slot in an executable section holding the target's absolute
    /// address, not covered by a decoded instruction operand (e.g. a jump table in code).
    RelocSlot,
}

/// One reference found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CodeRef {
    /// RVA of the referencing instruction (for [`RefKind::RelocSlot`], of the slot).
    pub rva: u32,
    /// The RVA referred to.
    pub target: u32,
    /// How.
    pub kind: RefKind,
    /// Length of the instruction (4 or 8 for a reloc slot).
    pub len: u8,
}

impl PeImage<'_> {
    /// Instructions in executable sections that refer to `target` (an RVA).
    pub fn code_references(&self, target: u32) -> Result<Vec<CodeRef>> {
        self.code_references_to(&[target])
    }

    /// Instructions referring to any of `targets`, sorted by instruction RVA; one sweep
    /// for all targets.
    pub fn code_references_to(&self, targets: &[u32]) -> Result<Vec<CodeRef>> {
        let mode64 = match self.machine() {
            Machine::AMD64 => true,
            Machine::I386 => false,
            m => return Err(Error::UnsupportedMachine { machine: m.0 }),
        };
        let wanted: BTreeSet<u32> = targets.iter().copied().collect();
        // Absolute address → target RVA, for x86 operands and relocation slots.
        let base = self.base();
        let abs: HashMap<u64, u32> = wanted
            .iter()
            .filter_map(|&t| base.checked_add(u64::from(t)).map(|a| (a, t)))
            .collect();
        let max = self.limits().max_xrefs;
        let mut found: BTreeSet<CodeRef> = BTreeSet::new();
        // Operand fields covered by decoded instructions (for the reloc pass).
        let mut covered: BTreeMap<u32, u32> = BTreeMap::new();

        let mut starts: Vec<u32> = if mode64 {
            self.runtime_functions()
                .unwrap_or_default()
                .iter()
                .map(|f| f.begin())
                .collect()
        } else {
            Vec::new()
        };
        starts.sort_unstable();
        starts.dedup();

        // Total bytes swept, against Limits::max_scan_bytes (overlapping or huge hostile
        // sections cannot make the sweep unbounded).
        let mut scanned: u64 = 0;
        for s in self.sections().iter().filter(|s| s.is_executable()) {
            let (start, end) = self.section_extent(s);
            scanned = scanned.saturating_add(u64::from(end.saturating_sub(start)));
            if scanned > self.limits().max_scan_bytes {
                return Err(Error::LimitExceeded {
                    what: "executable bytes to scan",
                    offset: u64::from(start),
                    value: scanned,
                    limit: self.limits().max_scan_bytes,
                });
            }
            for run in self.section_runs(s)? {
                let bytes = &run.bytes;
                let mut pos = 0usize;
                while pos < bytes.len() {
                    let Some(rva) = u32::try_from(pos).ok().and_then(|p| run.rva.checked_add(p))
                    else {
                        break;
                    };
                    let window = bytes
                        .get(pos..pos.saturating_add(15).min(bytes.len()))
                        .unwrap_or(&[]);
                    let Some(insn) = decode(window, mode64) else {
                        pos = pos.saturating_add(1);
                        continue;
                    };
                    let len = u32::try_from(insn.len).unwrap_or(1);
                    let end = rva.saturating_add(len);
                    // An instruction may not straddle a known function start: resync there.
                    let i = starts.partition_point(|&f| f <= rva);
                    if let Some(&next) = starts.get(i)
                        && next < end
                    {
                        pos = pos
                            .saturating_add(usize::try_from(next.saturating_sub(rva)).unwrap_or(1));
                        continue;
                    }
                    for (field, size) in [
                        (insn.disp_off, insn.disp_size),
                        (insn.imm_off, insn.imm_size),
                    ] {
                        if size >= 4
                            && let Some(f) =
                                u32::try_from(field).ok().and_then(|f| rva.checked_add(f))
                        {
                            covered.insert(f, rva);
                        }
                    }
                    let mut hit = |target: u32, kind: RefKind| {
                        if wanted.contains(&target) {
                            found.insert(CodeRef {
                                rva,
                                target,
                                kind,
                                len: u8::try_from(insn.len).unwrap_or(15),
                            });
                        }
                    };
                    check(&insn, window, mode64, end, &abs, &mut hit);
                    if found.len() > max {
                        return Err(Error::LimitExceeded {
                            what: "code references",
                            offset: u64::from(rva),
                            value: found.len() as u64,
                            limit: max as u64,
                        });
                    }
                    pos = pos.saturating_add(insn.len.max(1));
                }
            }
        }

        // Relocation slots in executable sections holding a target's absolute address.
        let relocs = self.relocations().unwrap_or_default();
        for r in relocs {
            let width: u64 = match r.typ {
                REL_BASED_HIGHLOW => 4,
                REL_BASED_DIR64 => 8,
                _ => continue,
            };
            if !self
                .section_containing(r.rva)
                .is_some_and(|s| s.is_executable())
            {
                continue;
            }
            let Ok(v) = self.read_rva_vec(r.rva, width) else {
                continue;
            };
            let mut b = [0u8; 8];
            if let Some(dst) = b.get_mut(..v.len()) {
                dst.copy_from_slice(&v);
            }
            let value = u64::from_le_bytes(b);
            let Some(&target) = abs.get(&value) else {
                continue;
            };
            if let Some(&insn_rva) = covered.get(&r.rva) {
                // Already found as an operand of the decoded instruction.
                // Range query on the set (ordered by rva first): a scan of `found` here
                // would make hostile images with many relocations quadratic.
                let lo = CodeRef {
                    rva: insn_rva,
                    target,
                    kind: RefKind::RipRelative,
                    len: 0,
                };
                let hi = CodeRef {
                    rva: insn_rva,
                    target,
                    kind: RefKind::RelocSlot,
                    len: u8::MAX,
                };
                if found.range(lo..=hi).next().is_some() {
                    continue;
                }
            }
            found.insert(CodeRef {
                rva: r.rva,
                target,
                kind: RefKind::RelocSlot,
                len: u8::try_from(width).unwrap_or(8),
            });
        }
        Ok(found.into_iter().collect())
    }
}

fn check(
    insn: &Insn,
    bytes: &[u8],
    mode64: bool,
    end: u32,
    abs: &HashMap<u64, u32>,
    hit: &mut dyn FnMut(u32, RefKind),
) {
    let end64 = i64::from(end);
    if insn.relative_branch
        && let Some(rel) = insn.imm(bytes)
        && let Some(t) = end64.checked_add(rel).and_then(|t| u32::try_from(t).ok())
    {
        hit(t, RefKind::Branch);
    }
    if mode64 {
        if insn.rip_relative {
            if let Some(d) = insn.disp(bytes)
                && let Some(t) = end64.checked_add(d).and_then(|t| u32::try_from(t).ok())
            {
                hit(t, RefKind::RipRelative);
            }
        } else if insn.modrm_mod() == Some(2)
            && insn.disp_size == 4
            // Stack frames (`[rsp+d]`, `[rbp+d]`) are not tables relative to __ImageBase.
            && !matches!(insn.base_register(), Some(4 | 5))
            && let Some(d) = insn
                .disp_unsigned(bytes)
                .and_then(|d| u32::try_from(d).ok())
        {
            hit(d, RefKind::Disp32Rva);
        }
        // `mov r64, imm64` and `mov rax, [moffs64]` carry full absolute addresses.
        for v in [
            (insn.imm_size == 8)
                .then(|| insn.imm_unsigned(bytes))
                .flatten(),
            (insn.disp_size == 8)
                .then(|| insn.disp_unsigned(bytes))
                .flatten(),
        ]
        .into_iter()
        .flatten()
        {
            if let Some(&t) = abs.get(&v) {
                hit(t, RefKind::Absolute);
            }
        }
    } else {
        for v in [
            (insn.disp_size == 4)
                .then(|| insn.disp_unsigned(bytes))
                .flatten(),
            (insn.imm_size == 4 && !insn.relative_branch)
                .then(|| insn.imm_unsigned(bytes))
                .flatten(),
        ]
        .into_iter()
        .flatten()
        {
            if let Some(&t) = abs.get(&v) {
                hit(t, RefKind::Absolute);
            }
        }
    }
}
