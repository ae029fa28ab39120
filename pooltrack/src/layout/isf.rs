//! Reading a Volatility 3 ISF (intermediate symbol format) JSON file (feature `isf`).
//!
//! Used fields: `metadata.windows.pdb.{GUID, age, database, machine_type}`, `base_types.NAME.size`,
//! `user_types.NAME.{size, fields.F.{offset, type}}`, `enums.NAME.size`, `symbols.NAME.address`.

use serde_json::Value;

use super::build::Arch;
use super::types::{FieldLayout, KernelLayouts, PdbIdentity, TypeLayout};
use crate::error::Error;

/// Most nesting of array/bitfield types followed when sizing a field.
const MAX_TYPE_DEPTH: u32 = 16;

fn bad(what: &'static str) -> Error {
    Error::Symbols { what, offset: 0 }
}

impl KernelLayouts {
    /// Read the types and symbols of an ISF JSON document (already decompressed).
    ///
    /// Field sizes are computed from the ISF type descriptions (base types, pointers, arrays,
    /// structures, enums, bitfields); a field of structure type records its type name, so dotted
    /// paths resolve.
    pub fn from_isf_json(bytes: &[u8]) -> Result<KernelLayouts, Error> {
        let v: Value = serde_json::from_slice(bytes).map_err(|e| Error::Symbols {
            what: "ISF JSON",
            offset: u64::try_from(e.line()).unwrap_or(u64::MAX),
        })?;
        let root = v.as_object().ok_or(bad("ISF root"))?;
        let mut out = KernelLayouts::new();
        if let Some(pdb) = v.pointer("/metadata/windows/pdb") {
            let machine = pdb.get("machine_type").and_then(Value::as_u64).unwrap_or(0);
            out.arch = u16::try_from(machine).ok().and_then(Arch::from_machine);
            out.pdb = Some(PdbIdentity {
                guid: pdb
                    .get("GUID")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_ascii_uppercase(),
                age: pdb
                    .get("age")
                    .and_then(Value::as_u64)
                    .and_then(|a| u32::try_from(a).ok())
                    .unwrap_or(0),
                database: pdb
                    .get("database")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            });
        }
        let sizer = Sizer { root: &v };
        if let Some(user) = root.get("user_types").and_then(Value::as_object) {
            for (name, t) in user {
                let size = t
                    .get("size")
                    .and_then(Value::as_u64)
                    .and_then(|s| u32::try_from(s).ok())
                    .unwrap_or(0);
                let mut tl = TypeLayout::new(name, size);
                if let Some(fields) = t.get("fields").and_then(Value::as_object) {
                    for (fname, f) in fields {
                        let Some(offset) = f
                            .get("offset")
                            .and_then(Value::as_u64)
                            .and_then(|o| u32::try_from(o).ok())
                        else {
                            continue;
                        };
                        let mut fl = FieldLayout::at(offset);
                        if let Some(ty) = f.get("type") {
                            fl.size = sizer.size(ty, 0);
                            if ty.get("kind").and_then(Value::as_str) == Some("bitfield") {
                                let pos = ty.get("bit_position").and_then(Value::as_u64);
                                let len = ty.get("bit_length").and_then(Value::as_u64);
                                if let (Some(p), Some(l)) = (pos, len) {
                                    fl.bits = u8::try_from(p).ok().zip(u8::try_from(l).ok());
                                }
                            }
                            if matches!(
                                ty.get("kind").and_then(Value::as_str),
                                Some("struct" | "union")
                            ) {
                                fl.type_name =
                                    ty.get("name").and_then(Value::as_str).map(str::to_string);
                            }
                        }
                        tl.insert_field(fname, fl);
                    }
                }
                out.insert(tl);
            }
        }
        if let Some(syms) = root.get("symbols").and_then(Value::as_object) {
            for (name, s) in syms {
                if let Some(a) = s.get("address").and_then(Value::as_u64) {
                    out.symbols.insert(name.clone(), a);
                }
            }
        }
        Ok(out)
    }
}

struct Sizer<'a> {
    root: &'a Value,
}

impl Sizer<'_> {
    fn named_size(&self, table: &str, name: &str) -> Option<u32> {
        let t = self.root.get(table)?.get(name)?;
        u32::try_from(t.get("size")?.as_u64()?).ok()
    }

    fn size(&self, ty: &Value, depth: u32) -> Option<u32> {
        if depth > MAX_TYPE_DEPTH {
            return None;
        }
        let kind = ty.get("kind")?.as_str()?;
        let name = ty.get("name").and_then(Value::as_str);
        match kind {
            "base" => self.named_size("base_types", name?),
            "pointer" => self.named_size("base_types", "pointer"),
            "struct" | "union" | "class" => self.named_size("user_types", name?),
            "enum" => self.named_size("enums", name?),
            "bitfield" => self.size(ty.get("type")?, depth.checked_add(1)?),
            "array" => {
                let count = u32::try_from(ty.get("count")?.as_u64()?).ok()?;
                let elem = self.size(ty.get("subtype")?, depth.checked_add(1)?)?;
                count.checked_mul(elem)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_small_isf() {
        let doc = br#"{
          "metadata": {"windows": {"pdb": {"GUID": "abc", "age": 2, "database": "ntkrnlmp.pdb", "machine_type": 34404}}},
          "base_types": {"unsigned long": {"size": 4}, "pointer": {"size": 8}},
          "enums": {"_POOL_TYPE": {"size": 4}},
          "user_types": {
            "_A": {"size": 32, "fields": {
               "X": {"offset": 4, "type": {"kind": "base", "name": "unsigned long"}},
               "B": {"offset": 8, "type": {"kind": "bitfield", "bit_position": 3, "bit_length": 5, "type": {"kind": "base", "name": "unsigned long"}}},
               "P": {"offset": 16, "type": {"kind": "array", "count": 2, "subtype": {"kind": "pointer", "subtype": {"kind": "base", "name": "void"}}}},
               "S": {"offset": 12, "type": {"kind": "struct", "name": "_S"}},
               "E": {"offset": 0, "type": {"kind": "enum", "name": "_POOL_TYPE"}}
            }},
            "_S": {"size": 4, "fields": {"Y": {"offset": 2, "type": {"kind": "base", "name": "nope"}}}}
          },
          "symbols": {"PoolTrackTable": {"address": 4096}}
        }"#;
        let l = KernelLayouts::from_isf_json(doc).unwrap();
        assert_eq!(l.arch, Some(Arch::X64));
        assert_eq!(l.pdb.as_ref().map(|p| p.guid.as_str()), Some("ABC"));
        assert_eq!(l.symbol("PoolTrackTable"), Some(4096));
        let a = l.get("_A").unwrap();
        assert_eq!(a.size, 32);
        assert_eq!(a.field("X").unwrap().size, Some(4));
        assert_eq!(a.field("B").unwrap().bits, Some((3, 5)));
        assert_eq!(a.field("P").unwrap().size, Some(16));
        assert_eq!(a.field("E").unwrap().size, Some(4));
        assert_eq!(l.resolve("_A", "S.Y").unwrap().offset, 14);
        assert!(KernelLayouts::from_isf_json(b"[1").is_err());
    }
}
