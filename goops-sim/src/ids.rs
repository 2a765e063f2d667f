//! The ids goops-sim makes up as Juju would: hook context ids, secret ids, temp dir names.
//! Pseudo-random from the clock, the pid and a counter (ids only, never keys).

/// A fresh context id, `<unit>-<name>-<32 hex chars>` as Juju makes them.
pub(crate) fn new_context_id(unit: &str, name: &str) -> String {
    let mut id = String::with_capacity(unit.len() + name.len() + 34);
    id.push_str(unit);
    id.push('-');
    id.push_str(name);
    id.push('-');
    push_random_hex(&mut id, 32);
    id
}

/// A new bare secret id: 20 characters of base32hex, like the xid Juju makes.
pub(crate) fn new_secret_id() -> String {
    const CHARS: &[u8] = b"0123456789abcdefghijklmnopqrstuv";
    let mut x = seed();
    (0..20)
        .map(|_| {
            x = xorshift(x);
            CHARS[(x % 32) as usize] as char
        })
        .collect()
}

/// `n` pseudo-random hex characters.
pub(crate) fn random_hex(n: usize) -> String {
    let mut out = String::with_capacity(n);
    push_random_hex(&mut out, n);
    out
}

fn push_random_hex(out: &mut String, n: usize) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut x = seed();
    let mut left = n;
    while left > 0 {
        x = xorshift(x);
        let mut chunk = [0u8; 16];
        for (i, digit) in chunk.iter_mut().enumerate() {
            *digit = HEX[((x >> ((15 - i) * 4)) & 0xf) as usize];
        }
        let take = left.min(16);
        // Hex digits are ASCII, so any prefix is valid UTF-8.
        out.push_str(std::str::from_utf8(&chunk[..take]).unwrap_or_default());
        left -= take;
    }
}

fn seed() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    // The pid is asked for once: it is a system call, and ids are made on every run.
    static PID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let pid = *PID.get_or_init(std::process::id);
    (nanos as u64) ^ (u64::from(pid) << 32) ^ count.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1
}

fn xorshift(mut x: u64) -> u64 {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_ids_are_unit_name_and_32_hex_chars_and_differ() {
        let id = new_context_id("app/0", "install");
        let hex = id.strip_prefix("app/0-install-").expect("unit and hook name first");
        assert_eq!(hex.len(), 32, "{id}");
        assert!(hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()), "{id}");
        assert_ne!(id, new_context_id("app/0", "install"));
        for n in [0, 1, 8, 16, 17, 40] {
            assert_eq!(random_hex(n).len(), n);
        }
    }

    #[test]
    fn secret_ids_are_valid_and_differ() {
        let (a, b) = (new_secret_id(), new_secret_id());
        assert!(goops_juju::secret::is_valid_secret_id(&a), "{a}");
        assert_ne!(a, b);
    }
}
