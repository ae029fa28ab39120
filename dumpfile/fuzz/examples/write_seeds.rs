//! Writes small synthetic minidumps (every stream kind, all three architectures, both memory
//! list styles, a TEB/PEB/loader list for the process walker) into the seed corpus directory:
//! `cargo run --example write_seeds [DIR]` (default `corpus/minidump` next to this package).

use std::path::PathBuf;

use dumpfile::synth::{
    SynthArch, Arm64Registers, MiscInfoVersion, SynthCodeView, SynthContext, SynthDump,
    SynthException, SynthFixedFileInfo, SynthFunctionTable, SynthFunctionTableStream,
    SynthHandle, SynthMemoryInfo, SynthMiscInfo, SynthModule, SynthProcessVmCounters,
    SynthSystemMemoryInfo, SynthThread, SynthThreadEx, SynthThreadInfo, SynthTimeZone,
    SynthToken, SynthUnloadedModule, X64Registers, X86Registers,
};

fn le(v: &mut [u8], off: usize, bytes: &[u8]) {
    if let Some(dst) = v.get_mut(off..off + bytes.len()) {
        dst.copy_from_slice(bytes);
    }
}

fn threads_modules(arch: SynthArch, ctx: SynthContext) -> SynthDump {
    SynthDump::new(arch)
        .exception(SynthException {
            thread_id: 1,
            code: 0xc000_0005,
            address: 0x1000,
            parameters: vec![0, 0x10],
            context: Some(ctx.clone()),
            ..SynthException::default()
        })
        .thread(SynthThread {
            id: 1,
            teb: 0x7ffd_e000,
            stack_base: 0x10_0000,
            stack_size: 0x80,
            context: Some(ctx),
            ..SynthThread::default()
        })
        .module(SynthModule {
            codeview: Some(SynthCodeView::Pdb70 {
                guid: [0x11; 16],
                age: 1,
                pdb_name: "a.pdb".into(),
            }),
            version: Some(SynthFixedFileInfo::default()),
            ..SynthModule::new(0x40_0000, 0x1000, "C:\\a.exe")
        })
        .module(SynthModule {
            codeview: Some(SynthCodeView::Pdb20 {
                signature: 7,
                age: 2,
                pdb_name: "b.pdb".into(),
            }),
            ..SynthModule::new(0x7700_0000, 0x1000, "b.dll")
        })
        .memory(0x10_0000, vec![0xcc; 0x80])
        .memory(0x10_0080, vec![0x11; 0x40])
}

fn process_seed() -> SynthDump {
    // x64 TEB (Self at 0x30, PEB at 0x60), TEB32 at +0x2000 (Self 0x18, PEB32 0x30), PEB with
    // Ldr, ProcessHeaps, NumberOfHeaps; a two-entry circular InLoadOrderModuleList.
    let (teb, peb, ldr) = (0x7efd_b000u64, 0x7efd_f000u64, 0x30_0000u64);
    let mut t = vec![0u8; 0x80];
    le(&mut t, 0x30, &teb.to_le_bytes());
    le(&mut t, 0x60, &peb.to_le_bytes());
    let mut t32 = vec![0u8; 0x40];
    le(&mut t32, 0x18, &((teb + 0x2000) as u32).to_le_bytes());
    le(&mut t32, 0x30, &0x7efd_e000u32.to_le_bytes());
    let mut p = vec![0u8; 0x110];
    le(&mut p, 0x10, &0x40_0000u64.to_le_bytes());
    le(&mut p, 0x18, &ldr.to_le_bytes());
    le(&mut p, 0xe8, &1u32.to_le_bytes());
    le(&mut p, 0xf0, &(peb + 0x100).to_le_bytes());
    le(&mut p, 0x100, &0x2d_0000u64.to_le_bytes());
    let mut l = vec![0u8; 0x200];
    let (head, e1, e2) = (ldr + 0x10, ldr + 0x40, ldr + 0x100);
    le(&mut l, 0x10, &e1.to_le_bytes());
    le(&mut l, 0x18, &e2.to_le_bytes());
    for (e, next, prev) in [(e1, e2, head), (e2, head, e1)] {
        let o = (e - ldr) as usize;
        le(&mut l, o, &next.to_le_bytes());
        le(&mut l, o + 8, &prev.to_le_bytes());
        le(&mut l, o + 0x30, &0x40_0000u64.to_le_bytes());
        le(&mut l, o + 0x40, &0x1000u32.to_le_bytes());
        le(&mut l, o + 0x58, &2u16.to_le_bytes());
        le(&mut l, o + 0x60, &(e + 0x70).to_le_bytes());
        le(&mut l, o + 0x70, b"a\0");
    }
    SynthDump::new(SynthArch::X64)
        .thread(SynthThread {
            id: 1,
            teb,
            context: Some(SynthContext::X64(X64Registers::default())),
            ..SynthThread::default()
        })
        .memory(teb, t)
        .memory(teb + 0x2000, t32)
        .memory(peb, p)
        .memory(ldr, l)
}

fn other_streams() -> SynthDump {
    SynthDump::new(SynthArch::X86)
        .misc_info(SynthMiscInfo {
            version: MiscInfoVersion::V5,
            process_id: Some(1),
            process_times: Some([1, 2, 3]),
            processor_power: Some([1; 5]),
            time_zone: Some(SynthTimeZone {
                standard_name: "UTC".into(),
                ..SynthTimeZone::default()
            }),
            build_strings: Some(("b".into(), "d".into())),
            process_cookie: Some(1),
            ..SynthMiscInfo::default()
        })
        .thread_ex(SynthThreadEx::default())
        .thread_info(SynthThreadInfo {
            thread_id: 1,
            ..SynthThreadInfo::default()
        })
        .thread_name(1, "main")
        .unloaded_module(SynthUnloadedModule {
            name: "u.dll".into(),
            ..SynthUnloadedModule::default()
        })
        .memory_info(SynthMemoryInfo {
            region_size: 0x1000,
            ..SynthMemoryInfo::default()
        })
        .handle(SynthHandle {
            handle: 4,
            type_name: Some("Event".into()),
            object_name: Some("e".into()),
            object_info: vec![(1, vec![1, 2]), (2, vec![3])],
            ..SynthHandle::default()
        })
        .comment_a(b"a")
        .comment_w("w")
        .token(
            16,
            vec![SynthToken {
                token_id: 1,
                token_handle: 2,
                data: vec![3; 4],
            }],
        )
        .function_table(SynthFunctionTableStream {
            native_descriptor_size: 8,
            function_entry_size: 12,
            tables: vec![SynthFunctionTable {
                entries: vec![vec![1; 12]],
                ..SynthFunctionTable::default()
            }],
        })
        .system_memory_info(SynthSystemMemoryInfo {
            revision: 1,
            ..SynthSystemMemoryInfo::default()
        })
        .process_vm_counters(SynthProcessVmCounters {
            revision: 2,
            flags: 0x1f,
            ..SynthProcessVmCounters::default()
        })
        .raw_stream(0x4767_0001, vec![1; 12])
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args_os().nth(1).map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus/minidump"),
        PathBuf::from,
    );
    std::fs::create_dir_all(&dir)?;
    let seeds = [
        ("seed-empty-x86", SynthDump::new(SynthArch::X86)),
        (
            "seed-x86-list",
            threads_modules(SynthArch::X86, SynthContext::X86(X86Registers::default())),
        ),
        (
            "seed-x64-list",
            threads_modules(SynthArch::X64, SynthContext::X64(X64Registers::default())),
        ),
        (
            "seed-x64-full",
            threads_modules(SynthArch::X64, SynthContext::X64(X64Registers::default())).full_memory(),
        ),
        (
            "seed-arm64",
            threads_modules(SynthArch::Arm64, SynthContext::Arm64(Arm64Registers::default())),
        ),
        ("seed-process-wow64", process_seed()),
        ("seed-other-streams", other_streams()),
    ];
    for (name, dump) in seeds {
        let bytes = dump.write()?;
        std::fs::write(dir.join(name), &bytes)?;
        println!("{name}: {} bytes", bytes.len());
    }
    Ok(())
}
