//! CommentStreamA / CommentStreamW.

use std::ops::Deref;

use super::*;
use crate::Minidump;
use crate::minidump::stream_type;

impl<D: Deref<Target = [u8]>> Minidump<D> {
    /// CommentStreamA, decoded as Latin-1/ASCII up to the first NUL.
    pub fn comment_a(&self) -> Option<String> {
        let b = self.raw_stream(stream_type::COMMENT_A)?;
        let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
        Some(
            b.get(..end)
                .unwrap_or(&[])
                .iter()
                .map(|&c| char::from(c))
                .collect(),
        )
    }

    /// CommentStreamW, decoded from UTF-16 up to the first NUL.
    pub fn comment_w(&self) -> Option<String> {
        self.raw_stream(stream_type::COMMENT_W).map(utf16_lossy)
    }
}
