//! Kernel objects over hostile memory: arbitrary bytes as kernel memory (process list, handle
//! tables, object headers, threads, PspCidTable, type table), and synthetic kernels with
//! arbitrary byte edits. Never a panic, never a hang, work bounded by `Limits::fuzzing()`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pooltrack::object_synth::{KernelBuilder, ProcessSpec, ThreadSpec, exercise};
use pooltrack::{KernelObjects, KernelSymbols, Limits, ObjectLayout, PointerWidth, SliceMemory, ThreadState};

fn u64_at(d: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    if let Some(s) = d.get(at..at + 8) {
        b.copy_from_slice(s);
    }
    u64::from_le_bytes(b)
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let layouts = ObjectLayout::builtin();
    let layout = layouts[usize::from(sel & 0x3f) % layouts.len()];
    if sel & 0x80 != 0 {
        // A small synthetic kernel, then byte edits: (u32 offset, u8 value) records.
        let mut b = KernelBuilder::new(layout);
        for i in 0..4u64 {
            let p = b.add_process(&ProcessSpec::new(4 + 4 * i, "fuzz.exe").session(1));
            b.add_thread(p, &ThreadSpec::new(0x100 + 4 * i, ThreadState::Waiting, 0x7c81_0705).waiting(6));
            let ev = b.add_object("Event", 0x10, Some("\\BaseNamedObjects\\f"), Some(4));
            for _ in 0..(30 * i) {
                b.add_handle(p, ev, 0x1f_0003);
            }
        }
        let mut k = b.build();
        let regions = k.memory.byte_regions();
        for rec in rest.chunks_exact(5) {
            let off = u32::from_le_bytes([rec[0], rec[1], rec[2], rec[3]]);
            let (a, len) = regions[(off as usize) % regions.len()];
            if len > 0 {
                k.memory.write_u8(a + u64::from(off >> 8) % len as u64, rec[4]);
            }
        }
        let o = KernelObjects::new(&k.memory, k.layout, k.symbols).with_limits(Limits::fuzzing());
        exercise(&o);
    } else {
        // Raw bytes mapped in kernel space; the first 32 bytes place the kernel variables.
        let base = match layout.width {
            PointerWidth::Bits32 => 0x8100_0000u64,
            PointerWidth::Bits64 => 0xFFFF_FA80_0100_0000,
        };
        let len = rest.len().max(1) as u64;
        let sym = KernelSymbols::default()
            .with_ps_active_process_head(base + u64_at(rest, 0) % len)
            .with_psp_cid_table(base + u64_at(rest, 8) % len)
            .with_ob_type_index_table(base + u64_at(rest, 16) % len)
            .with_ob_header_cookie(base + u64_at(rest, 24) % len);
        let o = KernelObjects::new(SliceMemory::new(base, rest), layout, sym).with_limits(Limits::fuzzing());
        exercise(&o);
    }
});
