//! `dumpscope da`: the NUL-terminated string at an address, like WinDbg's `da` (8-bit) and `du`
//! (UTF-16), in a dump or a PE file (where the address is `ImageBase + RVA`).

use serde::Serialize;

use crate::CliError;
use crate::target::Source;
use crate::windbg::eval_address;

mod text;

/// What `da` reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The address: hex (backticks allowed) or `module+offset`.
    pub address: String,
    /// UTF-16 (`du`) instead of 8-bit characters.
    pub unicode: bool,
    /// Most characters to read.
    pub max: usize,
}

/// The string read.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Report {
    /// The address read.
    pub address: u64,
    /// The text (lossy).
    pub text: String,
    /// Characters read (without the terminator).
    pub length: usize,
    /// Whether the characters are UTF-16 (text only: the line layout).
    #[serde(skip)]
    pub unicode: bool,
    /// Pointer size for addresses (text only).
    #[serde(skip)]
    pub pointer_size: usize,
}

/// Reads the string.
pub fn investigate(target: Source<'_>, options: &Options) -> Result<Report, CliError> {
    let read_error = |e: pe_sections::Error, address: u64| {
        CliError::at(target.path(), format!("{address:#x}: {e}"))
    };
    let (address, units, pointer_size): (u64, Vec<u32>, usize) = match target {
        Source::Dump(u) => {
            let address = eval_address(&options.address, Some(u))?;
            let units = if options.unicode {
                pe_sections::read_wstr(&u.dump, address, options.max)
                    .map(|v| v.into_iter().map(u32::from).collect())
            } else {
                pe_sections::read_cstr(&u.dump, address, options.max)
                    .map(|v| v.into_iter().map(u32::from).collect())
            }
            .map_err(|e| read_error(e, address))?;
            (address, units, u.pointer_size())
        }
        Source::File(f) => {
            let address = eval_address(&options.address, None)?;
            let image = f.image()?;
            let pe = &image.pe;
            let rva = pe
                .va_to_rva(address)
                .ok_or_else(|| CliError::new(format!("{address:#x} is outside the image")))?;
            let units = if options.unicode {
                pe.read_wstr_rva(rva, options.max)
                    .map(|v| v.into_iter().map(u32::from).collect())
            } else {
                pe.read_cstr_rva(rva, options.max)
                    .map(|v| v.into_iter().map(u32::from).collect())
            }
            .map_err(|e| read_error(e, address))?;
            (address, units, image.pointer_size)
        }
    };
    let text: String = if options.unicode {
        let w: Vec<u16> = units
            .iter()
            .filter_map(|&u| u16::try_from(u).ok())
            .collect();
        String::from_utf16_lossy(&w)
    } else {
        units
            .iter()
            .filter_map(|&u| u8::try_from(u).ok())
            .map(char::from)
            .collect()
    };
    Ok(Report {
        address,
        text,
        length: units.len(),
        unicode: options.unicode,
        pointer_size,
    })
}
