//! WinDbg's words and numbers: command lines split into words, hex numbers as WinDbg writes
//! them, and address expressions (`!D4C+0x36b0`, `00007ff6`dfe236b0`, `ntdll.dll+10`).

use crate::CliError;
use crate::target::UserDump;

/// Splits a command line into words; double quotes group words (`"==> Allocated"`).
pub fn split_words(line: &str) -> Result<Vec<String>, CliError> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted = !quoted;
                in_word = true;
            }
            '\\' if quoted => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if quoted {
        return Err(CliError::new("unterminated quote"));
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

/// Parses a hex number as WinDbg writes it: `0x10`, `10`, `00007ff6`dfe236b0` (surrounding
/// spaces allowed).
pub fn parse_hex(s: &str) -> Option<u64> {
    let t = s.trim().replace('`', "");
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(&t);
    if t.is_empty() {
        return None;
    }
    u64::from_str_radix(t, 16).ok()
}

/// Evaluates an address as WinDbg users write it: terms joined by `+`/`-`, each a hex number
/// or a module name (`!D4C`, `D4C`, `ntdll.dll`) standing for its base. Without a dump only a
/// hex number is an address.
pub fn eval_address(expr: &str, dump: Option<&UserDump>) -> Result<u64, CliError> {
    let Some(dump) = dump else {
        return parse_hex(expr).ok_or_else(|| CliError::new(format!("bad address '{expr}'")));
    };
    let mut total: u64 = 0;
    let mut negative = false;
    let mut term = String::new();
    let apply = |term: &str, negative: bool, total: &mut u64| -> Result<(), CliError> {
        let t = term.trim();
        if t.is_empty() {
            return Err(CliError::new(format!("bad address expression '{expr}'")));
        }
        let v = match parse_hex(t) {
            Some(v) if !t.starts_with('!') => v,
            _ => dump.resolve_module(t.trim_start_matches('!'))?.base,
        };
        *total = if negative {
            total.checked_sub(v)
        } else {
            total.checked_add(v)
        }
        .ok_or_else(|| CliError::new(format!("address expression '{expr}' overflows")))?;
        Ok(())
    };
    for c in expr.chars() {
        if c == '+' || c == '-' {
            apply(&term, negative, &mut total)?;
            term.clear();
            negative = c == '-';
        } else {
            term.push(c);
        }
    }
    apply(&term, negative, &mut total)?;
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_quoted_words() {
        assert_eq!(
            split_words(r#"s -a !D4C+0x3000 L0x3600 "==> Allocated addr:""#).unwrap(),
            vec!["s", "-a", "!D4C+0x3000", "L0x3600", "==> Allocated addr:"]
        );
        assert!(split_words("s -a 0 L1 \"open").is_err());
        assert_eq!(split_words("  ~*k ").unwrap(), vec!["~*k"]);
    }

    #[test]
    fn numbers_as_windbg_writes_them() {
        assert_eq!(parse_hex("00007ff6`dfe236b0"), Some(0x7ff6_dfe2_36b0));
        assert_eq!(parse_hex("0x10"), Some(0x10));
        assert_eq!(parse_hex("D4C"), Some(0xd4c));
        assert_eq!(parse_hex("zz"), None);
        assert_eq!(parse_hex(""), None);
        assert_eq!(eval_address("0x36b0", None).unwrap(), 0x36b0);
        assert!(eval_address("D4C+1", None).is_err());
    }
}
