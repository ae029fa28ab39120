//! `_OBJECT_TYPE`: a type's name, index, object and handle totals and pool tag, and the
//! `ObTypeIndexTable` of every type.

use super::unicode_string::read_unicode_string;
use super::{KernelObjects, field, opt};
use crate::error::Error;
use crate::memory::ReadMemory;

/// Offsets in `_OBJECT_TYPE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ObjectTypeLayout {
    /// `Name` (`_UNICODE_STRING`).
    pub name: u32,
    /// `Index` (a byte from Windows 7; a `ULONG` before).
    pub index: u32,
    /// `TotalNumberOfObjects`.
    pub total_number_of_objects: u32,
    /// `TotalNumberOfHandles`.
    pub total_number_of_handles: u32,
    /// `Key`: the pool tag of the type's objects.
    pub key: u32,
}

impl ObjectTypeLayout {
    pub(crate) fn push_fields(&self, v: &mut Vec<(&'static str, &'static str, u32)>) {
        v.extend([
            ("_OBJECT_TYPE", "Name", self.name),
            ("_OBJECT_TYPE", "Index", self.index),
            (
                "_OBJECT_TYPE",
                "TotalNumberOfObjects",
                self.total_number_of_objects,
            ),
            (
                "_OBJECT_TYPE",
                "TotalNumberOfHandles",
                self.total_number_of_handles,
            ),
            ("_OBJECT_TYPE", "Key", self.key),
        ]);
    }
}

/// One object type.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ObjectType {
    /// Address of the `_OBJECT_TYPE`.
    pub address: u64,
    /// `Name` (`Process`, `Thread`, `File`...), when readable.
    pub name: Option<String>,
    /// `Index`.
    pub index: Option<u8>,
    /// `TotalNumberOfObjects`.
    pub total_objects: Option<u32>,
    /// `TotalNumberOfHandles`.
    pub total_handles: Option<u32>,
    /// `Key`: the pool tag (`Thre` for threads; `Thr\xe5` before Windows 8).
    pub key: Option<u32>,
}

/// The types of `ObTypeIndexTable`, by index ([`KernelObjects::type_table`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypeTable {
    types: Vec<Option<ObjectType>>,
}

impl TypeTable {
    /// The type at `index`.
    pub fn get(&self, index: u8) -> Option<&ObjectType> {
        self.types.get(usize::from(index)).and_then(Option::as_ref)
    }
    /// Every readable type, by index.
    pub fn iter(&self) -> impl Iterator<Item = &ObjectType> {
        self.types.iter().flatten()
    }
    /// The type named `name`.
    pub fn by_name(&self, name: &str) -> Option<&ObjectType> {
        self.iter().find(|t| t.name.as_deref() == Some(name))
    }
    /// Number of readable types.
    pub fn len(&self) -> usize {
        self.iter().count()
    }
    /// Whether no type was readable.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<M: ReadMemory> KernelObjects<M> {
    /// Read the `_OBJECT_TYPE` at `addr`.
    pub fn object_type(&self, addr: u64) -> Result<ObjectType, Error> {
        let l = &self.layout.object_type;
        let name =
            match read_unicode_string(&self.mem, field(addr, l.name, "Name")?, self.layout.width) {
                Ok(s) => Some(s),
                Err(e) if e.is_not_captured() => None,
                Err(e) => return Err(e),
            };
        Ok(ObjectType {
            address: addr,
            name,
            index: opt(self.mem.read_u8(field(addr, l.index, "Index")?))?,
            total_objects: opt(self.mem.read_u32(field(
                addr,
                l.total_number_of_objects,
                "TotalNumberOfObjects",
            )?))?,
            total_handles: opt(self.mem.read_u32(field(
                addr,
                l.total_number_of_handles,
                "TotalNumberOfHandles",
            )?))?,
            key: opt(self.mem.read_u32(field(addr, l.key, "Key")?))?,
        })
    }

    /// Read `ObTypeIndexTable` (Windows 7 and later): entries from index 2 up to the first null
    /// pointer, at most 256.
    pub fn type_table(&self) -> Result<TypeTable, Error> {
        let tab = self
            .symbols
            .ob_type_index_table
            .ok_or(Error::MissingSymbol {
                name: "ObTypeIndexTable",
                addr: 0,
            })?;
        let w = self.layout.width.bytes();
        let mut types = vec![None, None];
        for i in 2u64..256 {
            let p = self.read_ptr(tab.saturating_add(i.saturating_mul(w)))?;
            if p == 0 {
                break;
            }
            types.push(self.object_type(p).ok());
        }
        Ok(TypeTable { types })
    }

    /// The type of the object whose header is at `header`.
    pub fn type_of(&self, header: &super::ObjectHeader) -> Result<Option<ObjectType>, Error> {
        match header.type_object {
            Some(p) => self.object_type(p).map(Some),
            None => Ok(None),
        }
    }
}
