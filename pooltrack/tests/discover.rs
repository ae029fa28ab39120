//! `!poolused` without symbols: the tracker table's size and the per-processor tables found
//! near `&PoolTrackTable` (what KDBG gives) by what the memory holds.
#![cfg(feature = "synth")]
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

use pooltrack::synth::{SynthMemory, tracker_table, usage};
use pooltrack::{Arch, KernelBuild, find_tag_tables, find_track_table_size};

const GLOBAL: u64 = 0x8120_0000;
const TABLE: u64 = 0x8a00_0000;

fn tags(n: usize) -> Vec<pooltrack::TagUsage> {
    (0..n)
        .map(|i| {
            let name = format!("T{:03}", i % 1000);
            usage(&name, (10, 5, 0x1000), (0, 0, 0))
        })
        .collect()
}

/// Kernel data of one page around `&PoolTrackTable`, with `values` at byte offsets from it.
fn data(width: u64, values: &[(i64, u64)]) -> Vec<u8> {
    let mut page = vec![0u8; 0x4000];
    let base = 0x2000i64;
    for &(off, v) in values {
        let at = usize::try_from(base + off).unwrap();
        let n = usize::try_from(width).unwrap();
        page[at..at + n].copy_from_slice(&v.to_le_bytes()[..n]);
    }
    page
}

fn memory(build: KernelBuild, size: u64, values: &[(i64, u64)], after: Vec<u8>) -> SynthMemory {
    let width = build.arch.pointer_size();
    let mut m = SynthMemory::new();
    m.insert(GLOBAL - 0x2000, data(width, values));
    let mut t = tracker_table(build, size, &tags(40));
    t.extend_from_slice(&after);
    m.insert(TABLE, t);
    m
}

#[test]
fn the_size_global_is_found_wherever_it_sits_and_the_table_confirms_it() {
    for (arch, build, off) in [
        (Arch::X86, 3790, 8),
        (Arch::X64, 7601, -8),
        (Arch::X64, 9600, 0x14f8),
        (Arch::X64, 14393, -0x1478),
    ] {
        let b = KernelBuild::new(arch, build);
        let m = memory(b, 2049, &[(0, TABLE), (off, 2049)], Vec::new());
        let found = find_track_table_size(&m, b, GLOBAL, TABLE).unwrap();
        assert_eq!(found.entries, 2049, "{arch:?} {build}");
        assert_eq!(
            found.global,
            GLOBAL.wrapping_add_signed(off),
            "{arch:?} {build}"
        );
        assert_eq!(found.used, 40);
    }
}

#[test]
fn a_larger_power_of_two_that_runs_into_other_data_is_refused() {
    let b = KernelBuild::new(Arch::X64, 7601);
    // PoolBigPageTableSize-like 0x4000 nearer than the real size; past the table, non-zero data
    // that is no tracker entry.
    let garbage = vec![0xA5u8; 0x28 * 64];
    let m = memory(b, 2049, &[(0, TABLE), (8, 0x4000), (-8, 2049)], garbage);
    assert_eq!(
        find_track_table_size(&m, b, GLOBAL, TABLE).unwrap().entries,
        2049
    );
    // Past the table, memory not in the dump: the larger candidate cannot be read, refused.
    let m = memory(b, 2049, &[(0, TABLE), (8, 0x4000), (-8, 2049)], Vec::new());
    assert_eq!(
        find_track_table_size(&m, b, GLOBAL, TABLE).unwrap().entries,
        2049
    );
}

#[test]
fn nothing_that_fits_gives_none() {
    let b = KernelBuild::new(Arch::X86, 7601);
    // No candidate value at all.
    let m = memory(b, 2049, &[(0, TABLE)], Vec::new());
    assert_eq!(find_track_table_size(&m, b, GLOBAL, TABLE), None);
    // A candidate, but the table is garbage.
    let mut m = SynthMemory::new();
    m.insert(GLOBAL - 0x2000, data(4, &[(0, TABLE), (8, 2048)]));
    m.insert(TABLE, vec![0xA5; 0x1c * 2048]);
    assert_eq!(find_track_table_size(&m, b, GLOBAL, TABLE), None);
    // Nothing readable near the global.
    assert_eq!(
        find_track_table_size(&SynthMemory::new(), b, GLOBAL, TABLE),
        None
    );
}

#[test]
fn the_per_processor_array_is_found_by_its_first_slot() {
    let b = KernelBuild::new(Arch::X64, 9600);
    let t1 = 0x8b00_0000u64;
    let t2 = 0x8c00_0000u64;
    let mut m = memory(
        b,
        2049,
        &[
            (0, TABLE),
            (0x14f8, 2049),
            (0x58, TABLE),
            (0x60, t1),
            (0x68, t2),
        ],
        Vec::new(),
    );
    m.insert(t1, tracker_table(b, 2049, &tags(7)));
    m.insert(t2, tracker_table(b, 2049, &tags(9)));
    assert_eq!(
        find_tag_tables(&m, b, GLOBAL, TABLE, 3),
        Some(GLOBAL + 0x58)
    );
    // One processor: the global table is all there is.
    assert_eq!(find_tag_tables(&m, b, GLOBAL, TABLE, 1), None);
    // A slot pointing at non-tracker data is no array.
    m.insert(t2, vec![0xA5; 0x4000]);
    assert_eq!(find_tag_tables(&m, b, GLOBAL, TABLE, 3), None);
}

fn big_pages(n: u64, base: u64) -> Vec<pooltrack::synth::SynthBigPage> {
    (0..n)
        .map(|i| pooltrack::synth::SynthBigPage {
            va: base + i * 0x10_0000,
            tag: pooltrack::PoolTag::from_bytes(*b"Leak"),
            size: 0xfb000,
            paged: true,
        })
        .collect()
}

#[test]
fn the_big_page_table_is_found_by_its_pointer_and_size_pair() {
    use pooltrack::find_big_page_table;
    use pooltrack::synth::big_page_table;
    let big = 0x8d00_0000u64;
    for (arch, build, at, size_at, base) in [
        // (table, size) as the PDBs place them: 7601 -0x28/-0x30, 9600 +0x1468/+0x1470,
        // 22000 -0x20/-0x18.
        (
            Arch::X64,
            7601,
            -0x28i64,
            -0x30i64,
            0xffff_fa80_0000_0000u64,
        ),
        (Arch::X64, 9600, 0x1468, 0x1470, 0xffff_e000_0000_0000),
        (Arch::X64, 22000, -0x20, -0x18, 0xffff_9000_0000_0000),
        (Arch::X86, 9600, 0x20, 0x24, 0x9c00_0000),
    ] {
        let b = KernelBuild::new(arch, build);
        let table = if arch == Arch::X64 {
            0xffff_f800_0d00_0000
        } else {
            big
        };
        let mut m = memory(
            b,
            2049,
            &[(0, TABLE), (at, table), (size_at, 0x400)],
            Vec::new(),
        );
        m.insert(table, big_page_table(b, 0x400, &big_pages(10, base)));
        let f = find_big_page_table(&m, b, GLOBAL).unwrap();
        assert_eq!(
            (f.table, f.entries, f.used),
            (table, 0x400, 10),
            "{arch:?} {build}"
        );
        // The same pair over data that is no big page table: refused.
        m.insert(table, vec![0xA5; 0x400 * 0x20]);
        assert_eq!(find_big_page_table(&m, b, GLOBAL), None, "{arch:?} {build}");
    }
}
