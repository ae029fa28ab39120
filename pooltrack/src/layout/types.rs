//! The generic layout view: types with a size and named fields at offsets.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::build::Arch;

/// A field of a built-in table: offset and size in bytes (size 0: not stated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Field {
    /// Offset from the start of the structure.
    pub offset: u32,
    /// Size in bytes (for a bitfield: the size of the underlying integer); 0 when not stated.
    pub size: u32,
}

impl Field {
    /// A field at `offset` of `size` bytes.
    pub const fn new(offset: u32, size: u32) -> Self {
        Field { offset, size }
    }
    /// `offset` as a `u64`, for address arithmetic.
    pub const fn off(&self) -> u64 {
        self.offset as u64
    }
    /// The generic view of this field.
    pub fn layout(&self) -> FieldLayout {
        FieldLayout {
            offset: self.offset,
            size: if self.size == 0 {
                None
            } else {
                Some(self.size)
            },
            bits: None,
            type_name: None,
        }
    }
}

/// One field of a [`TypeLayout`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldLayout {
    /// Offset from the start of the structure.
    pub offset: u32,
    /// Size in bytes, when known (for a bitfield: its underlying integer).
    pub size: Option<u32>,
    /// Bit position and bit length, for a bitfield.
    pub bits: Option<(u8, u8)>,
    /// The name of the field's structure/union type, when it is one (lets dotted paths such
    /// as `Pcb.DirectoryTableBase` be resolved).
    pub type_name: Option<String>,
}

impl FieldLayout {
    /// A field at `offset`, nothing else known.
    pub fn at(offset: u32) -> Self {
        FieldLayout {
            offset,
            size: None,
            bits: None,
            type_name: None,
        }
    }
    /// The compact [`Field`] (size 0 when unknown).
    pub fn field(&self) -> Field {
        Field::new(self.offset, self.size.unwrap_or(0))
    }
}

/// One structure: its size and its fields by name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TypeLayout {
    /// The type name, PDB spelling (`_POOL_HEADER`).
    pub name: String,
    /// Size in bytes (0: not stated).
    pub size: u32,
    /// Fields by name.
    pub fields: BTreeMap<String, FieldLayout>,
}

impl TypeLayout {
    /// An empty type of `size` bytes.
    pub fn new(name: &str, size: u32) -> Self {
        TypeLayout {
            name: name.to_string(),
            size,
            fields: BTreeMap::new(),
        }
    }
    /// Add or replace a field.
    pub fn insert_field(&mut self, name: &str, f: FieldLayout) {
        self.fields.insert(name.to_string(), f);
    }
    /// A field by name.
    pub fn field(&self, name: &str) -> Option<&FieldLayout> {
        self.fields.get(name)
    }
}

/// Which PDB a set of layouts was derived from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdbIdentity {
    /// GUID as 32 upper-case hex digits.
    pub guid: String,
    /// Age (from the DBI stream when read from a PDB).
    pub age: u32,
    /// PDB file name (`ntkrnlmp.pdb`).
    pub database: String,
}

/// A set of kernel type layouts (and, when read from symbols, global symbol RVAs).
///
/// Built from the crate's built-in tables ([`KernelLayouts::insert`] of each table's
/// `type_layout()`), from a Volatility 3 ISF file (feature `isf`) or from a PDB (feature `pdb`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KernelLayouts {
    /// Architecture, when known.
    pub arch: Option<Arch>,
    /// The PDB the layouts come from, when known.
    pub pdb: Option<PdbIdentity>,
    /// Types by name.
    pub types: BTreeMap<String, TypeLayout>,
    /// Global symbols: name -> RVA from the kernel base (from ISF or PDB publics).
    pub symbols: BTreeMap<String, u64>,
}

/// How a built-in table differs from the truth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MismatchKind {
    /// The truth has no such type.
    MissingType,
    /// The truth's type has no such field (nor dotted path).
    MissingField,
    /// The structure sizes differ.
    Size {
        /// Ours.
        ours: u32,
        /// The truth's.
        truth: u32,
    },
    /// The field offsets differ.
    Offset {
        /// Ours.
        ours: u32,
        /// The truth's.
        truth: u32,
    },
    /// The field sizes differ.
    FieldSize {
        /// Ours.
        ours: u32,
        /// The truth's.
        truth: u32,
    },
}

/// One difference found by [`KernelLayouts::check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutMismatch {
    /// The type.
    pub type_name: String,
    /// The field, `None` for the type itself.
    pub field: Option<String>,
    /// What differs.
    pub kind: MismatchKind,
}

impl core::fmt::Display for LayoutMismatch {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let at = match &self.field {
            Some(x) => format!("{}.{x}", self.type_name),
            None => self.type_name.clone(),
        };
        match self.kind {
            MismatchKind::MissingType => write!(f, "{at}: type absent from the truth"),
            MismatchKind::MissingField => write!(f, "{at}: field absent from the truth"),
            MismatchKind::Size { ours, truth } => {
                write!(f, "{at}: size {ours:#x}, truth {truth:#x}")
            }
            MismatchKind::Offset { ours, truth } => {
                write!(f, "{at}: offset {ours:#x}, truth {truth:#x}")
            }
            MismatchKind::FieldSize { ours, truth } => {
                write!(f, "{at}: field size {ours:#x}, truth {truth:#x}")
            }
        }
    }
}

/// Most nesting a dotted path may have.
const MAX_PATH_DEPTH: usize = 8;

impl KernelLayouts {
    /// An empty set.
    pub fn new() -> Self {
        KernelLayouts::default()
    }
    /// Add or replace a type.
    pub fn insert(&mut self, t: TypeLayout) {
        self.types.insert(t.name.clone(), t);
    }
    /// A type by name.
    pub fn get(&self, name: &str) -> Option<&TypeLayout> {
        self.types.get(name)
    }
    /// The RVA of a global symbol, when the source had symbols.
    pub fn symbol(&self, name: &str) -> Option<u64> {
        self.symbols.get(name).copied()
    }
    /// A field of `type_name` by name or dotted path (`Pcb.DirectoryTableBase`: the offset is
    /// the sum along the path, size and bits those of the last field).
    pub fn resolve(&self, type_name: &str, path: &str) -> Option<FieldLayout> {
        let mut ty = self.get(type_name)?;
        let mut offset: u32 = 0;
        let mut parts = path.split('.').peekable();
        let mut depth = 0usize;
        while let Some(part) = parts.next() {
            depth = depth.checked_add(1)?;
            if depth > MAX_PATH_DEPTH {
                return None;
            }
            let f = ty.field(part)?;
            offset = offset.checked_add(f.offset)?;
            if parts.peek().is_none() {
                let mut out = f.clone();
                out.offset = offset;
                return Some(out);
            }
            ty = self.get(f.type_name.as_deref()?)?;
        }
        None
    }

    /// Compare `self` (built-in tables) with `truth` (derived from a PDB or ISF): every field
    /// `self` defines must exist in the truth at the same offset (and same size when both state
    /// one), and every stated structure size must be equal. Returns every difference.
    pub fn check(&self, truth: &KernelLayouts) -> Vec<LayoutMismatch> {
        let mut out = Vec::new();
        for (name, ours) in &self.types {
            let Some(t) = truth.get(name) else {
                out.push(LayoutMismatch {
                    type_name: name.clone(),
                    field: None,
                    kind: MismatchKind::MissingType,
                });
                continue;
            };
            if ours.size != 0 && t.size != 0 && ours.size != t.size {
                out.push(LayoutMismatch {
                    type_name: name.clone(),
                    field: None,
                    kind: MismatchKind::Size {
                        ours: ours.size,
                        truth: t.size,
                    },
                });
            }
            for (fname, f) in &ours.fields {
                let mk = |kind| LayoutMismatch {
                    type_name: name.clone(),
                    field: Some(fname.clone()),
                    kind,
                };
                let Some(tf) = truth.resolve(name, fname) else {
                    out.push(mk(MismatchKind::MissingField));
                    continue;
                };
                if tf.offset != f.offset {
                    out.push(mk(MismatchKind::Offset {
                        ours: f.offset,
                        truth: tf.offset,
                    }));
                }
                if let (Some(a), Some(b)) = (f.size, tf.size)
                    && a != b
                {
                    out.push(mk(MismatchKind::FieldSize { ours: a, truth: b }));
                }
            }
        }
        out
    }

    /// The layouts as JSON: `{"types": {NAME: {"size": N, "fields": {FIELD: OFFSET}}}}`, names
    /// sorted (what `dumpscope layout --kernel --json` prints).
    pub fn to_json(&self) -> String {
        let mut s = String::from("{\"types\": {");
        for (i, (name, t)) in self.types.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            let _ = write!(
                s,
                "{}: {{\"size\": {}, \"fields\": {{",
                json_str(name),
                t.size
            );
            for (j, (fname, f)) in t.fields.iter().enumerate() {
                if j > 0 {
                    s.push_str(", ");
                }
                let _ = write!(s, "{}: {}", json_str(fname), f.offset);
            }
            s.push_str("}}");
        }
        s.push_str("}}");
        s
    }
}

/// A JSON string literal.
fn json_str(v: &str) -> String {
    let mut s = String::with_capacity(v.len().saturating_add(2));
    s.push('"');
    for c in v.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(s, "\\u{:04x}", c as u32);
            }
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_dotted_and_check() {
        let mut truth = KernelLayouts::new();
        let mut outer = TypeLayout::new("_A", 0x20);
        let mut inner_f = FieldLayout::at(0x10);
        inner_f.type_name = Some("_B".into());
        outer.insert_field("Inner", inner_f);
        truth.insert(outer);
        let mut inner = TypeLayout::new("_B", 0x10);
        let mut x = FieldLayout::at(4);
        x.size = Some(4);
        inner.insert_field("X", x);
        truth.insert(inner);
        assert_eq!(truth.resolve("_A", "Inner.X").map(|f| f.offset), Some(0x14));
        assert_eq!(truth.resolve("_A", "Inner.Y"), None);

        let mut ours = KernelLayouts::new();
        let mut a = TypeLayout::new("_A", 0x28);
        a.insert_field("Inner.X", Field::new(0x14, 4).layout());
        a.insert_field("Inner.Z", Field::new(0x18, 4).layout());
        ours.insert(a);
        let m = ours.check(&truth);
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(m.iter().any(|x| x.kind
            == MismatchKind::Size {
                ours: 0x28,
                truth: 0x20
            }));
        assert!(m.iter().any(|x| x.kind == MismatchKind::MissingField));
        assert_eq!(
            truth.to_json(),
            "{\"types\": {\"_A\": {\"size\": 32, \"fields\": {\"Inner\": 16}}, \"_B\": {\"size\": 16, \"fields\": {\"X\": 4}}}}"
        );
    }
}
