//! Byte-level checks of the writer against the published layouts (sizes and offsets from
//! `minidumpapiset.h`), read back with tiny helpers independent of the crate's reader.

#![allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]

use super::*;

fn u16_at(b: &[u8], off: usize) -> u16 {
    u16::from_le_bytes(b[off..off + 2].try_into().unwrap())
}
fn u32_at(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes(b[off..off + 4].try_into().unwrap())
}
fn u64_at(b: &[u8], off: usize) -> u64 {
    u64::from_le_bytes(b[off..off + 8].try_into().unwrap())
}

/// (type, size, rva) of each directory entry.
fn directory(b: &[u8]) -> Vec<(u32, u32, u32)> {
    let n = u32_at(b, 8) as usize;
    let rva = u32_at(b, 12) as usize;
    (0..n)
        .map(|i| {
            let e = rva + 12 * i;
            (u32_at(b, e), u32_at(b, e + 4), u32_at(b, e + 8))
        })
        .collect()
}

fn stream(b: &[u8], ty: u32) -> (usize, usize) {
    let (_, size, rva) = directory(b)
        .into_iter()
        .find(|e| e.0 == ty)
        .unwrap_or_else(|| panic!("stream {ty} missing"));
    (rva as usize, size as usize)
}

fn minidump_string(b: &[u8], rva: usize) -> String {
    let len = u32_at(b, rva) as usize;
    let units: Vec<u16> = (0..len / 2).map(|i| u16_at(b, rva + 4 + 2 * i)).collect();
    assert_eq!(u16_at(b, rva + 4 + len), 0, "NUL terminator");
    String::from_utf16(&units).unwrap()
}

fn everything() -> SynthDump {
    let ctx = SynthContext::X64(X64Registers {
        rip: 0x7ff6_0000_1234,
        ..X64Registers::default()
    });
    SynthDump::new(SynthArch::X64)
        .time_date_stamp(0x6000_0000)
        .flags(0x1000)
        .system_info(SynthSystemInfo {
            csd_version: Some("Service Pack 1".into()),
            ..SynthSystemInfo::default()
        })
        .misc_info(SynthMiscInfo {
            process_id: Some(0x1234),
            ..SynthMiscInfo::default()
        })
        .exception(SynthException {
            thread_id: 7,
            code: 0xc000_0005,
            parameters: vec![1, 2],
            context: Some(ctx.clone()),
            ..SynthException::default()
        })
        .thread(SynthThread {
            id: 7,
            teb: 0x7ffd_e000,
            stack_base: 0x1_0100,
            stack_size: 0x100,
            context: Some(ctx.clone()),
            ..SynthThread::default()
        })
        .thread_ex(SynthThreadEx {
            thread: SynthThread {
                id: 7,
                ..SynthThread::default()
            },
            ..SynthThreadEx::default()
        })
        .thread_info(SynthThreadInfo {
            thread_id: 7,
            ..SynthThreadInfo::default()
        })
        .thread_name(7, "main")
        .module(SynthModule {
            codeview: Some(SynthCodeView::Pdb70 {
                guid: [0x11; 16],
                age: 3,
                pdb_name: "app.pdb".into(),
            }),
            version: Some(SynthFixedFileInfo::default()),
            misc_record: Some(vec![1, 2, 3]),
            ..SynthModule::new(0x1_4000_0000, 0x5000, "C:\\app.exe")
        })
        .unloaded_module(SynthUnloadedModule {
            base: 0x1000_0000,
            size: 0x1000,
            name: "gone.dll".into(),
            ..SynthUnloadedModule::default()
        })
        .memory_info(SynthMemoryInfo::default())
        .handle(SynthHandle {
            handle: 4,
            type_name: Some("Event".into()),
            object_name: Some("\\BaseNamedObjects\\x".into()),
            object_info: vec![(1, vec![9; 5]), (2, vec![8; 3])],
            ..SynthHandle::default()
        })
        .comment_a(b"hello")
        .comment_w("wide")
        .token(
            0x48,
            vec![SynthToken {
                token_id: 1,
                token_handle: 2,
                data: vec![3; 10],
            }],
        )
        .function_table(SynthFunctionTableStream {
            native_descriptor_size: 0x50,
            function_entry_size: 12,
            tables: vec![SynthFunctionTable {
                entries: vec![vec![1; 12], vec![2; 12]],
                ..SynthFunctionTable::default()
            }],
        })
        .system_memory_info(SynthSystemMemoryInfo {
            revision: 1,
            page_size: 0x1000,
            ..SynthSystemMemoryInfo::default()
        })
        .process_vm_counters(SynthProcessVmCounters {
            revision: 2,
            ..SynthProcessVmCounters::default()
        })
        .raw_stream(0x4767_0001, vec![0xee; 12])
        .memory(0x1_0000, vec![0x5a; 0x1000])
        .memory_fill(0x2_0000, 0x2000, |off, buf| {
            for (i, b) in buf.iter_mut().enumerate() {
                *b = (off + i as u64) as u8;
            }
        })
}

#[test]
fn header_and_directory() {
    let b = everything().write().unwrap();
    assert_eq!(&b[0..4], b"MDMP");
    assert_eq!(u32_at(&b, 4) & 0xffff, 0xa793);
    let dir = directory(&b);
    assert_eq!(dir.len(), 19);
    assert_eq!(u32_at(&b, 8) as usize, dir.len());
    assert_eq!(
        u32_at(&b, 12),
        32,
        "directory right after the 32-byte header"
    );
    assert_eq!(u32_at(&b, 20), 0x6000_0000);
    assert_eq!(u64_at(&b, 24), 0x1000);
    // The first stream follows the 12-byte entries (8-aligned).
    let first = dir.iter().map(|e| e.2).min().unwrap() as usize;
    assert_eq!(first, (32 + 12 * dir.len()).next_multiple_of(8));
    for (ty, size, rva) in &dir {
        assert!(
            (*rva as usize + *size as usize) <= b.len(),
            "stream {ty} in file"
        );
    }
    let types: Vec<u32> = dir.iter().map(|e| e.0).collect();
    assert_eq!(
        types,
        [
            7,
            15,
            3,
            8,
            17,
            24,
            4,
            14,
            6,
            16,
            12,
            10,
            11,
            19,
            13,
            21,
            22,
            0x4767_0001,
            5
        ]
    );
}

#[test]
fn record_sizes() {
    let b = everything().write().unwrap();
    let size = |ty| stream(&b, ty).1;
    assert_eq!(size(stream_type::SYSTEM_INFO), 56);
    assert_eq!(size(stream_type::MISC_INFO), 1364);
    assert_eq!(size(stream_type::EXCEPTION), 168);
    assert_eq!(size(stream_type::THREAD_LIST), 4 + 48);
    assert_eq!(size(stream_type::THREAD_EX_LIST), 4 + 64);
    assert_eq!(size(stream_type::THREAD_INFO_LIST), 12 + 64);
    assert_eq!(size(stream_type::THREAD_NAMES), 4 + 12);
    assert_eq!(size(stream_type::MODULE_LIST), 4 + 108);
    assert_eq!(size(stream_type::UNLOADED_MODULE_LIST), 12 + 24);
    assert_eq!(size(stream_type::MEMORY_INFO_LIST), 16 + 48);
    assert_eq!(size(stream_type::HANDLE_DATA), 16 + 40);
    assert_eq!(size(stream_type::COMMENT_A), 6);
    assert_eq!(size(stream_type::COMMENT_W), 10);
    assert_eq!(size(stream_type::TOKEN), 16 + 16 + 10);
    assert_eq!(size(stream_type::FUNCTION_TABLE), 24 + 32 + 0x50 + 2 * 12);
    assert_eq!(size(stream_type::SYSTEM_MEMORY_INFO), 492);
    assert_eq!(size(stream_type::PROCESS_VM_COUNTERS), 152);
    assert_eq!(size(stream_type::MEMORY_LIST), 4 + 2 * 16);
    assert_eq!(size(0x4767_0001), 12);
}

#[test]
fn misc_info_versions_and_vm_counters_v1() {
    for (v, n) in [
        (MiscInfoVersion::V1, 24),
        (MiscInfoVersion::V2, 44),
        (MiscInfoVersion::V3, 232),
        (MiscInfoVersion::V4, 832),
        (MiscInfoVersion::V5, 1364),
    ] {
        let b = SynthDump::new(SynthArch::X86)
            .misc_info(SynthMiscInfo {
                version: v,
                process_id: Some(42),
                process_times: Some([1, 2, 3]),
                time_zone: Some(SynthTimeZone {
                    bias: -60,
                    standard_name: "W. Europe Standard Time".into(),
                    ..SynthTimeZone::default()
                }),
                process_cookie: Some(9),
                ..SynthMiscInfo::default()
            })
            .write()
            .unwrap();
        let (rva, size) = stream(&b, stream_type::MISC_INFO);
        assert_eq!(size, n);
        assert_eq!(u32_at(&b, rva) as usize, n, "SizeOfInfo");
        let flags = u32_at(&b, rva + 4);
        assert_eq!(flags & 3, 3);
        assert_eq!(flags & 0x40 != 0, v >= MiscInfoVersion::V3);
        assert_eq!(flags & 0x200 != 0, v >= MiscInfoVersion::V5);
        assert_eq!(u32_at(&b, rva + 8), 42);
        assert_eq!(u32_at(&b, rva + 12), 1);
        if v >= MiscInfoVersion::V3 {
            // TimeZoneId at 56, Bias at 60, StandardName at 64.
            assert_eq!(u32_at(&b, rva + 60) as i32, -60);
            assert_eq!(u16_at(&b, rva + 64), u16::from(b'W'));
        }
        if v == MiscInfoVersion::V5 {
            assert_eq!(u32_at(&b, rva + 1360), 9, "ProcessCookie is the last field");
        }
    }
    let b = SynthDump::new(SynthArch::X64)
        .process_vm_counters(SynthProcessVmCounters {
            revision: 1,
            private_usage: 0x77,
            ..SynthProcessVmCounters::default()
        })
        .write()
        .unwrap();
    let (rva, size) = stream(&b, stream_type::PROCESS_VM_COUNTERS);
    assert_eq!(size, 80);
    assert_eq!(u64_at(&b, rva + 72), 0x77);
}

#[test]
fn system_info_fields() {
    let b = everything().write().unwrap();
    let (rva, _) = stream(&b, stream_type::SYSTEM_INFO);
    assert_eq!(u16_at(&b, rva), 9);
    assert_eq!(b[rva + 6], 2, "NumberOfProcessors");
    assert_eq!(u32_at(&b, rva + 8), 10);
    assert_eq!(u32_at(&b, rva + 16), 19041);
    let csd = u32_at(&b, rva + 24) as usize;
    assert_eq!(minidump_string(&b, csd), "Service Pack 1");
}

#[test]
fn threads_modules_handles_point_at_their_records() {
    let b = everything().write().unwrap();
    let (t, _) = stream(&b, stream_type::THREAD_LIST);
    assert_eq!(u32_at(&b, t), 1);
    let th = t + 4;
    assert_eq!(u32_at(&b, th), 7);
    assert_eq!(u64_at(&b, th + 16), 0x7ffd_e000);
    assert_eq!(u64_at(&b, th + 24), 0x1_0100, "Stack.StartOfMemoryRange");
    let stack_size = u32_at(&b, th + 32) as usize;
    let stack_rva = u32_at(&b, th + 36) as usize;
    assert_eq!(stack_size, 0x100);
    // The stack lies 0x100 into the first region.
    let (m, _) = stream(&b, stream_type::MEMORY_LIST);
    let region_rva = u32_at(&b, m + 4 + 12) as usize;
    assert_eq!(stack_rva, region_rva + 0x100);
    assert_eq!(u32_at(&b, th + 40) as usize, CONTEXT_AMD64_SIZE);
    let ctx = u32_at(&b, th + 44) as usize;
    assert_eq!(u64_at(&b, ctx + 0xf8), 0x7ff6_0000_1234);

    let (e, _) = stream(&b, stream_type::EXCEPTION);
    assert_eq!(u32_at(&b, e + 8), 0xc000_0005);
    assert_eq!(u32_at(&b, e + 32), 2, "NumberParameters");
    assert_eq!(u64_at(&b, e + 40), 1);
    assert_eq!(u32_at(&b, e + 160) as usize, CONTEXT_AMD64_SIZE);

    let (md, _) = stream(&b, stream_type::MODULE_LIST);
    let m0 = md + 4;
    assert_eq!(u64_at(&b, m0), 0x1_4000_0000);
    assert_eq!(u32_at(&b, m0 + 8), 0x5000);
    assert_eq!(
        minidump_string(&b, u32_at(&b, m0 + 20) as usize),
        "C:\\app.exe"
    );
    assert_eq!(u32_at(&b, m0 + 24), VS_FFI_SIGNATURE);
    let cv_size = u32_at(&b, m0 + 76) as usize;
    let cv = u32_at(&b, m0 + 80) as usize;
    assert_eq!(&b[cv..cv + 4], b"RSDS");
    assert_eq!(cv_size, 4 + 16 + 4 + 8);
    assert_eq!(&b[cv + 24..cv + cv_size], b"app.pdb\0");
    assert_eq!(u32_at(&b, m0 + 84), 3, "misc record size");

    let (h, _) = stream(&b, stream_type::HANDLE_DATA);
    assert_eq!(
        (u32_at(&b, h), u32_at(&b, h + 4), u32_at(&b, h + 8)),
        (16, 40, 1)
    );
    let d = h + 16;
    assert_eq!(minidump_string(&b, u32_at(&b, d + 8) as usize), "Event");
    let info = u32_at(&b, d + 32) as usize;
    assert_eq!(u32_at(&b, info + 4), 1);
    assert_eq!(u32_at(&b, info + 8), 5);
    let next = u32_at(&b, info) as usize;
    assert_eq!(u32_at(&b, next + 4), 2);
    assert_eq!(u32_at(&b, next), 0, "end of chain");

    let (n, _) = stream(&b, stream_type::THREAD_NAMES);
    assert_eq!(minidump_string(&b, u64_at(&b, n + 8) as usize), "main");
}

#[test]
fn memory_list_and_memory64_list_data() {
    let d = everything();
    let b = d.write().unwrap();
    let (m, _) = stream(&b, stream_type::MEMORY_LIST);
    assert_eq!(u32_at(&b, m), 2);
    let r1 = m + 4 + 16;
    assert_eq!(u64_at(&b, r1), 0x2_0000);
    assert_eq!(u32_at(&b, r1 + 8), 0x2000);
    let rva = u32_at(&b, r1 + 12) as usize;
    assert_eq!(b[rva + 0x1ff], 0xff);
    assert_eq!(b[rva + 0x1fff], 0xff);
    assert_eq!(b.len() as u64, d.output_len().unwrap());

    let d64 = everything().full_memory();
    let b = d64.write().unwrap();
    assert_eq!(
        u64_at(&b, 24),
        0x1000,
        "explicit flags are written as given"
    );
    let default_flags = SynthDump::new(SynthArch::X64)
        .memory(0, vec![1])
        .full_memory()
        .write()
        .unwrap();
    assert_eq!(u64_at(&default_flags, 24), MINIDUMP_WITH_FULL_MEMORY);
    let (m, size) = stream(&b, stream_type::MEMORY64_LIST);
    assert_eq!(size, 16 + 2 * 16);
    assert_eq!(u64_at(&b, m), 2);
    let base_rva = u64_at(&b, m + 8) as usize;
    assert_eq!(base_rva % 16, 0);
    assert_eq!(&b[base_rva..base_rva + 0x1000], &[0x5a; 0x1000][..]);
    assert_eq!(
        b[base_rva + 0x1000 + 0x123],
        0x23,
        "second region follows the first"
    );
    assert_eq!(base_rva + 0x3000, b.len());
    let mut streamed = Vec::new();
    assert_eq!(d64.write_to(&mut streamed).unwrap(), b.len() as u64);
    assert_eq!(streamed, b);
}

#[test]
fn uncaptured_stack_gets_an_empty_location() {
    let b = SynthDump::new(SynthArch::X86)
        .thread(SynthThread {
            id: 1,
            stack_base: 0x5000,
            stack_size: 0x1000,
            ..SynthThread::default()
        })
        .memory(0x5800, vec![0; 0x1000])
        .write()
        .unwrap();
    let (t, _) = stream(&b, stream_type::THREAD_LIST);
    assert_eq!(u64_at(&b, t + 4 + 24), 0x5000);
    assert_eq!(u64_at(&b, t + 4 + 32), 0, "size and RVA zero");
}

#[test]
fn too_large_is_an_error_not_a_panic() {
    let d = SynthDump::new(SynthArch::X64).memory_fill(0, 5 << 30, |_, _| {});
    assert!(matches!(
        d.output_len(),
        Err(SynthError::TooLarge {
            what: "memory range size",
            ..
        })
    ));
    assert_eq!(
        d.clone().full_memory().output_len().unwrap() % 16,
        0,
        "a 5 GiB Memory64List dump is fine"
    );
    let e = SynthDump::new(SynthArch::X64).exception(SynthException {
        parameters: vec![0; 16],
        ..SynthException::default()
    });
    assert!(matches!(
        e.write(),
        Err(SynthError::TooManyParameters { count: 16 })
    ));
}
