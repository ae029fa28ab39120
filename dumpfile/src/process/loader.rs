//! `_PEB_LDR_DATA` / `_LDR_DATA_TABLE_ENTRY`: the loader's module list.

use std::ops::Deref;

use std::collections::HashSet;

use super::*;
use crate::{Error, Minidump};

/// A module from the loader's `InLoadOrderModuleList` (`LDR_DATA_TABLE_ENTRY`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoaderModule {
    /// Address of the `LDR_DATA_TABLE_ENTRY`.
    pub entry: u64,
    /// `DllBase`.
    pub base: u64,
    /// `SizeOfImage`.
    pub size: u32,
    /// `FullDllName`, if its buffer is in the dump.
    pub full_name: Option<String>,
    /// `BaseDllName`, if its buffer is in the dump.
    pub base_name: Option<String>,
}

impl<D: Deref<Target = [u8]>> Minidump<D> {
    /// Walks `InLoadOrderModuleList` from its head, with a step limit and cycle detection.
    /// Returns what was read and the error that stopped the walk, if any.
    pub(crate) fn walk_loader(
        &self,
        head: u64,
        l: &Layout,
        budget: &mut Budget,
    ) -> (Vec<LoaderModule>, Option<Error>) {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut prev = head;
        let mut cur = match self.memory().read_ptr(head, l.ptr) {
            Ok(v) => v,
            Err(e) => return (out, Some(e)),
        };
        let limit = self.limits().max_list_steps;
        let mut steps = 0u32;
        while cur != head {
            if cur == 0 {
                return (
                    out,
                    Some(Error::Corrupt {
                        address: prev,
                        reason: "NULL Flink in the loader list",
                    }),
                );
            }
            if !seen.insert(cur) {
                return (out, Some(Error::ListCycle { at: cur }));
            }
            steps = steps.saturating_add(1);
            if steps > limit {
                return (out, Some(Error::ListTooLong { head, limit }));
            }
            let base = match self.ptr_at(cur, l.entry_dll_base, l) {
                Ok(v) => v,
                Err(e) => return (out, Some(e)),
            };
            let size = self
                .memory()
                .read_u32(cur.saturating_add(l.entry_size_of_image))
                .unwrap_or(0);
            out.push(LoaderModule {
                entry: cur,
                base,
                size,
                full_name: self
                    .unicode_string(cur.saturating_add(l.entry_full_name), l, budget)
                    .ok(),
                base_name: self
                    .unicode_string(cur.saturating_add(l.entry_base_name), l, budget)
                    .ok(),
            });
            prev = cur;
            cur = match self.memory().read_ptr(cur, l.ptr) {
                Ok(v) => v,
                Err(e) => return (out, Some(e)),
            };
        }
        (out, None)
    }
}
