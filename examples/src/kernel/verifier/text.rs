//! `!verifier 3` and `!verifier 80` as WinDbg prints them (pooltrack's renderers).

use std::io::{self, Write};

use super::Report;
use crate::report::Text;

impl Text for Report {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(self.windbg.as_bytes())
    }
}
