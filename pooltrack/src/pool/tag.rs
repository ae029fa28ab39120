//! Pool tags: four bytes, shown as text.

/// The protected bit some Windows versions (before 8) set in object tags (`Pro\xE3` = `Proc`).
pub const PROTECTED_BIT: u32 = 0x8000_0000;

/// A pool tag, as stored (little-endian: the first character is the low byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PoolTag(pub u32);

impl PoolTag {
    /// A tag from its four characters (`PoolTag::from_str4(b"Thre")`).
    pub const fn from_bytes(b: [u8; 4]) -> PoolTag {
        PoolTag(u32::from_le_bytes(b))
    }
    /// The tag with the protected bit cleared (what pooltag.txt and `!poolused` show).
    pub const fn unprotected(self) -> PoolTag {
        PoolTag(self.0 & !PROTECTED_BIT)
    }
    /// Whether the protected bit is set.
    pub const fn is_protected(self) -> bool {
        self.0 & PROTECTED_BIT != 0
    }
    /// The four bytes (protected bit cleared).
    pub const fn bytes(self) -> [u8; 4] {
        self.unprotected().0.to_le_bytes()
    }
    /// Whether all four characters are printable ASCII (space included), the protected bit
    /// ignored: how a layout is confirmed at run time.
    pub fn is_printable(self) -> bool {
        self.bytes().iter().all(|c| (0x20..0x7f).contains(c))
    }
    /// Parse up to four characters (`"Leak"`, `"Io"` padded with spaces); `None` if longer or
    /// not ASCII.
    pub fn parse(s: &str) -> Option<PoolTag> {
        if s.len() > 4 || !s.is_ascii() {
            return None;
        }
        let mut b = [b' '; 4];
        for (d, c) in b.iter_mut().zip(s.bytes()) {
            *d = c;
        }
        Some(PoolTag::from_bytes(b))
    }
    /// Whether this tag matches a `!poolused`/`!poolfind` pattern: up to four characters, `?`
    /// matches any one character, `*` any rest (`Thre`, `Th*`, `?hre`). Case-sensitive, as
    /// tags are.
    pub fn matches(self, pattern: &str) -> bool {
        let t = self.bytes();
        let p = pattern.as_bytes();
        let mut i = 0usize;
        for &c in p {
            if c == b'*' {
                return true;
            }
            let Some(&tc) = t.get(i) else { return false };
            if c != b'?' && c != tc {
                return false;
            }
            i = i.saturating_add(1);
        }
        // A short pattern matches tags padded with spaces (pooltag.txt writes "Io  ").
        t.get(i..)
            .is_some_and(|rest| rest.iter().all(|&c| c == b' ' || c == 0))
    }
}

impl core::fmt::Display for PoolTag {
    /// Four characters, non-printable ones as `.`.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for c in self.bytes() {
            let ch = if (0x20..0x7f).contains(&c) {
                char::from(c)
            } else {
                '.'
            };
            write!(f, "{ch}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        let t = PoolTag(0xe5726854); // "Thr\xe5": protected Thre
        assert!(t.is_protected());
        assert_eq!(t.to_string(), "Thre");
        assert!(t.matches("Thre") && t.matches("Th*") && t.matches("?hre") && !t.matches("Proc"));
        assert_eq!(
            PoolTag::parse("Io").map(|x| x.to_string()).as_deref(),
            Some("Io  ")
        );
        assert!(PoolTag::parse("Io").is_some_and(|x| x.matches("Io")));
        assert!(!PoolTag(0x0102_0304).is_printable());
    }
}
