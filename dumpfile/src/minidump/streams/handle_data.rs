//! `MINIDUMP_HANDLE_DATA_STREAM` (HandleDataStream) and handle object information.

use std::ops::Deref;

use std::collections::HashSet;

use zerocopy::FromBytes;

use super::*;
use crate::minidump::stream_type;
use crate::{Error, Minidump, raw};

/// The HandleData stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandleData {
    /// Descriptor size: 32 (v1) or 40 (v2).
    pub descriptor_size: u32,
    /// The handles.
    pub handles: Vec<Handle>,
}

/// One handle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handle {
    /// Handle value.
    pub handle: u64,
    /// Object type ("File", "Event", "Thread"...), when recorded.
    pub type_name: Option<String>,
    /// Object name, when recorded.
    pub object_name: Option<String>,
    /// Attributes.
    pub attributes: u32,
    /// Granted access.
    pub granted_access: u32,
    /// Handle count of the object.
    pub handle_count: u32,
    /// Pointer count of the object.
    pub pointer_count: u32,
    /// The object-information chain (v2 descriptors).
    pub object_info: Vec<HandleObjectInfo>,
}

/// One element of a handle's object-information chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandleObjectInfo {
    /// `MINIDUMP_HANDLE_OBJECT_INFORMATION_TYPE` (1 thread, 2 mutant v1, 3 mutant v2, 4 process
    /// v1, 5 process v2, 6 event, 7 section, 8 semaphore).
    pub info_type: u32,
    /// The information bytes.
    pub data: Vec<u8>,
}

impl<D: Deref<Target = [u8]>> Minidump<D> {
    /// The HandleData stream, with type and object names and each handle's object-information
    /// chain (bounded by [`Limits::max_list_steps`](crate::Limits) and cycle-checked).
    pub fn handles(&self) -> Result<Option<HandleData>, Error> {
        let st = stream_type::HANDLE_DATA;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(None);
        };
        let (h, _) = raw::HandleDataStream::read_from_prefix(b)
            .map_err(|_| bad(st, rva, "shorter than its header"))?;
        let dsize = h.size_of_descriptor.get();
        let it = sized_entries(
            b,
            st,
            rva,
            h.size_of_header.get(),
            dsize,
            u64::from(h.number_of_descriptors.get()),
            size_of::<raw::HandleDescriptor>(),
        )?;
        let mut handles = Vec::new();
        let mut budget = Budget::new(self.limits());
        for e in it {
            let (d, rest) = raw::HandleDescriptor::read_from_prefix(e)
                .map_err(|_| bad(st, rva, "short descriptor"))?;
            let object_info = match raw::HandleDescriptor2Ext::read_from_prefix(rest) {
                Ok((ext, _)) if ext.object_info_rva.get() != 0 => {
                    self.handle_object_info(ext.object_info_rva.get(), &mut budget)?
                }
                _ => Vec::new(),
            };
            handles.push(Handle {
                handle: d.handle.get(),
                type_name: self.optional_string(d.type_name_rva.get(), &mut budget)?,
                object_name: self.optional_string(d.object_name_rva.get(), &mut budget)?,
                attributes: d.attributes.get(),
                granted_access: d.granted_access.get(),
                handle_count: d.handle_count.get(),
                pointer_count: d.pointer_count.get(),
                object_info,
            });
        }
        Ok(Some(HandleData {
            descriptor_size: dsize,
            handles,
        }))
    }

    fn handle_object_info(
        &self,
        first: u32,
        budget: &mut Budget,
    ) -> Result<Vec<HandleObjectInfo>, Error> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut next = first;
        let mut steps = 0u32;
        while next != 0 {
            if !seen.insert(next) {
                return Err(Error::ListCycle {
                    at: u64::from(next),
                });
            }
            steps = steps.saturating_add(1);
            if steps > self.limits().max_list_steps {
                return Err(Error::ListTooLong {
                    head: u64::from(first),
                    limit: self.limits().max_list_steps,
                });
            }
            let hb = file_slice(self.as_bytes(), u64::from(next), 12)?;
            let (h, _) = raw::HandleObjectInformation::read_from_prefix(hb)
                .map_err(|_| bad(stream_type::HANDLE_DATA, next, "object info header"))?;
            let data = file_slice(
                self.as_bytes(),
                u64::from(next).saturating_add(12),
                u64::from(h.size_of_info.get()),
            )?;
            // The header counts too, so that shared chains cannot make the walk unbounded.
            budget.take(
                u64::from(h.size_of_info.get()).saturating_add(12),
                "handle object information",
            )?;
            out.push(HandleObjectInfo {
                info_type: h.info_type.get(),
                data: data.to_vec(),
            });
            next = h.next_info_rva.get();
        }
        Ok(out)
    }
}
