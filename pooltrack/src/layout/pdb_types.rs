//! Deriving [`KernelLayouts`] from a kernel PDB (`ntkrnlmp.pdb`) (feature `pdb`): every
//! structure and union with its size and members, and the public symbols as RVAs.
//!
//! The `pdb` crate only opens the MSF container and hands out raw streams; the PDB info, DBI,
//! type (TPI), section-header and public-symbol records are read here with bounds-checked code,
//! because the `pdb` crate's record parsers assert and hit `unreachable!` on malformed records.

use std::collections::BTreeMap;
use std::io::Cursor;

use super::build::Arch;
use super::types::{FieldLayout, KernelLayouts, PdbIdentity, TypeLayout};
use crate::error::Error;

/// Most field-list continuations followed for one type.
const MAX_CONTINUATIONS: usize = 256;
/// Most modifier/bitfield indirections followed when sizing a field.
const MAX_TYPE_DEPTH: u32 = 16;

const LF_MODIFIER: u16 = 0x1001;
const LF_POINTER: u16 = 0x1002;
const LF_FIELDLIST: u16 = 0x1203;
const LF_BITFIELD: u16 = 0x1205;
const LF_BCLASS: u16 = 0x1400;
const LF_VBCLASS: u16 = 0x1401;
const LF_IVBCLASS: u16 = 0x1402;
const LF_INDEX: u16 = 0x1404;
const LF_VFUNCTAB: u16 = 0x1409;
const LF_ENUMERATE: u16 = 0x1502;
const LF_ARRAY: u16 = 0x1503;
const LF_CLASS: u16 = 0x1504;
const LF_STRUCTURE: u16 = 0x1505;
const LF_UNION: u16 = 0x1506;
const LF_ENUM: u16 = 0x1507;
const LF_MEMBER: u16 = 0x150d;
const LF_STMEMBER: u16 = 0x150e;
const LF_METHOD: u16 = 0x150f;
const LF_NESTTYPE: u16 = 0x1510;
const LF_ONEMETHOD: u16 = 0x1511;
const LF_INTERFACE: u16 = 0x1519;
const S_PUB32: u16 = 0x110e;

/// The bytes of MSF stream `i`, when it exists.
fn stream<'s, S: pdb::Source<'s> + 's>(pdb: &mut pdb::PDB<'s, S>, i: u16) -> Option<Vec<u8>> {
    pdb.raw_stream(pdb::StreamIndex(i))
        .ok()
        .flatten()
        .map(|s| s.as_slice().to_vec())
}

fn bad(what: &'static str, offset: usize) -> Error {
    Error::Symbols {
        what,
        offset: u64::try_from(offset).unwrap_or(u64::MAX),
    }
}

/// A bounds-checked little-endian reader over a record.
#[derive(Clone, Copy)]
struct Rd<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Rd<'a> {
    fn new(b: &'a [u8]) -> Self {
        Rd { b, pos: 0 }
    }
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.b.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }
    fn u16(&mut self) -> Option<u16> {
        let s = self.take(2)?;
        Some(u16::from_le_bytes(s.try_into().ok()?))
    }
    fn u32(&mut self) -> Option<u32> {
        let s = self.take(4)?;
        Some(u32::from_le_bytes(s.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        let s = self.take(8)?;
        Some(u64::from_le_bytes(s.try_into().ok()?))
    }
    /// A CodeView numeric leaf, as an unsigned value (negative values fail).
    fn numeric(&mut self) -> Option<u64> {
        let v = self.u16()?;
        if v < 0x8000 {
            return Some(u64::from(v));
        }
        match v {
            0x8000 => u64::try_from(i8::from_le_bytes([self.u8()?])).ok(),
            0x8001 => u64::try_from(i16::from_le_bytes(self.take(2)?.try_into().ok()?)).ok(),
            0x8002 => self.u16().map(u64::from),
            0x8003 => u64::try_from(i32::from_le_bytes(self.take(4)?.try_into().ok()?)).ok(),
            0x8004 => self.u32().map(u64::from),
            0x8009 => u64::try_from(i64::from_le_bytes(self.take(8)?.try_into().ok()?)).ok(),
            0x800a => self.u64(),
            _ => None,
        }
    }
    /// A NUL-terminated name.
    fn name(&mut self) -> Option<String> {
        let rest = self.b.get(self.pos..)?;
        let n = rest.iter().position(|&c| c == 0)?;
        let s = String::from_utf8_lossy(rest.get(..n)?).into_owned();
        self.pos = self.pos.checked_add(n)?.checked_add(1)?;
        Some(s)
    }
    /// Skip `LF_PAD` bytes (0xF0..=0xFF) between field-list members.
    fn skip_padding(&mut self) {
        while let Some(&c) = self.b.get(self.pos) {
            if c < 0xf0 {
                break;
            }
            self.pos = self.pos.saturating_add(1);
        }
    }
    fn at_end(&self) -> bool {
        self.pos >= self.b.len()
    }
}

/// The type records of a TPI stream, by type index.
struct Tpi<'a> {
    begin: u32,
    records: Vec<&'a [u8]>,
}

impl<'a> Tpi<'a> {
    fn parse(s: &'a [u8]) -> Result<Self, Error> {
        let mut r = Rd::new(s);
        let _version = r.u32().ok_or(bad("TPI header", 0))?;
        let header = r.u32().ok_or(bad("TPI header", 4))?;
        let begin = r.u32().ok_or(bad("TPI header", 8))?;
        let end = r.u32().ok_or(bad("TPI header", 12))?;
        let bytes = r.u32().ok_or(bad("TPI header", 16))?;
        let start = usize::try_from(header).map_err(|_| bad("TPI header", 4))?;
        let len = usize::try_from(bytes).map_err(|_| bad("TPI header", 16))?;
        let body = start
            .checked_add(len)
            .and_then(|e| s.get(start..e))
            .ok_or(bad("TPI records", start))?;
        let count = end.saturating_sub(begin);
        let mut records = Vec::new();
        let mut r = Rd::new(body);
        while !r.at_end() && u32::try_from(records.len()).unwrap_or(u32::MAX) < count {
            let Some(n) = r.u16() else { break };
            let Some(rec) = r.take(usize::from(n)) else {
                break;
            };
            records.push(rec);
        }
        Ok(Tpi { begin, records })
    }

    fn get(&self, ti: u32) -> Option<&'a [u8]> {
        let i = usize::try_from(ti.checked_sub(self.begin)?).ok()?;
        self.records.get(i).copied()
    }
}

struct Found {
    name: String,
    fields: u32,
    size: u32,
}

/// A class/struct/union record: (name, field list, size, forward reference).
fn parse_aggregate(rec: &[u8]) -> Option<(String, u32, u64, bool)> {
    let mut r = Rd::new(rec);
    let leaf = r.u16()?;
    let _count = r.u16()?;
    let props = r.u16()?;
    let fields = r.u32()?;
    match leaf {
        LF_CLASS | LF_STRUCTURE | LF_INTERFACE => {
            let _derived = r.u32()?;
            let _vshape = r.u32()?;
        }
        LF_UNION => {}
        _ => return None,
    }
    let size = r.numeric()?;
    let name = r.name()?;
    Some((name, fields, size, props & 0x80 != 0))
}

impl KernelLayouts {
    /// Derive the layouts from the bytes of a kernel PDB with type information.
    pub fn from_pdb_bytes(bytes: &[u8]) -> Result<KernelLayouts, Error> {
        let mut pdb = pdb::PDB::open(Cursor::new(bytes)).map_err(|_| bad("PDB (MSF)", 0))?;
        let mut out = KernelLayouts::new();

        // PDB info stream: version, signature, age, GUID.
        let info = stream(&mut pdb, 1).ok_or(bad("PDB info stream", 0))?;
        let mut r = Rd::new(&info);
        let (_v, _sig, age) = (r.u32(), r.u32(), r.u32());
        let guid = r.take(16).ok_or(bad("PDB info stream", 12))?;
        let g = |i: usize| guid.get(i).copied().unwrap_or(0);
        let guid = format!(
            "{:02X}{:02X}{:02X}{:02X}{:02X}{:02X}{:02X}{:02X}{}",
            g(3),
            g(2),
            g(1),
            g(0),
            g(5),
            g(4),
            g(7),
            g(6),
            (8..16).map(|i| format!("{:02X}", g(i))).collect::<String>()
        );

        // DBI: age, machine, symbol record stream, section headers.
        let dbi = stream(&mut pdb, 3).unwrap_or_default();
        let mut dr = Rd::new(&dbi);
        let mut dbi_age = None;
        let mut sym_stream = None;
        let mut section_stream = None;
        if dbi.len() >= 64 {
            let _sig = dr.u32();
            let _ver = dr.u32();
            dbi_age = dr.u32();
            dr.pos = 20;
            sym_stream = dr.u16();
            dr.pos = 24;
            let sizes: Vec<u32> = (0..5).filter_map(|_| dr.u32()).collect();
            let _mfc = dr.u32();
            let opt_size = dr.u32().unwrap_or(0);
            let ec = dr.u32().unwrap_or(0);
            dr.pos = 58;
            out.arch = dr.u16().and_then(Arch::from_machine);
            // Substreams: modinfo, section contributions, section map, source info, type
            // server map, (MFC index skipped), then the optional debug header after EC.
            let before: u64 = sizes
                .iter()
                .take(5)
                .map(|&x| u64::from(x))
                .fold(64u64, u64::saturating_add)
                .saturating_add(u64::from(ec));
            if let Ok(at) = usize::try_from(before) {
                let mut o = Rd::new(&dbi);
                o.pos = at;
                if let Some(hdr) = o.take(usize::try_from(opt_size).unwrap_or(0)) {
                    let mut h = Rd::new(hdr);
                    h.pos = 10; // the sixth u16: section headers
                    section_stream = h.u16().filter(|&s| s != 0xffff);
                }
            }
        }
        out.pdb = Some(PdbIdentity {
            guid,
            age: dbi_age.or(age).unwrap_or(0),
            database: String::new(),
        });

        // Types.
        let tpi_bytes = stream(&mut pdb, 2).ok_or(bad("TPI stream", 0))?;
        let tpi = Tpi::parse(&tpi_bytes)?;
        let mut found: Vec<Found> = Vec::new();
        let mut sizes: BTreeMap<String, u32> = BTreeMap::new();
        for rec in &tpi.records {
            let Some((name, fields, size, fwd)) = parse_aggregate(rec) else {
                continue;
            };
            if fwd || sizes.contains_key(&name) {
                continue;
            }
            let size = u32::try_from(size).unwrap_or(0);
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
                let Some(rec) = tpi.get(fi) else { break };
                next = field_list(&tpi, &sizes, rec, &mut tl);
            }
            out.insert(tl);
        }

        // Public symbols as RVAs.
        let sections: Vec<u32> = section_stream
            .and_then(|s| stream(&mut pdb, s))
            .map(|b| {
                b.chunks_exact(40)
                    .filter_map(|h| h.get(12..16).and_then(|x| x.try_into().ok()))
                    .map(u32::from_le_bytes)
                    .collect()
            })
            .unwrap_or_default();
        if let Some(syms) = sym_stream
            .filter(|&s| s != 0xffff)
            .and_then(|s| stream(&mut pdb, s))
        {
            let mut r = Rd::new(&syms);
            while let Some(n) = r.u16() {
                let Some(rec) = r.take(usize::from(n)) else {
                    break;
                };
                let mut s = Rd::new(rec);
                if s.u16() != Some(S_PUB32) {
                    continue;
                }
                let (_flags, Some(off), Some(seg)) = (s.u32(), s.u32(), s.u16()) else {
                    continue;
                };
                let Some(name) = s.name() else { continue };
                let Some(base) = usize::from(seg)
                    .checked_sub(1)
                    .and_then(|i| sections.get(i))
                else {
                    continue;
                };
                if let Some(rva) = base.checked_add(off) {
                    out.symbols.entry(name).or_insert(u64::from(rva));
                }
            }
        }
        Ok(out)
    }
}

/// Read the members of one `LF_FIELDLIST` record into `tl`; returns the continuation
/// (`LF_INDEX`), if any. Stops at a sub-record it does not know (its length is unknown).
fn field_list(
    tpi: &Tpi<'_>,
    sizes: &BTreeMap<String, u32>,
    rec: &[u8],
    tl: &mut TypeLayout,
) -> Option<u32> {
    let mut r = Rd::new(rec);
    if r.u16()? != LF_FIELDLIST {
        return None;
    }
    while !r.at_end() {
        r.skip_padding();
        if r.at_end() {
            break;
        }
        match r.u16()? {
            LF_MEMBER => {
                let _attr = r.u16()?;
                let ty = r.u32()?;
                let off = r.numeric()?;
                let name = r.name()?;
                if let Ok(offset) = u32::try_from(off) {
                    let mut fl = FieldLayout::at(offset);
                    describe(tpi, sizes, ty, &mut fl, 0);
                    tl.fields.entry(name).or_insert(fl);
                }
            }
            LF_BCLASS => {
                let (_a, _t) = (r.u16()?, r.u32()?);
                r.numeric()?;
            }
            LF_VBCLASS | LF_IVBCLASS => {
                let (_a, _t, _p) = (r.u16()?, r.u32()?, r.u32()?);
                r.numeric()?;
                r.numeric()?;
            }
            LF_ENUMERATE => {
                let _a = r.u16()?;
                r.numeric()?;
                r.name()?;
            }
            LF_NESTTYPE => {
                let (_p, _t) = (r.u16()?, r.u32()?);
                r.name()?;
            }
            LF_STMEMBER => {
                let (_a, _t) = (r.u16()?, r.u32()?);
                r.name()?;
            }
            LF_METHOD => {
                let (_c, _l) = (r.u16()?, r.u32()?);
                r.name()?;
            }
            LF_ONEMETHOD => {
                let attr = r.u16()?;
                let _t = r.u32()?;
                // Introducing virtual methods carry a vtable offset.
                if matches!((attr >> 2) & 7, 4 | 6) {
                    r.u32()?;
                }
                r.name()?;
            }
            LF_VFUNCTAB => {
                let (_p, _t) = (r.u16()?, r.u32()?);
            }
            LF_INDEX => {
                let _p = r.u16()?;
                return r.u32();
            }
            _ => return None,
        }
    }
    None
}

/// Fill size, bits and structure type name of a member from its type index.
fn describe(
    tpi: &Tpi<'_>,
    sizes: &BTreeMap<String, u32>,
    ti: u32,
    fl: &mut FieldLayout,
    depth: u32,
) {
    if depth > MAX_TYPE_DEPTH {
        return;
    }
    if ti < 0x1000 {
        fl.size = primitive_size(ti);
        return;
    }
    let Some(rec) = tpi.get(ti) else { return };
    let mut r = Rd::new(rec);
    let Some(leaf) = r.u16() else { return };
    let deeper = depth.saturating_add(1);
    match leaf {
        LF_POINTER => {
            let (Some(_u), Some(attr)) = (r.u32(), r.u32()) else {
                return;
            };
            let s = (attr >> 13) & 0x3f;
            fl.size = (s != 0).then_some(s);
        }
        LF_CLASS | LF_STRUCTURE | LF_UNION | LF_INTERFACE => {
            if let Some((name, _, _, _)) = parse_aggregate(rec) {
                fl.size = sizes.get(&name).copied();
                fl.type_name = Some(name);
            }
        }
        LF_ENUM => {
            let (Some(_c), Some(_p), Some(u)) = (r.u16(), r.u16(), r.u32()) else {
                return;
            };
            describe(tpi, sizes, u, fl, deeper);
        }
        LF_MODIFIER => {
            if let Some(u) = r.u32() {
                describe(tpi, sizes, u, fl, deeper);
            }
        }
        LF_BITFIELD => {
            let (Some(u), Some(len), Some(pos)) = (r.u32(), r.u8(), r.u8()) else {
                return;
            };
            describe(tpi, sizes, u, fl, deeper);
            fl.bits = Some((pos, len));
        }
        LF_ARRAY => {
            let (Some(_e), Some(_i)) = (r.u32(), r.u32()) else {
                return;
            };
            fl.size = r.numeric().and_then(|n| u32::try_from(n).ok());
        }
        _ => {}
    }
}

/// Size of a CodeView primitive type index (below 0x1000).
fn primitive_size(ti: u32) -> Option<u32> {
    match (ti >> 8) & 0xf {
        0 => {}
        4 | 5 => return Some(4),
        6 => return Some(8),
        _ => return None,
    }
    Some(match ti & 0xff {
        0x10 | 0x20 | 0x68 | 0x69 | 0x70 | 0x30 => 1,
        0x11 | 0x21 | 0x72 | 0x73 | 0x71 | 0x7a | 0x31 => 2,
        0x12 | 0x22 | 0x74 | 0x75 | 0x7b | 0x32 | 0x40 | 0x08 => 4,
        0x13 | 0x23 | 0x76 | 0x77 | 0x33 | 0x41 => 8,
        0x14 | 0x24 | 0x78 | 0x79 => 16,
        _ => return None,
    })
}
