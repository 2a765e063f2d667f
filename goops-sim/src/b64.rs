//! Standard base64 (RFC 4648), as Juju uses it for secret content (`key#base64=…`,
//! `secret-get key#base64`) and as goops-sim's wire protocol carries tool output.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Encodes with padding; decodes with or without it, and accepts non-zero trailing bits (what
/// goops-sim always accepted; `base64`'s strict default would refuse some values it read).
const STANDARD: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true),
);

/// The length of the padded encoding of `len` bytes.
pub(crate) fn encoded_len(len: usize) -> usize {
    base64::encoded_len(len, true).unwrap_or(usize::MAX)
}

/// Encode bytes, padded.
pub(crate) fn encode(data: &[u8]) -> String {
    STANDARD.encode(data)
}

/// Decode standard base64 (any trailing `=` ignored); `None` if it is not valid base64.
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    STANDARD.decode(text.trim_end_matches('=')).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for s in ["", "f", "fo", "foo", "foob", "fooba", "foobar"] {
            assert_eq!(decode(&encode(s.as_bytes())).unwrap(), s.as_bytes());
        }
        assert_eq!(encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(encode(b"fo"), "Zm8=");
        assert_eq!(decode("Zm8").unwrap(), b"fo", "padding optional");
        assert_eq!(decode("Zm9=").unwrap(), b"fo", "trailing bits accepted");
        assert!(decode("!!").is_none());
        assert!(decode("Zm9v\n").is_none());
        assert!(decode("Z").is_none());
        for n in 0..10 {
            assert_eq!(encoded_len(n), encode(&vec![7; n]).len());
        }
    }
}
