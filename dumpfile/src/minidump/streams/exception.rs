//! `MINIDUMP_EXCEPTION_STREAM` (ExceptionStream).

use std::ops::Deref;

use zerocopy::FromBytes;

use super::*;
use crate::minidump::stream_type;
use crate::{Error, Location, Minidump, raw};

/// The exception stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionInfo {
    /// Faulting thread.
    pub thread_id: u32,
    /// Exception code (e.g. 0xC0000005).
    pub code: u32,
    /// Exception flags.
    pub flags: u32,
    /// Address of a nested `EXCEPTION_RECORD` in the process.
    pub record: u64,
    /// Exception address.
    pub address: u64,
    /// `ExceptionInformation[0..NumberParameters]` (at most 15).
    pub parameters: Vec<u64>,
    /// Context of the faulting thread.
    pub context: Location,
}

impl<D: Deref<Target = [u8]>> Minidump<D> {
    /// The Exception stream.
    pub fn exception(&self) -> Result<Option<ExceptionInfo>, Error> {
        let st = stream_type::EXCEPTION;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(None);
        };
        let (e, _) = raw::ExceptionStream::read_from_prefix(b)
            .map_err(|_| bad(st, rva, "shorter than MINIDUMP_EXCEPTION_STREAM"))?;
        let n = usize::try_from(e.number_parameters.get())
            .unwrap_or(usize::MAX)
            .min(15);
        Ok(Some(ExceptionInfo {
            thread_id: e.thread_id.get(),
            code: e.exception_code.get(),
            flags: e.exception_flags.get(),
            record: e.exception_record.get(),
            address: e.exception_address.get(),
            parameters: e
                .exception_information
                .iter()
                .take(n)
                .map(|p| p.get())
                .collect(),
            context: Location {
                rva: e.thread_context.rva.get(),
                size: e.thread_context.data_size.get(),
            },
        }))
    }
}
