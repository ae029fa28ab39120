//! MSVC RTTI: the class of a C++ object from its vtable (`vtable[-1]` is the
//! `_RTTICompleteObjectLocator`, which points at the `_TypeDescriptor` holding the decorated
//! class name, e.g. `.?AVWidget@ui@@`).
//!
//! Layouts (`rttidata.h` of the MSVC runtime): the locator starts with `signature` (0 on x86,
//! where its fields are absolute addresses; 1 on x64, where they are RVAs from the image base),
//! then `offset`, `cdOffset`, and `pTypeDescriptor` at +12. A `_TypeDescriptor` is `pVFTable`,
//! `spare` (one pointer each), then the NUL-terminated decorated name.

use crate::{Error, MemoryError, PeImage, PointerWidth, ReadMemory, Result};

/// Longest decorated name read, in bytes.
pub const MAX_RTTI_NAME: usize = 256;

/// The class a vtable belongs to, from its MSVC RTTI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RttiClass {
    /// The class name, demangled (`ui::Widget`).
    pub name: String,
    /// The decorated name in the type descriptor (`.?AVWidget@ui@@`).
    pub decorated: String,
    /// Address of the `_RTTICompleteObjectLocator` (`vtable[-1]`).
    pub locator: u64,
    /// Address of the `_TypeDescriptor`.
    pub type_descriptor: u64,
}

/// Demangles an MSVC RTTI type name of a class or struct: `.?AVFoo@Bar@@` -> `Bar::Foo`,
/// `.?AUPoint@@` -> `Point`; `None` for anything else (templates and other special names
/// included: only plain scopes are decoded).
pub fn demangle_rtti_name(name: &str) -> Option<String> {
    let rest = name
        .strip_prefix(".?AV")
        .or_else(|| name.strip_prefix(".?AU"))?;
    let rest = rest.strip_suffix("@@").unwrap_or(rest);
    if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_graphic()) {
        return None;
    }
    let parts: Vec<&str> = rest.split('@').filter(|p| !p.is_empty()).collect();
    Some(parts.iter().rev().copied().collect::<Vec<_>>().join("::"))
}

/// The class of the vtable at `vtable` in an image loaded at `image_base` with `image_size`
/// bytes, read through `mem`: no PE header is needed, only the locator, the type descriptor and
/// its name (each must lie inside the image).
///
/// `Ok(None)` when the bytes are not MSVC RTTI (wrong signature, pointers outside the image, a
/// name that is not a decorated class name); `Err` when the locator or the type descriptor is
/// not readable (see [`Error::is_not_captured`]). The name is read up to its NUL, the first
/// unreadable byte or [`MAX_RTTI_NAME`] bytes.
pub fn rtti_class_at(
    mem: &dyn ReadMemory,
    image_base: u64,
    image_size: u64,
    vtable: u64,
    width: PointerWidth,
) -> Result<Option<RttiClass>> {
    let inside = |a: u64| a.checked_sub(image_base).is_some_and(|o| o < image_size);
    let ptr = width.bytes();
    let Some(slot) = vtable.checked_sub(ptr) else {
        return Ok(None);
    };
    let locator = mem.read_ptr(slot, width)?;
    if !inside(locator) {
        return Ok(None);
    }
    let signature = mem.read_u32(locator)?;
    let td_at = locator
        .checked_add(12)
        .ok_or(Error::Overflow { at: locator })?;
    let td_field = u64::from(mem.read_u32(td_at)?);
    let type_descriptor = match (width, signature) {
        (PointerWidth::Bits64, 1) => match image_base.checked_add(td_field) {
            Some(a) => a,
            None => return Ok(None),
        },
        (PointerWidth::Bits32, 0) => td_field,
        _ => return Ok(None),
    };
    if !inside(type_descriptor) {
        return Ok(None);
    }
    let name_at = type_descriptor
        .checked_add(ptr.saturating_mul(2))
        .ok_or(Error::Overflow {
            at: type_descriptor,
        })?;
    let mut buf = [0u8; MAX_RTTI_NAME];
    let mut n = 0usize;
    for (i, slot) in buf.iter_mut().enumerate() {
        let Some(at) = name_at.checked_add(i as u64) else {
            break;
        };
        if mem.read(at, std::slice::from_mut(slot)).is_err() || *slot == 0 {
            break;
        }
        n = i.saturating_add(1);
    }
    let Some(decorated) = buf.get(..n).and_then(|b| std::str::from_utf8(b).ok()) else {
        return Ok(None);
    };
    Ok(demangle_rtti_name(decorated).map(|name| RttiClass {
        name,
        decorated: decorated.to_string(),
        locator,
        type_descriptor,
    }))
}

/// The image by virtual address: `base() + rva`.
struct VaMemory<'i, 'a>(&'i PeImage<'a>);

impl ReadMemory for VaMemory<'_, '_> {
    fn read(&self, addr: u64, buf: &mut [u8]) -> core::result::Result<(), MemoryError> {
        let len = buf.len();
        let rva = addr
            .checked_sub(self.0.base())
            .and_then(|o| u32::try_from(o).ok())
            .ok_or(MemoryError::not_captured(addr, len))?;
        self.0.read_rva(rva, buf).map_err(|e| {
            if matches!(e, Error::ReadFailed { .. }) {
                MemoryError::failed(addr, len)
            } else {
                MemoryError::not_captured(addr, len)
            }
        })
    }
}

impl PeImage<'_> {
    /// The class of the vtable at virtual address `vtable` (an address of this image, as
    /// [`PeImage::base`] places it) from its MSVC RTTI; see [`rtti_class_at`].
    pub fn rtti_class_of_vtable(&self, vtable: u64) -> Result<Option<RttiClass>> {
        let width = if self.is_64() {
            PointerWidth::Bits64
        } else {
            PointerWidth::Bits32
        };
        rtti_class_at(
            &VaMemory(self),
            self.base(),
            u64::from(self.size_of_image()),
            vtable,
            width,
        )
    }
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
mod tests {
    use super::*;
    use crate::SliceMemory;

    #[test]
    fn demangles_class_names() {
        assert_eq!(
            demangle_rtti_name(".?AVWidget@ui@@").as_deref(),
            Some("ui::Widget")
        );
        assert_eq!(demangle_rtti_name(".?AUPoint@@").as_deref(), Some("Point"));
        assert_eq!(demangle_rtti_name(".?AV@@"), None);
        assert_eq!(demangle_rtti_name("junk"), None);
        assert_eq!(demangle_rtti_name(".?AVa b@@"), None);
    }

    /// An x64 image: locator (signature 1, RVAs) at 0x1000, type descriptor at 0x1100, vtable
    /// at 0x2000.
    fn x64_image(base: u64) -> Vec<u8> {
        let mut image = vec![0u8; 0x3000];
        image[0x1000..0x1004].copy_from_slice(&1u32.to_le_bytes());
        image[0x100c..0x1010].copy_from_slice(&0x1100u32.to_le_bytes());
        image[0x1110..0x1120].copy_from_slice(b".?AVWidget@ui@@\0");
        image[0x1ff8..0x2000].copy_from_slice(&(base + 0x1000).to_le_bytes());
        image
    }

    #[test]
    fn names_the_class_of_an_x64_vtable() {
        let base = 0x1_4000_0000u64;
        let image = x64_image(base);
        let mem = SliceMemory::new(base, &image);
        let c = rtti_class_at(&mem, base, 0x3000, base + 0x2000, PointerWidth::Bits64)
            .unwrap()
            .unwrap();
        assert_eq!(c.name, "ui::Widget");
        assert_eq!(c.decorated, ".?AVWidget@ui@@");
        assert_eq!(
            (c.locator, c.type_descriptor),
            (base + 0x1000, base + 0x1100)
        );
        // Not a vtable: the slot before it points nowhere in the image.
        let r = rtti_class_at(&mem, base, 0x3000, base + 0x2800, PointerWidth::Bits64);
        assert_eq!(r.unwrap(), None);
        // The x86 reading of the same bytes has the wrong signature.
        let r = rtti_class_at(&mem, base, 0x3000, base + 0x2000, PointerWidth::Bits32);
        assert_eq!(r.unwrap(), None);
        // A locator outside the captured memory is "not captured", not "no class".
        let r = rtti_class_at(&mem, base, 0x3000, base, PointerWidth::Bits64);
        assert!(r.unwrap_err().is_not_captured());
        let short = SliceMemory::new(base + 0x1f00, &image[0x1f00..0x2000]);
        let e = rtti_class_at(&short, base, 0x3000, base + 0x2000, PointerWidth::Bits64);
        assert!(e.unwrap_err().is_not_captured());
    }

    #[test]
    fn names_the_class_of_an_x86_vtable() {
        let base = 0x40_0000u64;
        let mut image = vec![0u8; 0x3000];
        image[0x1000..0x1004].copy_from_slice(&0u32.to_le_bytes());
        image[0x100c..0x1010].copy_from_slice(&(base as u32 + 0x1100).to_le_bytes());
        image[0x1108..0x1114].copy_from_slice(b".?AUPoint@@\0");
        image[0x1ffc..0x2000].copy_from_slice(&(base as u32 + 0x1000).to_le_bytes());
        let mem = SliceMemory::new(base, &image);
        let c = rtti_class_at(&mem, base, 0x3000, base + 0x2000, PointerWidth::Bits32)
            .unwrap()
            .unwrap();
        assert_eq!(c.name, "Point");
    }

    #[test]
    fn a_mapped_image_names_its_vtables() {
        use crate::synth::PeBuilder;
        let mut b = PeBuilder::x64();
        let rdata = b.next_rva();
        // Locator at rdata, type descriptor at rdata+0x40, vtable at rdata+0x88.
        let mut data = vec![0u8; 0x100];
        data[0..4].copy_from_slice(&1u32.to_le_bytes());
        data[12..16].copy_from_slice(&(rdata + 0x40).to_le_bytes());
        data[0x50..0x61].copy_from_slice(b".?AVRecord@d4c@@\0");
        let got = b.add_section(".rdata", PeBuilder::RDATA, data);
        assert_eq!(got, rdata);
        let mut mapped = b.build_mapped();
        let base = 0x1_8000_0000u64;
        let slot = (rdata + 0x80) as usize;
        mapped[slot..slot + 8].copy_from_slice(&(base + u64::from(rdata)).to_le_bytes());
        let mem = SliceMemory::new(base, &mapped);
        let pe = PeImage::parse_mapped(&mem, base).unwrap();
        let vtable = base + u64::from(rdata) + 0x88;
        let c = pe.rtti_class_of_vtable(vtable).unwrap().unwrap();
        assert_eq!(c.name, "d4c::Record");
        assert_eq!(pe.rtti_class_of_vtable(base + 0x10).unwrap(), None);
    }
}
