//! Deriving [`KernelLayouts`] from a kernel PDB (`ntkrnlmp.pdb`) with the `pdb` crate (feature
//! `pdb`): every structure and union with its size and members, and the public symbols as RVAs.

use std::collections::BTreeMap;
use std::io::Cursor;

use pdb::FallibleIterator;

use super::build::Arch;
use super::types::{FieldLayout, KernelLayouts, PdbIdentity, TypeLayout};
use crate::error::Error;

/// Most field-list continuations followed for one type.
const MAX_CONTINUATIONS: usize = 256;
/// Most modifier/bitfield/array indirections followed when sizing a field.
const MAX_TYPE_DEPTH: u32 = 16;
/// `S_PUB32`: the only symbol record kind parsed.
const S_PUB32: u16 = 0x110e;

fn pdb_err(_e: pdb::Error) -> Error {
    Error::Symbols {
        what: "PDB",
        offset: 0,
    }
}

struct Found {
    name: String,
    fields: pdb::TypeIndex,
    size: u32,
}

impl KernelLayouts {
    /// Derive the layouts from the bytes of a kernel PDB with type information.
    pub fn from_pdb_bytes(bytes: &[u8]) -> Result<KernelLayouts, Error> {
        KernelLayouts::from_pdb(Cursor::new(bytes))
    }

    /// Derive the layouts from a PDB source (a file or a cursor).
    pub fn from_pdb<'s, S: pdb::Source<'s> + 's>(source: S) -> Result<KernelLayouts, Error> {
        let mut pdb = pdb::PDB::open(source).map_err(pdb_err)?;
        let mut out = KernelLayouts::new();
        let info = pdb.pdb_information().map_err(pdb_err)?;
        let dbi = pdb.debug_information().map_err(pdb_err)?;
        out.arch = dbi
            .machine_type()
            .ok()
            .and_then(|m| Arch::from_machine(m as u16));
        out.pdb = Some(PdbIdentity {
            guid: info.guid.to_string().replace('-', "").to_ascii_uppercase(),
            age: dbi.age().unwrap_or(info.age),
            database: String::new(),
        });

        let ti = pdb.type_information().map_err(pdb_err)?;
        let mut finder = ti.finder();
        let mut iter = ti.iter();
        let mut found: Vec<Found> = Vec::new();
        let mut sizes: BTreeMap<String, u32> = BTreeMap::new();
        while let Some(t) = iter.next().map_err(pdb_err)? {
            finder.update(&iter);
            let (name, fields, size, fwd) = match t.parse() {
                Ok(pdb::TypeData::Class(c)) => {
                    (c.name, c.fields, c.size, c.properties.forward_reference())
                }
                Ok(pdb::TypeData::Union(u)) => (
                    u.name,
                    Some(u.fields),
                    u.size,
                    u.properties.forward_reference(),
                ),
                _ => continue,
            };
            let (Some(fields), false) = (fields, fwd) else {
                continue;
            };
            let name = name.to_string().into_owned();
            let size = u32::try_from(size).unwrap_or(0);
            if sizes.contains_key(&name) {
                continue;
            }
            sizes.insert(name.clone(), size);
            found.push(Found { name, fields, size });
        }

        for t in found {
            let mut tl = TypeLayout::new(&t.name, t.size);
            let mut next = Some(t.fields);
            let mut steps = 0usize;
            while let Some(fi) = next.take() {
                steps = steps.saturating_add(1);
                if steps > MAX_CONTINUATIONS {
                    break;
                }
                let Ok(item) = finder.find(fi) else { break };
                let Ok(pdb::TypeData::FieldList(list)) = item.parse() else {
                    break;
                };
                for f in list.fields {
                    if let pdb::TypeData::Member(m) = f {
                        let Ok(offset) = u32::try_from(m.offset) else {
                            continue;
                        };
                        let mut fl = FieldLayout::at(offset);
                        describe(&finder, &sizes, m.field_type, &mut fl, 0);
                        let fname = m.name.to_string().into_owned();
                        tl.fields.entry(fname).or_insert(fl);
                    }
                }
                next = list.continuation;
            }
            out.insert(tl);
        }

        // Public symbols as RVAs (section-relative offsets translated with checked arithmetic).
        if let Ok(Some(sections)) = pdb.sections() {
            let globals = pdb.global_symbols().map_err(pdb_err)?;
            let mut it = globals.iter();
            while let Ok(Some(sym)) = it.next() {
                if sym.raw_kind() != S_PUB32 {
                    continue;
                }
                let Ok(pdb::SymbolData::Public(p)) = sym.parse() else {
                    continue;
                };
                let Some(sec) = usize::from(p.offset.section)
                    .checked_sub(1)
                    .and_then(|i| sections.get(i))
                else {
                    continue;
                };
                if let Some(rva) = sec.virtual_address.checked_add(p.offset.offset) {
                    out.symbols
                        .entry(p.name.to_string().into_owned())
                        .or_insert(u64::from(rva));
                }
            }
        }
        Ok(out)
    }
}

/// Fill size, bits and structure type name of a member from its type index.
fn describe(
    finder: &pdb::TypeFinder<'_>,
    sizes: &BTreeMap<String, u32>,
    ti: pdb::TypeIndex,
    fl: &mut FieldLayout,
    depth: u32,
) {
    if depth > MAX_TYPE_DEPTH {
        return;
    }
    let Ok(item) = finder.find(ti) else { return };
    let Ok(data) = item.parse() else { return };
    let deeper = depth.saturating_add(1);
    match data {
        pdb::TypeData::Primitive(p) => {
            fl.size = match p.indirection {
                Some(pdb::Indirection::Near32 | pdb::Indirection::Far32) => Some(4),
                Some(pdb::Indirection::Near64) => Some(8),
                Some(_) => None,
                None => primitive_size(p.kind),
            };
        }
        pdb::TypeData::Pointer(p) => {
            let s = p.attributes.size();
            fl.size = if s == 0 { None } else { Some(u32::from(s)) };
        }
        pdb::TypeData::Class(c) => {
            let name = c.name.to_string().into_owned();
            fl.size = sizes.get(&name).copied();
            fl.type_name = Some(name);
        }
        pdb::TypeData::Union(u) => {
            let name = u.name.to_string().into_owned();
            fl.size = sizes.get(&name).copied();
            fl.type_name = Some(name);
        }
        pdb::TypeData::Enumeration(e) => describe(finder, sizes, e.underlying_type, fl, deeper),
        pdb::TypeData::Modifier(m) => describe(finder, sizes, m.underlying_type, fl, deeper),
        pdb::TypeData::Bitfield(b) => {
            describe(finder, sizes, b.underlying_type, fl, deeper);
            fl.bits = Some((b.position, b.length));
        }
        pdb::TypeData::Array(a) => {
            // The last dimension is the whole array's size in bytes.
            fl.size = a.dimensions.last().copied();
        }
        _ => {}
    }
}

fn primitive_size(k: pdb::PrimitiveKind) -> Option<u32> {
    use pdb::PrimitiveKind as P;
    Some(match k {
        P::Char | P::UChar | P::RChar | P::I8 | P::U8 | P::Bool8 => 1,
        P::WChar | P::RChar16 | P::Short | P::UShort | P::I16 | P::U16 | P::Bool16 | P::F16 => 2,
        P::RChar32
        | P::Long
        | P::ULong
        | P::I32
        | P::U32
        | P::Bool32
        | P::F32
        | P::F32PP
        | P::HRESULT => 4,
        P::Quad | P::UQuad | P::I64 | P::U64 | P::Bool64 | P::F64 | P::Complex32 => 8,
        P::Octa | P::UOcta | P::I128 | P::U128 | P::F128 | P::Complex64 => 16,
        _ => return None,
    })
}
