//! `MINIDUMP_FUNCTION_TABLE_STREAM` (FunctionTableStream): dynamic function tables.

use std::ops::Deref;

use zerocopy::FromBytes;

use super::*;
use crate::minidump::stream_type;
use crate::{Error, Minidump, raw};

/// One descriptor of the FunctionTable stream (dynamic function tables, e.g. JIT code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionTable {
    /// Lowest address covered.
    pub minimum_address: u64,
    /// Highest address covered.
    pub maximum_address: u64,
    /// Base for the entries' RVAs.
    pub base_address: u64,
    /// Number of entries.
    pub entry_count: u32,
    /// The native descriptor (`DYNAMIC_FUNCTION_TABLE`), raw.
    pub native_descriptor: Vec<u8>,
    /// The entries (`RUNTIME_FUNCTION` on x64), raw.
    pub entries: Vec<u8>,
    /// Size of one entry.
    pub entry_size: u32,
}

impl<D: Deref<Target = [u8]>> Minidump<D> {
    /// The FunctionTable stream.
    pub fn function_table(&self) -> Result<Option<Vec<FunctionTable>>, Error> {
        let st = stream_type::FUNCTION_TABLE;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(None);
        };
        let (h, _) = raw::FunctionTableStream::read_from_prefix(b)
            .map_err(|_| bad(st, rva, "shorter than its header"))?;
        let us = |v: u32| usize::try_from(v).unwrap_or(usize::MAX);
        let dsize = us(h.size_of_descriptor.get());
        let nsize = us(h.size_of_native_descriptor.get());
        let esize = us(h.size_of_function_entry.get());
        if dsize < size_of::<raw::FunctionTableDescriptor>() {
            return Err(bad(st, rva, "descriptor size smaller than the structure"));
        }
        let mut off = us(h.size_of_header.get())
            .checked_add(us(h.size_of_align_pad.get()))
            .ok_or_else(|| bad(st, rva, "header size overflow"))?;
        let count = h.number_of_descriptors.get();
        let mut out = Vec::new();
        for _ in 0..count {
            let at = |o: usize, n: usize| o.checked_add(n).and_then(|e| b.get(o..e));
            let db = at(off, dsize).ok_or_else(|| bad(st, rva, "descriptor beyond the stream"))?;
            let (d, _) = raw::FunctionTableDescriptor::read_from_prefix(db)
                .map_err(|_| bad(st, rva, "short descriptor"))?;
            off = off.saturating_add(dsize);
            let native = at(off, nsize).ok_or_else(|| bad(st, rva, "native descriptor"))?;
            off = off.saturating_add(nsize);
            let n = us(d.entry_count.get());
            let elen = n.checked_mul(esize).ok_or(Error::CountTooLarge {
                stream_type: st,
                count: u64::from(d.entry_count.get()),
            })?;
            let entries = at(off, elen).ok_or(Error::CountTooLarge {
                stream_type: st,
                count: u64::from(d.entry_count.get()),
            })?;
            off = off
                .saturating_add(elen)
                .saturating_add(us(d.size_of_align_pad.get()));
            out.push(FunctionTable {
                minimum_address: d.minimum_address.get(),
                maximum_address: d.maximum_address.get(),
                base_address: d.base_address.get(),
                entry_count: d.entry_count.get(),
                native_descriptor: native.to_vec(),
                entries: entries.to_vec(),
                entry_size: h.size_of_function_entry.get(),
            });
        }
        Ok(Some(out))
    }
}
