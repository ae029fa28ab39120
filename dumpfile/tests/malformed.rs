//! Small inline inputs, well-formed and malformed: the reader returns `Err` (or valid data),
//! never panics, and tells "not captured" from "overflow".
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use dumpfile::{Error, Limits, Minidump, stream_type};

fn u32le(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn u64le(v: &mut Vec<u8>, x: u64) {
    v.extend_from_slice(&x.to_le_bytes());
}

/// A dump with the given streams (type, bytes); stream data follows the directory. Returns the
/// bytes and the RVA of each stream.
fn build(streams: &[(u32, Vec<u8>)]) -> (Vec<u8>, Vec<u32>) {
    let mut d = Vec::new();
    d.extend_from_slice(b"MDMP");
    u32le(&mut d, 0xa793);
    u32le(&mut d, streams.len() as u32);
    u32le(&mut d, 32);
    u32le(&mut d, 0);
    u32le(&mut d, 0x5000_0000);
    u64le(&mut d, 0);
    let mut rva = 32 + 12 * streams.len() as u32;
    let mut rvas = Vec::new();
    for (ty, data) in streams {
        u32le(&mut d, *ty);
        u32le(&mut d, data.len() as u32);
        u32le(&mut d, rva);
        rvas.push(rva);
        rva += data.len() as u32;
    }
    for (_, data) in streams {
        d.extend_from_slice(data);
    }
    (d, rvas)
}

fn header_only(number_of_streams: u32, dir_rva: u32) -> Vec<u8> {
    let mut d = Vec::new();
    d.extend_from_slice(b"MDMP");
    u32le(&mut d, 0xa793);
    u32le(&mut d, number_of_streams);
    u32le(&mut d, dir_rva);
    u32le(&mut d, 0);
    u32le(&mut d, 0);
    u64le(&mut d, 0);
    d
}

#[test]
fn empty_and_truncated_headers() {
    for n in 0..32 {
        let mut d = header_only(0, 32);
        d.truncate(n);
        let e = Minidump::from_bytes(d).unwrap_err();
        assert!(
            matches!(e, Error::Truncated { .. } | Error::BadSignature { .. }),
            "{n}: {e:?}"
        );
    }
    // A header with no streams is a valid, empty dump.
    let d = Minidump::from_bytes(header_only(0, 32)).unwrap();
    assert!(d.streams().is_empty());
    assert!(d.memory().is_empty());
    assert!(d.threads().unwrap().is_empty());
    assert!(d.system_info().unwrap().is_none());
    assert_eq!(d.arch(), dumpfile::Arch::Unknown(0xffff));
    let p = d.process().unwrap();
    assert!(p.peb.is_none());
}

#[test]
fn bad_signature_version_and_kernel() {
    let mut d = header_only(0, 32);
    d[0] = b'X';
    assert!(matches!(
        Minidump::from_bytes(d).unwrap_err(),
        Error::BadSignature { .. }
    ));
    let mut d = header_only(0, 32);
    d[4] = 0;
    assert!(matches!(
        Minidump::from_bytes(d).unwrap_err(),
        Error::BadVersion { .. }
    ));
    for sig in [&b"PAGEDUMP"[..], &b"PAGEDU64"[..]] {
        let mut d = sig.to_vec();
        d.resize(0x2000, 0);
        let e = Minidump::from_bytes(d).unwrap_err();
        assert!(matches!(e, Error::KernelDump { .. }), "{e:?}");
    }
}

#[test]
fn huge_stream_count_and_directory_past_the_end() {
    // Far more streams than the file holds.
    let e = Minidump::from_bytes(header_only(60_000, 32)).unwrap_err();
    assert!(matches!(e, Error::InvalidRva { .. }), "{e:?}");
    // Beyond the limit.
    let e = Minidump::from_bytes(header_only(u32::MAX, 32)).unwrap_err();
    assert!(matches!(e, Error::TooManyStreams { .. }), "{e:?}");
    // Directory RVA past the end / overflowing.
    for rva in [33, 0x1000, u32::MAX] {
        let e = Minidump::from_bytes(header_only(1, rva)).unwrap_err();
        assert!(matches!(e, Error::InvalidRva { .. }), "{e:?}");
    }
    // One stream with its directory entry: opens, and is refused under a zero stream cap.
    let mut one = header_only(1, 32);
    one.extend_from_slice(&[0; 12]);
    let dump = Minidump::from_bytes(one).unwrap();
    assert_eq!(dump.streams().len(), 1);
    let limits = Limits::default().with_max_streams(0);
    let e = dump.with_limits(limits).unwrap_err();
    assert!(matches!(e, Error::TooManyStreams { .. }), "{e:?}");
}

#[test]
fn stream_entries_past_the_end_are_dropped_with_a_warning() {
    let mut d = header_only(2, 32);
    for (ty, size, rva) in [(7u32, 56u32, 0x10_0000u32), (3, u32::MAX, u32::MAX)] {
        u32le(&mut d, ty);
        u32le(&mut d, size);
        u32le(&mut d, rva);
    }
    let dump = Minidump::from_bytes(d).unwrap();
    assert!(dump.streams().is_empty());
    assert_eq!(dump.warnings().len(), 2);
    assert!(dump.system_info().unwrap().is_none());
}

#[test]
fn lists_with_huge_counts_are_errors() {
    for ty in [
        stream_type::THREAD_LIST,
        stream_type::MODULE_LIST,
        stream_type::THREAD_NAMES,
        stream_type::THREAD_EX_LIST,
    ] {
        let mut s = Vec::new();
        u32le(&mut s, u32::MAX);
        s.extend_from_slice(&[0; 64]);
        let (d, _) = build(&[(ty, s)]);
        let dump = Minidump::from_bytes(d).unwrap();
        let r = match ty {
            stream_type::THREAD_LIST => dump.threads().map(|_| ()),
            stream_type::MODULE_LIST => dump.modules().map(|_| ()),
            stream_type::THREAD_NAMES => dump.thread_names().map(|_| ()),
            _ => dump.thread_ex_list().map(|_| ()),
        };
        assert!(matches!(r, Err(Error::CountTooLarge { .. })), "{ty}: {r:?}");
    }
    // A memory list with a huge count is reported at open and left out of the view; the rest
    // of the dump stays readable.
    let mut s = Vec::new();
    u32le(&mut s, 0x1000_0000);
    let (d, _) = build(&[
        (stream_type::MEMORY_LIST, s),
        (stream_type::COMMENT_A, b"x\0".to_vec()),
    ]);
    let dump = Minidump::from_bytes(d).unwrap();
    assert!(dump.memory().is_empty());
    assert!(matches!(dump.warnings(), [Error::CountTooLarge { .. }]));
    assert_eq!(dump.comment_a().as_deref(), Some("x"));
    // Memory64 list likewise.
    let mut s = Vec::new();
    u64le(&mut s, u64::MAX);
    u64le(&mut s, 0);
    let (d, _) = build(&[(stream_type::MEMORY64_LIST, s)]);
    let dump = Minidump::from_bytes(d).unwrap();
    assert!(dump.memory().is_empty());
    assert!(matches!(dump.warnings(), [Error::CountTooLarge { .. }]));
    // And over the limit on ranges.
    let mut s = Vec::new();
    u32le(&mut s, 1);
    s.extend_from_slice(&[0; 16]);
    let (d, _) = build(&[(stream_type::MEMORY_LIST, s)]);
    let limits = Limits::default().with_max_memory_ranges(0);
    let dump = Minidump::from_bytes(d)
        .and_then(|d| d.with_limits(limits))
        .unwrap();
    assert!(matches!(dump.warnings(), [Error::CountTooLarge { .. }]));
    // Header-sized lists: entry size too small, header size beyond the stream, huge counts.
    for (hs, es, n) in [(12u32, 4u32, 1u32), (0x1000, 64, 1), (12, 64, u32::MAX)] {
        let mut s = Vec::new();
        u32le(&mut s, hs);
        u32le(&mut s, es);
        u32le(&mut s, n);
        s.extend_from_slice(&[0; 64]);
        let (d, _) = build(&[
            (stream_type::THREAD_INFO_LIST, s.clone()),
            (stream_type::UNLOADED_MODULE_LIST, s),
        ]);
        let dump = Minidump::from_bytes(d).unwrap();
        assert!(dump.thread_info().is_err());
        assert!(dump.unloaded_modules().is_err());
    }
}

#[test]
fn strings_must_be_bounded_and_inside_the_file() {
    // A module whose name RVA is past the end, then one with a huge length.
    for name_rva_kind in 0..3 {
        let mut s = Vec::new();
        u32le(&mut s, 1);
        let mut m = vec![0u8; 108];
        m[0..8].copy_from_slice(&0x40_0000u64.to_le_bytes());
        let (probe, rvas) = build(&[(stream_type::MODULE_LIST, {
            let mut t = s.clone();
            t.extend_from_slice(&m);
            t
        })]);
        let string_rva = probe.len() as u32;
        let name_rva = match name_rva_kind {
            0 => u32::MAX,
            1 => string_rva,     // length field says 0x7fff_fffe
            _ => string_rva - 2, // length field straddles the end
        };
        m[20..24].copy_from_slice(&name_rva.to_le_bytes());
        s.extend_from_slice(&m);
        let (mut d, _) = build(&[(stream_type::MODULE_LIST, s)]);
        assert_eq!(rvas[0], 44);
        u32le(&mut d, 0x7fff_fffe);
        let dump = Minidump::from_bytes(d).unwrap();
        let e = dump.modules().unwrap_err();
        assert!(matches!(e, Error::InvalidString { .. }), "{e:?}");
    }
}

fn memory_dump(ranges: &[(u64, &[u8])]) -> Minidump {
    // MemoryList stream followed by the bytes of each range.
    let dir_end = 32 + 12;
    let list_len = 4 + 16 * ranges.len();
    let mut data_rva = (dir_end + list_len) as u32;
    let mut s = Vec::new();
    u32le(&mut s, ranges.len() as u32);
    for (base, bytes) in ranges {
        u64le(&mut s, *base);
        u32le(&mut s, bytes.len() as u32);
        u32le(&mut s, data_rva);
        data_rva += bytes.len() as u32;
    }
    for (_, bytes) in ranges {
        s.extend_from_slice(bytes);
    }
    // The stream's declared size covers only the list; the data follows it.
    let (mut d, _) = build(&[(stream_type::MEMORY_LIST, s)]);
    d[36..40].copy_from_slice(&(list_len as u32).to_le_bytes());
    Minidump::from_bytes(d).unwrap()
}

#[test]
fn memory_view_reads_slices_and_errors() {
    let a: Vec<u8> = (0..16).collect();
    let b: Vec<u8> = (16..32).collect();
    let c: Vec<u8> = (100..108).collect();
    let d = memory_dump(&[(0x2000, &c), (0x1000, &a), (0x1010, &b)]);
    let m = d.memory();
    assert_eq!(m.len(), 3);
    assert_eq!(m.total_bytes(), 40);
    let r: Vec<_> = m.ranges().map(|r| (r.base, r.size)).collect();
    assert_eq!(r, vec![(0x1000, 16), (0x1010, 16), (0x2000, 8)]);
    assert_eq!(m.slice(0x1004, 4).unwrap(), &[4, 5, 6, 7]);
    assert_eq!(m.slice(0x1004, 0).unwrap(), &[] as &[u8]);
    // Across adjacent ranges: slice refuses, read copies.
    assert!(matches!(
        m.slice(0x100e, 4),
        Err(Error::SpansRegions {
            address: 0x100e,
            len: 4
        })
    ));
    let mut buf = [0u8; 4];
    m.read(0x100e, &mut buf).unwrap();
    assert_eq!(buf, [14, 15, 16, 17]);
    // Into a gap: NotCaptured at the first missing byte.
    let mut buf = [0u8; 8];
    let e = m.read(0x101c, &mut buf).unwrap_err();
    assert!(matches!(
        e,
        Error::NotCaptured {
            address: 0x1020,
            len: 4
        }
    ));
    assert!(e.is_not_captured());
    assert!(m.slice(0x101c, 8).unwrap_err().is_not_captured());
    assert!(m.read_u32(0xfff).unwrap_err().is_not_captured());
    assert_eq!(m.read_u64(0x2000).unwrap(), 0x6b6a_6968_6766_6564);
    assert_eq!(m.read_ptr(0x2000, 4).unwrap(), 0x6766_6564);
    assert_eq!(m.read_u16(0x2006).unwrap(), 0x6b6a);
    // Overflow is not "not captured".
    let e = m.slice(u64::MAX, 2).unwrap_err();
    assert!(matches!(e, Error::AddressOverflow { .. }) && !e.is_not_captured());
    let mut buf = [0u8; 2];
    assert!(matches!(
        m.read(u64::MAX, &mut buf),
        Err(Error::AddressOverflow { .. })
    ));
    let all: Vec<_> = m.regions().map(|(r, b)| (r.base, b.to_vec())).collect();
    assert_eq!(
        all,
        vec![
            (0x1000, a.clone()),
            (0x1010, b.clone()),
            (0x2000, c.clone())
        ]
    );
    let (range, bytes) = m.region_at(0x2007).unwrap();
    assert_eq!((range.base, range.size, bytes.len()), (0x2000, 8, 8));
    assert!(m.region_at(0x2008).is_none());
    assert_eq!(m.next_range_from(0x1fff).unwrap().base, 0x2000);
    assert!(m.next_range_from(0x2008).is_none());
}

#[test]
fn overlapping_and_duplicate_ranges_are_clipped_deterministically() {
    let a = [1u8; 16];
    let b = [2u8; 16];
    let c = [3u8; 4];
    // b overlaps the second half of a; c lies inside a; a appears twice.
    let d = memory_dump(&[(0x1008, &b), (0x1000, &a), (0x1004, &c), (0x1000, &a)]);
    let m = d.memory();
    let r: Vec<_> = m.ranges().map(|r| (r.base, r.size)).collect();
    assert_eq!(r, vec![(0x1000, 16), (0x1010, 8)]);
    assert_eq!(m.slice(0x1000, 16).unwrap(), &[1u8; 16]);
    assert_eq!(m.slice(0x1010, 8).unwrap(), &[2u8; 8]);
    let mut buf = [0u8; 24];
    m.read(0x1000, &mut buf).unwrap();
    assert_eq!(&buf[..16], &[1u8; 16]);
    assert_eq!(&buf[16..], &[2u8; 8]);
}

#[test]
fn memory_ranges_outside_the_file_or_address_space_are_dropped() {
    let mut s = Vec::new();
    u32le(&mut s, 2);
    u64le(&mut s, 0x1000);
    u32le(&mut s, 0x100);
    u32le(&mut s, 0xffff_ff00); // data past the end
    u64le(&mut s, u64::MAX - 4);
    u32le(&mut s, 8); // base + size overflows
    u32le(&mut s, 32);
    let (d, _) = build(&[(stream_type::MEMORY_LIST, s)]);
    let dump = Minidump::from_bytes(d).unwrap();
    assert!(dump.memory().is_empty());
    assert_eq!(dump.warnings().len(), 2);
}

#[test]
fn truncated_memory64_data_is_clipped() {
    let mut s = Vec::new();
    u64le(&mut s, 2);
    let base_rva = 32 + 12 + 16 + 32;
    u64le(&mut s, base_rva);
    u64le(&mut s, 0x1000);
    u64le(&mut s, 8);
    u64le(&mut s, 0x2000);
    u64le(&mut s, 0x100); // only 4 bytes present
    let (mut d, _) = build(&[(stream_type::MEMORY64_LIST, s)]);
    assert_eq!(d.len() as u64, base_rva);
    d.extend_from_slice(&[7; 12]);
    let dump = Minidump::from_bytes(d).unwrap();
    let r: Vec<_> = dump.memory().ranges().map(|r| (r.base, r.size)).collect();
    assert_eq!(r, vec![(0x1000, 8), (0x2000, 4)]);
    assert_eq!(dump.warnings().len(), 1);
    assert!(
        dump.memory()
            .read_u32(0x2004)
            .unwrap_err()
            .is_not_captured()
    );
}

#[test]
fn short_fixed_streams_are_errors_not_panics() {
    for ty in [
        stream_type::SYSTEM_INFO,
        stream_type::EXCEPTION,
        stream_type::MISC_INFO,
        stream_type::HANDLE_DATA,
        stream_type::TOKEN,
        stream_type::FUNCTION_TABLE,
        stream_type::SYSTEM_MEMORY_INFO,
        stream_type::PROCESS_VM_COUNTERS,
        stream_type::MEMORY_INFO_LIST,
    ] {
        for len in [0usize, 3, 11, 20] {
            let (d, _) = build(&[(ty, vec![0xff; len])]);
            let dump = Minidump::from_bytes(d).unwrap();
            let ok = match ty {
                stream_type::SYSTEM_INFO => dump.system_info().is_ok(),
                stream_type::EXCEPTION => dump.exception().is_ok(),
                stream_type::MISC_INFO => dump.misc_info().is_ok(),
                stream_type::HANDLE_DATA => dump.handles().is_ok(),
                stream_type::TOKEN => dump.token().is_ok(),
                stream_type::FUNCTION_TABLE => dump.function_table().is_ok(),
                stream_type::SYSTEM_MEMORY_INFO => dump.system_memory_info().is_ok(),
                stream_type::PROCESS_VM_COUNTERS => dump.process_vm_counters().is_ok(),
                _ => dump.memory_info().is_ok(),
            };
            assert!(!ok, "stream {ty} of {len} bytes parsed");
        }
    }
}

#[test]
fn handle_object_info_cycle_is_detected() {
    // Header (16) + one v2 descriptor (40) + an object-info element pointing to itself.
    let mut s = Vec::new();
    u32le(&mut s, 16);
    u32le(&mut s, 40);
    u32le(&mut s, 1);
    u32le(&mut s, 0);
    let stream_rva = 32 + 12;
    let info_rva = stream_rva + 16 + 40;
    u64le(&mut s, 4); // handle
    u32le(&mut s, 0); // type name
    u32le(&mut s, 0); // object name
    s.extend_from_slice(&[0; 16]);
    u32le(&mut s, info_rva); // object info
    u32le(&mut s, 0);
    u32le(&mut s, info_rva); // next = itself
    u32le(&mut s, 1);
    u32le(&mut s, 0);
    let (d, rvas) = build(&[(stream_type::HANDLE_DATA, s)]);
    assert_eq!(rvas[0], stream_rva);
    let dump = Minidump::from_bytes(d).unwrap();
    assert!(matches!(dump.handles(), Err(Error::ListCycle { .. })));
}

#[test]
fn misc_info_versions_by_size() {
    for (size, version) in [(24u32, 1u8), (44, 2), (232, 3), (832, 4), (1364, 5)] {
        let mut s = Vec::new();
        u32le(&mut s, size);
        u32le(&mut s, 0x1 | 0x2 | 0x4 | 0x40 | 0x100);
        u32le(&mut s, 1234);
        u32le(&mut s, 1_600_000_000);
        u32le(&mut s, 5);
        u32le(&mut s, 6);
        s.resize(size as usize, 0);
        if size >= 232 {
            // TimeZone.StandardName "UTC" at 44 + 16 + 4.
            let off = 44 + 16 + 4;
            s[off..off + 6].copy_from_slice(&[b'U', 0, b'T', 0, b'C', 0]);
        }
        let (d, _) = build(&[(stream_type::MISC_INFO, s)]);
        let dump = Minidump::from_bytes(d).unwrap();
        let m = dump.misc_info().unwrap().unwrap();
        assert_eq!(m.version, version);
        assert_eq!(m.process_id, Some(1234));
        assert_eq!(m.process_user_time, Some(5));
        assert_eq!(m.processor_power.is_some(), version >= 2);
        assert_eq!(
            m.time_zone.map(|t| t.standard_name),
            (version >= 3).then(|| "UTC".to_string())
        );
        assert_eq!(m.build_string.is_some(), version >= 4);
    }
}

#[test]
fn contexts_decode_and_reject_short_input() {
    // x86 SystemInfo + a thread with an x86 context.
    let mut sys = vec![0u8; 56];
    sys[0] = 0; // x86
    let mut ctx = vec![0u8; 0x2cc];
    ctx[0..4].copy_from_slice(&0x1003fu32.to_le_bytes());
    ctx[0xb8..0xbc].copy_from_slice(&0x7788_9900u32.to_le_bytes()); // eip
    ctx[0xc4..0xc8].copy_from_slice(&0x0012_f000u32.to_le_bytes()); // esp
    ctx[0xb4..0xb8].copy_from_slice(&0x0012_f010u32.to_le_bytes()); // ebp
    let (probe, _) = build(&[(7, sys.clone()), (3, vec![0; 52]), (0x4000, ctx.clone())]);
    let ctx_rva = (probe.len() - ctx.len()) as u32;
    let mut threads = Vec::new();
    u32le(&mut threads, 1);
    u32le(&mut threads, 42);
    threads.extend_from_slice(&[0; 12]);
    u64le(&mut threads, 0x7ffd_f000);
    threads.extend_from_slice(&[0; 16]);
    u32le(&mut threads, 0x2cc);
    u32le(&mut threads, ctx_rva);
    assert_eq!(threads.len(), 52);
    let (d, _) = build(&[(7, sys), (3, threads), (0x4000, ctx)]);
    let dump = Minidump::from_bytes(d).unwrap();
    let t = &dump.threads().unwrap()[0];
    assert_eq!((t.id, t.teb), (42, 0x7ffd_f000));
    let c = dump.thread_context(t).unwrap();
    assert_eq!(
        (c.ip(), c.sp(), c.fp()),
        (0x7788_9900, 0x12_f000, 0x12_f010)
    );
    assert!(matches!(dump.wow64_context(t), Err(Error::NotWow64 { .. })));
    let short = dumpfile::Location {
        rva: ctx_rva,
        size: 0x20,
    };
    assert!(matches!(dump.context(short), Err(Error::BadContext { .. })));
    // An old x86 context without ExtendedRegisters (0xcc bytes) still decodes.
    let old = dumpfile::Location {
        rva: ctx_rva,
        size: 0xcc,
    };
    assert_eq!(dump.context(old).unwrap().ip(), 0x7788_9900);
    let outside = dumpfile::Location {
        rva: ctx_rva,
        size: 0x10_0000,
    };
    assert!(matches!(
        dump.context(outside),
        Err(Error::InvalidRva { .. })
    ));
}

#[test]
fn codeview_ids() {
    let mut rsds = b"RSDS".to_vec();
    rsds.extend_from_slice(&[
        0x80, 0x5e, 0x9e, 0x6b, 0xe2, 0x38, 0x0e, 0x42, 0x8e, 0x7c, 0x62, 0xea, 0x60, 0xdd, 0xb0,
        0x69,
    ]);
    u32le(&mut rsds, 2);
    rsds.extend_from_slice(b"ntdll.pdb\0");
    let cv = dumpfile::CodeView::parse(&rsds).unwrap();
    assert_eq!(cv.pdb_id(), "6B9E5E8038E2420E8E7C62EA60DDB0692");
    assert_eq!(cv.pdb_name(), "ntdll.pdb");
    let mut nb10 = b"NB10".to_vec();
    u32le(&mut nb10, 0);
    u32le(&mut nb10, 0x3a2b_1c0d);
    u32le(&mut nb10, 0x1f);
    nb10.extend_from_slice(b"old.pdb\0");
    let cv = dumpfile::CodeView::parse(&nb10).unwrap();
    assert_eq!(cv.pdb_id(), "3A2B1C0D1F");
    assert_eq!(cv.age(), Some(0x1f));
    assert!(dumpfile::CodeView::parse(b"RSD").is_none());
    assert!(dumpfile::CodeView::parse(b"RSDSshort").is_none());
}

#[test]
fn every_prefix_and_byte_flip_of_a_small_dump_is_handled() {
    let mut sys = vec![0u8; 56];
    sys[0] = 9;
    let mut threads = Vec::new();
    u32le(&mut threads, 1);
    threads.extend_from_slice(&[0x11; 48]);
    let (d, _) = build(&[(7, sys), (3, threads), (15, vec![0x18; 24])]);
    let exercise = |bytes: Vec<u8>| {
        if let Ok(dump) = Minidump::from_bytes(bytes) {
            let _ = dump.system_info();
            let _ = dump.misc_info();
            if let Ok(ts) = dump.threads() {
                for t in &ts {
                    let _ = dump.thread_context(t);
                    let _ = dump.wow64_context(t);
                }
            }
            let _ = dump.modules();
            let _ = dump.process();
        }
    };
    for n in 0..d.len() {
        exercise(d[..n].to_vec());
    }
    for i in 0..d.len() {
        for v in [0u8, 0xff, 0x80] {
            let mut m = d.clone();
            m[i] = v;
            exercise(m);
        }
    }
}

#[test]
fn arm64_and_x64_contexts_decode() {
    for (arch, size) in [(12u16, 0x390usize), (9, 0x4d0)] {
        let mut sys = vec![0u8; 56];
        sys[0..2].copy_from_slice(&arch.to_le_bytes());
        let mut ctx = vec![0u8; size];
        if arch == 12 {
            ctx[0..4].copy_from_slice(&0x0040_0007u32.to_le_bytes());
            ctx[4..8].copy_from_slice(&0x6000_0000u32.to_le_bytes()); // cpsr
            ctx[8..16].copy_from_slice(&0x1111u64.to_le_bytes()); // x0
            ctx[0xf0..0xf8].copy_from_slice(&0x2222u64.to_le_bytes()); // fp
            ctx[0xf8..0x100].copy_from_slice(&0x3333u64.to_le_bytes()); // lr
            ctx[0x100..0x108].copy_from_slice(&0x4444u64.to_le_bytes()); // sp
            ctx[0x108..0x110].copy_from_slice(&0x5555u64.to_le_bytes()); // pc
        } else {
            ctx[0x30..0x34].copy_from_slice(&0x0010_001fu32.to_le_bytes());
            ctx[0x78..0x80].copy_from_slice(&0x1111u64.to_le_bytes()); // rax
            ctx[0x98..0xa0].copy_from_slice(&0x4444u64.to_le_bytes()); // rsp
            ctx[0xa0..0xa8].copy_from_slice(&0x2222u64.to_le_bytes()); // rbp
            ctx[0xf0..0xf8].copy_from_slice(&0x3333u64.to_le_bytes()); // r15
            ctx[0xf8..0x100].copy_from_slice(&0x5555u64.to_le_bytes()); // rip
        }
        let (d, rvas) = build(&[(7, sys), (0x4000, ctx)]);
        let dump = Minidump::from_bytes(d).unwrap();
        let loc = dumpfile::Location {
            rva: rvas[1],
            size: size as u32,
        };
        let c = dump.context(loc).unwrap();
        assert_eq!((c.ip(), c.sp(), c.fp()), (0x5555, 0x4444, 0x2222));
        match c {
            dumpfile::Context::Arm64(a) => {
                assert_eq!((a.x[0], a.lr, a.cpsr), (0x1111, 0x3333, 0x6000_0000));
            }
            dumpfile::Context::X64(x) => {
                assert_eq!(
                    (x.rax, x.r15, x.context_flags),
                    (0x1111, 0x3333, 0x0010_001f)
                );
            }
            other => panic!("{other:?}"),
        }
        // One byte short of the structure.
        let short = dumpfile::Location {
            rva: rvas[1],
            size: size as u32 - 1,
        };
        assert!(matches!(dump.context(short), Err(Error::BadContext { .. })));
    }
}

#[test]
fn minidump_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Minidump>();
    check::<dumpfile::MemoryView>();
    check::<Error>();
}

#[test]
fn shared_strings_cannot_amplify_allocations() {
    // 60 modules whose names all point at one 60 KB string: 3.6 MB of names from a 67 KB file.
    let n = 60u32;
    let list_len = 4 + 108 * n as usize;
    let string_rva = (32 + 12 + list_len) as u32;
    let mut s = Vec::new();
    u32le(&mut s, n);
    for i in 0..n {
        let mut m = vec![0u8; 108];
        m[0..8].copy_from_slice(&(0x1000_0000u64 + u64::from(i) * 0x10000).to_le_bytes());
        m[20..24].copy_from_slice(&string_rva.to_le_bytes());
        s.extend_from_slice(&m);
    }
    let name_bytes = 60_000u32;
    u32le(&mut s, name_bytes);
    s.extend(
        std::iter::repeat_n(b'a', name_bytes as usize)
            .flat_map(|c| [c, 0])
            .take(name_bytes as usize),
    );
    let (d, _) = build(&[(stream_type::MODULE_LIST, s)]);
    // Default limits: allowed (3.6 MB < 64 MiB).
    let dump = Minidump::from_bytes(d.clone()).unwrap();
    assert_eq!(dump.modules().unwrap().len(), n as usize);
    // A tighter budget refuses instead of allocating.
    let limits = Limits::default().with_max_copy_bytes(1_000_000);
    let dump = Minidump::from_bytes(d)
        .and_then(|d| d.with_limits(limits))
        .unwrap();
    assert!(matches!(
        dump.modules(),
        Err(Error::LimitExceeded {
            limit: 1_000_000,
            ..
        })
    ));
}

#[test]
fn open_maps_files_and_reports_io_errors() {
    let dir = std::env::temp_dir().join(format!("dumpfile-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let empty = dir.join("empty.dmp");
    std::fs::write(&empty, b"").unwrap();
    assert!(matches!(
        Minidump::open(&empty),
        Err(Error::Truncated { .. }) | Err(Error::Io(_))
    ));
    let good = dir.join("good.dmp");
    let (d, _) = build(&[(stream_type::COMMENT_A, b"hello\0".to_vec())]);
    std::fs::write(&good, &d).unwrap();
    let dump = Minidump::open(&good).unwrap();
    assert_eq!(dump.comment_a().as_deref(), Some("hello"));
    assert_eq!(dump.as_bytes(), &d[..]);
    assert!(matches!(
        Minidump::open(dir.join("missing.dmp")),
        Err(Error::Io(_))
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn handle_operation_list() {
    let mut s = Vec::new();
    u32le(&mut s, 16);
    u32le(&mut s, 288);
    u32le(&mut s, 2);
    u32le(&mut s, 0);
    for (handle, op, depth) in [(0x44u64, 1u32, 3u32), (0x44, 2, 40)] {
        u64le(&mut s, handle);
        u32le(&mut s, 1234);
        u32le(&mut s, 5678);
        u32le(&mut s, op);
        u32le(&mut s, 0);
        u32le(&mut s, depth);
        u32le(&mut s, 7);
        for i in 0..32u64 {
            u64le(&mut s, 0x7ff0_0000 + i);
        }
    }
    let (d, _) = build(&[(stream_type::HANDLE_OPERATION_LIST, s.clone())]);
    let ops = Minidump::from_bytes(d)
        .unwrap()
        .handle_operations()
        .unwrap()
        .unwrap();
    assert_eq!(ops.len(), 2);
    assert_eq!(
        (ops[0].handle, ops[0].operation_type, ops[0].thread_id),
        (0x44, 1, 5678)
    );
    assert_eq!(ops[0].stack, vec![0x7ff0_0000, 0x7ff0_0001, 0x7ff0_0002]);
    assert_eq!(ops[1].stack.len(), 32); // depth is capped at the array size
    // A count the stream cannot hold.
    s[8..12].copy_from_slice(&3u32.to_le_bytes());
    let (d, _) = build(&[(stream_type::HANDLE_OPERATION_LIST, s)]);
    assert!(matches!(
        Minidump::from_bytes(d).unwrap().handle_operations(),
        Err(Error::CountTooLarge { .. })
    ));
}

#[test]
fn memory_info_list() {
    let mut s = Vec::new();
    u32le(&mut s, 16);
    u32le(&mut s, 48);
    u64le(&mut s, 2);
    for (base, size, state, protect, ty) in [
        (0x1_0000u64, 0x1_0000u64, 0x1000u32, 0x04u32, 0x2_0000u32),
        (0x2_0000, 0x7ffe_0000, 0x1_0000, 0x01, 0),
    ] {
        u64le(&mut s, base);
        u64le(&mut s, base);
        u32le(&mut s, protect);
        u32le(&mut s, 0);
        u64le(&mut s, size);
        u32le(&mut s, state);
        u32le(&mut s, protect);
        u32le(&mut s, ty);
        u32le(&mut s, 0);
    }
    let (d, _) = build(&[(stream_type::MEMORY_INFO_LIST, s.clone())]);
    let mi = Minidump::from_bytes(d)
        .unwrap()
        .memory_info()
        .unwrap()
        .unwrap();
    assert_eq!(mi.len(), 2);
    assert_eq!(
        (
            mi[0].base_address,
            mi[0].region_size,
            mi[0].state,
            mi[0].protect,
            mi[0].type_
        ),
        (0x1_0000, 0x1_0000, 0x1000, 0x04, 0x2_0000)
    );
    assert_eq!(mi[1].state, 0x1_0000);
    // Larger entries (a newer writer) are accepted: fields are read from the entry's start.
    let mut wide = Vec::new();
    u32le(&mut wide, 16);
    u32le(&mut wide, 56);
    u64le(&mut wide, 2);
    for e in s[16..].chunks(48) {
        wide.extend_from_slice(e);
        wide.extend_from_slice(&[0xee; 8]);
    }
    let (d, _) = build(&[(stream_type::MEMORY_INFO_LIST, wide)]);
    let mi2 = Minidump::from_bytes(d)
        .unwrap()
        .memory_info()
        .unwrap()
        .unwrap();
    assert_eq!(mi, mi2);
    // A huge 64-bit count is refused.
    s[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
    let (d, _) = build(&[(stream_type::MEMORY_INFO_LIST, s)]);
    assert!(matches!(
        Minidump::from_bytes(d).unwrap().memory_info(),
        Err(Error::CountTooLarge { .. })
    ));
}
