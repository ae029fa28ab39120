//! `db`/`dd`/`dq` and `!pte` in WinDbg's layout.

use std::io::{self, Write};

use super::{PteReport, Report, Unit};
use crate::report::Text;
use crate::report::numbers::addr;

impl Text for Report {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        let per_line = 16usize;
        let mut at = self.address;
        for line in self.bytes.chunks(per_line) {
            write!(out, "{}  ", addr(at, self.pointer_size))?;
            match self.unit {
                Unit::Byte => {
                    for i in 0..per_line {
                        let sep = if i == 7 { '-' } else { ' ' };
                        match line.get(i) {
                            Some(Some(b)) => write!(out, "{b:02x}{sep}")?,
                            Some(None) => write!(out, "??{sep}")?,
                            None => write!(out, "   ")?,
                        }
                    }
                    let ascii: String = line
                        .iter()
                        .map(|b| match b {
                            Some(c @ 0x20..=0x7e) => char::from(*c),
                            Some(_) => '.',
                            None => '?',
                        })
                        .collect();
                    writeln!(out, " {ascii}")?;
                }
                Unit::Dword | Unit::Qword => {
                    let size = if self.unit == Unit::Dword { 4 } else { 8 };
                    let words: Vec<String> = line
                        .chunks(size)
                        .map(|w| {
                            let v: Option<Vec<u8>> = w.iter().copied().collect();
                            match (v, size) {
                                (Some(v), 4) if v.len() == 4 => {
                                    let mut a = [0u8; 4];
                                    a.copy_from_slice(&v);
                                    format!("{:08x}", u32::from_le_bytes(a))
                                }
                                (Some(v), _) if v.len() == 8 => {
                                    let mut a = [0u8; 8];
                                    a.copy_from_slice(&v);
                                    addr(u64::from_le_bytes(a), 8)
                                }
                                (_, 4) => "????????".to_string(),
                                _ => "????????`????????".to_string(),
                            }
                        })
                        .collect();
                    writeln!(out, "{}", words.join(" "))?;
                }
            }
            at = at.wrapping_add(16);
        }
        Ok(())
    }
}

impl Text for PteReport {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        let ps = self.pointer_size;
        writeln!(out, "{:>44} {}", "VA", addr(self.address, ps))?;
        let cell = |s: String| format!("{s:<27}");
        let line = |f: &dyn Fn(&super::PteEntry) -> String| -> String {
            self.entries
                .iter()
                .map(|e| cell(f(e)))
                .collect::<Vec<_>>()
                .join("")
        };
        writeln!(
            out,
            "{}",
            line(&|e| format!("{} at (PA) {:x}", e.level, e.entry_address)).trim_end()
        )?;
        writeln!(
            out,
            "{}",
            line(&|e| format!("contains {:016X}", e.value)).trim_end()
        )?;
        writeln!(
            out,
            "{}",
            line(&|e| if e.value & 1 == 1 {
                format!(
                    "pfn {:<9x} {}",
                    (e.value & 0x000f_ffff_ffff_f000) >> 12,
                    flags(e.value)
                )
            } else {
                "not valid".to_string()
            })
            .trim_end()
        )?;
        write!(out, "page: {}", self.state)?;
        if let Some(pa) = self.physical {
            write!(out, ", physical {pa:x}, page size {:#x}", self.page_size)?;
            write!(
                out,
                "{}",
                if self.in_dump {
                    ", in the dump"
                } else {
                    ", not in the dump"
                }
            )?;
        }
        writeln!(out)
    }
}

/// WinDbg's `!pte` flag letters of a valid hardware PTE (`---DA--KWEV`).
fn flags(v: u64) -> String {
    let bit = |n: u32, c: char| if v >> n & 1 == 1 { c } else { '-' };
    let nx = v >> 63 & 1 == 1;
    format!(
        "{}{}{}{}{}{}{}{}{}{}{}",
        bit(8, 'G'),
        bit(7, 'L'),
        '-',
        bit(6, 'D'),
        bit(5, 'A'),
        bit(4, 'N'),
        bit(3, 'T'),
        if v >> 2 & 1 == 1 { 'U' } else { 'K' },
        if v >> 1 & 1 == 1 { 'W' } else { 'R' },
        if nx { '-' } else { 'E' },
        'V'
    )
}
