//! Number and time formatting shared by the reports, in WinDbg's style.

/// 100-ns intervals between 1601-01-01 (FILETIME epoch) and 1970-01-01 (Unix epoch).
pub const FILETIME_UNIX_EPOCH: u64 = 116_444_736_000_000_000;

/// Formats an address the way WinDbg does for the dump's pointer width: `00000000`002d0000` on
/// 64-bit targets, `002d0000` on 32-bit ones.
pub fn addr(value: u64, pointer_size: usize) -> String {
    if pointer_size == 4 {
        format!("{:08x}", value & 0xffff_ffff)
    } else {
        format!("{:08x}`{:08x}", value >> 32, value & 0xffff_ffff)
    }
}

/// Formats a size as WinDbg's `!address` does: hex with a backtick between the two 32-bit halves
/// when the high half is non-zero (`7ffe`f4d5f000`), plain hex otherwise.
pub fn hex_size(value: u64) -> String {
    if value >> 32 != 0 {
        format!("{:x}`{:08x}", value >> 32, value & 0xffff_ffff)
    } else {
        format!("{value:x}")
    }
}

/// `143428` as `143,428`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && s.len().saturating_sub(i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Human-readable size with three decimals and a binary unit, as WinDbg prints `( 26.230 MB)`.
pub fn human_size(value: u64) -> String {
    const UNITS: [&str; 6] = ["Bytes", "kB", "MB", "GB", "TB", "PB"];
    let mut scaled = value as f64;
    let mut name = "Bytes";
    for next in UNITS.iter().skip(1) {
        if scaled < 1024.0 {
            break;
        }
        scaled /= 1024.0;
        name = next;
    }
    if name == "Bytes" {
        format!("{value} {name}")
    } else {
        format!("{scaled:.3} {name}")
    }
}

/// Formats a duration in 100-ns units as WinDbg's `!runaway` does: `0 days 0:00:01.234`.
pub fn runaway_time(hundred_ns: u64) -> String {
    let ms_total = hundred_ns / 10_000;
    let ms = ms_total % 1000;
    let s_total = ms_total / 1000;
    let s = s_total % 60;
    let m = (s_total / 60) % 60;
    let h = (s_total / 3600) % 24;
    let d = s_total / 86_400;
    format!("{d} days {h}:{m:02}:{s:02}.{ms:03}")
}

/// Converts a Unix time (seconds) to FILETIME units, saturating.
pub fn unix_to_filetime(seconds: u64) -> u64 {
    seconds
        .saturating_mul(10_000_000)
        .saturating_add(FILETIME_UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_windbg() {
        assert_eq!(addr(0x2d0000, 8), "00000000`002d0000");
        assert_eq!(addr(0x7790_0000, 4), "77900000");
        assert_eq!(hex_size(0x7ffe_f4d5_f000), "7ffe`f4d5f000");
        assert_eq!(hex_size(0x1000), "1000");
        assert_eq!(human_size(0x1000), "4.000 kB");
        assert_eq!(human_size(0xd83b000), "216.230 MB");
        assert_eq!(human_size(512), "512 Bytes");
        assert_eq!(runaway_time(0), "0 days 0:00:00.000");
        assert_eq!(runaway_time(156_001), "0 days 0:00:00.015");
        assert_eq!(
            runaway_time((((2 * 24 + 3) * 60 + 4) * 60 + 5) * 10_000_000 + 6_780_000),
            "2 days 3:04:05.678"
        );
        assert_eq!(unix_to_filetime(0), FILETIME_UNIX_EPOCH);
    }
}
