//! Step 4: what the blocks of the dominant sizes hold: shared text, printf-like patterns, a
//! first pointer into a module (a vtable names the class through its RTTI).

use super::*;

pub(super) fn printable(b: u8) -> bool {
    (0x20..0x7f).contains(&b) || b == b'\t'
}

/// The printable text at the start of a buffer (ASCII), if at least `min` characters.
pub fn ascii_text(bytes: &[u8], min: usize) -> Option<String> {
    let n = bytes.iter().take_while(|b| printable(**b)).count();
    (n >= min).then(|| String::from_utf8_lossy(bytes.get(..n).unwrap_or_default()).into_owned())
}

/// The printable UTF-16LE text at the start of a buffer, if at least `min` characters.
pub fn utf16_text(bytes: &[u8], min: usize) -> Option<String> {
    let mut s = String::new();
    for pair in bytes.chunks_exact(2) {
        let (Some(lo), Some(hi)) = (pair.first(), pair.get(1)) else {
            break;
        };
        if *hi != 0 || !printable(*lo) {
            break;
        }
        s.push(char::from(*lo));
    }
    (s.chars().count() >= min).then_some(s)
}

pub(super) fn common_prefix<'a>(items: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut it = items.into_iter();
    let mut prefix: String = it.next()?.to_string();
    for s in it {
        let n = prefix
            .bytes()
            .zip(s.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        prefix.truncate(n);
    }
    Some(prefix)
}

/// Replaces numbers by printf placeholders: hex digits after `0x` by `%x`, decimal runs by `%d`.
pub fn generalize(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::new();
    let mut i = 0usize;
    while let Some(&c) = b.get(i) {
        let next = b.get(i.saturating_add(1)).copied();
        if c == b'0' && matches!(next, Some(b'x' | b'X')) {
            let start = i.saturating_add(2);
            let n = b
                .get(start..)
                .unwrap_or_default()
                .iter()
                .take_while(|x| x.is_ascii_hexdigit())
                .count();
            if n > 0 {
                out.push_str("0x%x");
                i = start.saturating_add(n);
                continue;
            }
        }
        if c.is_ascii_digit() {
            let n = b
                .get(i..)
                .unwrap_or_default()
                .iter()
                .take_while(|x| x.is_ascii_digit())
                .count();
            out.push_str("%d");
            i = i.saturating_add(n.max(1));
            continue;
        }
        out.push(char::from(c));
        i = i.saturating_add(1);
    }
    out
}

/// The printf-like pattern all texts fit, when they differ only in numbers (at least two
/// samples, not all the same text).
pub(super) fn shared_pattern(texts: &[&str]) -> Option<String> {
    let first_text = texts.first()?;
    if texts.len() < 2 || texts.iter().all(|t| t == first_text) {
        return None;
    }
    let first = generalize(first_text);
    (first.contains('%') && first.len() >= 4 && texts.iter().all(|t| generalize(t) == first))
        .then_some(first)
}

/// The texts of the largest group of samples sharing one printf-like shape.
#[derive(Debug)]
pub(super) struct DominantText {
    prefix: Option<String>,
    pattern: Option<String>,
    example: String,
    matching: u64,
}

/// Groups sample texts by [`generalize`]d shape and describes the largest group, when it holds
/// at least half of `total` samples.
pub(super) fn dominant_text(texts: Vec<Option<String>>, total: usize) -> Option<DominantText> {
    let mut groups: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for t in texts.into_iter().flatten() {
        groups.entry(generalize(&t)).or_default().push(t);
    }
    let (_, best) = groups
        .into_iter()
        .max_by(|a, b| a.1.len().cmp(&b.1.len()).then(b.0.cmp(&a.0)))?;
    if best.len().saturating_mul(2) < total {
        return None;
    }
    let refs: Vec<&str> = best.iter().map(String::as_str).collect();
    Some(DominantText {
        prefix: common_prefix(refs.iter().copied()).filter(|p| p.len() >= 4),
        pattern: shared_pattern(&refs),
        example: best.first()?.clone(),
        matching: best.len() as u64,
    })
}

/// The literal text before the first placeholder of a pattern.
pub(super) fn literal_prefix(pattern: &str) -> &str {
    match pattern.find('%') {
        Some(i) => pattern.get(..i).unwrap_or(pattern),
        None => pattern,
    }
}

/// The class of a vtable through MSVC RTTI (`vtable[-1]` -> complete object locator -> type
/// descriptor name, all inside `module`), when present.
pub(super) fn rtti_class(
    dump: &dumpfile::Minidump,
    vtable: u64,
    ptr: usize,
    module: &Mod,
) -> Option<String> {
    let width = if ptr == 8 {
        pe_sections::PointerWidth::Bits64
    } else {
        pe_sections::PointerWidth::Bits32
    };
    let mem = crate::adapt::DumpMemory(dump);
    pe_sections::rtti_class_at(&mem, module.base, module.size, vtable, width)
        .ok()
        .flatten()
        .map(|c| c.name)
}

/// Escapes control bytes as `da` would need them to stay on one line.
pub(super) fn escape(text: &[u8]) -> String {
    let mut s = String::new();
    for &b in text {
        match b {
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(char::from(b)),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s
}

/// Step 4: what the blocks of one size class contain.
pub(super) fn analyse_content(
    u: &UserDump,
    w: &Walked,
    class: &SizeClass,
    modules: &[Mod],
) -> Content {
    let dump: &dumpfile::Minidump = &u.dump;
    let ptr: usize = if w.bits == 32 { 4 } else { 8 };
    let mut samples: Vec<(u64, Vec<u8>)> = Vec::new();
    let mut stacks: Vec<(Vec<u64>, u64)> = Vec::new();
    let hmem = crate::adapt::DumpMemory(dump);
    let len = class.size.min(SAMPLE_BYTES);
    let len = usize::try_from(len).unwrap_or(0);
    for e in w.candidates(class.size, u) {
        if samples.len() >= SAMPLES {
            break;
        }
        let mut buf = vec![0u8; len];
        if dump.memory().read(e.user_address, &mut buf).is_ok() {
            samples.push((e.user_address, buf));
        }
        if let HeapWalked::Nt(walk) = &w.walk
            && let Ok(Some(frames)) = walk.heap.stack_trace(&hmem, &e)
        {
            match stacks.iter_mut().find(|(f, _)| *f == frames) {
                Some(slot) => slot.1 = slot.1.saturating_add(1),
                None => stacks.push((frames, 1)),
            }
        }
    }
    let mut content = Content {
        heap: class.heap,
        size: class.size,
        sampled: samples.len() as u64,
        ascii_prefix: None,
        utf16_prefix: None,
        matching: 0,
        text_offset: 0,
        pattern: None,
        example: None,
        example_address: samples.first().map(|s| s.0),
        pointer: None,
        allocation_stacks: Vec::new(),
        searched: None,
        locations: Vec::new(),
    };
    stacks.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    content.allocation_stacks = stacks
        .into_iter()
        .take(3)
        .map(|(frames, count)| AllocationStack {
            count,
            frames: frames
                .iter()
                .map(|a| match modules.iter().find(|m| m.contains(*a)) {
                    Some(m) => m.at(*a),
                    None => format!("{a:#x}"),
                })
                .collect(),
            function: frames.first().and_then(|a| function_of(dump, modules, *a)),
            addresses: frames,
        })
        .collect();
    if samples.is_empty() {
        return content;
    }
    // Text: the largest group of samples whose text has the same printf-like shape, when it
    // holds at least half of the samples (a few odd blocks do not hide the pattern).
    let total = samples.len();
    // At the start of the block, else after a first pointer (a C++ object's vtable).
    for offset in [0usize, ptr] {
        let at = |b: &[u8]| b.get(offset..).unwrap_or_default().to_vec();
        let ascii = dominant_text(
            samples.iter().map(|(_, b)| ascii_text(&at(b), 4)).collect(),
            total,
        );
        let text = match ascii {
            Some(t) => {
                content.ascii_prefix = t.prefix.clone();
                Some(t)
            }
            None => {
                let wide = dominant_text(
                    samples.iter().map(|(_, b)| utf16_text(&at(b), 4)).collect(),
                    total,
                );
                if let Some(t) = &wide {
                    content.utf16_prefix = t.prefix.clone();
                }
                wide
            }
        };
        if let Some(t) = text {
            content.example_address = samples
                .iter()
                .find(|(_, b)| {
                    ascii_text(&at(b), 4).as_deref() == Some(t.example.as_str())
                        || utf16_text(&at(b), 4).as_deref() == Some(t.example.as_str())
                })
                .map(|s| s.0.saturating_add(offset as u64));
            content.pattern = t.pattern;
            content.example = Some(t.example);
            content.matching = t.matching;
            content.text_offset = offset as u64;
            break;
        }
    }
    // First pointer into a module.
    let words = len.checked_div(ptr).unwrap_or(0).min(8);
    'outer: for i in 0..words {
        let off = i.saturating_mul(ptr);
        let value_of = |b: &[u8]| -> Option<u64> {
            let bytes = b.get(off..off.checked_add(ptr)?)?;
            let mut v = [0u8; 8];
            v.get_mut(..ptr)?.copy_from_slice(bytes);
            Some(u64::from_le_bytes(v))
        };
        let Some(first) = samples.first().and_then(|(_, b)| value_of(b)) else {
            continue;
        };
        for m in modules {
            if m.contains(first) {
                let same = samples.iter().all(|(_, b)| value_of(b) == Some(first));
                let class_name = if off == 0 {
                    rtti_class(dump, first, ptr, m)
                } else {
                    None
                };
                content.pointer = Some(PointerHint {
                    offset: off as u64,
                    value: first,
                    location: m.at(first),
                    same_in_all: same,
                    class: class_name,
                    references: Vec::new(),
                });
                break 'outer;
            }
        }
    }
    content
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
mod tests {
    use super::*;

    #[test]
    fn generalizes_numbers() {
        assert_eq!(
            generalize("==> Allocated addr: 0x1f1ae5c0"),
            "==> Allocated addr: 0x%x"
        );
        assert_eq!(generalize("Count: 12 of 0xAB"), "Count: %d of 0x%x");
        assert_eq!(
            literal_prefix("==> Allocated addr: 0x%x"),
            "==> Allocated addr: 0x"
        );
    }

    #[test]
    fn rtti_names_the_class_of_a_vtable() {
        use dumpfile::synth::{SynthArch, SynthDump, SynthModule};
        let base = 0x1_4000_0000u64;
        let mut image = vec![0u8; 0x3000];
        let col = 0x1000usize;
        let td = 0x1100usize;
        let vtable = 0x2000usize;
        image[col..col + 4].copy_from_slice(&1u32.to_le_bytes());
        image[col + 12..col + 16].copy_from_slice(&(td as u32).to_le_bytes());
        image[td + 16..td + 16 + 16].copy_from_slice(b".?AVWidget@ui@@\0");
        image[vtable - 8..vtable].copy_from_slice(&(base + col as u64).to_le_bytes());
        let bytes = SynthDump::new(SynthArch::X64)
            .module(SynthModule::new(base, 0x3000, "C:\\app\\app.exe"))
            .memory(base, image)
            .write()
            .unwrap();
        let dump = dumpfile::Minidump::from_bytes(bytes).unwrap();
        let m = Mod {
            name: "app".into(),
            base,
            size: 0x3000,
        };
        assert_eq!(
            rtti_class(&dump, base + vtable as u64, 8, &m).as_deref(),
            Some("ui::Widget")
        );
        assert_eq!(rtti_class(&dump, base + 0x2800, 8, &m), None);
    }

    #[test]
    fn the_dominant_text_survives_odd_blocks() {
        let texts = vec![
            Some("item id=1 name=a".to_string()),
            Some("item id=22 name=a".to_string()),
            Some("something else".to_string()),
            None,
            Some("item id=333 name=a".to_string()),
        ];
        let d = dominant_text(texts, 5).unwrap();
        assert_eq!(d.pattern.as_deref(), Some("item id=%d name=a"));
        assert_eq!(d.prefix.as_deref(), Some("item id="));
        assert_eq!(d.matching, 3);
        assert!(dominant_text(vec![Some("abcd".into()), None, None], 3).is_none());
    }

    #[test]
    fn module_names_as_windbg() {}

    #[test]
    fn text_prefixes() {
        assert_eq!(ascii_text(b"abcd\0zz", 4).as_deref(), Some("abcd"));
        assert_eq!(ascii_text(b"ab\0", 4), None);
        assert_eq!(utf16_text(b"a\0b\0c\0d\0\0\0", 4).as_deref(), Some("abcd"));
        assert_eq!(
            common_prefix(["abcX", "abcY"].iter().copied()).as_deref(),
            Some("abc")
        );
    }
}
