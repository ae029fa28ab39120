//! `MINIDUMP_THREAD_NAME_LIST` (ThreadNamesStream).

use std::ops::Deref;

use zerocopy::FromBytes;

use super::*;
use crate::minidump::stream_type;
use crate::{Error, Minidump, raw};

/// A thread name from the ThreadNames stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadName {
    /// Thread id.
    pub thread_id: u32,
    /// Name.
    pub name: String,
}

impl<D: Deref<Target = [u8]>> Minidump<D> {
    /// The ThreadNames stream.
    pub fn thread_names(&self) -> Result<Option<Vec<ThreadName>>, Error> {
        let st = stream_type::THREAD_NAMES;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(None);
        };
        let (_, entries) = counted_list(b, st, rva, size_of::<raw::ThreadName>())?;
        let list = <[raw::ThreadName]>::ref_from_bytes(entries)
            .map_err(|_| bad(st, rva, "thread name array size"))?;
        let mut out = Vec::new();
        let mut budget = Budget::new(self.limits());
        for n in list {
            let name_rva =
                u32::try_from(n.rva_of_thread_name.get()).map_err(|_| Error::InvalidString {
                    rva: n.rva_of_thread_name.get(),
                })?;
            out.push(ThreadName {
                thread_id: n.thread_id.get(),
                name: if name_rva == 0 {
                    String::new()
                } else {
                    self.read_string_budget(name_rva, &mut budget)?
                },
            });
        }
        Ok(Some(out))
    }
}
