//! Recognizing a call instruction that ends right before a candidate return address.

/// Length of an `FF /2` (near indirect call) whose ModRM byte is `modrm`, or `None` if it is
/// not a `/2` form.
fn ff2_len(modrm: u8, sib: Option<u8>, x64: bool) -> Option<usize> {
    if (modrm >> 3) & 7 != 2 {
        return None;
    }
    let md = modrm >> 6;
    let rm = modrm & 7;
    Some(match (md, rm) {
        (3, _) => 2,
        (0, 4) => {
            if sib? & 7 == 5 {
                7
            } else {
                3
            }
        }
        (0, 5) => {
            // RIP-relative on x64, absolute disp32 on x86: both 6 bytes.
            let _ = x64;
            6
        }
        (0, _) => 2,
        (1, 4) => 4,
        (1, _) => 3,
        (2, 4) => 7,
        (2, _) => 6,
        _ => return None,
    })
}

/// True when the bytes `code` (which end right before the candidate return address) end with
/// a `call` instruction: `E8 rel32`, or `FF /2` in any addressing form (with a REX prefix on
/// x64).
pub fn ends_with_call(code: &[u8], x64: bool) -> bool {
    let n = code.len();
    if n >= 5 && code.get(n.wrapping_sub(5)) == Some(&0xe8) {
        return true;
    }
    for len in 2..=7usize {
        let Some(start) = n.checked_sub(len) else {
            break;
        };
        let at = |i: usize| code.get(start.saturating_add(i)).copied();
        // Without prefix.
        if at(0) == Some(0xff)
            && let Some(m) = at(1)
            && ff2_len(m, at(2), x64) == Some(len)
        {
            return true;
        }
        // With a REX prefix.
        if x64
            && len >= 3
            && at(0).is_some_and(|r| r & 0xf0 == 0x40)
            && at(1) == Some(0xff)
            && let Some(m) = at(2)
            && ff2_len(m, at(3), x64).and_then(|l| l.checked_add(1)) == Some(len)
        {
            return true;
        }
    }
    false
}
