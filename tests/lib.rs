//! Cross-crate test scenarios live in this package's test targets.
