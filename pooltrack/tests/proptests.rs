//! Property tests: round trips through the synthetic builders, and mutated or random memory
//! giving results or errors, never a panic.
#![cfg(feature = "synth")]
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)]

use std::collections::BTreeMap;

use pooltrack::synth::{
    SynthBlock, SynthKernel, exercise, handle_leak_pool_story, pool_leak_story, usage,
};
use pooltrack::{
    Arch, CodeSection, ImmediateUse, KernelBuild, Limits, Pool, PoolContext, PoolHeader, PoolTag,
    PoolTrackerTableLayout, SliceMemory, find_tag_references, pool_unit,
};
use proptest::prelude::*;

const BUILDS: [(Arch, u32); 10] = [
    (Arch::X86, 2600),
    (Arch::X86, 3790),
    (Arch::X86, 7601),
    (Arch::X86, 9600),
    (Arch::X86, 19041),
    (Arch::X64, 7601),
    (Arch::X64, 9600),
    (Arch::X64, 14393),
    (Arch::X64, 19041),
    (Arch::X64, 22000),
];

fn tag_strategy() -> impl Strategy<Value = String> {
    "[A-Za-z0-9]{4}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn header_round_trip(x64 in any::<bool>(), prev in 0u16..256, size in 0u16..256, ty in 0u8..128, idx in 0u8..128, tag in any::<u32>()) {
        let arch = if x64 { Arch::X64 } else { Arch::X86 };
        let h = PoolHeader { previous_size: prev, pool_index: idx, block_size: size, pool_type: ty, tag };
        prop_assert_eq!(PoolHeader::decode(arch, &h.encode(arch)), Some(h));
    }

    #[test]
    fn tracker_sums_round_trip(
        b in 0usize..BUILDS.len(),
        cpus in 1usize..6,
        rows in proptest::collection::vec((tag_strategy(), 0u64..1_000_000, 0u64..1_000_000, 0u64..100_000_000, 0u64..1_000_000, 0u64..100_000_000), 1..40),
    ) {
        let (arch, build) = BUILDS[b];
        let mut k = SynthKernel::new(KernelBuild::new(arch, build));
        let mut expect: BTreeMap<PoolTag, (u64, u64, u64, u64)> = BTreeMap::new();
        let mut per_cpu = vec![Vec::new(); cpus];
        let mut seen = std::collections::BTreeSet::new();
        for (i, (t, a, f, by, pa, pb)) in rows.iter().enumerate() {
            if !seen.insert(t.clone()) {
                continue;
            }
            let tag = PoolTag::parse(t).unwrap();
            per_cpu[i % cpus].push(usage(t, (*a, *f, *by), (*pa, 0, *pb)));
            expect.insert(tag, (*a, *f, *by, *pb));
        }
        let base = if arch == Arch::X64 { 0xffff_f800_1000_0000 } else { 0x8100_0000 };
        k.add_tracker_tables(base, base - 0x1000, 257, &per_cpu);
        let pool = Pool::new(&k.memory, k.context.clone(), Limits::default());
        let u = pool.pool_usage(false).unwrap();
        prop_assert!(u.layout_confirmed());
        prop_assert_eq!(u.tags.len(), expect.len());
        for t in &u.tags {
            let e = expect[&t.tag];
            prop_assert_eq!((t.non_paged.allocs, t.non_paged.frees, t.non_paged.bytes, t.paged.bytes), e);
        }
    }

    /// `!poolused` over raw tables (keys from a small set with duplicates, the protected bit,
    /// key 0x80000000, counters up to u64::MAX, parts of tables missing) equals a plain sum
    /// entry by entry with saturating adds.
    #[test]
    fn tracker_sums_equal_a_plain_sum(
        b in 0usize..BUILDS.len(),
        size in 1u64..300,
        tables in proptest::collection::vec(
            (proptest::collection::vec((0usize..8, any::<[u64; 6]>(), any::<bool>()), 0..300), 0u64..300),
            1..6,
        ),
    ) {
        let (arch, build) = BUILDS[b];
        let kb = KernelBuild::new(arch, build);
        let l = PoolTrackerTableLayout::for_build(kb);
        let esz = u64::from(l.size);
        let keys = [0u32, 0x6572_6854, 0xe572_6854, 0x8000_0000, 0x0102_0304, 0x6c69_6146, 0x7453_6d4d, 0x6e65_7645];
        let fields = [l.non_paged_allocs, l.non_paged_frees, l.non_paged_bytes, l.paged_allocs, l.paged_frees, l.paged_bytes];
        let put = |e: &mut [u8], f: Option<pooltrack::Field>, v: u64| {
            let f = f.unwrap();
            let n = f.size as usize;
            e[f.offset as usize..f.offset as usize + n].copy_from_slice(&v.to_le_bytes()[..n]);
        };
        let get = |e: &[u8], f: Option<pooltrack::Field>| {
            let f = f.unwrap();
            let mut v = [0u8; 8];
            v[..f.size as usize].copy_from_slice(&e[f.offset as usize..f.offset as usize + f.size as usize]);
            u64::from_le_bytes(v)
        };
        let width = if arch == Arch::X64 { 8u64 } else { 4 };
        let base = if arch == Arch::X64 { 0xffff_f800_1000_0000u64 } else { 0x8100_0000u64 };
        let mut mem = pooltrack::synth::SynthMemory::new();
        let mut array = vec![0u8; (width as usize) * tables.len()];
        let mut expect: BTreeMap<u32, [u64; 6]> = BTreeMap::new();
        let (mut used, mut unprintable, mut missing) = (0u64, 0u64, Vec::new());
        for (i, (entries, present)) in tables.iter().enumerate() {
            let va = base + (i as u64) * 0x10_0000;
            array[i * width as usize..][..width as usize].copy_from_slice(&va.to_le_bytes()[..width as usize]);
            let mut t = vec![0u8; (esz * size) as usize];
            for (j, (k, counts, _)) in entries.iter().enumerate().take(size as usize) {
                let e = &mut t[j * esz as usize..][..esz as usize];
                e[..4].copy_from_slice(&keys[*k].to_le_bytes());
                for (f, v) in fields.iter().zip(counts) {
                    // 4-byte counters keep their low half.
                    put(e, *f, *v);
                }
            }
            // Only the first `present` entries are in the dump.
            let present = (*present).min(size);
            missing.push(size - present);
            for e in t.chunks_exact(esz as usize).take(present as usize) {
                let key = u32::from_le_bytes(e[..4].try_into().unwrap());
                if key == 0 {
                    continue;
                }
                used += 1;
                let key = key & 0x7fff_ffff;
                if !PoolTag(key).is_printable() {
                    unprintable += 1;
                }
                let row = expect.entry(key).or_default();
                for (d, f) in row.iter_mut().zip(fields) {
                    *d = d.saturating_add(get(e, f));
                }
            }
            t.truncate((present * esz) as usize);
            if !t.is_empty() {
                mem.insert(va, t);
            }
        }
        mem.insert(base - 0x1000, array);
        let mut ctx = PoolContext::new(kb);
        ctx.track_table = base;
        ctx.track_table_size = size;
        ctx.tag_tables = base - 0x1000;
        ctx.tag_tables_count = tables.len() as u32;
        let pool = Pool::new(&mem, ctx, Limits::default());
        let u = pool.pool_usage(false).unwrap();
        prop_assert_eq!((u.used_entries, u.unprintable_keys), (used, unprintable));
        prop_assert_eq!(u.tables.iter().map(|t| t.missing).collect::<Vec<_>>(), missing);
        let got: BTreeMap<u32, [u64; 6]> = u.tags.iter().map(|t| (t.tag.0, [
            t.non_paged.allocs, t.non_paged.frees, t.non_paged.bytes,
            t.paged.allocs, t.paged.frees, t.paged.bytes,
        ])).collect();
        prop_assert_eq!(got, expect);
    }

    #[test]
    fn pool_page_round_trip(
        b in 0usize..BUILDS.len(),
        blocks in proptest::collection::vec((tag_strategy(), 1u64..40, any::<bool>(), any::<bool>()), 1..20),
        probe in 0u64..0x1000,
    ) {
        let (arch, build) = BUILDS[b];
        let kb = KernelBuild::new(arch, build);
        let unit = pool_unit(arch);
        let mut k = SynthKernel::new(kb);
        let mut want = Vec::new();
        let mut used = 0;
        for (t, units, free, _paged) in blocks {
            if used + units * unit > 0x1000 {
                break;
            }
            used += units * unit;
            let tag = PoolTag::parse(&t).unwrap();
            want.push((tag, units * unit, free));
        }
        let blocks: Vec<SynthBlock> = want.iter().map(|(t, s, f)| SynthBlock { tag: t.0, size: *s, free: *f, paged: false }).collect();
        k.add_pool_page(0x8800_0000, &blocks);
        let pool = Pool::new(&k.memory, k.context.clone(), Limits::default());
        let page = pool.pool_page(0x8800_0000 + probe).unwrap();
        if build >= 17763 {
            prop_assert!(page.blocks.is_empty());
        } else {
            prop_assert_eq!(page.corrupt_at, None);
            for (i, (t, s, f)) in want.iter().enumerate() {
                prop_assert_eq!((page.blocks[i].tag, page.blocks[i].size, page.blocks[i].free), (*t, *s, *f));
            }
            prop_assert_eq!(page.blocks.iter().filter(|b| b.holds_address).count(), 1);
        }
    }

    #[test]
    fn push_imm32_is_found(x64 in any::<bool>(), pre in proptest::collection::vec(any::<u8>(), 0..64), t in tag_strategy()) {
        let arch = if x64 { Arch::X64 } else { Arch::X86 };
        let tag = PoolTag::parse(&t).unwrap();
        let mut code = pre.clone();
        code.push(0x68);
        code.extend_from_slice(&tag.0.to_le_bytes());
        let refs = find_tag_references(arch, &[CodeSection { rva: 0x1000, bytes: &code }], tag, 100);
        let at = 0x1000 + pre.len() as u64;
        prop_assert!(refs.iter().any(|r| r.rva == at && r.kind == ImmediateUse::Push && r.len == 5));
    }

    #[test]
    fn mutated_stories_never_panic(which in any::<bool>(), flips in proptest::collection::vec((any::<u16>(), any::<u32>(), any::<u8>()), 1..64)) {
        let mut k = if which { pool_leak_story() } else { handle_leak_pool_story() };
        let regions: Vec<u64> = k.memory.regions().map(|(a, _)| a).collect();
        for (r, off, v) in flips {
            let va = regions[usize::from(r) % regions.len()];
            let reg = k.memory.region_mut(va).unwrap();
            let n = reg.len();
            reg[off as usize % n] ^= v | 1;
        }
        let _ = exercise(&k.memory, k.context.clone(), Limits::fuzzing());
    }

    #[test]
    fn random_memory_never_panics(b in 0usize..BUILDS.len(), bytes in proptest::collection::vec(any::<u8>(), 0..8192), offs in proptest::collection::vec(0u64..8192, 8)) {
        let (arch, build) = BUILDS[b];
        let base = 0x8000_0000u64;
        let mem = SliceMemory::new(base, &bytes);
        let mut ctx = PoolContext::new(KernelBuild::new(arch, build));
        ctx.track_table = base + offs[0];
        ctx.track_table_size = 64;
        ctx.tag_tables = base + offs[1];
        ctx.tag_tables_count = 8;
        ctx.big_page_table = base + offs[2];
        ctx.big_page_table_size = 64;
        ctx.verifier_data = base + offs[3];
        ctx.suspect_drivers = base + offs[4];
        ctx.target_drivers_avl = base + offs[5];
        ctx.pool_traces = base + offs[6];
        ctx.pool_traces_length = 32;
        ctx.non_paged_pool = Some((base, base + 8192));
        ctx.session_track_table = base + offs[7];
        ctx.session_track_table_size = 16;
        let _ = exercise(mem, ctx, Limits::fuzzing());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn pooltag_text_never_panics(text in "(?s).{0,400}", lines in proptest::collection::vec("[ -~]{0,40}", 0..20)) {
        let d = pooltrack::TagDescriptions::parse_pooltag_txt(&text);
        let _ = d.describe(PoolTag::parse("Thre").unwrap());
        let joined = lines.join("\n");
        let d = pooltrack::TagDescriptions::parse_pooltag_txt(&joined);
        for l in &lines {
            if let Some(t) = l.get(..4).and_then(PoolTag::parse) {
                let _ = d.describe(t);
            }
        }
    }

    #[test]
    fn windbg_text_never_panics(which in any::<bool>(), flags in 0u32..16, pattern in "[A-Za-z?*]{0,5}") {
        let k = if which { pool_leak_story() } else { handle_leak_pool_story() };
        let pool = Pool::new(&k.memory, k.context.clone(), Limits::default());
        let u = pool.pool_usage(false).unwrap();
        let t = u.windbg_text(pooltrack::PoolUsedFlags::from_bits(flags), Some(&pattern), &pooltrack::TagDescriptions::builtin());
        prop_assert!(t.starts_with("   Sorting by"));
    }
}

#[cfg(feature = "isf")]
#[test]
fn layout_json_is_valid_json() {
    for (arch, build) in BUILDS {
        let j = pooltrack::pool_layouts(KernelBuild::new(arch, build)).to_json();
        let back = pooltrack::KernelLayouts::from_isf_json(
            format!(
                "{{\"user_types\": {}}}",
                &j["{\"types\": ".len()..j.len() - 1]
            )
            .as_bytes(),
        )
        .unwrap();
        assert!(back.get("_POOL_HEADER").is_some());
        assert_eq!(
            back.get("_POOL_TRACKER_TABLE").unwrap().size,
            PoolTrackerTableLayout::for_build(KernelBuild::new(arch, build)).size
        );
    }
}
