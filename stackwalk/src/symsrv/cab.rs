//! CAB-compressed store entries (`name.pd_`, `name.dl_`, `name.ex_`, `name.sy_`).
//!
//! symstore's `/compress` and Microsoft's symbol server store a file as a one-file cabinet,
//! usually MSZIP-compressed. The `cab` crate decodes it. Before it does, [`expand`] checks the
//! cabinet's structure itself (every file inside its folder's data, every data block inside
//! the file, uncompressed blocks the size they claim), because the decoder trusts those
//! numbers and would index out of bounds on a cabinet that lies about them.

use std::io::{Read, Seek, SeekFrom, Write};

/// `CFHEADER.flags`: a previous cabinet in the set.
const PREV_CABINET: u16 = 0x1;
/// `CFHEADER.flags`: a next cabinet in the set.
const NEXT_CABINET: u16 = 0x2;
/// `CFHEADER.flags`: reserve fields present.
const RESERVE_PRESENT: u16 = 0x4;
/// Largest uncompressed CFDATA block (32 KiB).
const MAX_BLOCK: u16 = 0x8000;

/// A cabinet that cannot be expanded, or a failed read or write.
fn bad(what: impl Into<String>) -> String {
    what.into()
}

fn read_u16<R: Read>(r: &mut R) -> Result<u16, String> {
    let mut b = [0u8; 2];
    r.read_exact(&mut b).map_err(|_| bad("truncated cabinet"))?;
    Ok(u16::from_le_bytes(b))
}

fn read_u32<R: Read>(r: &mut R) -> Result<u32, String> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b).map_err(|_| bad("truncated cabinet"))?;
    Ok(u32::from_le_bytes(b))
}

fn skip_string<R: Read>(r: &mut R) -> Result<(), String> {
    let mut b = [0u8; 1];
    for _ in 0..=255 {
        r.read_exact(&mut b).map_err(|_| bad("truncated cabinet"))?;
        if b[0] == 0 {
            return Ok(());
        }
    }
    Err(bad("cabinet string longer than 255 bytes"))
}

/// One `CFFOLDER`, as far as the check needs it.
struct Folder {
    first_block: u32,
    blocks: u16,
    compression: u16,
}

/// Checks the layout the decoder relies on. Reads headers only: a few bytes per folder, file
/// and data block, each block header inside the file.
fn check<R: Read + Seek>(r: &mut R, max_bytes: u64) -> Result<(), String> {
    let len = r
        .seek(SeekFrom::End(0))
        .map_err(|e| bad(format!("cannot size cabinet: {e}")))?;
    r.seek(SeekFrom::Start(0))
        .map_err(|e| bad(format!("cannot read cabinet: {e}")))?;
    if read_u32(r)? != u32::from_le_bytes(*b"MSCF") {
        return Err(bad("not a cabinet (no MSCF signature)"));
    }
    let _reserved1 = read_u32(r)?;
    let _size = read_u32(r)?;
    let _reserved2 = read_u32(r)?;
    let files_at = read_u32(r)?;
    let _reserved3 = read_u32(r)?;
    let _version = read_u16(r)?;
    let folders = read_u16(r)?;
    let files = read_u16(r)?;
    let flags = read_u16(r)?;
    let _set_id = read_u16(r)?;
    let _index = read_u16(r)?;
    let (mut folder_reserve, mut data_reserve) = (0u8, 0u8);
    if flags & RESERVE_PRESENT != 0 {
        let header_reserve = read_u16(r)?;
        let mut b = [0u8; 2];
        r.read_exact(&mut b).map_err(|_| bad("truncated cabinet"))?;
        [folder_reserve, data_reserve] = b;
        r.seek(SeekFrom::Current(i64::from(header_reserve)))
            .map_err(|_| bad("truncated cabinet"))?;
    }
    if flags & (PREV_CABINET | NEXT_CABINET) != 0 {
        return Err(bad("multi-cabinet sets are not supported"));
    }
    if folders == 0 || files == 0 {
        return Err(bad("empty cabinet"));
    }
    let mut table = Vec::with_capacity(usize::from(folders).min(64));
    for _ in 0..folders {
        let first_block = read_u32(r)?;
        let blocks = read_u16(r)?;
        let compression = read_u16(r)?;
        r.seek(SeekFrom::Current(i64::from(folder_reserve)))
            .map_err(|_| bad("truncated cabinet"))?;
        table.push(Folder {
            first_block,
            blocks,
            compression,
        });
    }
    // Uncompressed size of each folder, from its data blocks.
    // Real folders' blocks are disjoint, so there are at most len/8 of them in all; more
    // means folders share blocks, and walking them could cost folders x blocks reads.
    let mut budget = len / 8;
    let mut sizes = Vec::with_capacity(table.len());
    for folder in &table {
        let kind = folder.compression & 0x000f;
        if !matches!(kind, 0 | 1 | 3) {
            return Err(bad(format!("unsupported compression type {kind}")));
        }
        let mut at = u64::from(folder.first_block);
        let mut total = 0u64;
        for _ in 0..folder.blocks {
            budget = budget
                .checked_sub(1)
                .ok_or_else(|| bad("overlapping data blocks"))?;
            r.seek(SeekFrom::Start(at))
                .map_err(|_| bad("truncated cabinet"))?;
            let _checksum = read_u32(r)?;
            let packed = read_u16(r)?;
            let unpacked = read_u16(r)?;
            if unpacked > MAX_BLOCK || (kind == 0 && packed != unpacked) {
                return Err(bad("malformed data block"));
            }
            at = at
                .saturating_add(8)
                .saturating_add(u64::from(data_reserve))
                .saturating_add(u64::from(packed));
            if at > len {
                return Err(bad("data block beyond the end of the cabinet"));
            }
            total = total.saturating_add(u64::from(unpacked));
        }
        sizes.push(total);
    }
    r.seek(SeekFrom::Start(u64::from(files_at)))
        .map_err(|_| bad("truncated cabinet"))?;
    for _ in 0..files {
        let size = read_u32(r)?;
        let offset = read_u32(r)?;
        let folder = read_u16(r)?;
        let _date = read_u16(r)?;
        let _time = read_u16(r)?;
        let _attributes = read_u16(r)?;
        skip_string(r)?;
        let folder_size = sizes
            .get(usize::from(folder))
            .ok_or_else(|| bad("file in a folder the cabinet does not have"))?;
        if u64::from(offset).saturating_add(u64::from(size)) > *folder_size {
            return Err(bad("file extends beyond its folder's data"));
        }
        if u64::from(size) > max_bytes {
            return Err(bad(format!(
                "file of {size} bytes exceeds the {max_bytes}-byte limit"
            )));
        }
    }
    r.seek(SeekFrom::Start(0))
        .map_err(|e| bad(format!("cannot read cabinet: {e}")))?;
    Ok(())
}

/// Expands the file called `name` (or, when there is none by that name, the only file) from
/// the cabinet in `source` into `out`, and returns its size.
///
/// `max_bytes` bounds the file expanded. A malformed, truncated or hostile cabinet gives
/// `Err` with what is wrong, never a panic.
pub fn expand<R: Read + Seek, W: Write>(
    mut source: R,
    name: &str,
    out: &mut W,
    max_bytes: u64,
) -> Result<u64, String> {
    check(&mut source, max_bytes)?;
    let mut cabinet =
        ::cab::Cabinet::new(source).map_err(|e| bad(format!("malformed cabinet: {e}")))?;
    let mut names = Vec::new();
    for folder in cabinet.folder_entries() {
        for file in folder.file_entries() {
            names.push((file.name().to_string(), u64::from(file.uncompressed_size())));
        }
    }
    let chosen = names
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .or(match names.as_slice() {
            [only] => Some(only),
            _ => None,
        })
        .ok_or_else(|| bad(format!("no {name} in the cabinet")))?;
    let (file, size) = (chosen.0.clone(), chosen.1);
    let reader = cabinet
        .read_file(&file)
        .map_err(|e| bad(format!("malformed cabinet: {e}")))?;
    let copied = std::io::copy(&mut reader.take(size), out)
        .map_err(|e| bad(format!("cannot expand cabinet: {e}")))?;
    if copied != size {
        return Err(bad(format!(
            "cabinet holds {copied} of the {size} bytes of {file}"
        )));
    }
    Ok(copied)
}
