//! `!vm` as WinDbg prints it (pooltrack's renderer).

use std::io::{self, Write};

use super::Report;
use crate::report::Text;

impl Text for Report {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(self.summary.to_text().as_bytes())
    }
}
