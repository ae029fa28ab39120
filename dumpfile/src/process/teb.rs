//! `_TEB` (native and WOW64 TEB32): stacks of each thread.

use std::ops::Deref;

use super::*;
use crate::Minidump;

/// TEB facts of one thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadTeb {
    /// Thread id.
    pub id: u32,
    /// The native TEB (from the ThreadList).
    pub teb: u64,
    /// `NtTib.StackBase` / `StackLimit` of the native TEB, if readable.
    pub stack_base_limit: Option<(u64, u64)>,
    /// The 32-bit TEB of a WOW64 thread, if found.
    pub teb32: Option<u64>,
    /// `NtTib.StackBase` / `StackLimit` of the 32-bit TEB, if readable.
    pub stack32_base_limit: Option<(u64, u64)>,
}

/// Offset of the 32-bit TEB from the 64-bit one on Windows 7–10 (WOW64).
pub(crate) const TEB32_DELTA: u64 = 0x2000;

impl<D: Deref<Target = [u8]>> Minidump<D> {
    /// Finds the 32-bit TEB of a WOW64 thread given its 64-bit TEB. Candidates, in order:
    /// `WowTebOffset` (TEB64+0x180c, Windows 10) when non-zero; `NtTib.ExceptionList` of the
    /// 64-bit TEB (WOW64 keeps the TEB32 address there: 0x7efdd000 in the Windows 7 corpus dump);
    /// TEB64 + 0x2000. A candidate is accepted only if its `NtTib.Self` points to itself.
    pub fn find_teb32(&self, teb64: u64) -> Option<u64> {
        let mut candidates = Vec::with_capacity(3);
        if let Ok(off) = self.memory().read_u32(teb64.saturating_add(0x180c)) {
            let off = i64::from(off.cast_signed());
            if off != 0
                && let Some(c) = teb64.checked_add_signed(off)
            {
                candidates.push(c);
            }
        }
        if let Ok(c) = self.memory().read_u64(teb64)
            && c != 0
            && c <= u64::from(u32::MAX)
        {
            candidates.push(c);
        }
        if let Some(c) = teb64.checked_add(TEB32_DELTA) {
            candidates.push(c);
        }
        candidates.into_iter().find(|&c| {
            self.memory()
                .read_u32(c.saturating_add(LAYOUT32.teb_self))
                .is_ok_and(|s| u64::from(s) == c)
        })
    }
}
