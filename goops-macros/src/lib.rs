//! Procedural macros for goops-runtime. Use them through `goops_runtime`, which re-exports them.
