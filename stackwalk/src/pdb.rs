//! Reading symbols and x86 frame data from a PDB (feature `pdb`).

use std::io::{Read, Seek};

use pdb::FallibleIterator;

use crate::Error;
use crate::pdb_identity::PdbIdentity;
use crate::symbols::{Symbol, SymbolKind, SymbolTable, undecorate_c};
use crate::x86::{FrameEntry, FrameKind, FrameTable};

/// What this crate takes from a PDB.
#[derive(Debug, Clone)]
pub struct PdbData {
    /// GUID and DBI age.
    pub identity: PdbIdentity,
    /// The PDB information stream's age (may differ from the DBI age; do not match on it).
    pub info_age: u32,
    /// True for an x86 PDB.
    pub is_x86: bool,
    /// Procedures and publics.
    pub symbols: SymbolTable,
    /// x86 FPO and frame-data records (empty for x64).
    pub frames: FrameTable,
    /// Executable sections `[start, end)` as RVAs, from the PDB's copy of the section headers.
    pub code_ranges: Vec<(u32, u32)>,
}

/// Symbol kinds parsed here: `S_PUB32`, `S_PUB32_ST`. Only these are handed to `pdb`'s
/// parser, which hits `unreachable!()` (with debug assertions) on bad numeric leaves of other
/// kinds (`S_CONSTANT`...) and would spend time on records that are skipped anyway.
const PUBLIC_KINDS: [u16; 2] = [0x110e, 0x1009];
/// `S_LPROC32`, `S_GPROC32` (and `_ST`, `_ID`, `_DPC`, `_DPC_ID` forms).
const PROCEDURE_KINDS: [u16; 8] = [
    0x110f, 0x1110, 0x100a, 0x100b, 0x1146, 0x1147, 0x1155, 0x1156,
];

/// Indices in the DBI optional debug header (`DbgDataHdr`) of the streams used here.
const DBG_FPO: usize = 0;
const DBG_OMAP_FROM_SRC: usize = 4;

/// True when every 16-byte `FPO_DATA` record's `cdwLocals` converts to bytes in a `u32`.
fn fpo_locals_ok(fpo: &[u8]) -> bool {
    fpo.chunks_exact(16).all(|r| {
        r.get(8..12)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes)
            .is_some_and(|dwords| dwords.checked_mul(4).is_some())
    })
}
const DBG_SECTION_HEADERS: usize = 5;
const DBG_ORIGINAL_SECTION_HEADERS: usize = 10;

/// The stream indices of the DBI optional debug header (which follows the substreams);
/// empty when it is missing or does not fit. Call after [`check_dbi_substreams`].
fn extra_stream_indices(dbi: &[u8]) -> Vec<u16> {
    let field = |o: usize| {
        dbi.get(o..o.saturating_add(4))
            .and_then(|b| b.try_into().ok())
            .map_or(0, u32::from_le_bytes)
    };
    let start = [24usize, 28, 32, 36, 40, 52]
        .iter()
        .fold(DBI_HEADER_LEN as u64, |sum, &o| {
            sum.saturating_add(u64::from(field(o)))
        });
    let len = u64::from(field(48));
    let Some(bytes) = usize::try_from(start)
        .ok()
        .zip(usize::try_from(start.saturating_add(len)).ok())
        .and_then(|(a, b)| dbi.get(a..b))
    else {
        return Vec::new();
    };
    bytes
        .chunks_exact(2)
        .map(|c| {
            u16::from_le_bytes([
                c.first().copied().unwrap_or(0xff),
                c.get(1).copied().unwrap_or(0xff),
            ])
        })
        .collect()
}

/// PDB addresses to image RVAs, as `pdb`'s `AddressMap` does it (section table of the
/// PDB's own address space, then the OMAP table when the image was rearranged after
/// linking), with checked arithmetic.
struct AddressMap {
    /// Virtual address of each section (1-based in section offsets) of the PDB's space.
    sections: Vec<u32>,
    /// `(source, target)` records from the original to the final address space, when the
    /// image has OMAP; ascending by source in valid PDBs.
    omap: Option<Vec<(u32, u32)>>,
}

impl AddressMap {
    fn read<'s, S: pdb::Source<'s> + 's>(
        pdb: &mut pdb::PDB<'s, S>,
        extra: &[u16],
    ) -> Result<Self, Error> {
        let stream = |pdb: &mut pdb::PDB<'s, S>, k: usize| -> Result<Option<Vec<u8>>, Error> {
            match extra.get(k) {
                Some(&i) if i != u16::MAX => Ok(pdb
                    .raw_stream(pdb::StreamIndex(i))
                    .map_err(pdb_err)?
                    .map(|s| s.as_slice().to_vec())),
                _ => Ok(None),
            }
        };
        let section_vas = |b: &[u8]| -> Vec<u32> {
            b.chunks_exact(40)
                .map(|h| {
                    h.get(12..16)
                        .and_then(|v| v.try_into().ok())
                        .map_or(0, u32::from_le_bytes)
                })
                .collect()
        };
        Ok(match stream(pdb, DBG_ORIGINAL_SECTION_HEADERS)? {
            Some(original) => {
                let omap = stream(pdb, DBG_OMAP_FROM_SRC)?.ok_or(Error::Pdb {
                    message: "original section headers without an OMAP table".to_string(),
                })?;
                AddressMap {
                    sections: section_vas(&original),
                    omap: Some(
                        omap.chunks_exact(8)
                            .map(|r| {
                                let w = |o: usize| {
                                    r.get(o..o.saturating_add(4))
                                        .and_then(|v| v.try_into().ok())
                                        .map_or(0, u32::from_le_bytes)
                                };
                                (w(0), w(4))
                            })
                            .collect(),
                    ),
                }
            }
            None => AddressMap {
                sections: section_vas(&stream(pdb, DBG_SECTION_HEADERS)?.unwrap_or_default()),
                omap: None,
            },
        })
    }

    /// The image RVA of a section offset; `None` for section 0, a missing section, an
    /// overflowing address or one the OMAP table drops.
    fn section_offset(&self, o: pdb::PdbInternalSectionOffset) -> Option<u32> {
        let va = *self.sections.get(usize::from(o.section).checked_sub(1)?)?;
        self.internal_rva(va.checked_add(o.offset)?)
    }

    /// The image RVA of an address of the PDB's own space.
    fn internal_rva(&self, rva: u32) -> Option<u32> {
        let Some(omap) = &self.omap else {
            return Some(rva);
        };
        let i = omap.partition_point(|&(source, _)| source <= rva);
        let &(source, target) = omap.get(i.checked_sub(1)?)?;
        // A zero target means "not in the final image".
        if target == 0 {
            return None;
        }
        rva.checked_sub(source)?.checked_add(target)
    }
}

/// Size of the (new-format) DBI stream header.
const DBI_HEADER_LEN: usize = 64;

/// Checks that the substreams a DBI header declares (module info, section contributions,
/// section map, file info, type server map, EC) fit in the DBI stream. Headers too short to
/// hold the sizes are left to `pdb`, which reports them.
fn check_dbi_substreams(dbi: &[u8]) -> Result<(), Error> {
    if dbi.len() < DBI_HEADER_LEN {
        return Ok(());
    }
    let field = |o: usize| {
        dbi.get(o..o.saturating_add(4))
            .and_then(|b| b.try_into().ok())
            .map_or(0, u32::from_le_bytes)
    };
    let declared = [24usize, 28, 32, 36, 40, 52]
        .iter()
        .fold(0u64, |sum, &o| sum.saturating_add(u64::from(field(o))));
    let room = dbi.len().saturating_sub(DBI_HEADER_LEN) as u64;
    if declared > room {
        return Err(Error::Pdb {
            message: format!(
                "DBI substreams declare {declared:#x} bytes but the stream holds {room:#x} after its header"
            ),
        });
    }
    Ok(())
}

/// Checks the named-stream map of the PDB information stream (stream 1): header (28
/// bytes), name block size and bytes, entry count, two bit sets, then `(name offset, stream)`
/// pairs. True when it parses and every name offset lies inside the name block.
fn stream_name_offsets_ok(info: &[u8]) -> bool {
    fn next(info: &[u8], pos: &mut usize) -> Option<usize> {
        let end = pos.checked_add(4)?;
        let v = u32::from_le_bytes(info.get(*pos..end)?.try_into().ok()?);
        *pos = end;
        usize::try_from(v).ok()
    }
    let parse = || -> Option<bool> {
        let mut pos = 28usize;
        let names_size = next(info, &mut pos)?;
        pos = pos.checked_add(names_size)?;
        let count = next(info, &mut pos)?;
        let _entries_size = next(info, &mut pos)?;
        for _ in 0..2 {
            let words = next(info, &mut pos)?;
            pos = pos.checked_add(words.checked_mul(4)?)?;
        }
        // Each pair consumes 8 bytes: the loop ends when the stream does.
        for _ in 0..count {
            let name_offset = next(info, &mut pos)?;
            let _stream = next(info, &mut pos)?;
            if name_offset >= names_size {
                return Some(false);
            }
        }
        Some(true)
    };
    parse().unwrap_or(false)
}

fn pdb_err(e: pdb::Error) -> Error {
    Error::Pdb {
        message: e.to_string(),
    }
}

impl PdbData {
    /// Reads a PDB from any `Read + Seek` source (a `File`, or a `Cursor` over bytes).
    pub fn read<R>(source: R) -> Result<Self, Error>
    where
        R: Read + Seek + std::fmt::Debug,
    {
        let mut pdb = pdb::PDB::open(source).map_err(pdb_err)?;
        let info = pdb.pdb_information().map_err(pdb_err)?;
        let dbi = pdb.debug_information().map_err(pdb_err)?;
        // `pdb` 0.8 adds the DBI header's substream sizes in `u32` (`DBIExtraStreams::new`,
        // reached by `address_map`, `sections`, `frame_table`): a corrupt header panics there
        // in builds with overflow checks. Refuse sizes the stream cannot hold before it does.
        let extra = match pdb.raw_stream(pdb::StreamIndex(3)).map_err(pdb_err)? {
            Some(stream) => {
                check_dbi_substreams(stream.as_slice())?;
                extra_stream_indices(stream.as_slice())
            }
            None => Vec::new(),
        };
        let age = dbi.age().unwrap_or(info.age);
        let is_x86 = matches!(dbi.machine_type(), Ok(pdb::MachineType::X86));
        let identity = PdbIdentity {
            guid: info.guid.to_bytes_le(),
            age,
        };
        // Section offsets and internal RVAs are translated here with checked arithmetic:
        // `pdb` 0.8's `AddressMap` adds section addresses, offsets and OMAP deltas unchecked
        // (overflow panics with overflow checks, and wraps to wrong RVAs without).
        let address_map = AddressMap::read(&mut pdb, &extra)?;
        let mut symbols = Vec::new();

        // Public symbols.
        let globals = pdb.global_symbols().map_err(pdb_err)?;
        let mut it = globals.iter();
        while let Some(sym) = it.next().map_err(pdb_err)? {
            if !PUBLIC_KINDS.contains(&sym.raw_kind()) {
                continue;
            }
            if let Ok(pdb::SymbolData::Public(p)) = sym.parse() {
                if !(p.function || p.code) {
                    continue;
                }
                if let Some(rva) = address_map.section_offset(p.offset) {
                    let raw = p.name.to_string();
                    let name = if is_x86 {
                        undecorate_c(&raw).to_string()
                    } else {
                        raw.into_owned()
                    };
                    symbols.push(Symbol {
                        rva,
                        size: None,
                        name,
                        kind: SymbolKind::Public,
                    });
                }
            }
        }

        // Procedures of every module (private PDBs).
        let mut modules = dbi.modules().map_err(pdb_err)?;
        while let Some(m) = modules.next().map_err(pdb_err)? {
            let mi = match pdb.module_info(&m) {
                Ok(Some(mi)) => mi,
                _ => continue,
            };
            let mut syms = match mi.symbols() {
                Ok(s) => s,
                Err(_) => continue,
            };
            while let Ok(Some(sym)) = syms.next() {
                if PROCEDURE_KINDS.contains(&sym.raw_kind())
                    && let Ok(pdb::SymbolData::Procedure(p)) = sym.parse()
                    && let Some(rva) = address_map.section_offset(p.offset)
                {
                    symbols.push(Symbol {
                        rva,
                        size: Some(p.len),
                        name: p.name.to_string().into_owned(),
                        kind: SymbolKind::Procedure,
                    });
                }
            }
        }

        // Frame data (x86).
        let mut frames = Vec::new();
        // `pdb` 0.8 multiplies each FPO record's local size (in dwords) by 4 unchecked when it
        // iterates the table: leave a table with such a record out rather than overflow.
        let fpo_ok = match extra.get(DBG_FPO) {
            Some(&i) if i != u16::MAX => match pdb.raw_stream(pdb::StreamIndex(i)) {
                Ok(Some(fpo)) => fpo_locals_ok(fpo.as_slice()),
                _ => true,
            },
            _ => true,
        };
        // (Frame data is optional: without it the walker uses EBP frames and scanning.)
        if fpo_ok && let Ok(table) = pdb.frame_table() {
            // `pdb` 0.8 indexes the name block of the PDB information stream with unchecked
            // offsets when it looks the string table up (`PDBInformation::stream_names`):
            // only ask for it when every offset lies inside the block.
            let names_ok = match pdb.raw_stream(pdb::StreamIndex(1)) {
                Ok(Some(info)) => stream_name_offsets_ok(info.as_slice()),
                _ => false,
            };
            let strings = if names_ok {
                pdb.string_table().ok()
            } else {
                None
            };
            let mut it = table.iter();
            while let Ok(Some(fd)) = it.next() {
                let Some(rva) = address_map.internal_rva(fd.code_start.0) else {
                    continue;
                };
                let program = match (&fd.program, &strings) {
                    (Some(p), Some(st)) => p.to_string_lossy(st).ok().map(|s| s.into_owned()),
                    _ => None,
                };
                let kind = match fd.ty {
                    pdb::FrameType::FPO => FrameKind::Fpo,
                    pdb::FrameType::Trap => FrameKind::Trap,
                    pdb::FrameType::TSS => FrameKind::Tss,
                    pdb::FrameType::Standard => FrameKind::Standard,
                    pdb::FrameType::FrameData => FrameKind::FrameData,
                    _ => FrameKind::Unknown,
                };
                frames.push(FrameEntry {
                    rva,
                    code_size: fd.code_size,
                    kind,
                    locals_size: fd.locals_size,
                    params_size: fd.params_size,
                    prolog_size: fd.prolog_size,
                    saved_regs_size: fd.saved_regs_size,
                    uses_base_pointer: fd.uses_base_pointer,
                    program,
                });
            }
        }
        let code_ranges = match pdb.sections() {
            Ok(Some(sections)) => sections
                .iter()
                .filter(|s| s.characteristics.execute())
                .map(|s| {
                    let size = if s.virtual_size == 0 {
                        s.size_of_raw_data
                    } else {
                        s.virtual_size
                    };
                    (s.virtual_address, s.virtual_address.saturating_add(size))
                })
                .collect(),
            _ => Vec::new(),
        };
        Ok(PdbData {
            code_ranges,
            identity,
            info_age: info.age,
            is_x86,
            symbols: SymbolTable::new(symbols),
            frames: FrameTable::new(frames),
        })
    }

    /// True when this PDB belongs to a module whose CodeView record says `wanted`.
    pub fn matches(&self, wanted: &PdbIdentity) -> bool {
        self.identity == *wanted
    }
}
