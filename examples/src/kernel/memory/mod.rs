//! Kernel virtual memory as WinDbg shows it: `db`/`dd`/`dq ADDR [L COUNT]` (bytes, dwords,
//! qwords read through the dump's page tables or triage ranges) and `!pte ADDR` (the paging
//! entries of one address and the state of its page).

use serde::Serialize;

use crate::CliError;
use crate::target::KernelTarget;

mod text;

/// The size of each unit `db`/`dd`/`dq` display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Unit {
    /// `db`: bytes with their ASCII.
    Byte,
    /// `dd`: 32-bit values.
    Dword,
    /// `dq`: 64-bit values.
    Qword,
}

impl Unit {
    /// Bytes per unit.
    pub fn size(self) -> u64 {
        match self {
            Unit::Byte => 1,
            Unit::Dword => 4,
            Unit::Qword => 8,
        }
    }
}

/// What to display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// First address.
    pub address: u64,
    /// Unit.
    pub unit: Unit,
    /// Number of units (WinDbg's defaults: 0x80 bytes, 0x20 dwords, 0x10 qwords).
    pub count: Option<u64>,
}

/// The most units one command shows.
pub const MAX_BYTES: u64 = 0x10_0000;

/// What `db`/`dd`/`dq` show: the bytes read, `None` where the dump does not hold them.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Report {
    /// First address.
    pub address: u64,
    /// Unit.
    pub unit: Unit,
    /// The bytes, `null` where not in the dump.
    pub bytes: Vec<Option<u8>>,
    /// Pointer size of the dump (text only).
    #[serde(skip)]
    pub pointer_size: usize,
}

/// Reads the range page by page; pages the dump does not hold show as `??`.
pub fn investigate(k: &KernelTarget, o: &Options) -> Result<Report, CliError> {
    let units = o.count.unwrap_or(match o.unit {
        Unit::Byte => 0x80,
        Unit::Dword => 0x20,
        Unit::Qword => 0x10,
    });
    let len = units
        .checked_mul(o.unit.size())
        .filter(|l| *l <= MAX_BYTES)
        .ok_or_else(|| CliError::new(format!("range too large (at most {MAX_BYTES:#x} bytes)")))?;
    o.address
        .checked_add(len)
        .ok_or_else(|| CliError::new("range wraps around the address space"))?;
    let mem = k.dump.memory();
    let mut bytes = Vec::new();
    let mut at = o.address;
    let end = o.address.saturating_add(len);
    while at < end {
        let page_end = (at | 0xfff).saturating_add(1).min(end);
        let n = usize::try_from(page_end.saturating_sub(at)).unwrap_or(0);
        let mut buf = vec![0u8; n];
        match mem.read(at, &mut buf) {
            Ok(()) => bytes.extend(buf.into_iter().map(Some)),
            Err(_) => bytes.extend(std::iter::repeat_n(None, n)),
        }
        at = page_end;
    }
    Ok(Report {
        address: o.address,
        unit: o.unit,
        bytes,
        pointer_size: k.pointer_size(),
    })
}

/// One paging entry of `!pte`.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct PteEntry {
    /// `PXE`, `PPE`, `PDE`, `PTE`, `PDPTE`.
    pub level: &'static str,
    /// Physical address of the entry.
    pub entry_address: u64,
    /// Its value.
    pub value: u64,
}

/// What `!pte ADDR` shows.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct PteReport {
    /// The virtual address.
    pub address: u64,
    /// The entries read, outermost first.
    pub entries: Vec<PteEntry>,
    /// `valid`, `transition` or why the page is not present.
    pub state: String,
    /// The physical address, for valid and transition pages.
    pub physical: Option<u64>,
    /// Page size in bytes.
    pub page_size: u64,
    /// Whether the dump holds the page.
    pub in_dump: bool,
    /// Pointer size of the dump (text only).
    #[serde(skip)]
    pub pointer_size: usize,
}

/// Translates one address through the dump's page tables.
pub fn pte(k: &KernelTarget, address: u64) -> Result<PteReport, CliError> {
    let t = k.dump.translate(address).map_err(|e| {
        CliError::new(format!(
            "!pte {address:x}: the paging structures are not in the dump ({e})"
        ))
    })?;
    Ok(PteReport {
        address,
        entries: t
            .levels
            .iter()
            .map(|l| PteEntry {
                level: l.name,
                entry_address: l.entry_address,
                value: l.value,
            })
            .collect(),
        state: match t.state {
            dumpfile::PageState::Valid => "valid".to_string(),
            dumpfile::PageState::Transition => "transition".to_string(),
            dumpfile::PageState::NotPresent(r) => format!("not present: {r}"),
            other => format!("{other:?}"),
        },
        physical: t.physical,
        page_size: t.page_size,
        in_dump: t.in_dump,
        pointer_size: k.pointer_size(),
    })
}
