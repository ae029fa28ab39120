//! A table-driven x86/x64 instruction *length* decoder.
//!
//! It does not name instructions; it finds where each one ends and where its ModRM
//! displacement and immediate sit, which is all the cross-reference search needs. Covers
//! the one-byte and `0F` maps, `0F 38`/`0F 3A`, 3DNow!, VEX (`C4`/`C5`) and EVEX (`62`).

/// What the decoder learned about one instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Insn {
    /// Total length in bytes (1..=15).
    pub len: usize,
    /// The (last) opcode byte.
    pub opcode: u8,
    /// Opcode map: 0 = one-byte, 1 = `0F`, 2 = `0F 38`, 3 = `0F 3A` (VEX/EVEX maps as encoded).
    pub map: u8,
    /// The ModRM byte, if any.
    pub modrm: Option<u8>,
    /// The SIB byte, if any.
    pub sib: Option<u8>,
    /// Offset and size of the displacement (size 0 if none).
    pub disp_off: usize,
    /// Size of the displacement in bytes (0, 1, 2, 4, or 8 for `moffs64`).
    pub disp_size: usize,
    /// Offset of the immediate.
    pub imm_off: usize,
    /// Size of the immediate in bytes (0 if none).
    pub imm_size: usize,
    /// The memory operand is `[rip + disp32]` (64-bit mode).
    pub rip_relative: bool,
    /// The immediate is a relative branch displacement (`call`/`jmp`/`jcc`/`loop`).
    pub relative_branch: bool,
    /// REX.W was set.
    pub rex_w: bool,
    /// The REX prefix byte (0 if none; VEX/EVEX extension bits are not folded in).
    pub rex: u8,
}

impl Insn {
    /// The displacement, sign-extended, if one is present.
    pub fn disp(&self, bytes: &[u8]) -> Option<i64> {
        read_signed(bytes, self.disp_off, self.disp_size)
    }

    /// The immediate, sign-extended, if one is present.
    pub fn imm(&self, bytes: &[u8]) -> Option<i64> {
        read_signed(bytes, self.imm_off, self.imm_size)
    }

    /// The immediate, zero-extended, if one is present.
    pub fn imm_unsigned(&self, bytes: &[u8]) -> Option<u64> {
        read_unsigned(bytes, self.imm_off, self.imm_size)
    }

    /// The displacement, zero-extended, if one is present.
    pub fn disp_unsigned(&self, bytes: &[u8]) -> Option<u64> {
        read_unsigned(bytes, self.disp_off, self.disp_size)
    }

    /// The base register number (0..16, with REX.B) of a ModRM memory operand, if any
    /// (`None` for register operands, `[rip+d]` and `[disp32]` forms).
    pub fn base_register(&self) -> Option<u8> {
        let m = self.modrm?;
        let (md, rm) = (m >> 6, m & 7);
        let base = match (md, rm, self.sib) {
            (3, _, _) => return None,
            (0, 5, _) => return None,
            (_, 4, Some(sib)) if md == 0 && sib & 7 == 5 => return None,
            (_, 4, Some(sib)) => sib & 7,
            (_, 4, None) => return None,
            _ => rm,
        };
        Some(base | ((self.rex & 1) << 3))
    }

    /// ModRM `mod` field.
    pub fn modrm_mod(&self) -> Option<u8> {
        self.modrm.map(|m| m >> 6)
    }
}

fn read_unsigned(bytes: &[u8], off: usize, size: usize) -> Option<u64> {
    if size == 0 {
        return None;
    }
    let s = bytes.get(off..off.checked_add(size)?)?;
    let mut b = [0u8; 8];
    b.get_mut(..size)?.copy_from_slice(s);
    Some(u64::from_le_bytes(b))
}

fn read_signed(bytes: &[u8], off: usize, size: usize) -> Option<i64> {
    let s = bytes.get(off..off.checked_add(size)?)?;
    Some(match size {
        1 => i64::from(i8::from_le_bytes(s.try_into().ok()?)),
        2 => i64::from(i16::from_le_bytes(s.try_into().ok()?)),
        4 => i64::from(i32::from_le_bytes(s.try_into().ok()?)),
        8 => i64::from_le_bytes(s.try_into().ok()?),
        _ => return None,
    })
}

/// Decodes the instruction at the start of `bytes` (`mode64`: long mode, else 32-bit
/// protected mode). `None` for invalid or truncated encodings.
pub fn decode(bytes: &[u8], mode64: bool) -> Option<Insn> {
    let mut i = 0usize;
    let mut opsize16 = false;
    let mut addr_override = false;
    let mut b = *bytes.first()?;
    loop {
        match b {
            0x66 => opsize16 = true,
            0x67 => addr_override = true,
            0xf0 | 0xf2 | 0xf3 | 0x26 | 0x2e | 0x36 | 0x3e | 0x64 | 0x65 => {}
            _ => break,
        }
        i = i.checked_add(1)?;
        if i >= 15 {
            return None;
        }
        b = *bytes.get(i)?;
    }
    let mut rex_w = false;
    let mut rex = 0u8;
    if mode64 && (b & 0xf0) == 0x40 {
        rex_w = b & 0x08 != 0;
        rex = b;
        i = i.checked_add(1)?;
        b = *bytes.get(i)?;
    }
    let z = if opsize16 && !rex_w { 2 } else { 4 };
    let mut insn = Insn {
        rex_w,
        rex,
        ..Insn::default()
    };
    let has_modrm: bool;
    let mut imm: usize = 0;
    // The ModRM reg field decides immediates for F6/F7.
    let mut f6f7 = false;

    let next_mod_is_reg = |at: usize| bytes.get(at).is_some_and(|m| m >> 6 == 3);
    let is_vex = (b == 0xc4 || b == 0xc5) && (mode64 || next_mod_is_reg(i.saturating_add(1)));
    let is_evex = b == 0x62 && (mode64 || next_mod_is_reg(i.saturating_add(1)));
    if is_vex || is_evex {
        let (map, op) = if b == 0xc5 {
            i = i.checked_add(2)?;
            (1u8, *bytes.get(i)?)
        } else if b == 0xc4 {
            let p0 = *bytes.get(i.checked_add(1)?)?;
            let p1 = *bytes.get(i.checked_add(2)?)?;
            insn.rex_w = p1 & 0x80 != 0;
            i = i.checked_add(3)?;
            (p0 & 0x1f, *bytes.get(i)?)
        } else {
            let p0 = *bytes.get(i.checked_add(1)?)?;
            i = i.checked_add(4)?;
            (p0 & 0x07, *bytes.get(i)?)
        };
        if !matches!(map, 1..=3 | 5 | 6) || (b != 0x62 && map > 3) {
            return None;
        }
        i = i.checked_add(1)?;
        insn.opcode = op;
        insn.map = map;
        has_modrm = !(map == 1 && op == 0x77 && b != 0x62);
        imm = match map {
            3 => 1,
            1 if matches!(op, 0x70..=0x73 | 0xc2 | 0xc4..=0xc6) => 1,
            _ => 0,
        };
    } else {
        i = i.checked_add(1)?;
        insn.opcode = b;
        if b == 0x0f {
            let op2 = *bytes.get(i)?;
            i = i.checked_add(1)?;
            insn.opcode = op2;
            insn.map = 1;
            match op2 {
                0x38 => {
                    insn.opcode = *bytes.get(i)?;
                    i = i.checked_add(1)?;
                    insn.map = 2;
                    has_modrm = true;
                }
                0x3a => {
                    insn.opcode = *bytes.get(i)?;
                    i = i.checked_add(1)?;
                    insn.map = 3;
                    has_modrm = true;
                    imm = 1;
                }
                0x0f => {
                    has_modrm = true;
                    imm = 1; // 3DNow! suffix opcode
                }
                0x04
                | 0x0a
                | 0x0c
                | 0x24..=0x27
                | 0x36
                | 0x39
                | 0x3b..=0x3f
                | 0x7a
                | 0x7b
                | 0xa6
                | 0xa7 => return None,
                0x05..=0x09
                | 0x0b
                | 0x0e
                | 0x30..=0x35
                | 0x37
                | 0x77
                | 0xa0..=0xa2
                | 0xa8..=0xaa
                | 0xc8..=0xcf => has_modrm = false,
                0x80..=0x8f => {
                    has_modrm = false;
                    imm = if mode64 { 4 } else { z };
                    insn.relative_branch = true;
                }
                0x70..=0x73 | 0xa4 | 0xac | 0xba | 0xc2 | 0xc4..=0xc6 => {
                    has_modrm = true;
                    imm = 1;
                }
                _ => has_modrm = true,
            }
        } else {
            if mode64
                && matches!(
                    b,
                    0x06 | 0x07
                        | 0x0e
                        | 0x16
                        | 0x17
                        | 0x1e
                        | 0x1f
                        | 0x27
                        | 0x2f
                        | 0x37
                        | 0x3f
                        | 0x60
                        | 0x61
                        | 0x82
                        | 0x9a
                        | 0xce
                        | 0xd4
                        | 0xd5
                        | 0xd6
                        | 0xea
                )
            {
                return None;
            }
            has_modrm = match b {
                0x00..=0x3f => b & 0x04 == 0,
                0x62
                | 0x63
                | 0x69
                | 0x6b
                | 0x80..=0x8f
                | 0xc0
                | 0xc1
                | 0xc4..=0xc7
                | 0xd0..=0xd3
                | 0xd8..=0xdf
                | 0xf6
                | 0xf7
                | 0xfe
                | 0xff => true,
                _ => false,
            };
            match b {
                0x00..=0x3f if b & 0x07 == 0x04 => imm = 1,
                0x00..=0x3f if b & 0x07 == 0x05 => imm = z,
                0x68 | 0x69 | 0x81 | 0xa9 | 0xc7 => imm = z,
                0x6a
                | 0x6b
                | 0x80
                | 0x82
                | 0x83
                | 0xa8
                | 0xb0..=0xb7
                | 0xc0
                | 0xc1
                | 0xc6
                | 0xcd
                | 0xd4
                | 0xd5
                | 0xe4..=0xe7 => imm = 1,
                0x70..=0x7f | 0xe0..=0xe3 | 0xeb => {
                    imm = 1;
                    insn.relative_branch = true;
                }
                0xe8 | 0xe9 => {
                    imm = if mode64 { 4 } else { z };
                    insn.relative_branch = true;
                }
                0x9a | 0xea => imm = z.checked_add(2)?,
                0xb8..=0xbf => imm = if rex_w { 8 } else { z },
                0xc2 | 0xca => imm = 2,
                0xc8 => imm = 3,
                0xa0..=0xa3 => {
                    // moffs: an absolute address, recorded as the displacement.
                    let size = match (mode64, addr_override) {
                        (true, false) => 8,
                        (true, true) | (false, false) => 4,
                        (false, true) => 2,
                    };
                    insn.disp_off = i;
                    insn.disp_size = size;
                    i = i.checked_add(size)?;
                }
                0xf6 | 0xf7 => f6f7 = true,
                _ => {}
            }
        }
    }

    if has_modrm {
        let m = *bytes.get(i)?;
        insn.modrm = Some(m);
        i = i.checked_add(1)?;
        let md = m >> 6;
        let rm = m & 7;
        if f6f7 && (m >> 3) & 7 < 2 {
            imm = if insn.opcode == 0xf6 { 1 } else { z };
        }
        let disp = if !mode64 && addr_override {
            match (md, rm) {
                (0, 6) => 2,
                (1, _) => 1,
                (2, _) => 2,
                _ => 0,
            }
        } else {
            let mut d = match md {
                1 => 1,
                2 => 4,
                _ => 0,
            };
            if md != 3 && rm == 4 {
                let sib = *bytes.get(i)?;
                insn.sib = Some(sib);
                i = i.checked_add(1)?;
                if md == 0 && sib & 7 == 5 {
                    d = 4;
                }
            }
            if md == 0 && rm == 5 {
                d = 4;
                insn.rip_relative = mode64;
            }
            d
        };
        if disp > 0 {
            insn.disp_off = i;
            insn.disp_size = disp;
            i = i.checked_add(disp)?;
        }
    }
    if imm > 0 {
        insn.imm_off = i;
        insn.imm_size = imm;
        i = i.checked_add(imm)?;
    }
    if i > 15 || i > bytes.len() {
        return None;
    }
    insn.len = i;
    Some(insn)
}

#[cfg(test)]
mod tests {
    use super::decode;

    fn len64(b: &[u8]) -> usize {
        decode(b, true).map_or(0, |i| i.len)
    }

    #[test]
    fn lengths_x64() {
        assert_eq!(len64(&[0x48, 0x8d, 0x0d, 1, 2, 3, 4]), 7); // lea rcx,[rip+d]
        assert_eq!(len64(&[0x4c, 0x8d, 0x05, 1, 2, 3, 4]), 7); // lea r8,[rip+d]
        assert_eq!(len64(&[0x8b, 0x05, 1, 2, 3, 4]), 6); // mov eax,[rip+d]
        assert_eq!(len64(&[0xff, 0x15, 1, 2, 3, 4]), 6); // call [rip+d]
        assert_eq!(len64(&[0xe8, 1, 2, 3, 4]), 5); // call rel32
        assert_eq!(len64(&[0x80, 0x3d, 1, 2, 3, 4, 0]), 7); // cmp byte [rip+d],0
        assert_eq!(len64(&[0xc7, 0x05, 1, 2, 3, 4, 5, 6, 7, 8]), 10); // mov dword [rip+d],imm32
        assert_eq!(len64(&[0x66, 0xc7, 0x05, 1, 2, 3, 4, 5, 6]), 9); // mov word [rip+d],imm16
        assert_eq!(len64(&[0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8]), 10); // mov rax,imm64
        assert_eq!(len64(&[0x48, 0x89, 0x5c, 0x24, 0x08]), 5); // mov [rsp+8],rbx
        assert_eq!(len64(&[0x0f, 0x10, 0x05, 1, 2, 3, 4]), 7); // movups xmm0,[rip+d]
        assert_eq!(len64(&[0xf2, 0x0f, 0x10, 0x05, 1, 2, 3, 4]), 8); // movsd
        assert_eq!(len64(&[0xc5, 0xf8, 0x10, 0x05, 1, 2, 3, 4]), 8); // vmovups
        assert_eq!(len64(&[0x8b, 0x84, 0x82, 1, 2, 3, 4]), 7); // mov eax,[rdx+rax*4+d32]
        assert_eq!(len64(&[0xf7, 0x05, 1, 2, 3, 4, 5, 6, 7, 8]), 10); // test dword [rip+d],imm32
        assert_eq!(len64(&[0xf7, 0xd8]), 2); // neg eax
        assert_eq!(len64(&[0x0f, 0x84, 1, 2, 3, 4]), 6); // je rel32
        assert_eq!(len64(&[0x66, 0x0f, 0x1f, 0x44, 0, 0]), 6); // nop word
        assert_eq!(len64(&[0xcc]), 1);
        assert_eq!(len64(&[0x48, 0xa1, 1, 2, 3, 4, 5, 6, 7, 8]), 10); // mov rax,moffs64
        assert!(decode(&[0x06], true).is_none());
        assert!(decode(&[0x48, 0x8d, 0x0d, 1, 2], true).is_none()); // truncated
        let i = decode(&[0x48, 0x8d, 0x0d, 1, 2, 3, 4], true).unwrap();
        assert!(i.rip_relative);
        assert_eq!(i.disp(&[0x48, 0x8d, 0x0d, 1, 2, 3, 4]), Some(0x0403_0201));
    }

    #[test]
    fn base_registers() {
        let base = |b: &[u8]| decode(b, true).and_then(|i| i.base_register());
        assert_eq!(base(&[0x8b, 0x84, 0x82, 1, 2, 3, 4]), Some(2)); // [rdx+rax*4+d]
        assert_eq!(base(&[0x8b, 0x84, 0x24, 1, 2, 3, 4]), Some(4)); // [rsp+d]
        assert_eq!(base(&[0x49, 0x8d, 0x94, 0x24, 1, 2, 3, 4]), Some(12)); // [r12+d]
        assert_eq!(base(&[0x8b, 0x85, 1, 2, 3, 4]), Some(5)); // [rbp+d]
        assert_eq!(base(&[0x8b, 0x05, 1, 2, 3, 4]), None); // [rip+d]
        assert_eq!(base(&[0x8b, 0xc0]), None); // register operand
    }

    #[test]
    fn lengths_x86() {
        let l = |b: &[u8]| decode(b, false).map_or(0, |i| i.len);
        assert_eq!(l(&[0x68, 1, 2, 3, 4]), 5); // push imm32
        assert_eq!(l(&[0xa1, 1, 2, 3, 4]), 5); // mov eax,[moffs32]
        assert_eq!(l(&[0x8b, 0x0d, 1, 2, 3, 4]), 6); // mov ecx,[abs]
        assert_eq!(l(&[0x40]), 1); // inc eax
        assert_eq!(l(&[0x66, 0xb8, 1, 2]), 4); // mov ax,imm16
        assert_eq!(l(&[0x67, 0x8b, 0x46, 0x10]), 4); // 16-bit addressing
        assert_eq!(l(&[0xc4, 0x06]), 2); // les eax,[esi]
        let i = decode(&[0x8b, 0x0d, 1, 2, 3, 4], false).unwrap();
        assert!(!i.rip_relative);
        assert_eq!(
            i.disp_unsigned(&[0x8b, 0x0d, 1, 2, 3, 4]),
            Some(0x0403_0201)
        );
    }
}
