//! `MINIDUMP_HANDLE_OPERATION_LIST` (HandleOperationListStream): Application Verifier handle traces.

use std::ops::Deref;

use zerocopy::FromBytes;

use super::*;
use crate::minidump::stream_type;
use crate::{Error, Minidump, raw};

/// One record of the HandleOperationList stream (Application Verifier handle tracing, the data
/// behind WinDbg's `!htrace`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandleOperation {
    /// Handle value.
    pub handle: u64,
    /// Process id.
    pub process_id: u32,
    /// Thread id.
    pub thread_id: u32,
    /// 0 unknown, 1 open/create, 2 close, 3 bad reference.
    pub operation_type: u32,
    /// Index of the trace in the verifier's database.
    pub trace_index: u32,
    /// Return addresses of the stack trace (at most 32).
    pub stack: Vec<u64>,
}

impl<D: Deref<Target = [u8]>> Minidump<D> {
    /// The HandleOperationList stream (Application Verifier handle traces).
    pub fn handle_operations(&self) -> Result<Option<Vec<HandleOperation>>, Error> {
        let st = stream_type::HANDLE_OPERATION_LIST;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(None);
        };
        let (h, _) = raw::HandleOperationList::read_from_prefix(b)
            .map_err(|_| bad(st, rva, "shorter than its header"))?;
        let it = sized_entries(
            b,
            st,
            rva,
            h.size_of_header.get(),
            h.size_of_entry.get(),
            u64::from(h.number_of_entries.get()),
            size_of::<raw::AvrfHandleOperation>(),
        )?;
        let mut out = Vec::new();
        for e in it {
            let (o, _) = raw::AvrfHandleOperation::read_from_prefix(e)
                .map_err(|_| bad(st, rva, "short entry"))?;
            let depth = usize::try_from(o.depth.get()).unwrap_or(usize::MAX).min(32);
            out.push(HandleOperation {
                handle: o.handle.get(),
                process_id: o.process_id.get(),
                thread_id: o.thread_id.get(),
                operation_type: o.operation_type.get(),
                trace_index: o.index.get(),
                stack: o
                    .return_addresses
                    .iter()
                    .take(depth)
                    .map(|a| a.get())
                    .collect(),
            });
        }
        Ok(Some(out))
    }
}
