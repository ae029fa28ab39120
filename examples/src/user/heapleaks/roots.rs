//! The roots of `!heap -l`: thread stacks and registers, TEBs (native and WOW64), PEBs, and
//! the writable sections of every module.

use dumpfile::Context;

use super::Roots;
use crate::target::UserDump;

/// Bytes of a native TEB scanned (the x64 TEB is 0x1838 bytes).
const TEB_BYTES: u64 = 0x2000;
const TEB32_BYTES: u64 = 0x1000;
const PEB_BYTES: u64 = 0x1000;
/// A 32-bit stack larger than this is no stack (corrupt `NtTib`).
const MAX_STACK32: u64 = 0x1000_0000;

fn registers(c: &Context) -> Vec<u64> {
    match c {
        Context::X86(c) => [c.eax, c.ebx, c.ecx, c.edx, c.esi, c.edi, c.ebp, c.esp]
            .into_iter()
            .map(u64::from)
            .collect(),
        Context::X64(c) => vec![
            c.rax, c.rbx, c.rcx, c.rdx, c.rsi, c.rdi, c.rbp, c.rsp, c.r8, c.r9, c.r10, c.r11,
            c.r12, c.r13, c.r14, c.r15,
        ],
        Context::Arm64(c) => {
            let mut v = c.x.to_vec();
            v.extend([c.fp, c.lr, c.sp]);
            v
        }
    }
}

/// The writable sections of a module (`MEM_WRITE`), or the whole image when its headers are
/// not in the dump.
fn module_ranges(u: &UserDump, base: u64, size: u64) -> Vec<(u64, u64)> {
    let mem = crate::adapt::DumpMemory(&u.dump.0);
    let Ok(image) = pe_sections::PeImage::parse_mapped(&mem, base) else {
        return vec![(base, size)];
    };
    image
        .sections()
        .iter()
        .filter(|s| {
            s.characteristics
                .contains(pe_sections::SectionFlags::MEM_WRITE)
        })
        .filter_map(|s| {
            let start = base.checked_add(u64::from(s.virtual_address))?;
            Some((start, u64::from(s.mapped_size())))
        })
        .collect()
}

/// The roots: a summary, the memory ranges, the register values.
pub(super) fn roots(
    u: &UserDump,
    warnings: &mut Vec<String>,
) -> (Roots, Vec<(u64, u64)>, Vec<u64>) {
    let mut ranges: Vec<(u64, u64)> = Vec::new();
    let mut values: Vec<u64> = Vec::new();
    let mut summary = Roots::default();
    match u.dump.threads() {
        Ok(threads) => {
            for t in &threads {
                summary.threads = summary.threads.saturating_add(1);
                if t.stack.size > 0 {
                    ranges.push((t.stack.base, t.stack.size));
                }
                if t.teb != 0 {
                    ranges.push((t.teb, TEB_BYTES));
                }
                match u.dump.context(t.context) {
                    Ok(c) => values.extend(registers(&c)),
                    Err(e) => warnings.push(format!("thread {:x}: registers not read: {e}", t.id)),
                }
            }
        }
        Err(e) => warnings.push(format!("no thread list: {e}")),
    }
    if let Ok(p) = u.process() {
        for peb in [p.peb, p.peb32].into_iter().flatten() {
            ranges.push((peb, PEB_BYTES));
        }
        // WOW64 threads: the TEB32 and the 32-bit stack (`NtTib` StackBase / StackLimit).
        for t in &p.threads {
            if let Some(teb32) = t.teb32 {
                ranges.push((teb32, TEB32_BYTES));
            }
            if let Some((base, limit)) = t.stack32_base_limit
                && let Some(len) = base.checked_sub(limit)
                && len > 0
                && len <= MAX_STACK32
            {
                ranges.push((limit, len));
            }
        }
    }
    if let Ok(ms) = u.modules() {
        for m in ms {
            summary.modules = summary.modules.saturating_add(1);
            ranges.extend(module_ranges(u, m.base, m.size));
        }
    }
    summary.registers = values.len();
    summary.ranges = ranges.len();
    summary.bytes = ranges.iter().fold(0u64, |a, r| a.saturating_add(r.1));
    (summary, ranges, values)
}
