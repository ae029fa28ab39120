//! Pool readers on x64 and edge cases (segment heap, corrupt pages, missing memory), and the
//! readers of real files: pooltag.txt (both corpus copies), an ntdll PDB, the ISF layouts.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::panic
)]

#[cfg(feature = "isf")]
mod layout_corpus;

use std::io::Write;
use std::path::{Path, PathBuf};

use pooltrack::{PoolTag, TagDescriptions};

fn corpus(sub: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus")
        .join(sub);
    if p.exists() {
        Some(p)
    } else {
        let _ = writeln!(std::io::stderr(), "SKIP: {} not found", p.display());
        None
    }
}

fn tag(s: &str) -> PoolTag {
    PoolTag::parse(s).unwrap()
}

#[test]
fn both_pooltag_files_parse() {
    let Some(dir) = corpus("pooltag") else { return };
    let sdk = std::fs::read_to_string(dir.join("pooltag-sdk-10.0.25967.txt")).unwrap();
    let old = std::fs::read_to_string(dir.join("pooltag-2003.txt")).unwrap();
    let sdk = TagDescriptions::parse_pooltag_txt(&sdk);
    let old = TagDescriptions::parse_pooltag_txt(&old);
    // Row counts: the files hold about 4,600 and 1,750 rows (a few repeat a tag).
    assert!(sdk.len() > 4000, "{}", sdk.len());
    assert!(old.len() > 1500, "{}", old.len());
    assert_eq!(sdk.describe(tag("Thre")), "Thread objects , Binary: nt!ps");
    assert_eq!(old.describe(tag("Thre")), "Thread objects , Binary: nt!ps");
    assert_eq!(sdk.describe(tag("Proc")), "Process objects , Binary: nt!ps");
    assert_eq!(old.describe(tag("Proc")), "Process objects");
    assert_eq!(
        sdk.describe(tag("8042")),
        "PS/2 keyboard and mouse , Binary: i8042prt.sys"
    );
    assert_eq!(
        old.describe(tag("8042")),
        "PS/2 kb and mouse , Binary: i8042prt.sys"
    );
    // Wildcard row `Acp* - acpi.sys - ACPI Pooltags` of the 2003 file.
    assert_eq!(
        old.describe(tag("AcpZ")),
        "ACPI Pooltags , Binary: acpi.sys"
    );
    assert_eq!(
        sdk.describe(tag("AcpA")),
        "ACPI arbiter data , Binary: acpi.sys"
    );
    // Padded tags: `Key  - <unknown> - Key objects`.
    assert_eq!(old.describe(tag("Key")), "Key objects");
    assert!(
        sdk.describe(tag("Zq9!"))
            .starts_with("UNKNOWN pooltag 'Zq9!'")
    );
}

#[cfg(feature = "pdb")]
use pooltrack::Arch;

#[cfg(feature = "pdb")]
#[test]
fn pdb_reader_derives_layouts_from_a_real_pdb() {
    let Some(p) = corpus("pdb/win10-19041-x64-ntdll-96EF4ED5.pdb") else {
        return;
    };
    let l = pooltrack::KernelLayouts::from_pdb_bytes(&std::fs::read(p).unwrap()).unwrap();
    assert_eq!(l.arch, Some(Arch::X64));
    let id = l.pdb.as_ref().unwrap();
    assert_eq!(id.guid, "96EF4ED537402DAAA51D4A4212EA4B2C");
    let peb = l.get("_PEB").unwrap();
    assert_eq!(peb.size, 0x7c8);
    assert_eq!(peb.field("Ldr").unwrap().offset, 0x18);
    assert_eq!(peb.field("Ldr").unwrap().size, Some(8));
    assert_eq!(peb.field("ProcessHeap").unwrap().offset, 0x30);
    // Bitfield and embedded structure: _HEAP.Counters is a _HEAP_COUNTERS.
    let heap = l.get("_HEAP").unwrap();
    assert_eq!(
        heap.field("Counters").unwrap().type_name.as_deref(),
        Some("_HEAP_COUNTERS")
    );
    assert!(l.resolve("_HEAP", "Counters.TotalMemoryReserved").is_some());
    assert_eq!(l.resolve("_LIST_ENTRY", "Blink").unwrap().offset, 8);
    let rva = l.symbol("RtlAllocateHeap").unwrap();
    assert!(rva > 0x1000 && rva < 0x20_0000, "{rva:#x}");
    let json = l.to_json();
    assert!(json.starts_with("{\"types\": {"));
}

/// Our bounds-checked TPI reader against the `pdb` crate's parser on real PDBs: the same
/// members at the same offsets for every structure of a few well-known types.
#[cfg(feature = "pdb")]
#[test]
fn pdb_reader_agrees_with_the_pdb_crate() {
    use pdb::FallibleIterator;
    for name in [
        "win10-19041-x64-ntdll-96EF4ED5.pdb",
        "win10-x86-wntdll-1C96EAD8.pdb",
    ] {
        let Some(p) = corpus(&format!("pdb/{name}")) else {
            return;
        };
        let bytes = std::fs::read(p).unwrap();
        let ours = pooltrack::KernelLayouts::from_pdb_bytes(&bytes).unwrap();
        let mut pdb = pdb::PDB::open(std::io::Cursor::new(&bytes[..])).unwrap();
        let ti = pdb.type_information().unwrap();
        let mut finder = ti.finder();
        let mut iter = ti.iter();
        let mut wanted = Vec::new();
        while let Some(t) = iter.next().unwrap() {
            finder.update(&iter);
            if let Ok(pdb::TypeData::Class(c)) = t.parse() {
                let n = c.name.to_string();
                if ["_PEB", "_TEB", "_HEAP", "_HEAP_SEGMENT", "_LIST_ENTRY"].contains(&n.as_ref())
                    && !c.properties.forward_reference()
                {
                    wanted.push((n.into_owned(), c.fields.unwrap(), c.size));
                }
            }
        }
        assert_eq!(wanted.len(), 5, "{name}");
        let mut compared = 0;
        for (n, fields, size) in wanted {
            let ty = ours.get(&n).unwrap();
            assert_eq!(u64::from(ty.size), size, "{name} {n}");
            let pdb::TypeData::FieldList(list) = finder.find(fields).unwrap().parse().unwrap()
            else {
                panic!("{n}: no field list");
            };
            for f in list.fields {
                if let pdb::TypeData::Member(m) = f {
                    let mine = ty.field(&m.name.to_string()).unwrap();
                    assert_eq!(u64::from(mine.offset), m.offset, "{name} {n}.{}", m.name);
                    compared += 1;
                }
            }
        }
        assert!(compared > 200, "{name}: {compared}");
    }
}

#[cfg(feature = "isf")]
#[test]
fn isf_layouts_replace_builtin_tables() {
    let truths = layout_corpus::truths();
    let Some(t) = truths.iter().find(|t| t.file.starts_with("win81-9600-x64")) else {
        return;
    };
    use pooltrack::PoolTrackerTableLayout;
    let from_isf = PoolTrackerTableLayout::from_layouts(&t.layouts).unwrap();
    assert_eq!(from_isf, PoolTrackerTableLayout::for_build(t.build));
    // Symbols: the globals the CLI reads, as RVAs.
    assert!(t.layouts.symbol("PoolTrackTable").is_some());
    assert!(t.layouts.symbol("ExPoolTagTables").is_some());
    assert!(t.layouts.symbol("VfPoolTraces").is_some());
}

#[cfg(feature = "synth")]
mod synthetic {
    use super::*;
    use pooltrack::synth::{SynthBigPage, SynthBlock, SynthKernel, usage};
    use pooltrack::{Arch, KernelBuild, Limits, Pool, PoolContext, PoolPageKind, SliceMemory};

    #[test]
    fn x64_win7_page_walk_and_tracker() {
        let b = KernelBuild::new(Arch::X64, 7601);
        let mut k = SynthKernel::new(b);
        let va = 0xffff_fa80_0100_0000u64;
        let proc_tag = u32::from_le_bytes(*b"Proc") | pooltrack::PROTECTED_BIT;
        k.add_pool_page(
            va,
            &[
                SynthBlock {
                    tag: u32::from_le_bytes(*b"File"),
                    size: 0x160,
                    free: false,
                    paged: false,
                },
                SynthBlock {
                    tag: proc_tag,
                    size: 0x530,
                    free: false,
                    paged: false,
                },
                SynthBlock {
                    tag: u32::from_le_bytes(*b"CM31"),
                    size: 0x200,
                    free: true,
                    paged: true,
                },
            ],
        );
        k.add_tracker_tables(
            0xffff_f800_0280_0000,
            0xffff_f800_0270_0000,
            0x401,
            &[
                vec![usage("Proc", (100, 60, 40 * 0x530), (0, 0, 0))],
                vec![usage("Proc", (5, 1, 4 * 0x530), (0, 0, 0))],
            ],
        );
        let pool = Pool::new(&k.memory, k.context.clone(), Limits::default());
        let p = pool.pool_page(va + 0x200).unwrap();
        assert_eq!(p.blocks.len(), 4);
        let h = p.holding_block().unwrap();
        assert_eq!(
            (h.addr, h.size, h.previous_size, h.tag),
            (va + 0x160, 0x530, 0x160, tag("Proc"))
        );
        assert!(h.protected);
        assert_eq!(h.paged, Some(false));
        assert!(p.blocks[2].free);
        let u = pool.pool_usage(false).unwrap();
        let pr = u.get(tag("Proc")).unwrap();
        assert_eq!(
            (pr.non_paged.allocs, pr.non_paged.frees, pr.non_paged.diff()),
            (105, 61, 44)
        );
    }

    #[test]
    fn win10_and_win11_tracker_and_big_pages() {
        for build in [19041u32, 22000] {
            let b = KernelBuild::new(Arch::X64, build);
            let mut k = SynthKernel::new(b);
            k.add_tracker_tables(
                0xffff_f800_0280_0000,
                0xffff_f800_0270_0000,
                0x801,
                &[vec![usage("Leak", (0, 0, 0), (1 << 33, 1, 1 << 40))]],
            );
            k.add_big_page_table(
                0xffff_f800_0300_0000,
                0x40,
                &[
                    SynthBigPage {
                        va: 0xffff_c000_1000_0000,
                        tag: tag("Leak"),
                        size: 0xfb000,
                        paged: true,
                    },
                    SynthBigPage {
                        va: 0xffff_c000_2000_0000,
                        tag: tag("Thre"),
                        size: 0x1000,
                        paged: false,
                    },
                ],
            );
            let pool = Pool::new(&k.memory, k.context.clone(), Limits::default());
            let u = pool.pool_usage(false).unwrap();
            let l = u.get(tag("Leak")).unwrap();
            // u64 counters from 16299 on.
            assert_eq!((l.paged.allocs, l.paged.bytes), (1 << 33, 1 << 40));
            let big = pool.big_pool().unwrap();
            assert_eq!(big.entries.len(), 2);
            assert_eq!(big.entries[0].is_paged(), Some(true));
            assert_eq!(big.entries[1].is_paged(), Some(false));
            // 1809+: a page outside big pool is segment heap, named and not walked.
            let p = pool.pool_page(0xffff_c000_5000_0010).unwrap();
            assert_eq!(p.kind, PoolPageKind::SegmentHeap);
            let p = pool.pool_page(0xffff_c000_1000_5000).unwrap();
            assert!(matches!(p.kind, PoolPageKind::Large(e) if e.tag == tag("Leak")));
        }
    }

    #[test]
    fn corrupt_chain_and_missing_memory() {
        let b = KernelBuild::new(Arch::X86, 7601);
        let mut k = SynthKernel::new(b);
        let va = 0x8600_0000u64;
        k.add_pool_page(
            va,
            &[
                SynthBlock {
                    tag: u32::from_le_bytes(*b"Even"),
                    size: 0x40,
                    free: false,
                    paged: false,
                },
                SynthBlock {
                    tag: u32::from_le_bytes(*b"Even"),
                    size: 0x40,
                    free: false,
                    paged: false,
                },
            ],
        );
        // Break the second header's PreviousSize.
        k.memory.region_mut(va).unwrap()[0x40] ^= 0x3;
        let pool = Pool::new(&k.memory, k.context.clone(), Limits::default());
        let p = pool.pool_page(va + 0x50).unwrap();
        assert_eq!(p.blocks.len(), 1);
        assert_eq!(p.corrupt_at, Some(va + 0x40));
        // A page the dump lacks: "not in the dump", not corruption.
        let e = pool.pool_page(0x9000_0000).unwrap_err();
        assert!(e.is_not_captured());
        // No PoolTrackTable given: a plain error.
        assert!(pool.pool_usage(false).is_err());
    }

    /// A key that is only the protected bit (0x80000000) is tag 0 once the bit is cleared: its
    /// own row, never added to the row of another tag.
    #[test]
    fn protected_bit_only_key_is_its_own_row() {
        let b = KernelBuild::new(Arch::X64, 19041);
        let mut k = SynthKernel::new(b);
        let mut odd = usage("Thre", (7, 2, 0x70), (0, 0, 0));
        odd.tag = PoolTag(pooltrack::PROTECTED_BIT);
        k.add_tracker_tables(
            0xffff_f800_0280_0000,
            0xffff_f800_0270_0000,
            0x401,
            &[vec![usage("Thre", (10, 5, 100), (0, 0, 0)), odd]],
        );
        let pool = Pool::new(&k.memory, k.context.clone(), Limits::default());
        let u = pool.pool_usage(false).unwrap();
        let t = u.get(tag("Thre")).unwrap();
        assert_eq!((t.non_paged.allocs, t.non_paged.frees), (10, 5));
        let z = u.get(PoolTag(0)).unwrap();
        assert_eq!((z.non_paged.allocs, z.non_paged.bytes), (7, 0x70));
        assert_eq!((u.used_entries, u.unprintable_keys), (2, 1));
    }

    #[test]
    fn tracker_table_partly_missing_still_counts() {
        let b = KernelBuild::new(Arch::X86, 7601);
        let mut ctx = PoolContext::new(b);
        let table =
            pooltrack::synth::tracker_table(b, 2049, &[usage("Thre", (10, 5, 100), (0, 0, 0))]);
        // Only the first half of the table is in the dump.
        let half = &table[..table.len() / 2];
        ctx.track_table = 0x8100_0000;
        ctx.track_table_size = 2049;
        let pool = Pool::new(SliceMemory::new(0x8100_0000, half), ctx, Limits::default());
        let u = pool.pool_usage(false).unwrap();
        assert!(u.tables[0].missing > 1000);
        assert!(u.tables[0].missing < 2049);
    }
}

/// `PoolContext::from_symbols` and `VmInputs::from_symbols` with the symbol RVAs of real kernel
/// PDBs (ISF): values planted at `kernel base + RVA` come back; what a build lacks stays unknown.
#[cfg(all(feature = "isf", feature = "synth"))]
#[test]
fn contexts_from_real_symbol_tables() {
    use pooltrack::synth::SynthMemory;
    use pooltrack::{Arch, KernelBuild, PoolContext, VmInputs};
    let truths = layout_corpus::truths();
    let mut seen = 0;
    for t in truths.iter().filter(|t| t.file.ends_with(".isf.json.xz")) {
        seen += 1;
        let syms = &t.layouts;
        let base = 0xffff_f800_0000_0000u64;
        let max_rva = PoolContext::SYMBOLS
            .iter()
            .chain(
                [
                    "MmNumberOfPhysicalPages",
                    "MmTotalCommitLimit",
                    "ExPoolFailures",
                ]
                .iter(),
            )
            .filter_map(|s| syms.symbol(s))
            .max()
            .unwrap();
        let extra = max_rva + 0x100;
        let mut image = vec![0u8; (extra + 0x1000) as usize];
        let mut plant = |name: &str, v: u64| {
            if let Some(r) = syms.symbol(name) {
                image[r as usize..r as usize + 8].copy_from_slice(&v.to_le_bytes());
            }
        };
        plant("PoolTrackTable", 0xffff_e000_1234_0000);
        plant("PoolTrackTableSize", 0x2001);
        plant("PoolBigPageTable", 0xffff_e000_5678_0000);
        plant("PoolBigPageTableSize", 0x4000);
        plant("VfPoolTraces", 0xffff_e000_9abc_0000);
        plant("VfPoolTracesLength", 0x10000);
        plant("MmNumberOfPhysicalPages", 0x10_0000);
        plant("MmTotalCommitLimit", 0x20_0000);
        plant("ExPoolFailures", 184);
        // Three paged pools and one non-paged pool descriptor (Vista to 1803 layout).
        let desc = |i: u64| base + extra + i * 0x200;
        if let Some(r) = syms.symbol("ExpPagedPoolDescriptor") {
            for i in 0..3u64 {
                let at = (r + 8 * i) as usize;
                image[at..at + 8].copy_from_slice(&desc(i).to_le_bytes());
                let d = (extra + i * 0x200) as usize;
                image[d + 0xc0..d + 0xc4].copy_from_slice(&(100 * (i as u32 + 1)).to_le_bytes());
                image[d + 0x48..d + 0x4c].copy_from_slice(&7u32.to_le_bytes());
            }
        }
        let mut plant = |name: &str, v: u64| {
            if let Some(r) = syms.symbol(name) {
                image[r as usize..r as usize + 8].copy_from_slice(&v.to_le_bytes());
            }
        };
        plant("ExpNumberOfPagedPools", 2);
        plant("ExpNumberOfNonPagedPools", 1);
        plant("PoolVector", desc(2));
        let mut mem = SynthMemory::new();
        mem.insert(base, image);
        let b = KernelBuild::new(Arch::X64, t.build.build);
        let c = PoolContext::from_symbols(&mem, b, base, syms, 4);
        assert_eq!(
            (c.track_table, c.track_table_size),
            (0xffff_e000_1234_0000, 0x2001),
            "{}",
            t.file
        );
        assert_eq!(
            (c.big_page_table, c.big_page_table_size),
            (0xffff_e000_5678_0000, 0x4000)
        );
        assert_eq!(
            (c.pool_traces, c.pool_traces_length),
            (0xffff_e000_9abc_0000, 0x10000)
        );
        assert_eq!(c.tag_tables, base + syms.symbol("ExPoolTagTables").unwrap());
        assert_eq!(
            c.verifier_data,
            base + syms.symbol("MmVerifierData").unwrap()
        );
        assert_eq!(
            c.suspect_drivers,
            base + syms.symbol("VfSuspectDriversList").unwrap()
        );
        assert_eq!(
            c.target_drivers_avl,
            base + syms.symbol("ViTargetDriversAvl").unwrap()
        );
        let v = VmInputs::from_symbols(&mem, b, base, syms);
        assert_eq!(v.pool_allocation_failures, Some(184));
        if t.build.build >= 10240 {
            // Moved into MiSystemPartition: said plainly as unknown.
            assert_eq!(
                (v.physical_pages, v.commit_limit),
                (None, None),
                "{}",
                t.file
            );
        } else {
            assert_eq!(
                (v.physical_pages, v.commit_limit),
                (Some(0x10_0000), Some(0x20_0000)),
                "{}",
                t.file
            );
        }
    }
    if layout_corpus::layouts_dir().is_some() {
        assert_eq!(seen, 3);
    }
}
