//! A synthetic x64 Windows 10 process run under light page heap (`gflags /p /enable svc.exe`
//! without `/full`, or Application Verifier's light mode) that leaks session records: a page
//! heap root listed in the PEB whose `NormalHeap` (also listed) holds every allocation behind
//! a `_DPH_BLOCK_INFORMATION` with its allocation stack. 24 session records (0x58 bytes, one
//! printf-formatted text each, allocated from one stack) are referenced by nothing; 3 buffers
//! of 0x30 bytes are referenced from the thread's stack; 2 records were freed into page heap's
//! delayed free cache; one block carries no block information.
#![allow(
    clippy::unwrap_used,
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    dead_code
)]

use std::path::Path;

use dumpfile::synth::process::{peb64, teb64};
use dumpfile::synth::{
    SynthContext, SynthDump, SynthModule, SynthSystemInfo, SynthThread, X64Registers,
};
use ntheap::PointerWidth;
use ntheap::synth::{LightPageHeapBuilder, SynthLightPageHeap};

pub const PAGE_HEAP: u64 = 0x1d8_4a2e_0000;
pub const NORMAL_HEAP: u64 = 0x1f1_adb9_0000;
pub const PEB: u64 = 0x3d_d1ce_7000;
pub const TEB: u64 = 0x3d_d1ce_8000;
pub const STACK: u64 = 0x3d_d1f0_0000;
pub const APP: u64 = 0x7ff6_dfe2_0000;
pub const NTDLL: u64 = 0x7ffa_3a9c_0000;
pub const VERIFIER: u64 = 0x7ffa_2b10_0000;

/// Session records that leak.
pub const LEAKED: usize = 24;
/// Their requested size.
pub const RECORD: u64 = 0x58;

/// The stack every leaking record was allocated from.
pub fn leak_stack() -> Vec<u64> {
    vec![
        VERIFIER + 0x2_3b5e,
        NTDLL + 0x9_4a31,
        APP + 0x1b40,
        APP + 0x2210,
    ]
}

/// The stack of the referenced buffers.
pub fn buffer_stack() -> Vec<u64> {
    vec![VERIFIER + 0x2_3b5e, NTDLL + 0x9_4a31, APP + 0x1c88]
}

/// What was built.
pub struct Process {
    /// The light page heap (root and normal heap).
    pub light: SynthLightPageHeap,
    /// User addresses of the leaking records.
    pub leaked: Vec<u64>,
    /// User addresses of the referenced buffers.
    pub referenced: Vec<u64>,
    /// User addresses of the freed records (delayed free cache).
    pub freed: Vec<u64>,
}

/// Builds the process and writes its dump to `path`.
pub fn write(path: &Path) -> Process {
    let mut b = LightPageHeapBuilder::new(PointerWidth::Bits64, PAGE_HEAP, NORMAL_HEAP);
    for i in 0..LEAKED {
        // The text names its own record: filled in once the addresses are known.
        let text = format!("session {}: cache entry pending\0", 1000 + i);
        b = b.busy_with(RECORD, leak_stack(), text.into_bytes());
        if i % 8 == 3 {
            b = b.busy(0x30, buffer_stack());
        }
        if i % 12 == 5 {
            b = b.freed(RECORD, leak_stack());
        }
    }
    b = b.plain(0x40);
    let mut light = b.build().unwrap();
    let mut leaked = Vec::new();
    let mut referenced = Vec::new();
    let mut freed = Vec::new();
    for (n, blk) in light.blocks.iter().enumerate() {
        match (blk.busy, blk.requested_size) {
            (true, RECORD) => {
                let text = format!(
                    "session {}: cache entry 0x{:x}\0",
                    1000 + leaked.len(),
                    blk.user_address + 0x100 * n as u64
                );
                light.memory.write(blk.user_address, text.as_bytes());
                leaked.push(blk.user_address);
            }
            (true, _) => referenced.push(blk.user_address),
            (false, _) => freed.push(blk.user_address),
        }
    }
    assert_eq!(leaked.len(), LEAKED);

    let mut stack = vec![0u8; 0x2000];
    let mut word = |off: usize, v: u64| stack[off..off + 8].copy_from_slice(&v.to_le_bytes());
    for (k, r) in referenced.iter().enumerate() {
        word(0x1f00 + 8 * k, *r + 4);
    }
    // A pointer to a record's block information is no reference to the record.
    word(0x1f40, leaked[0] - 0x40);
    let mut regs = X64Registers::default();
    regs.gpr[4] = STACK + 0x1f00; // rsp
    regs.rip = APP + 0x1b40;

    let peb = peb64(PEB, 0x0200_0000, &[PAGE_HEAP, NORMAL_HEAP]);
    let teb = teb64(TEB, PEB, STACK, STACK + 0x2000);
    let mut d = SynthDump::new(dumpfile::synth::SynthArch::X64)
        .full_memory()
        .system_info(SynthSystemInfo::default())
        .module(SynthModule::new(APP, 0x3000, "C:\\svc\\session-svc.exe"))
        .module(SynthModule::new(
            NTDLL,
            0x1f_0000,
            "C:\\Windows\\System32\\ntdll.dll",
        ))
        .module(SynthModule::new(
            VERIFIER,
            0x5_0000,
            "C:\\Windows\\System32\\verifier.dll",
        ))
        .thread(SynthThread {
            id: 0x2b14,
            teb: TEB,
            stack_base: STACK,
            stack_size: 0x2000,
            context: Some(SynthContext::X64(regs)),
            ..SynthThread::default()
        })
        .memory(PEB, peb)
        .memory(TEB, teb)
        .memory(STACK, stack)
        .memory(APP, vec![0u8; 0x3000]);
    for (base, bytes) in &light.memory.regions {
        d = d.memory(*base, bytes.clone());
    }
    std::fs::write(path, d.write().unwrap()).unwrap();
    Process {
        light,
        leaked,
        referenced,
        freed,
    }
}
