//! The model file `goops-sim model` reads: bundle-like YAML naming applications (a charm dir,
//! units, config), and relations.
