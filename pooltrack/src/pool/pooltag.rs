//! Pool tag descriptions: a reader for Microsoft's `pooltag.txt` format, and a small built-in
//! table of common tags (written for this crate) so `!poolused` can describe tags with no file.

use std::collections::BTreeMap;

use super::tag::PoolTag;

/// What a tag is: the owning binary and a description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagInfo {
    /// Owning binary (`nt!ps`, `acpi.sys`); empty when unknown.
    pub binary: String,
    /// Description.
    pub description: String,
}

impl TagInfo {
    /// WinDbg's description column: `"<Description> , Binary: <binary>"`, or the description
    /// alone when the binary is unknown.
    pub fn windbg_text(&self) -> String {
        if self.binary.is_empty() {
            self.description.clone()
        } else {
            format!("{} , Binary: {}", self.description, self.binary)
        }
    }
}

/// Tag descriptions, looked up exactly first, then through wildcard rows (`Acp*`, `Afd?`) in
/// file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagDescriptions {
    exact: BTreeMap<PoolTag, TagInfo>,
    wildcards: Vec<(String, TagInfo)>,
}

/// Most rows read from one file (pooltag.txt has about 5,000).
const MAX_ROWS: usize = 1_000_000;

impl TagDescriptions {
    /// An empty set.
    pub fn new() -> Self {
        TagDescriptions::default()
    }

    /// Read `pooltag.txt` text: `Tag - binary - Description` rows; `rem`/`//` lines and blank
    /// lines are comments; binary `<unknown>` is recorded as empty. The first row of a tag wins.
    pub fn parse_pooltag_txt(text: &str) -> Self {
        let mut d = TagDescriptions::new();
        for line in text.lines().take(MAX_ROWS) {
            let t = line.trim_end();
            let lower = t.trim_start().get(..3).map(str::to_ascii_lowercase);
            if t.trim().is_empty() || t.starts_with("//") || lower.as_deref() == Some("rem") {
                continue;
            }
            let mut parts = t.splitn(3, " - ");
            let (Some(tag), Some(second)) = (parts.next(), parts.next()) else {
                continue;
            };
            let (binary, description) = match parts.next() {
                Some(desc) => (second.trim(), desc.trim()),
                None => ("", second.trim()),
            };
            let tag = tag.trim_start();
            let tag = tag.get(..tag.len().min(4)).unwrap_or(tag).trim_end();
            if tag.is_empty() || tag.len() > 4 || !tag.is_ascii() {
                continue;
            }
            let binary = if binary.eq_ignore_ascii_case("<unknown>") {
                ""
            } else {
                binary
            };
            d.insert_row(tag, binary, description);
        }
        d
    }

    fn insert_row(&mut self, tag: &str, binary: &str, description: &str) {
        let info = TagInfo {
            binary: binary.to_string(),
            description: description.to_string(),
        };
        if tag.contains(['*', '?']) {
            self.wildcards.push((tag.to_string(), info));
        } else if let Some(t) = PoolTag::parse(tag) {
            self.exact.entry(t).or_insert(info);
        }
    }

    /// The built-in table of common tags (a few dozen; descriptions in our own words).
    pub fn builtin() -> Self {
        let mut d = TagDescriptions::new();
        for (tag, binary, desc) in BUILTIN {
            d.insert_row(tag, binary, desc);
        }
        d
    }

    /// Add the rows of `other` that `self` lacks (e.g. the built-in table under a file).
    pub fn merge(&mut self, other: &TagDescriptions) {
        for (k, v) in &other.exact {
            self.exact.entry(*k).or_insert_with(|| v.clone());
        }
        self.wildcards.extend(other.wildcards.iter().cloned());
    }

    /// Number of rows (exact and wildcard).
    pub fn len(&self) -> usize {
        self.exact.len().saturating_add(self.wildcards.len())
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The description of a tag (protected bit ignored).
    pub fn get(&self, tag: PoolTag) -> Option<&TagInfo> {
        let t = tag.unprotected();
        self.exact.get(&t).or_else(|| {
            self.wildcards
                .iter()
                .find(|(p, _)| t.matches(p))
                .map(|(_, i)| i)
        })
    }

    /// WinDbg's text for a tag, including the not-found form
    /// `UNKNOWN pooltag 'XXXX', please update pooltag.txt`.
    pub fn describe(&self, tag: PoolTag) -> String {
        match self.get(tag) {
            Some(i) => i.windbg_text(),
            None => format!("UNKNOWN pooltag '{tag}', please update pooltag.txt"),
        }
    }
}

/// Common tags: (tag, binary, description). Written for this crate from what the tags are
/// used for; not taken from pooltag.txt.
const BUILTIN: &[(&str, &str, &str)] = &[
    ("Thre", "nt!ps", "Thread objects"),
    ("Proc", "nt!ps", "Process objects"),
    ("File", "nt!io", "File objects"),
    ("Even", "nt!ex", "Event objects"),
    ("Muta", "nt!ex", "Mutant (mutex) objects"),
    ("Sema", "nt!ex", "Semaphore objects"),
    ("Timr", "nt!ex", "Timer objects"),
    ("Toke", "nt!se", "Token objects"),
    ("Key ", "nt!cm", "Registry key objects"),
    ("Sect", "nt!mm", "Section objects"),
    ("Port", "nt!alpc", "ALPC port objects"),
    ("Job ", "nt!ps", "Job objects"),
    ("Driv", "nt!io", "Driver objects"),
    ("Devi", "nt!io", "Device objects"),
    ("Dire", "nt!ob", "Object directory objects"),
    ("Symb", "nt!ob", "Symbolic link objects"),
    ("Type", "nt!ob", "Object type objects"),
    ("ObNm", "nt!ob", "Object names"),
    ("ObHd", "nt!ob", "Object handle database entries"),
    ("ObtS", "nt!ob", "Object handle tables"),
    ("Obtb", "nt!ob", "Object handle table pages"),
    (
        "MmSt",
        "nt!mm",
        "Prototype PTEs of section objects (memory manager)",
    ),
    (
        "MmCa",
        "nt!mm",
        "Control areas of mapped files (memory manager)",
    ),
    (
        "MmSm",
        "nt!mm",
        "Segments of section objects (memory manager)",
    ),
    (
        "MmCm",
        "nt!mm",
        "Contiguous memory allocations (MmAllocateContiguousMemory)",
    ),
    ("MmRe", "nt!mm", "Images being loaded (memory manager)"),
    ("Mdl ", "nt!io", "Memory descriptor lists"),
    ("Irp ", "nt!io", "I/O request packets"),
    ("IoNm", "nt!io", "I/O manager name buffers"),
    ("Vad ", "nt!mm", "Virtual address descriptors"),
    ("VadS", "nt!mm", "Short virtual address descriptors"),
    ("CcSc", "nt!cc", "Shared cache maps (cache manager)"),
    ("CcPL", "nt!cc", "Cache manager private data"),
    (
        "CM31",
        "nt!cm",
        "Registry (configuration manager) cell data",
    ),
    ("NtfF", "ntfs.sys", "NTFS file control blocks"),
    ("Ntff", "ntfs.sys", "NTFS file control blocks"),
    (
        "FMfc",
        "fltmgr.sys",
        "File system filter manager file contexts",
    ),
    (
        "FMis",
        "fltmgr.sys",
        "File system filter manager instance structures",
    ),
    (
        "Leak",
        "myfault.sys",
        "Deliberate leak by the NotMyFault test driver",
    ),
    ("AlIn", "nt!alpc", "ALPC internal structures"),
    ("Wait", "nt!ke", "Wait blocks and completion packets"),
    ("Ntfx", "ntfs.sys", "NTFS general allocations"),
    ("Pp  ", "nt!pnp", "Plug and Play manager allocations"),
    ("Se  ", "nt!se", "Security manager general allocations"),
    ("Ps  ", "nt!ps", "Process manager general allocations"),
    ("SeTl", "nt!se", "Security manager token lock allocations"),
    ("Lfs ", "ntfs.sys", "NTFS log file service"),
    (
        "Ddk ",
        "",
        "Allocations made without a tag (default tag of older APIs)",
    ),
    ("None", "", "Allocations made without a tag"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_wildcards_and_unknown() {
        let d = TagDescriptions::parse_pooltag_txt(
            "rem header\n//x\n\nAcp* - acpi.sys     - ACPI Pooltags\nAcdN - <unknown>    - TDI AcdObjectInfoG\n@MP  - <unknown>    - Miniport - memory\n",
        );
        let acpa = PoolTag::parse("AcpA").unwrap();
        assert_eq!(d.describe(acpa), "ACPI Pooltags , Binary: acpi.sys");
        assert_eq!(
            d.describe(PoolTag::parse("AcdN").unwrap()),
            "TDI AcdObjectInfoG"
        );
        assert_eq!(
            d.describe(PoolTag::parse("@MP").unwrap()),
            "Miniport - memory"
        );
        assert_eq!(
            d.describe(PoolTag::parse("Zzzz").unwrap()),
            "UNKNOWN pooltag 'Zzzz', please update pooltag.txt"
        );
        let b = TagDescriptions::builtin();
        assert_eq!(
            b.describe(PoolTag::parse("Thre").unwrap()),
            "Thread objects , Binary: nt!ps"
        );
        assert!(b.len() >= 40);
    }
}
