//! Hostile inputs found by the robustness review: each test replays an input that used to
//! hang, panic or allocate without bound, and says what the root cause was.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::indexing_slicing
)]

use stackwalk::symbols::{Symbol, SymbolKind, Symbolize};
use stackwalk::{Module, Modules, SymbolTable};

/// Root cause: `SymbolTable::lookup` scanned every symbol sharing the highest start RVA at
/// or below the address, on every lookup. An export table can name one function a million
/// times (zero-filled name and ordinal tables in a few hundred bytes of PE are enough), and
/// a walk makes up to `max_frames * scan_words_trusted` (40 960) lookups: ~1e10 steps. The
/// group is now searched by binary search over running maximum ends.
#[test]
fn many_aliases_at_one_rva_are_not_scanned_per_lookup() {
    const N: u32 = 200_000;
    let t = SymbolTable::from_exports((0..N).map(|i| (0x1000u32, format!("alias{i}"))));
    assert_eq!(t.len(), N as usize);
    let modules = Modules::new(vec![Module::new("m", 0x40_0000, 0x10_0000).with_symbols(t)]);
    for k in 0..20_000u64 {
        let loc = modules.locate(0x40_1000 + k, false);
        assert_eq!(loc.symbol.as_deref(), Some("alias0"));
        assert_eq!(loc.offset, k);
    }
}

/// The previous lookup, kept as the reference: the first symbol (in table order) of the
/// highest-start group that covers `rva`, else the nearest unsized symbol among the last 64.
fn reference(symbols: &[Symbol], rva: u32) -> Option<&Symbol> {
    let end = symbols.partition_point(|s| s.rva <= rva);
    let cands = symbols.get(..end)?;
    let top = cands.last()?;
    let mut first = None;
    for s in cands.iter().rev().take_while(|s| s.rva == top.rva) {
        if s.size
            .is_none_or(|n| u64::from(rva) < u64::from(s.rva) + u64::from(n))
        {
            first = Some(s);
        }
    }
    first.or_else(|| cands.iter().rev().take(64).find(|s| s.size.is_none()))
}

/// The binary-search lookup returns exactly what the linear one did, on groups mixing sized
/// procedures (growing, shrinking, equal ends), publics and exports.
#[test]
fn lookup_matches_the_linear_reference() {
    // A small deterministic generator (xorshift) so the test needs no extra dependency.
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut next = |m: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % m
    };
    for round in 0..50 {
        let mut syms = Vec::new();
        for i in 0..(20 + round) {
            let rva = 0x1000 + (next(8) as u32) * 0x10;
            let kind = match next(3) {
                0 => SymbolKind::Procedure,
                1 => SymbolKind::Public,
                _ => SymbolKind::Export,
            };
            let size = (kind == SymbolKind::Procedure || next(4) == 0).then(|| next(0x30) as u32);
            syms.push(Symbol {
                rva,
                size,
                name: format!("s{i}"),
                kind,
            });
        }
        let t = SymbolTable::new(syms);
        for q in 0xff0..0x10c0u32 {
            assert_eq!(
                t.lookup(q).map(|s| &s.name),
                reference(t.symbols(), q).map(|s| &s.name),
                "round {round} rva {q:#x}"
            );
        }
    }
}

/// What [`tiny_pdb`] puts in its file besides the fixed streams.
#[derive(Default)]
struct TinyPdb {
    /// The six DBI substream sizes (module info ... EC).
    substream_sizes: [u32; 6],
    /// One named-stream map entry whose name lies at this offset of a 4-byte name block.
    name_offset: Option<u32>,
    /// One code section at this virtual address, holding one public function `f` at this
    /// offset.
    public: Option<(u32, u32)>,
    /// Append an `S_CONSTANT` record whose value has an unknown numeric leaf (0x80ff).
    bad_constant: bool,
    /// One FPO record (code at 0x1000, 0x10 bytes) with this many dwords of locals.
    fpo_locals: Option<u32>,
}

/// A 4 KiB MSF (PDB) file with 256-byte pages: the PDB information stream (1), the symbol
/// records stream (2), a DBI stream (3) with a new-format header and, with a public, a
/// debug header naming the section header stream (6).
fn tiny_pdb(t: &TinyPdb) -> Vec<u8> {
    const PAGE: usize = 0x100;
    let mut f = vec![0u8; 16 * PAGE];
    let put = |f: &mut Vec<u8>, at: usize, v: u32| f[at..at + 4].copy_from_slice(&v.to_le_bytes());
    let put16 =
        |f: &mut Vec<u8>, at: usize, v: u16| f[at..at + 2].copy_from_slice(&v.to_le_bytes());
    // Page 0: superblock; the directory's page list is on page 2.
    f[..32].copy_from_slice(b"Microsoft C/C++ MSF 7.00\r\n\x1aDS\0\0\0");
    put(&mut f, 32, PAGE as u32); // page size
    put(&mut f, 36, 1); // free page map
    put(&mut f, 40, 16); // pages used
    put(&mut f, 52, 2);
    // Page 2: the directory is on page 3.
    put(&mut f, 2 * PAGE, 3);
    // Page 4: PDB information (version, signature, age, GUID, name block, name map).
    let i = 4 * PAGE;
    put(&mut f, i, 20000404);
    put(&mut f, i + 8, 1);
    let info_len = match t.name_offset {
        None => 32,
        Some(off) => {
            put(&mut f, i + 28, 4); // name block size
            f[i + 32..i + 36].copy_from_slice(b"/x\0\0");
            // count, entries size, present words, deleted words, (name offset, stream).
            for (k, v) in [1u32, 1, 0, 0, off, 2].into_iter().enumerate() {
                put(&mut f, i + 36 + 4 * k, v);
            }
            60
        }
    };
    // Page 5: new DBI header; symbol records in stream 2, no other symbol streams.
    let h = 5 * PAGE;
    put(&mut f, h, u32::MAX);
    put(&mut f, h + 4, 19990903);
    put(&mut f, h + 8, 1);
    for (o, v) in [(12, u16::MAX), (16, u16::MAX), (20, 2)] {
        put16(&mut f, h + o, v);
    }
    for (o, v) in [24, 28, 32, 36, 40, 52].into_iter().zip(t.substream_sizes) {
        put(&mut f, h + o, v);
    }
    put16(&mut f, h + 58, 0x8664);
    let (mut dbi_len, mut symrec_len, mut sections_len) = (64, 0, 0);
    let mut fpo_len = 0;
    if t.public.is_some() || t.fpo_locals.is_some() {
        // Debug header after the (empty) substreams: FPO (4) and section headers (6).
        put(&mut f, h + 48, 12);
        for k in 0..6 {
            put16(&mut f, h + 64 + 2 * k, u16::MAX);
        }
        if t.fpo_locals.is_some() {
            put16(&mut f, h + 64, 4);
        }
        if t.public.is_some() {
            put16(&mut f, h + 74, 6);
        }
        dbi_len = 76;
    }
    if let Some(locals) = t.fpo_locals {
        // Page 8: FPO_DATA { start, size, cdwLocals, cdwParams, attributes }.
        let r = 8 * PAGE;
        put(&mut f, r, 0x1000);
        put(&mut f, r + 4, 0x10);
        put(&mut f, r + 8, locals);
        fpo_len = 16;
    }
    if let Some((va, offset)) = t.public {
        // Page 6: S_PUB32 { flags: function, offset, section 1, "f" }.
        let r = 6 * PAGE;
        put16(&mut f, r, 14);
        put16(&mut f, r + 2, 0x110e);
        put(&mut f, r + 4, 2);
        put(&mut f, r + 8, offset);
        put16(&mut f, r + 12, 1);
        f[r + 14..r + 16].copy_from_slice(b"f\0");
        symrec_len = 16;
        if t.bad_constant {
            // S_CONSTANT { type 0, value: leaf 0x80ff, "c" }.
            put16(&mut f, r + 16, 10);
            put16(&mut f, r + 18, 0x1107);
            put16(&mut f, r + 24, 0x80ff);
            f[r + 26..r + 28].copy_from_slice(b"c\0");
            symrec_len = 28;
        }
        // Page 7: one section header (.text, executable code).
        let s = 7 * PAGE;
        f[s..s + 5].copy_from_slice(b".text");
        put(&mut f, s + 8, 0x1000);
        put(&mut f, s + 12, va);
        put(&mut f, s + 16, 0x1000);
        put(&mut f, s + 36, 0x6000_0020);
        sections_len = 40;
    }
    // Page 3: seven streams, then the page of each non-empty one (1: 4, 2: 6, 3: 5, 4: 8,
    // 6: 7).
    let d = 3 * PAGE;
    let sizes = [
        0u32,
        info_len,
        symrec_len,
        dbi_len,
        fpo_len,
        0,
        sections_len,
    ];
    let pages = [0u32, 4, 6, 5, 8, 0, 7];
    let mut words = vec![7u32];
    words.extend(sizes);
    words.extend(
        sizes
            .iter()
            .zip(pages)
            .filter(|(n, _)| **n > 0)
            .map(|(_, p)| p),
    );
    put(&mut f, 44, 4 * words.len() as u32); // directory size
    for (k, v) in words.into_iter().enumerate() {
        put(&mut f, d + 4 * k, v);
    }
    f
}

/// The public symbol of a [`TinyPdb`] is read where its section puts it.
#[test]
fn tiny_pdb_public_is_read() {
    let pdb = tiny_pdb(&TinyPdb {
        public: Some((0x1000, 0x20)),
        ..TinyPdb::default()
    });
    let d = stackwalk::PdbData::read(std::io::Cursor::new(pdb)).unwrap();
    let s = d.symbols.symbols();
    assert_eq!(s.len(), 1);
    assert_eq!((s[0].rva, s[0].name.as_str()), (0x1020, "f"));
    assert_eq!(d.code_ranges, vec![(0x1000, 0x2000)]);
}

/// Found by the `pdb` fuzz target. Root cause: `pdb` 0.8 (`AddressMap`,
/// `PdbInternalSectionOffset::to_rva`) adds a section's virtual address and a symbol's offset
/// unchecked (OMAP deltas too): overflow panicked with overflow checks and wrapped to a bogus
/// RVA without. `PdbData::read` now translates addresses itself with checked arithmetic and
/// drops symbols that fall outside the 32-bit address space.
#[test]
fn public_whose_address_overflows_is_dropped() {
    let pdb = tiny_pdb(&TinyPdb {
        public: Some((0xffff_f000, 0x2000)),
        ..TinyPdb::default()
    });
    assert_eq!(pdb.len(), 4096);
    let d = stackwalk::PdbData::read(std::io::Cursor::new(pdb)).unwrap();
    assert!(d.symbols.is_empty());
}

/// Found by the `pdb` fuzz target. Root cause: `pdb` 0.8 (`DBIExtraStreams::new`, reached
/// from `PDB::address_map`) adds the DBI header's six substream sizes in `u32`; sizes that
/// overflow panic there in builds with overflow checks (debug, tests, fuzzing) and wrap to a
/// wrong offset in release builds. `PdbData::read` now checks that the declared substreams
/// fit in the DBI stream before calling into `pdb`.
#[test]
fn dbi_substream_sizes_that_overflow_are_an_error() {
    let pdb = tiny_pdb(&TinyPdb {
        substream_sizes: [0x8000_0000, 0x8000_0000, 0, 0, 0, 0],
        ..TinyPdb::default()
    });
    assert_eq!(pdb.len(), 4096);
    let err = stackwalk::PdbData::read(std::io::Cursor::new(pdb)).unwrap_err();
    assert!(matches!(err, stackwalk::Error::Pdb { .. }), "{err}");
    assert!(err.to_string().contains("DBI substreams"), "{err}");
}

/// The same file with sizes that fit is read: the error above comes from the sizes alone.
#[test]
fn tiny_pdb_with_consistent_dbi_is_read() {
    let d = stackwalk::PdbData::read(std::io::Cursor::new(tiny_pdb(&TinyPdb::default()))).unwrap();
    assert!(d.symbols.is_empty() && d.frames.is_empty());
    // A well-formed name map is read too.
    let d = stackwalk::PdbData::read(std::io::Cursor::new(tiny_pdb(&TinyPdb {
        name_offset: Some(0),
        ..TinyPdb::default()
    })))
    .unwrap();
    assert!(d.symbols.is_empty());
}

/// Found by the `pdb` fuzz target. Root cause: `pdb` 0.8 (`PDBInformation::stream_names`,
/// reached from `PDB::string_table`, which frame-data programs need) slices the name block
/// at each map entry's offset without a bounds check: an offset past the block panicked
/// (also in release builds). `PdbData::read` now validates the map first and reads frame
/// data without programs when it is corrupt.
#[test]
fn stream_name_offset_past_the_name_block_is_not_followed() {
    let pdb = tiny_pdb(&TinyPdb {
        name_offset: Some(u32::MAX),
        ..TinyPdb::default()
    });
    assert_eq!(pdb.len(), 4096);
    let d = stackwalk::PdbData::read(std::io::Cursor::new(pdb)).unwrap();
    assert!(d.frames.is_empty());
}

/// Found by the `pdb` fuzz target. Root cause: `pdb` 0.8 parses numeric leaves with
/// `unreachable!()` for unknown prefixes when debug assertions are on, and `PdbData::read`
/// parsed every global symbol to find the publics, so one `S_CONSTANT` with a bad leaf
/// panicked. Only public and procedure records are parsed now.
#[test]
fn constant_with_unknown_numeric_leaf_is_skipped() {
    let pdb = tiny_pdb(&TinyPdb {
        public: Some((0x1000, 0x20)),
        bad_constant: true,
        ..TinyPdb::default()
    });
    assert_eq!(pdb.len(), 4096);
    let d = stackwalk::PdbData::read(std::io::Cursor::new(pdb)).unwrap();
    let names: Vec<_> = d
        .symbols
        .symbols()
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, ["f"]);
}

/// Found by the `pdb` fuzz target. Root cause: `pdb` 0.8 converts an FPO record's locals
/// from dwords to bytes with an unchecked `* 4` while iterating the frame table. Frame data
/// with such a record is now left out (the walker falls back to EBP frames and scanning).
#[test]
fn fpo_locals_that_overflow_leave_frame_data_out() {
    let pdb = tiny_pdb(&TinyPdb {
        fpo_locals: Some(0x4000_0000),
        ..TinyPdb::default()
    });
    assert_eq!(pdb.len(), 4096);
    let d = stackwalk::PdbData::read(std::io::Cursor::new(pdb)).unwrap();
    assert!(d.frames.is_empty());
    // A sane record in the same place is read.
    let pdb = tiny_pdb(&TinyPdb {
        fpo_locals: Some(3),
        ..TinyPdb::default()
    });
    let d = stackwalk::PdbData::read(std::io::Cursor::new(pdb)).unwrap();
    let e = d.frames.lookup(0x1008).unwrap();
    assert_eq!((e.rva, e.code_size, e.locals_size), (0x1000, 0x10, 12));
}
