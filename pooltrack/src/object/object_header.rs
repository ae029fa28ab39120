//! `_OBJECT_HEADER`: reference counts, the object's type, and the optional headers (name,
//! creator, quota) in front of it.
//!
//! The type is a pointer before Windows 7; from Windows 7 a `TypeIndex` into
//! `ObTypeIndexTable`; from Windows 10 that index is stored XOR-ed with the second byte of the
//! header's address and with `ObHeaderCookie`.

use super::unicode_string::read_unicode_string;
use super::{KernelObjects, back, field, opt};
use crate::error::Error;
use crate::memory::{PointerWidth, ReadMemory};

/// How an object header names its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TypeRef {
    /// `Type`: a pointer to the `_OBJECT_TYPE` (XP, Server 2003, Vista).
    Pointer {
        /// Offset of `Type`.
        offset: u32,
    },
    /// `TypeIndex`: a byte indexing `ObTypeIndexTable` (Windows 7 and later).
    Index {
        /// Offset of `TypeIndex`.
        offset: u32,
        /// Whether the byte is encoded with `ObHeaderCookie` (Windows 10 and later).
        cookie: bool,
    },
}

/// How the optional headers in front of an object header are located.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OptionalHeaders {
    /// XP / Server 2003: one byte per optional header giving its distance below the header
    /// (zero when absent); the creator info, when `Flags` has 0x04, sits right below.
    Offsets {
        /// Offset of `NameInfoOffset`.
        name_info_offset: u32,
        /// Offset of `HandleInfoOffset`.
        handle_info_offset: u32,
        /// Offset of `QuotaInfoOffset`.
        quota_info_offset: u32,
        /// `sizeof(_OBJECT_HEADER_CREATOR_INFO)`.
        creator_info_size: u32,
    },
    /// Windows 7 and later: `InfoMask` bits, 0x01 creator, 0x02 name, 0x04 handle, 0x08 quota,
    /// 0x10 process, 0x20 audit, 0x40 extended, 0x80 padding. The header of bit *b* lies
    /// below the object header by the total size of the present headers of bits up to *b*.
    InfoMask {
        /// Offset of `InfoMask`.
        offset: u32,
        /// Size of the optional header of each bit, from 0x01 to 0x80 (0 where the build has
        /// none).
        sizes: [u32; 8],
    },
}

/// Offsets in `_OBJECT_HEADER` and its optional headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ObjectHeaderLayout {
    /// `Body`: the object follows the header at this offset (0x18 / 0x20 x86, 0x30 x64).
    pub body: u32,
    /// `PointerCount`.
    pub pointer_count: u32,
    /// `HandleCount`.
    pub handle_count: u32,
    /// `Flags`.
    pub flags: u32,
    /// The type field.
    pub type_ref: TypeRef,
    /// The optional headers.
    pub optional: OptionalHeaders,
    /// `_OBJECT_HEADER_NAME_INFO.Name` (a `_UNICODE_STRING`).
    pub name_info_name: u32,
    /// `_OBJECT_HEADER_CREATOR_INFO.CreatorUniqueProcess`.
    pub creator_unique_process: u32,
}

const OPTIONAL_NAMES: [&str; 8] = [
    "_OBJECT_HEADER_CREATOR_INFO",
    "_OBJECT_HEADER_NAME_INFO",
    "_OBJECT_HEADER_HANDLE_INFO",
    "_OBJECT_HEADER_QUOTA_INFO",
    "_OBJECT_HEADER_PROCESS_INFO",
    "_OBJECT_HEADER_AUDIT_INFO",
    "_OBJECT_HEADER_EXTENDED_INFO",
    "_OBJECT_HEADER_PADDING_INFO",
];

impl ObjectHeaderLayout {
    pub(crate) fn push_fields(&self, v: &mut Vec<(&'static str, &'static str, u32)>) {
        v.push(("_OBJECT_HEADER", "Body", self.body));
        v.push(("_OBJECT_HEADER", "PointerCount", self.pointer_count));
        v.push(("_OBJECT_HEADER", "HandleCount", self.handle_count));
        v.push(("_OBJECT_HEADER", "Flags", self.flags));
        match self.type_ref {
            TypeRef::Pointer { offset } => v.push(("_OBJECT_HEADER", "Type", offset)),
            TypeRef::Index { offset, .. } => v.push(("_OBJECT_HEADER", "TypeIndex", offset)),
        }
        match self.optional {
            OptionalHeaders::Offsets {
                name_info_offset,
                handle_info_offset,
                quota_info_offset,
                creator_info_size,
            } => {
                v.push(("_OBJECT_HEADER", "NameInfoOffset", name_info_offset));
                v.push(("_OBJECT_HEADER", "HandleInfoOffset", handle_info_offset));
                v.push(("_OBJECT_HEADER", "QuotaInfoOffset", quota_info_offset));
                v.push(("_OBJECT_HEADER_CREATOR_INFO", "<size>", creator_info_size));
            }
            OptionalHeaders::InfoMask { offset, sizes } => {
                v.push(("_OBJECT_HEADER", "InfoMask", offset));
                for (name, size) in OPTIONAL_NAMES.iter().zip(sizes) {
                    if size != 0 {
                        v.push((name, "<size>", size));
                    }
                }
            }
        }
        v.push(("_OBJECT_HEADER_NAME_INFO", "Name", self.name_info_name));
        v.push((
            "_OBJECT_HEADER_CREATOR_INFO",
            "CreatorUniqueProcess",
            self.creator_unique_process,
        ));
    }
}

/// How a header's type was found: an index (decoded) or a pointer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TypeKey {
    Index(u8),
    Pointer(u64),
}

/// One object header, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ObjectHeader {
    /// Address of the `_OBJECT_HEADER`.
    pub address: u64,
    /// Address of the object (the header's `Body`).
    pub object: u64,
    /// `PointerCount` (from Windows 8.1 each handle adds a bias to it, so it is not a count of
    /// references; shown raw as WinDbg does).
    pub pointer_count: i64,
    /// `HandleCount`.
    pub handle_count: i64,
    /// The decoded type index (Windows 7 and later).
    pub type_index: Option<u8>,
    /// The `_OBJECT_TYPE`: the `Type` pointer, or `ObTypeIndexTable[index]` when that table is
    /// known and readable.
    pub type_object: Option<u64>,
    /// `Flags`.
    pub flags: u8,
    /// `InfoMask` (Windows 7 and later).
    pub info_mask: Option<u8>,
    /// Address of the `_OBJECT_HEADER_NAME_INFO`, when present.
    pub name_info: Option<u64>,
    /// Address of the `_OBJECT_HEADER_CREATOR_INFO`, when present.
    pub creator_info: Option<u64>,
    /// Address of the `_OBJECT_HEADER_QUOTA_INFO`, when present.
    pub quota_info: Option<u64>,
    /// Address of the `_OBJECT_HEADER_HANDLE_INFO`, when present.
    pub handle_info: Option<u64>,
}

impl<M: ReadMemory> KernelObjects<M> {
    /// The type key of the header at `header`: the decoded index or the type pointer. One or
    /// two small reads; what the per-type summary uses.
    pub(crate) fn type_key(&self, header: u64) -> Result<TypeKey, Error> {
        match self.layout.object_header.type_ref {
            TypeRef::Pointer { offset } => Ok(TypeKey::Pointer(
                self.read_ptr(field(header, offset, "Type")?)?,
            )),
            TypeRef::Index { offset, cookie } => {
                let raw = self.mem.read_u8(field(header, offset, "TypeIndex")?)?;
                if cookie {
                    let c = self.header_cookie(header)?;
                    Ok(TypeKey::Index(decode_type_index(raw, header, c)))
                } else {
                    Ok(TypeKey::Index(raw))
                }
            }
        }
    }

    /// Decode the `_OBJECT_HEADER` at `header`.
    pub fn object_header(&self, header: u64) -> Result<ObjectHeader, Error> {
        let l = &self.layout.object_header;
        let w = self.layout.width;
        let count = |off: u32, what: &'static str| -> Result<i64, Error> {
            let a = field(header, off, what)?;
            Ok(match w {
                PointerWidth::Bits32 => i64::from(self.mem.read_u32(a)? as i32),
                PointerWidth::Bits64 => self.mem.read_u64(a)? as i64,
            })
        };
        let pointer_count = count(l.pointer_count, "PointerCount")?;
        let handle_count = count(l.handle_count, "HandleCount")?;
        let flags = self.mem.read_u8(field(header, l.flags, "Flags")?)?;
        let (type_index, type_object) = match self.type_key(header)? {
            TypeKey::Pointer(p) => (None, Some(p)),
            TypeKey::Index(i) => {
                let t = match self.symbols.ob_type_index_table {
                    Some(tab) => opt(self.mem.read_ptr(
                        tab.saturating_add(u64::from(i).saturating_mul(w.bytes())),
                        w,
                    ))?
                    .filter(|&p| p != 0),
                    None => None,
                };
                (Some(i), t)
            }
        };
        let mut h = ObjectHeader {
            address: header,
            object: field(header, l.body, "Body")?,
            pointer_count,
            handle_count,
            type_index,
            type_object,
            flags,
            info_mask: None,
            name_info: None,
            creator_info: None,
            quota_info: None,
            handle_info: None,
        };
        match l.optional {
            OptionalHeaders::Offsets {
                name_info_offset,
                handle_info_offset,
                quota_info_offset,
                creator_info_size,
            } => {
                let below = |off: u32, what: &'static str| -> Result<Option<u64>, Error> {
                    let d = self.mem.read_u8(field(header, off, what)?)?;
                    if d == 0 {
                        Ok(None)
                    } else {
                        back(header, u32::from(d), what).map(Some)
                    }
                };
                h.name_info = below(name_info_offset, "NameInfoOffset")?;
                h.handle_info = below(handle_info_offset, "HandleInfoOffset")?;
                h.quota_info = below(quota_info_offset, "QuotaInfoOffset")?;
                if flags & 0x04 != 0 {
                    h.creator_info = Some(back(header, creator_info_size, "creator info")?);
                }
            }
            OptionalHeaders::InfoMask { offset, sizes } => {
                let mask = self.mem.read_u8(field(header, offset, "InfoMask")?)?;
                h.info_mask = Some(mask);
                let mut below = 0u32;
                for (bit, size) in sizes.iter().enumerate().take(4) {
                    if mask & (1u8 << bit) == 0 {
                        continue;
                    }
                    below = below.saturating_add(*size);
                    let at = back(header, below, "optional header")?;
                    match bit {
                        0 => h.creator_info = Some(at),
                        1 => h.name_info = Some(at),
                        2 => h.handle_info = Some(at),
                        _ => h.quota_info = Some(at),
                    }
                }
            }
        }
        Ok(h)
    }

    /// The object's name from its `_OBJECT_HEADER_NAME_INFO`, `None` when it has none.
    pub fn object_name(&self, header: &ObjectHeader) -> Result<Option<String>, Error> {
        match header.name_info {
            None => Ok(None),
            Some(n) => {
                let s = read_unicode_string(
                    &self.mem,
                    field(n, self.layout.object_header.name_info_name, "Name")?,
                    self.layout.width,
                )?;
                Ok(Some(s).filter(|s| !s.is_empty()))
            }
        }
    }

    /// The creating process id from the `_OBJECT_HEADER_CREATOR_INFO`, when present.
    pub fn object_creator(&self, header: &ObjectHeader) -> Result<Option<u64>, Error> {
        match header.creator_info {
            None => Ok(None),
            Some(c) => Ok(Some(self.read_ptr(field(
                c,
                self.layout.object_header.creator_unique_process,
                "CreatorUniqueProcess",
            )?)?)),
        }
    }

    /// The pool charges of the object from its `_OBJECT_HEADER_QUOTA_INFO`, when present:
    /// `(PagedPoolCharge, NonPagedPoolCharge)` (the first two `ULONG`s in every build).
    pub fn object_quota(&self, header: &ObjectHeader) -> Result<Option<(u32, u32)>, Error> {
        match header.quota_info {
            None => Ok(None),
            Some(q) => Ok(Some((
                self.mem.read_u32(q)?,
                self.mem.read_u32(field(q, 4, "NonPagedPoolCharge")?)?,
            ))),
        }
    }

    /// The header in front of an object body.
    pub fn header_of(&self, object: u64) -> Result<u64, Error> {
        back(object, self.layout.object_header.body, "object body")
    }
}

/// Decode a Windows 10+ `TypeIndex`: `raw ^ (u8)(header >> 8) ^ cookie`.
pub(crate) fn decode_type_index(raw: u8, header: u64, cookie: u8) -> u8 {
    raw ^ header.to_le_bytes().get(1).copied().unwrap_or(0) ^ cookie
}

/// Encode a Windows 10+ `TypeIndex` (the inverse of [`decode_type_index`]).
#[cfg(feature = "synth")]
pub(crate) fn encode_type_index(index: u8, header: u64, cookie: u8) -> u8 {
    decode_type_index(index, header, cookie)
}
