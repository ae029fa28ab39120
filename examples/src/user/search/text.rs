//! `s` hits as WinDbg prints them: one `db` line per hit.

use std::io::{self, Write};

use super::Report;
use crate::report::{Text, addr};

/// Formats a line like WinDbg's `s`/`db`: address, 16 hex bytes (`-` after the 8th), text.
pub fn db_line(address: u64, bytes: &[Option<u8>], pointer_size: usize) -> String {
    let mut hex = String::new();
    let mut text = String::new();
    for i in 0..16usize {
        let sep = if i == 8 { '-' } else { ' ' };
        if i > 0 {
            hex.push(sep);
        }
        match bytes.get(i).copied().flatten() {
            Some(b) => {
                hex.push_str(&format!("{b:02x}"));
                text.push(if (0x20..0x7f).contains(&b) {
                    char::from(b)
                } else {
                    '.'
                });
            }
            None => {
                hex.push_str("??");
                text.push('?');
            }
        }
    }
    format!("{}  {hex}  {text}", addr(address, pointer_size))
}

impl Text for Report {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        for h in &self.hits {
            writeln!(out, "{}", db_line(h.address, &h.bytes, self.pointer_size))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn db_lines_as_windbg_prints_them() {
        let b: Vec<Option<u8>> = b"==> Allocated ad".iter().copied().map(Some).collect();
        assert_eq!(
            db_line(0x7ff6_dfe2_36b0, &b, 8),
            "00007ff6`dfe236b0  3d 3d 3e 20 41 6c 6c 6f-63 61 74 65 64 20 61 64  ==> Allocated ad"
        );
    }
}
