//! `MINIDUMP_UNLOADED_MODULE_LIST` (UnloadedModuleListStream).

use std::ops::Deref;

use zerocopy::FromBytes;

use super::*;
use crate::minidump::stream_type;
use crate::{Error, Minidump, raw};

/// A module from the UnloadedModuleList.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnloadedModule {
    /// Former load address.
    pub base: u64,
    /// Size.
    pub size: u32,
    /// PE checksum.
    pub checksum: u32,
    /// PE `TimeDateStamp`.
    pub time_date_stamp: u32,
    /// Path.
    pub name: String,
}

impl<D: Deref<Target = [u8]>> Minidump<D> {
    /// The UnloadedModuleList stream.
    pub fn unloaded_modules(&self) -> Result<Option<Vec<UnloadedModule>>, Error> {
        let st = stream_type::UNLOADED_MODULE_LIST;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(None);
        };
        let (h, _) = raw::ListHeader32::read_from_prefix(b)
            .map_err(|_| bad(st, rva, "shorter than its header"))?;
        let it = sized_entries(
            b,
            st,
            rva,
            h.size_of_header.get(),
            h.size_of_entry.get(),
            u64::from(h.number_of_entries.get()),
            size_of::<raw::UnloadedModule>(),
        )?;
        let mut out = Vec::new();
        let mut budget = Budget::new(self.limits());
        for e in it {
            let (m, _) = raw::UnloadedModule::read_from_prefix(e)
                .map_err(|_| bad(st, rva, "short entry"))?;
            out.push(UnloadedModule {
                base: m.base_of_image.get(),
                size: m.size_of_image.get(),
                checksum: m.check_sum.get(),
                time_date_stamp: m.time_date_stamp.get(),
                name: self.read_string_budget(m.module_name_rva.get(), &mut budget)?,
            });
        }
        Ok(Some(out))
    }
}
