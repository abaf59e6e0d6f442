//! Runnable examples; see `walkthrough.rs` (`cargo run -p copkit-examples --example walkthrough`).
