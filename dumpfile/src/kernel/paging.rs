//! Virtual -> physical translation: x64 4-level paging (4 KiB, 2 MiB, 1 GiB pages), x86 PAE
//! (3 levels, 2 MiB large pages) and x86 non-PAE (2 levels, 4 MiB large pages), with the
//! Windows software PTE formats for pages that are not present.

use std::fmt;

use crate::Error;

/// How virtual addresses are translated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PagingMode {
    /// x64 4-level paging.
    X64,
    /// x86 with PAE (3 levels, 8-byte entries).
    X86Pae,
    /// x86 without PAE (2 levels, 4-byte entries).
    X86,
    /// No page tables are read (triage dumps, ARM64): only captured virtual ranges.
    None,
}

/// Why a page's bytes are not in the dump although its address may be valid in the system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NotPresent {
    /// The entry is zero: nothing is committed there (or it would be demand-zero on touch).
    NotCommitted,
    /// A committed demand-zero page (software PTE with no page-file offset).
    DemandZero,
    /// Paged out to page file `file` at page offset `offset` (the offset as stored; Windows may
    /// swizzle it).
    PageFile {
        /// `PageFileLow`: the page file number.
        file: u8,
        /// `PageFileHigh`: the page offset in that file.
        offset: u64,
    },
    /// A transition page (standby/modified list, still in RAM) whose physical page is not in the
    /// dump.
    Transition {
        /// The page frame number the PTE names.
        pfn: u64,
    },
    /// A prototype PTE (shared section page): the real PTE is at `address` and is not followed.
    Prototype {
        /// Address of the prototype PTE.
        address: u64,
    },
}

impl fmt::Display for NotPresent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotPresent::NotCommitted => write!(f, "not committed (zero PTE)"),
            NotPresent::DemandZero => write!(f, "demand-zero"),
            NotPresent::PageFile { file, offset } => {
                write!(
                    f,
                    "paged out to page file {file} at page offset {offset:#x}"
                )
            }
            NotPresent::Transition { pfn } => {
                write!(f, "in transition, PFN {pfn:#x} not in the dump")
            }
            NotPresent::Prototype { address } => write!(f, "prototype PTE at {address:#x}"),
        }
    }
}

/// The state of a translated page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PageState {
    /// Valid (present) page.
    Valid,
    /// A transition PTE whose page is still in RAM; reads use its PFN like WinDbg does.
    Transition,
    /// Not present; the reason.
    NotPresent(NotPresent),
}

/// One paging-structure entry met during a translation (what `!pte` prints).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PteLevel {
    /// WinDbg's name of the level: `PXE`, `PPE`, `PDE`, `PTE` (x64); `PDPTE`, `PDE`, `PTE`
    /// (PAE); `PDE`, `PTE` (non-PAE).
    pub name: &'static str,
    /// Physical address of the entry.
    pub entry_address: u64,
    /// The entry's value.
    pub value: u64,
}

/// A full translation of one virtual address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Translation {
    /// The virtual address translated.
    pub address: u64,
    /// The entries read, outermost first.
    pub levels: Vec<PteLevel>,
    /// The state of the final entry.
    pub state: PageState,
    /// The physical address, for valid and transition pages.
    pub physical: Option<u64>,
    /// The page size in bytes (0x1000, 0x20_0000, 0x40_0000 or 0x4000_0000).
    pub page_size: u64,
    /// True if the physical page is stored in the dump.
    pub in_dump: bool,
}

/// The result of a successful walk.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Walk {
    pub(crate) physical: u64,
    pub(crate) page_size: u64,
    pub(crate) transition: bool,
    /// Physical base of the last-level table, when the walk ended at a PTE.
    pub(crate) pt_base: Option<u64>,
}

/// The key of the last-level table that maps `va` (all the VA bits above one page table's span).
pub(crate) fn pt_key(mode: PagingMode, va: u64) -> u64 {
    match mode {
        PagingMode::X86 => va >> 22,
        _ => va >> 21,
    }
}

/// The last step of a walk: the PTE for `va` in the page table at `pt_base`.
pub(crate) fn leaf(
    mode: PagingMode,
    pt_base: u64,
    va: u64,
    read: &dyn Fn(u64, u64) -> Result<u64, Error>,
) -> Result<Walk, Error> {
    let (ea, size, mask) = match mode {
        PagingMode::X86 => (pt_base | (((va >> 12) & 0x3FF) << 2), 4, 0xFFFF_F000),
        _ => (pt_base | (((va >> 12) & 0x1FF) << 3), 8, PFN_MASK_64),
    };
    let e = read(ea, size)?;
    if e & 1 == 0 {
        if e & 0xC00 == 0x800 {
            return Ok(Walk {
                physical: (e & mask) | (va & 0xFFF),
                page_size: 0x1000,
                transition: true,
                pt_base: Some(pt_base),
            });
        }
        let reason = match mode {
            PagingMode::X86 => classify32(e),
            PagingMode::X86Pae => classify64(e, true),
            _ => classify64(e, false),
        };
        return Err(Error::PageNotPresent {
            address: va,
            pte: e,
            reason,
        });
    }
    Ok(Walk {
        physical: (e & mask) | (va & 0xFFF),
        page_size: 0x1000,
        transition: false,
        pt_base: Some(pt_base),
    })
}

/// x64/PAE physical frame mask (bits 12..51).
pub(crate) const PFN_MASK_64: u64 = 0x000F_FFFF_FFFF_F000;

/// Classifies a not-valid x64 or PAE entry.
fn classify64(e: u64, pae: bool) -> NotPresent {
    if e == 0 {
        NotPresent::NotCommitted
    } else if e & 0x400 != 0 {
        let address = if pae {
            e >> 32
        } else {
            (e >> 16) | 0xFFFF_0000_0000_0000
        };
        NotPresent::Prototype { address }
    } else if e & 0x800 != 0 {
        NotPresent::Transition {
            pfn: (e & PFN_MASK_64) >> 12,
        }
    } else {
        let offset = e >> 32;
        let file = if pae { (e >> 1) & 0xF } else { (e >> 12) & 0xF };
        if offset == 0 {
            NotPresent::DemandZero
        } else {
            NotPresent::PageFile {
                file: u8::try_from(file).unwrap_or(0),
                offset,
            }
        }
    }
}

/// Classifies a not-valid x86 non-PAE entry.
fn classify32(e: u64) -> NotPresent {
    if e == 0 {
        NotPresent::NotCommitted
    } else if e & 0x400 != 0 {
        let address = 0x8000_0000 | ((e >> 1) & 0x7FFF_FC00) | ((e << 1) & 0x3FF);
        NotPresent::Prototype { address }
    } else if e & 0x800 != 0 {
        NotPresent::Transition { pfn: e >> 12 }
    } else {
        let offset = e >> 12;
        if offset == 0 {
            NotPresent::DemandZero
        } else {
            NotPresent::PageFile {
                file: u8::try_from((e >> 1) & 0xF).unwrap_or(0),
                offset,
            }
        }
    }
}

/// Walks the paging structures of `mode` from `dtb` for `va`, reading entries with `read`
/// (8 or 4 bytes at a physical address) and reporting each with `on_level`.
pub(crate) fn walk(
    mode: PagingMode,
    dtb: u64,
    va: u64,
    read: &dyn Fn(u64, u64) -> Result<u64, Error>,
    on_level: &mut dyn FnMut(PteLevel),
) -> Result<Walk, Error> {
    let not_present = |e: u64, reason| Error::PageNotPresent {
        address: va,
        pte: e,
        reason,
    };
    match mode {
        PagingMode::None => Err(Error::NotCaptured {
            address: va,
            len: 1,
        }),
        PagingMode::X64 => {
            let top = va >> 47;
            if top != 0 && top != 0x1_FFFF {
                return Err(Error::NotCaptured {
                    address: va,
                    len: 1,
                });
            }
            let mut table = dtb & PFN_MASK_64;
            for (name, shift) in [("PXE", 39u32), ("PPE", 30), ("PDE", 21), ("PTE", 12)] {
                let idx = (va >> shift) & 0x1FF;
                let ea = table | (idx << 3);
                let e = read(ea, 8)?;
                on_level(PteLevel {
                    name,
                    entry_address: ea,
                    value: e,
                });
                if e & 1 == 0 {
                    if shift == 12 && e & 0xC00 == 0x800 {
                        return Ok(Walk {
                            physical: (e & PFN_MASK_64) | (va & 0xFFF),
                            page_size: 0x1000,
                            transition: true,
                            pt_base: Some(table),
                        });
                    }
                    return Err(not_present(e, classify64(e, false)));
                }
                if (shift == 30 || shift == 21) && e & 0x80 != 0 {
                    let size = 1u64 << shift;
                    let mask = size.wrapping_sub(1);
                    return Ok(Walk {
                        physical: (e & PFN_MASK_64 & !mask) | (va & mask),
                        page_size: size,
                        transition: false,
                        pt_base: None,
                    });
                }
                if shift == 12 {
                    return Ok(Walk {
                        physical: (e & PFN_MASK_64) | (va & 0xFFF),
                        page_size: 0x1000,
                        transition: false,
                        pt_base: Some(table),
                    });
                }
                table = e & PFN_MASK_64;
            }
            Err(not_present(0, NotPresent::NotCommitted))
        }
        PagingMode::X86Pae => {
            if va > 0xFFFF_FFFF {
                return Err(Error::NotCaptured {
                    address: va,
                    len: 1,
                });
            }
            let ea = (dtb & 0xFFFF_FFE0) | (((va >> 30) & 3) << 3);
            let e = read(ea, 8)?;
            on_level(PteLevel {
                name: "PDPTE",
                entry_address: ea,
                value: e,
            });
            if e & 1 == 0 {
                return Err(not_present(e, classify64(e, true)));
            }
            let ea = (e & PFN_MASK_64) | (((va >> 21) & 0x1FF) << 3);
            let e = read(ea, 8)?;
            on_level(PteLevel {
                name: "PDE",
                entry_address: ea,
                value: e,
            });
            if e & 1 == 0 {
                return Err(not_present(e, classify64(e, true)));
            }
            if e & 0x80 != 0 {
                return Ok(Walk {
                    physical: (e & 0x000F_FFFF_FFE0_0000) | (va & 0x1F_FFFF),
                    page_size: 0x20_0000,
                    transition: false,
                    pt_base: None,
                });
            }
            let pt = e & PFN_MASK_64;
            let ea = pt | (((va >> 12) & 0x1FF) << 3);
            let e = read(ea, 8)?;
            on_level(PteLevel {
                name: "PTE",
                entry_address: ea,
                value: e,
            });
            if e & 1 == 0 {
                if e & 0xC00 == 0x800 {
                    return Ok(Walk {
                        physical: (e & PFN_MASK_64) | (va & 0xFFF),
                        page_size: 0x1000,
                        transition: true,
                        pt_base: Some(pt),
                    });
                }
                return Err(not_present(e, classify64(e, true)));
            }
            Ok(Walk {
                physical: (e & PFN_MASK_64) | (va & 0xFFF),
                page_size: 0x1000,
                transition: false,
                pt_base: Some(pt),
            })
        }
        PagingMode::X86 => {
            if va > 0xFFFF_FFFF {
                return Err(Error::NotCaptured {
                    address: va,
                    len: 1,
                });
            }
            let ea = (dtb & 0xFFFF_F000) | ((va >> 22) << 2);
            let e = read(ea, 4)?;
            on_level(PteLevel {
                name: "PDE",
                entry_address: ea,
                value: e,
            });
            if e & 1 == 0 {
                return Err(not_present(e, classify32(e)));
            }
            if e & 0x80 != 0 {
                return Ok(Walk {
                    physical: (e & 0xFFC0_0000) | (va & 0x3F_FFFF),
                    page_size: 0x40_0000,
                    transition: false,
                    pt_base: None,
                });
            }
            let pt = e & 0xFFFF_F000;
            let ea = pt | (((va >> 12) & 0x3FF) << 2);
            let e = read(ea, 4)?;
            on_level(PteLevel {
                name: "PTE",
                entry_address: ea,
                value: e,
            });
            if e & 1 == 0 {
                if e & 0xC00 == 0x800 {
                    return Ok(Walk {
                        physical: (e & 0xFFFF_F000) | (va & 0xFFF),
                        page_size: 0x1000,
                        transition: true,
                        pt_base: Some(pt),
                    });
                }
                return Err(not_present(e, classify32(e)));
            }
            Ok(Walk {
                physical: (e & 0xFFFF_F000) | (va & 0xFFF),
                page_size: 0x1000,
                transition: false,
                pt_base: Some(pt),
            })
        }
    }
}
