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
}

impl SymbolTable {
    /// Builds a table (sorts; procedures first at equal RVAs).
    pub fn new(mut symbols: Vec<Symbol>) -> Self {
        symbols.sort_by_key(|a| (a.rva, a.kind));
        SymbolTable { symbols }
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

impl Symbolize for SymbolTable {
    fn lookup(&self, rva: u32) -> Option<&Symbol> {
        let end = self.symbols.partition_point(|s| s.rva <= rva);
        let cands = self.symbols.get(..end)?;
        let top = cands.last()?;
        // All entries with the highest start <= rva: prefer one that covers rva.
        let same = cands.iter().rev().take_while(|s| s.rva == top.rva);
        let mut first = None;
        for s in same {
            let covers = s
                .size
                .is_none_or(|n| u64::from(rva) < u64::from(s.rva).saturating_add(u64::from(n)));
            if covers {
                first = Some(s);
            }
        }
        if first.is_some() {
            return first;
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
