//! Symbol lookup: the [`Symbolize`] trait and a sorted [`SymbolTable`] built from exports or PDBs.

/// Where a symbol came from (a procedure is preferred over a public of the same address).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum SymbolKind {
    /// A PDB procedure (has a size).
    Procedure,
    /// A PDB public symbol.
    Public,
    /// An export of the image.
    Export,
}

/// A named address inside a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    /// RVA of the first byte.
    pub rva: u32,
    /// Size in bytes when known.
    pub size: Option<u32>,
    /// The name (undecorated where the decoration is a plain C one).
    pub name: String,
    /// Where it came from.
    pub kind: SymbolKind,
}

/// Looks up the symbol covering an RVA.
pub trait Symbolize {
    /// The symbol covering `rva`, if any.
    fn lookup(&self, rva: u32) -> Option<&Symbol>;
}

/// Symbols sorted by RVA.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SymbolTable {
    symbols: Vec<Symbol>,
    /// Per symbol: the largest end (exclusive; `u64::MAX` when unsized) of the symbols from
    /// the start of its equal-RVA group up to it. Non-decreasing inside a group, so the
    /// first covering symbol of a group is found by binary search instead of a scan: many
    /// aliases at one RVA (folded functions, hostile export tables) stay cheap to look up.
    reach: Vec<u64>,
}

impl SymbolTable {
    /// Builds a table (sorts; procedures first at equal RVAs).
    pub fn new(mut symbols: Vec<Symbol>) -> Self {
        symbols.sort_by_key(|a| (a.rva, a.kind));
        let mut reach = Vec::with_capacity(symbols.len());
        let mut prev: Option<(u32, u64)> = None;
        for s in &symbols {
            let end = symbol_end(s);
            let m = match prev {
                Some((rva, m)) if rva == s.rva => m.max(end),
                _ => end,
            };
            reach.push(m);
            prev = Some((s.rva, m));
        }
        SymbolTable { symbols, reach }
    }

    /// From `(rva, name)` export pairs (forwarders must be left out by the caller).
    pub fn from_exports<I, S>(exports: I) -> Self
    where
        I: IntoIterator<Item = (u32, S)>,
        S: Into<String>,
    {
        SymbolTable::new(
            exports
                .into_iter()
                .map(|(rva, name)| Symbol {
                    rva,
                    size: None,
                    name: name.into(),
                    kind: SymbolKind::Export,
                })
                .collect(),
        )
    }

    /// Number of symbols.
    pub fn len(&self) -> usize {
        self.symbols.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.symbols.is_empty()
    }

    /// All symbols, sorted by RVA.
    pub fn symbols(&self) -> &[Symbol] {
        &self.symbols
    }
}

/// End of a symbol (exclusive), `u64::MAX` when its size is unknown (it covers everything
/// up to the next symbol).
fn symbol_end(s: &Symbol) -> u64 {
    s.size
        .map_or(u64::MAX, |n| u64::from(s.rva).saturating_add(u64::from(n)))
}

impl Symbolize for SymbolTable {
    fn lookup(&self, rva: u32) -> Option<&Symbol> {
        let end = self.symbols.partition_point(|s| s.rva <= rva);
        let cands = self.symbols.get(..end)?;
        let top = cands.last()?;
        // All entries with the highest start <= rva: the first (in table order) that covers
        // rva wins. It is the first whose running maximum end lies beyond rva.
        let start = cands.partition_point(|s| s.rva < top.rva);
        let group = self.reach.get(start..end)?;
        let i = group.partition_point(|&m| m <= u64::from(rva));
        if let Some(s) = start.checked_add(i).and_then(|j| cands.get(j)) {
            return Some(s);
        }
        // A sized procedure that ends before rva: fall back to the nearest unsized symbol.
        cands.iter().rev().take(64).find(|s| s.size.is_none())
    }
}

impl<T: Symbolize + ?Sized> Symbolize for &T {
    fn lookup(&self, rva: u32) -> Option<&Symbol> {
        (**self).lookup(rva)
    }
}

impl<T: Symbolize + ?Sized> Symbolize for Box<T> {
    fn lookup(&self, rva: u32) -> Option<&Symbol> {
        (**self).lookup(rva)
    }
}

/// Removes a plain C decoration as x86 publics carry it (`_name`, `_name@12`, `@name@8`), the
/// way WinDbg prints them. C++ names (`?...`) are returned as they are.
pub fn undecorate_c(name: &str) -> &str {
    if name.starts_with('?') {
        return name;
    }
    let (stripped, had_prefix) = if let Some(r) = name.strip_prefix('_') {
        (r, true)
    } else if let Some(r) = name.strip_prefix('@') {
        (r, true)
    } else {
        (name, false)
    };
    if !had_prefix || stripped.is_empty() {
        return name;
    }
    match stripped.rfind('@') {
        Some(at)
            if at > 0
                && stripped
                    .get(at.saturating_add(1)..)
                    .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())) =>
        {
            stripped.get(..at).unwrap_or(stripped)
        }
        _ => stripped,
    }
}
