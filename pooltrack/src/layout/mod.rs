//! Kernel structure layouts: the build key, a generic per-type view, and the sources a layout
//! can come from (built-in per-build tables, a Volatility 3 ISF file, an `ntkrnlmp.pdb`).
//!
//! Every built-in table of the crate converts to a [`TypeLayout`], so it can be compared with the
//! truth derived from Microsoft's PDB ([`KernelLayouts::check`]) and printed as JSON
//! ([`KernelLayouts::to_json`]).

mod build;
#[cfg(feature = "isf")]
mod isf;
#[cfg(feature = "pdb")]
mod pdb_types;
mod types;

pub use build::{Arch, KernelBuild};
pub use types::{
    Field, FieldLayout, KernelLayouts, LayoutMismatch, MismatchKind, PdbIdentity, TypeLayout,
};

/// Defines a built-in per-build layout table: a struct holding the type's size and an
/// `Option<Field>` per field, convertible to and from the generic [`TypeLayout`] view.
///
/// ```ignore
/// layout_table! {
///     /// `_POOL_TRACKER_TABLE`: one tag's counters.
///     pub struct PoolTrackerTableLayout = "_POOL_TRACKER_TABLE" {
///         /// `Key`: the tag.
///         key: "Key",
///     }
/// }
/// ```
macro_rules! layout_table {
    (
        $(#[$meta:meta])*
        pub struct $name:ident = $tyname:literal {
            $( $(#[$fmeta:meta])* $field:ident : $fname:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct $name {
            /// Size of the whole structure in bytes (0: not stated).
            pub size: u32,
            $( $(#[$fmeta])* pub $field: Option<$crate::layout::Field>, )*
        }

        impl $name {
            /// The Windows type name (PDB spelling).
            pub const TYPE_NAME: &'static str = $tyname;

            /// A table with no field known.
            pub const EMPTY: $name = $name { size: 0, $( $field: None, )* };

            /// The generic view of this table, to compare with a PDB or print as JSON. Field
            /// names are the PDB's (a dotted path for a field of an embedded structure).
            pub fn type_layout(&self) -> $crate::layout::TypeLayout {
                let mut t = $crate::layout::TypeLayout::new($tyname, self.size);
                $( if let Some(f) = self.$field { t.insert_field($fname, f.layout()); } )*
                t
            }

            /// The table derived from a set of layouts (ISF, PDB): `None` when the type is
            /// absent; fields the type lacks stay `None`.
            pub fn from_layouts(l: &$crate::layout::KernelLayouts) -> Option<$name> {
                let t = l.get($tyname)?;
                Some($name {
                    size: t.size,
                    $( $field: l.resolve($tyname, $fname).map(|f| f.field()), )*
                })
            }
        }
    };
}
pub(crate) use layout_table;

/// `Some(Field::new(offset, size))`, for writing built-in tables compactly.
pub(crate) const fn f(offset: u32, size: u32) -> Option<Field> {
    Some(Field::new(offset, size))
}
