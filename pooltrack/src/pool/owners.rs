//! Tag owners by discovery: where a driver's code uses a tag as an instruction immediate
//! (`push imm32`, `mov r32, imm32`, `mov r8d, imm32`, `mov r/m32, imm32`, `cmp r/m32, imm32`).

use crate::layout::Arch;

use super::tag::{PROTECTED_BIT, PoolTag};

/// A code section of a loaded driver: its bytes and the RVA of the first one.
#[derive(Debug, Clone, Copy)]
pub struct CodeSection<'a> {
    /// RVA of `bytes[0]` in the image.
    pub rva: u64,
    /// The section's bytes.
    pub bytes: &'a [u8],
}

/// The instruction that carries the tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImmediateUse {
    /// `push imm32` (x86 argument passing).
    Push,
    /// `mov r32, imm32` (register 0–15; 8 = `r8d`, the third argument on x64).
    MovReg(u8),
    /// `mov r/m32, imm32` (a store, e.g. a stack argument).
    MovMem,
    /// `cmp r/m32, imm32` (code testing a tag).
    Cmp,
}

/// One use of a tag in code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TagReference {
    /// RVA of the instruction.
    pub rva: u64,
    /// Length of the instruction in bytes.
    pub len: u8,
    /// The instruction kind.
    pub kind: ImmediateUse,
    /// Whether the immediate had the protected bit set.
    pub protected: bool,
}

/// Find the instructions in `sections` whose imm32 operand is `tag` (with or without the
/// protected bit). A hit is kept only when a whole instruction of one of the kinds above,
/// decoded from its opcode (prefixes, ModRM, SIB, displacement), ends exactly after the four
/// tag bytes. At most `max` references.
pub fn find_tag_references(
    arch: Arch,
    sections: &[CodeSection<'_>],
    tag: PoolTag,
    max: usize,
) -> Vec<TagReference> {
    let plain = tag.unprotected().0.to_le_bytes();
    let prot = (tag.unprotected().0 | PROTECTED_BIT).to_le_bytes();
    let mut out = Vec::new();
    for s in sections {
        let b = s.bytes;
        let mut p = 0usize;
        while let Some(w) = b.get(p..p.saturating_add(4)) {
            if out.len() >= max {
                return out;
            }
            let protected = w == prot;
            if (w == plain || protected)
                && let Some((start, kind)) = decode_before(arch, b, p)
            {
                let len = u8::try_from(p.saturating_add(4).saturating_sub(start)).unwrap_or(0);
                out.push(TagReference {
                    rva: s.rva.saturating_add(start as u64),
                    len,
                    kind,
                    protected,
                });
            }
            p = p.saturating_add(1);
        }
    }
    out
}

fn byte(b: &[u8], i: usize) -> Option<u8> {
    b.get(i).copied()
}

fn is_rex(arch: Arch, x: u8) -> bool {
    arch == Arch::X64 && (0x40..=0x4f).contains(&x)
}

/// Length of ModRM + SIB + displacement starting at the ModRM byte, and the reg field.
fn modrm_len(arch: Arch, b: &[u8], at: usize) -> Option<(usize, u8)> {
    let m = byte(b, at)?;
    let md = m >> 6;
    let reg = (m >> 3) & 7;
    let rm = m & 7;
    if md == 3 {
        return Some((1, reg));
    }
    let mut len = 1usize;
    let mut base = rm;
    if rm == 4 {
        len = 2;
        base = byte(b, at.checked_add(1)?)? & 7;
    }
    let disp = match md {
        0 if rm == 5 => 4, // disp32 (x86) / RIP-relative (x64)
        0 if rm == 4 && base == 5 => 4,
        0 => 0,
        1 => 1,
        _ => 4,
    };
    let _ = arch;
    Some((len.checked_add(disp)?, reg))
}

/// Whether an instruction ending right after the imm32 at `imm` begins before it; returns its
/// start and kind.
fn decode_before(arch: Arch, b: &[u8], imm: usize) -> Option<(usize, ImmediateUse)> {
    // push imm32 / mov r32, imm32 (optionally REX without W on x64).
    if let Some(op_at) = imm.checked_sub(1) {
        let op = byte(b, op_at)?;
        if op == 0x68 {
            return Some((op_at, ImmediateUse::Push));
        }
        if (0xb8..=0xbf).contains(&op) {
            let mut reg = op.wrapping_sub(0xb8);
            let mut start = op_at;
            if let Some(r_at) = op_at.checked_sub(1)
                && let Some(r) = byte(b, r_at)
                && is_rex(arch, r)
            {
                if r & 8 != 0 {
                    // REX.W: mov r64, imm64; the tag is the low half and the high half is 0.
                    let hi = b.get(imm.checked_add(4)?..imm.checked_add(8)?)?;
                    if hi != [0, 0, 0, 0] {
                        return None;
                    }
                }
                if r & 1 != 0 {
                    reg = reg.saturating_add(8);
                }
                start = r_at;
            }
            return Some((start, ImmediateUse::MovReg(reg)));
        }
    }
    // C7 /0 (mov r/m32, imm32) and 81 /7 (cmp r/m32, imm32): try every ModRM length.
    for l in 1..=6usize {
        let Some(op_at) = imm.checked_sub(l.checked_add(1)?) else {
            break;
        };
        let op = byte(b, op_at)?;
        if op != 0xc7 && op != 0x81 {
            continue;
        }
        let Some((ml, reg)) = modrm_len(arch, b, op_at.checked_add(1)?) else {
            continue;
        };
        if ml != l {
            continue;
        }
        let kind = match (op, reg) {
            (0xc7, 0) => ImmediateUse::MovMem,
            (0x81, 7) => ImmediateUse::Cmp,
            _ => continue,
        };
        let mut start = op_at;
        if let Some(r_at) = op_at.checked_sub(1)
            && byte(b, r_at).is_some_and(|r| is_rex(arch, r) && r & 8 == 0)
        {
            start = r_at;
        }
        return Some((start, kind));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_immediates_not_data() {
        let tag = PoolTag::parse("Leak").unwrap();
        let t = tag.0.to_le_bytes();
        let mut code = vec![0x90u8, 0x68];
        code.extend_from_slice(&t); // push 'Leak' at 1
        code.extend_from_slice(&[0x41, 0xb8]);
        code.extend_from_slice(&t); // mov r8d, 'Leak' at 6
        code.extend_from_slice(&[0xc7, 0x44, 0x24, 0x20]);
        code.extend_from_slice(&t); // mov dword ptr [rsp+20h], 'Leak' at 12
        code.extend_from_slice(&[0x00, 0x00]);
        code.extend_from_slice(&t); // data: 00 00 'Leak' is add [eax], al; not an imm32 use
        let s = [CodeSection {
            rva: 0x1000,
            bytes: &code,
        }];
        let r = find_tag_references(Arch::X64, &s, tag, 10);
        assert_eq!(r.len(), 3, "{r:?}");
        assert_eq!(
            (r[0].rva, r[0].kind, r[0].len),
            (0x1001, ImmediateUse::Push, 5)
        );
        assert_eq!((r[1].rva, r[1].kind), (0x1006, ImmediateUse::MovReg(8)));
        assert_eq!(
            (r[2].rva, r[2].kind, r[2].len),
            (0x100c, ImmediateUse::MovMem, 8)
        );
        // On x86 the 0x41 is `inc ecx`, then `mov eax, imm32`.
        let r86 = find_tag_references(Arch::X86, &s, tag, 10);
        assert_eq!(r86[1].kind, ImmediateUse::MovReg(0));
        assert_eq!(r86[1].rva, 0x1007);
    }
}
