//! The exception directory (`.pdata`) and raw unwind data.

use crate::headers::{Machine, dir};
use crate::image::PeImage;
use crate::{Error, Result};

/// One `.pdata` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuntimeFunction {
    /// x64 `RUNTIME_FUNCTION`.
    X64 {
        /// Start RVA.
        begin: u32,
        /// End RVA (exclusive).
        end: u32,
        /// RVA of the UNWIND_INFO.
        unwind_info: u32,
    },
    /// ARM64 `IMAGE_ARM64_RUNTIME_FUNCTION_ENTRY`.
    Arm64 {
        /// Start RVA.
        begin: u32,
        /// `.xdata` RVA when the low two bits are 0, else packed unwind data.
        unwind_data: u32,
    },
}

impl RuntimeFunction {
    /// Start RVA.
    pub fn begin(&self) -> u32 {
        match *self {
            RuntimeFunction::X64 { begin, .. } | RuntimeFunction::Arm64 { begin, .. } => begin,
        }
    }

    /// End RVA (exclusive), when known: x64 entries store it; ARM64 packed entries encode
    /// the length in bits 2..13 (in 4-byte units); ARM64 `.xdata` entries need the xdata.
    pub fn end(&self) -> Option<u32> {
        match *self {
            RuntimeFunction::X64 { end, .. } => Some(end),
            RuntimeFunction::Arm64 { begin, unwind_data } if unwind_data & 3 != 0 => {
                begin.checked_add(((unwind_data >> 2) & 0x7ff).saturating_mul(4))
            }
            RuntimeFunction::Arm64 { .. } => None,
        }
    }

    /// RVA of the unwind data, if the entry points to one (x64 always; ARM64 non-packed).
    pub fn unwind_rva(&self) -> Option<u32> {
        match *self {
            RuntimeFunction::X64 { unwind_info, .. } => Some(unwind_info),
            RuntimeFunction::Arm64 { unwind_data, .. } => {
                (unwind_data & 3 == 0).then_some(unwind_data)
            }
        }
    }
}

/// The entry covering `rva`, by binary search over a table sorted by start (as the
/// loader requires); `None` if no entry covers it.
pub fn function_containing(table: &[RuntimeFunction], rva: u32) -> Option<RuntimeFunction> {
    let i = table.partition_point(|f| f.begin() <= rva);
    let f = *table.get(i.checked_sub(1)?)?;
    match f.end() {
        Some(end) if rva < end => Some(f),
        None => Some(f),
        _ => None,
    }
}

impl PeImage<'_> {
    /// The `.pdata` entries, in table order. Empty if the image has no exception directory.
    /// Supported for x64 and ARM64 images.
    pub fn runtime_functions(&self) -> Result<Vec<RuntimeFunction>> {
        let Some(d) = self.data_directory(dir::EXCEPTION) else {
            return Ok(Vec::new());
        };
        let machine = self.machine();
        let entry = match machine {
            Machine::AMD64 => 12u32,
            Machine::ARM64 => 8,
            m => return Err(Error::UnsupportedMachine { machine: m.0 }),
        };
        let count = d.size.checked_div(entry).unwrap_or(0);
        if count > self.limits().max_runtime_functions {
            return Err(Error::LimitExceeded {
                what: "runtime functions",
                offset: u64::from(d.virtual_address),
                value: u64::from(count),
                limit: u64::from(self.limits().max_runtime_functions),
            });
        }
        let bytes = self.read_rva_vec(
            d.virtual_address,
            u64::from(count).saturating_mul(u64::from(entry)),
        )?;
        let word = |c: &[u8], i: usize| -> u32 {
            c.get(i..i.saturating_add(4))
                .and_then(|s| s.try_into().ok())
                .map_or(0, u32::from_le_bytes)
        };
        let step = usize::try_from(entry).unwrap_or(12);
        Ok(bytes
            .chunks_exact(step)
            .map(|c| {
                if machine == Machine::AMD64 {
                    RuntimeFunction::X64 {
                        begin: word(c, 0),
                        end: word(c, 4),
                        unwind_info: word(c, 8),
                    }
                } else {
                    RuntimeFunction::Arm64 {
                        begin: word(c, 0),
                        unwind_data: word(c, 4),
                    }
                }
            })
            .collect())
    }

    /// The end RVA (exclusive) of a function: stored in x64 entries and packed ARM64
    /// entries; read from the `.xdata` header (`FunctionLength`) for other ARM64 entries.
    pub fn function_end(&self, f: &RuntimeFunction) -> Result<u32> {
        if let Some(end) = f.end() {
            return Ok(end);
        }
        let xdata = f.unwind_rva().ok_or(Error::Malformed {
            what: "runtime function",
            rva: u64::from(f.begin()),
            reason: "no unwind data",
        })?;
        let w0 = self.read_u32(xdata)?;
        f.begin()
            .checked_add((w0 & 0x3_ffff).saturating_mul(4))
            .ok_or(Error::Overflow {
                at: u64::from(f.begin()),
            })
    }

    /// The raw bytes of the unwind data at `rva`, sized from its own header: for x64 the
    /// UNWIND_INFO header, unwind codes, and the handler RVA or chained RUNTIME_FUNCTION
    /// (handler-specific data is not included); for ARM64 the `.xdata` header words, epilog
    /// scopes, unwind codes and handler RVA.
    pub fn unwind_info_bytes(&self, rva: u32) -> Result<Vec<u8>> {
        match self.machine() {
            Machine::AMD64 => {
                let mut h = [0u8; 4];
                self.read_rva(rva, &mut h)?;
                let flags = h[0] >> 3;
                let codes = u64::from(h[2]);
                let mut len =
                    4u64.saturating_add(codes.saturating_add(codes & 1).saturating_mul(2));
                if flags & 0x4 != 0 {
                    len = len.saturating_add(12); // UNW_FLAG_CHAININFO: RUNTIME_FUNCTION
                } else if flags & 0x3 != 0 {
                    len = len.saturating_add(4); // EHANDLER/UHANDLER: handler RVA
                }
                self.read_rva_vec(rva, len)
            }
            Machine::ARM64 => {
                let w0 = self.read_u32(rva)?;
                let mut epilogs = u64::from((w0 >> 22) & 0x1f);
                let mut code_words = u64::from((w0 >> 27) & 0x1f);
                let mut len = 4u64;
                if epilogs == 0 && code_words == 0 {
                    let w1 = self.read_u32(
                        rva.checked_add(4)
                            .ok_or(Error::Overflow { at: u64::from(rva) })?,
                    )?;
                    epilogs = u64::from(w1 & 0xffff);
                    code_words = u64::from((w1 >> 16) & 0xff);
                    len = 8;
                }
                let e_bit = (w0 >> 21) & 1 != 0;
                let x_bit = (w0 >> 20) & 1 != 0;
                if !e_bit {
                    len = len.saturating_add(epilogs.saturating_mul(4));
                }
                len = len.saturating_add(code_words.saturating_mul(4));
                if x_bit {
                    len = len.saturating_add(4);
                }
                self.read_rva_vec(rva, len)
            }
            m => Err(Error::UnsupportedMachine { machine: m.0 }),
        }
    }
}
