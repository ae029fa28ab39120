//! `MINIDUMP_TOKEN_INFO_LIST` (TokenStream).

use std::ops::Deref;

use zerocopy::FromBytes;

use super::*;
use crate::minidump::stream_type;
use crate::{Error, Minidump, raw};

/// One entry of the Token stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// Token id.
    pub token_id: u32,
    /// Token handle.
    pub token_handle: u64,
    /// The token information bytes after the entry header.
    pub data: Vec<u8>,
}

impl<D: Deref<Target = [u8]>> Minidump<D> {
    /// The Token stream: each token's id, handle and raw information.
    pub fn token(&self) -> Result<Option<Vec<TokenInfo>>, Error> {
        let st = stream_type::TOKEN;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(None);
        };
        let (h, _) = raw::TokenInfoList::read_from_prefix(b)
            .map_err(|_| bad(st, rva, "shorter than MINIDUMP_TOKEN_INFO_LIST"))?;
        let mut off = usize::try_from(h.list_header_size.get()).unwrap_or(usize::MAX);
        let count = h.token_list_entries.get();
        let mut out = Vec::new();
        for _ in 0..count {
            let entry = b.get(off..).ok_or(Error::CountTooLarge {
                stream_type: st,
                count: u64::from(count),
            })?;
            let (eh, _) = raw::TokenInfoHeader::read_from_prefix(entry).map_err(|_| {
                Error::CountTooLarge {
                    stream_type: st,
                    count: u64::from(count),
                }
            })?;
            let size = usize::try_from(eh.token_size.get()).unwrap_or(usize::MAX);
            if size < size_of::<raw::TokenInfoHeader>() {
                return Err(bad(st, rva, "token entry smaller than its header"));
            }
            let data = entry
                .get(size_of::<raw::TokenInfoHeader>()..size)
                .ok_or_else(|| bad(st, rva, "token entry beyond the stream"))?;
            out.push(TokenInfo {
                token_id: eh.token_id.get(),
                token_handle: eh.token_handle.get(),
                data: data.to_vec(),
            });
            off = off
                .checked_add(size)
                .ok_or_else(|| bad(st, rva, "token entry size overflow"))?;
        }
        Ok(Some(out))
    }
}
