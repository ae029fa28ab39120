//! `dumpscope xref`: the instructions that refer to an RVA of a module (what Ghidra's XREF
//! column shows), in a dump's mapped image or a PE file, each with the function it is in.

use pe_sections::{RefKind, SectionStatus};
use serde::Serialize;

use crate::CliError;
use crate::report::Location;
use crate::target::Source;
use crate::windbg::parse_hex;

mod text;

/// What `xref` looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The module (name or base) when the target is a dump.
    pub module: Option<String>,
    /// The RVA (hex); a full address inside the image is accepted too.
    pub rva: String,
}

/// One referencing instruction.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Reference {
    /// RVA of the referencing instruction.
    pub rva: u32,
    /// Its address (load base + RVA, or `ImageBase` + RVA for files).
    pub address: u64,
    /// `rip-relative`, `disp32-rva`, `branch`, `absolute` or `reloc-slot`.
    pub kind: &'static str,
    /// Instruction length in bytes.
    pub length: u8,
    /// The instruction's bytes in hex (text only).
    #[serde(skip)]
    pub bytes: String,
    /// The function it is in: `  (module!export+0x..)` or `  (in function module+0x..)`
    /// (text only).
    #[serde(skip)]
    pub function: String,
}

/// The references to one RVA, by ascending RVA.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Report {
    /// The RVA looked for.
    pub target: u32,
    /// The references.
    pub references: Vec<Reference>,
    /// The module's name (text only).
    #[serde(skip)]
    pub name: String,
    /// The image's base (text only).
    #[serde(skip)]
    pub base: u64,
    /// Pointer size for addresses (text only).
    #[serde(skip)]
    pub pointer_size: usize,
    /// Executable sections the dump lacks, which limit what could be found.
    #[serde(skip)]
    pub missing_code: Vec<String>,
}

fn kind_name(k: RefKind) -> &'static str {
    match k {
        RefKind::RipRelative => "rip-relative",
        RefKind::Disp32Rva => "disp32-rva",
        RefKind::Branch => "branch",
        RefKind::Absolute => "absolute",
        RefKind::RelocSlot => "reloc-slot",
    }
}

/// Finds the references.
pub fn investigate(target: Source<'_>, options: &Options) -> Result<Report, CliError> {
    match (target, &options.module) {
        (Source::File(_), Some(_)) => {
            return Err(CliError::new(
                "for a PE file give just the RVA: dumpscope xref FILE RVA",
            ));
        }
        (Source::Dump(_), None) => {
            return Err(CliError::new(
                "for a dump give MODULE RVA: dumpscope xref DUMP ntdll 1234",
            ));
        }
        _ => {}
    }
    let image = target.image(options.module.as_deref(), "dumpscope xref DUMP ntdll 1234")?;
    let (pe, name) = (&image.pe, &image.name);
    // Executable sections missing from the dump limit what can be found: say so.
    let missing_code = if image.in_dump {
        pe.sections()
            .iter()
            .filter(|s| s.is_executable())
            .filter(|s| !matches!(pe.section_status(s), Ok(SectionStatus::Captured)))
            .map(|s| s.name())
            .collect()
    } else {
        Vec::new()
    };
    let text = &options.rva;
    let v = parse_hex(text).ok_or_else(|| CliError::new(format!("bad RVA '{text}'")))?;
    let target = match u32::try_from(v) {
        Ok(r) if r < pe.size_of_image() => r,
        _ => pe.va_to_rva(v).ok_or_else(|| {
            CliError::new(format!("{v:#x} is neither an RVA nor an address of {name}"))
        })?,
    };
    let refs = pe
        .code_references(target)
        .map_err(|e| CliError::new(format!("{name}: {e}")))?;
    let exports = pe.exports().ok().flatten();
    let functions = pe.runtime_functions().unwrap_or_default();
    let references = refs
        .iter()
        .map(|r| {
            let bytes = pe
                .read_rva_vec(r.rva, u64::from(r.len))
                .map(|b| {
                    b.iter()
                        .map(|x| format!("{x:02x}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap_or_default();
            // The nearest export names the code only if it is not before the enclosing
            // `.pdata` function; otherwise name the function by its start.
            let f = pe_sections::function_containing(&functions, r.rva);
            let export = exports
                .as_ref()
                .and_then(|e| e.nearest_at_or_below(r.rva))
                .and_then(|e| Some((e.name.clone()?, e.rva()?)))
                .filter(|(_, er)| f.is_none_or(|f| *er >= f.begin()));
            let function = match (export, f) {
                (Some((n, er)), _) => format!("  ({name}!{n}+{:#x})", r.rva.saturating_sub(er)),
                (None, Some(f)) => format!(
                    "  (in function {})",
                    Location::in_module(name, 0, u64::from(f.begin()))
                ),
                (None, None) => String::new(),
            };
            Reference {
                rva: r.rva,
                address: pe.base().saturating_add(u64::from(r.rva)),
                kind: kind_name(r.kind),
                length: r.len,
                bytes,
                function,
            }
        })
        .collect();
    Ok(Report {
        target,
        references,
        name: name.clone(),
        base: pe.base(),
        pointer_size: image.pointer_size,
        missing_code,
    })
}
