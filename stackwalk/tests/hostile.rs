//! Hostile inputs found by the robustness review: each test replays an input that used to
//! hang, panic or allocate without bound, and says what the root cause was.
#![allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]

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
