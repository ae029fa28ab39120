//! Typed streams, one file per stream type; the shared parsing helpers are here.

use std::ops::Deref;

use crate::bytes::*;
use crate::{Error, Minidump};

mod comment;
mod exception;
mod function_table;
mod handle_data;
mod handle_operation_list;
mod memory_info_list;
mod misc_info;
mod module_list;
mod process_vm_counters;
mod system_info;
mod system_memory_info;
mod thread_ex_list;
mod thread_info;
mod thread_list;
mod thread_names;
mod token;
mod unloaded_module_list;

pub use exception::*;
pub use function_table::*;
pub use handle_data::*;
pub use handle_operation_list::*;
pub use memory_info_list::*;
pub use misc_info::*;
pub use module_list::*;
pub use process_vm_counters::*;
pub use system_info::*;
pub use system_memory_info::*;
pub use thread_ex_list::*;
pub use thread_info::*;
pub use thread_list::*;
pub use thread_names::*;
pub use token::*;
pub use unloaded_module_list::*;

pub(crate) fn bad(stream_type: u32, rva: u32, reason: &'static str) -> Error {
    Error::BadStream {
        stream_type,
        rva: u64::from(rva),
        reason,
    }
}

pub(crate) fn u16_string(units: &[zerocopy::little_endian::U16]) -> String {
    let it = units.iter().map(|u| u.get()).take_while(|&u| u != 0);
    char::decode_utf16(it)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// Parses a header-sized list (`SizeOfHeader`, `SizeOfEntry`, `NumberOfEntries`): returns an
/// iterator over each entry's bytes (at least `min_entry` long).
pub(crate) fn sized_entries<'a>(
    stream: &'a [u8],
    stream_type: u32,
    rva: u32,
    size_of_header: u32,
    size_of_entry: u32,
    count: u64,
    min_entry: usize,
) -> Result<impl Iterator<Item = &'a [u8]> + 'a, Error> {
    let entry = usize::try_from(size_of_entry).unwrap_or(usize::MAX);
    if entry < min_entry {
        return Err(bad(
            stream_type,
            rva,
            "entry size smaller than the structure",
        ));
    }
    let body = usize::try_from(size_of_header)
        .ok()
        .and_then(|h| stream.get(h..))
        .ok_or_else(|| bad(stream_type, rva, "header size beyond the stream"))?;
    let n = usize::try_from(count).map_err(|_| Error::CountTooLarge { stream_type, count })?;
    let need = n
        .checked_mul(entry)
        .ok_or(Error::CountTooLarge { stream_type, count })?;
    let body = body
        .get(..need)
        .ok_or(Error::CountTooLarge { stream_type, count })?;
    Ok(body.chunks_exact(entry))
}

impl<D: Deref<Target = [u8]>> Minidump<D> {
    pub(crate) fn stream_bytes(&self, st: u32) -> Option<(u32, &[u8])> {
        let e = self.stream_entry(st)?;
        let rva = e.rva;
        self.raw_stream(st).map(|b| (rva, b))
    }

    pub(crate) fn optional_string(
        &self,
        rva: u32,
        budget: &mut Budget,
    ) -> Result<Option<String>, Error> {
        if rva == 0 {
            return Ok(None);
        }
        let s = self.read_string_budget(rva, budget)?;
        Ok(if s.is_empty() { None } else { Some(s) })
    }
}
