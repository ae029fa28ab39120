//! `.exr ADDR` on a kernel dump: the `EXCEPTION_RECORD` at an address (such as Arg3 of a 0x7E),
//! decoded with the exception's name and, for an access violation, its kind and address.

use serde::Serialize;

use crate::CliError;
use crate::target::KernelTarget;

mod text;

/// What `.exr ADDR` shows.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Report {
    /// Where the record is.
    pub record: u64,
    /// `ExceptionCode`.
    pub code: u32,
    /// Its description, when known.
    pub description: Option<String>,
    /// `ExceptionAddress`.
    pub address: u64,
    /// `module+rva` of the address, when a driver holds it.
    pub location: Option<String>,
    /// `ExceptionInformation`.
    pub parameters: Vec<u64>,
    /// For an access violation: `read`, `write` or `execute`, and the address touched.
    pub access: Option<(String, u64)>,
    /// Pointer size (text only).
    #[serde(skip)]
    pub pointer_size: usize,
}

/// Reads and decodes the record at `at`.
pub fn investigate(k: &KernelTarget, at: u64) -> Result<Report, CliError> {
    let (code, address, parameters) = crate::kernel::analyze::exception_record(k, at)
        .ok_or_else(|| CliError::new(format!(".exr 0x{at:x}: the record is not in the dump")))?;
    let location = k
        .driver_at(address)
        .map(|d| format!("{}+0x{:x}", k.module_name(d), address.wrapping_sub(d.base)));
    let access = (code == 0xC000_0005)
        .then(|| dumpfile::access_violation(&parameters))
        .flatten()
        .map(|(kind, a)| {
            let kind = match kind {
                dumpfile::AccessKind::Read => "read",
                dumpfile::AccessKind::Write => "write",
                _ => "execute",
            };
            (kind.to_string(), a)
        });
    Ok(Report {
        record: at,
        code,
        description: dumpfile::ntstatus_info(code).map(|i| i.description.to_string()),
        address,
        location,
        parameters,
        access,
        pointer_size: k.pointer_size(),
    })
}
