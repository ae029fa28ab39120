//! Modules of a dump by name or address, and PE images opened from a dump or a file.

use pe_sections::PeImage;

use super::{PeFile, Target, UserDump};
use crate::CliError;
use crate::windbg::parse_hex;
use dumpfile::{module_name_matches, module_short_name};

/// A module of a dump: display name (`ntdll`) and base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleRef {
    /// Name without directories or extension.
    pub name: String,
    /// Load base.
    pub base: u64,
}

impl UserDump {
    /// Every module the dump names, `(full name, base, size)`: the module list, then the
    /// loader lists of the PEBs (which also hold the 32-bit ntdll of WOW64 processes).
    fn named_modules(&self) -> Vec<(String, u64, u64)> {
        let listed = self
            .module_list()
            .iter()
            .map(|m| (m.name.clone(), m.base, m.size));
        let loader = self.process().ok().into_iter().flat_map(|p| {
            p.loader_modules.iter().chain(&p.loader_modules32).map(|m| {
                (
                    m.full_name
                        .clone()
                        .or(m.base_name.clone())
                        .unwrap_or_default(),
                    m.base,
                    u64::from(m.size),
                )
            })
        });
        listed.chain(loader).collect()
    }

    /// Finds a module by name (`ntdll`, `ntdll.dll`) or base address, in the module list and
    /// then in the loader lists of the PEBs.
    pub fn resolve_module(&self, spec: &str) -> Result<ModuleRef, CliError> {
        let all = self.named_modules();
        if let Some((name, base, _)) = all.iter().find(|(n, _, _)| module_name_matches(n, spec)) {
            return Ok(ModuleRef {
                name: module_short_name(name).to_string(),
                base: *base,
            });
        }
        if let Some(base) = parse_hex(spec) {
            let name = all
                .iter()
                .find(|(_, b, _)| *b == base)
                .map(|(n, _, _)| module_short_name(n).to_string())
                .or_else(|| {
                    // Not in any list (e.g. the 32-bit ntdll of a WOW64 process early on): use
                    // the name in the image's own export directory.
                    let pe = PeImage::parse_mapped(&self.dump, base).ok()?;
                    pe.exports()
                        .ok()??
                        .dll_name
                        .map(|n| module_short_name(&n).to_string())
                })
                .unwrap_or_else(|| format!("image_{base:x}"));
            return Ok(ModuleRef { name, base });
        }
        Err(CliError::new(format!(
            "no module named '{spec}' in the dump (try its base address)"
        )))
    }

    /// The module whose image contains `address`: the module list first, then the loader lists.
    pub fn module_containing(&self, address: u64) -> Option<ModuleRef> {
        self.named_modules()
            .into_iter()
            .find(|(_, base, size)| address >= *base && address.saturating_sub(*base) < *size)
            .map(|(name, base, _)| ModuleRef {
                name: module_short_name(if name.is_empty() { "?" } else { &name }).to_string(),
                base,
            })
    }
}

/// A PE image to show: from a dump (mapped, by module) or a file.
#[derive(Debug)]
pub struct Image<'a> {
    /// The parsed image.
    pub pe: PeImage<'a>,
    /// The name that prefixes `+0x...` offsets (module name, or the file's stem).
    pub name: String,
    /// Whether the image is mapped in a dump (sections may be missing) rather than a file.
    pub in_dump: bool,
    /// Pointer size for addresses (the dump's, or the image's own for a file).
    pub pointer_size: usize,
}

impl PeFile {
    /// The file as a PE image, or `PATH: PE: reason`.
    pub fn image(&self) -> Result<Image<'_>, CliError> {
        let pe = PeImage::parse_file(&self.bytes)
            .map_err(|e| CliError::at(&self.path, format!("PE: {e}")))?;
        let pointer_size = if pe.is_64() { 8 } else { 4 };
        Ok(Image {
            pe,
            name: self.stem(),
            in_dump: false,
            pointer_size,
        })
    }
}

impl UserDump {
    /// The image of a module of the dump, mapped, or `PATH: image at 0x...: reason`.
    pub fn image(&self, module: &ModuleRef) -> Result<Image<'_>, CliError> {
        let pe = PeImage::parse_mapped(&self.dump, module.base)
            .map_err(|e| CliError::at(&self.path, format!("image at {:#x}: {e}", module.base)))?;
        Ok(Image {
            pe,
            name: module.name.clone(),
            in_dump: true,
            pointer_size: self.pointer_size(),
        })
    }
}

/// What a PE command (`dh`, `search`, `da`, `xref`) looks at: a dump's memory or a PE file.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// A user-mode dump.
    Dump(&'a UserDump),
    /// A PE file.
    File(&'a PeFile),
}

impl<'a> Source<'a> {
    /// The file's path as given.
    pub fn path(self) -> &'a std::path::Path {
        match self {
            Source::Dump(u) => &u.path,
            Source::File(f) => &f.path,
        }
    }

    /// The image to look at: the file itself, or the dump's `module` (which a dump requires:
    /// `PATH: is a dump: name the module (e.g. USAGE)`).
    pub fn image(self, module: Option<&str>, usage: &str) -> Result<Image<'a>, CliError> {
        match (self, module) {
            (Source::File(f), _) => f.image(),
            (Source::Dump(u), Some(m)) => u.image(&u.resolve_module(m)?),
            (Source::Dump(u), None) => Err(CliError::at(
                &u.path,
                format!("is a dump: name the module (e.g. `{usage}`)"),
            )),
        }
    }
}

impl Target {
    /// The dump or PE file a PE command (`command`) looks at; a kernel dump is refused in one
    /// line.
    pub fn source(&self, command: &str) -> Result<Source<'_>, CliError> {
        match self {
            Target::User(u) => Ok(Source::Dump(u)),
            Target::PeFile(f) => Ok(Source::File(f)),
            Target::Kernel(k) => Err(CliError::at(
                &k.path,
                format!("{command} takes a user-mode minidump or a PE file, not a kernel dump"),
            )),
        }
    }
}
