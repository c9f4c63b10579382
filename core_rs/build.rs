//! Compiles the wire schemas in `tonomy/schema/` (the one source of every wire format)
//! into Rust readers and builders under `crate::wire::schema`.

use std::path::{Path, PathBuf};

fn main() {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let schema_dir = Path::new(&manifest_dir)
        .join("..")
        .join("tonomy")
        .join("schema");
    println!("cargo:rerun-if-changed=build.rs");
    // The directory itself: a schema file added or removed reruns the build.
    println!("cargo:rerun-if-changed={}", schema_dir.display());

    let mut schemas: Vec<PathBuf> = std::fs::read_dir(&schema_dir)
        .unwrap_or_else(|err| {
            panic!(
                "cannot read the schema directory {}: {err}",
                schema_dir.display()
            )
        })
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "capnp"))
        .collect();
    schemas.sort(); // stable order, stable generated code
    if schemas.is_empty() {
        panic!("no .capnp schema in {}", schema_dir.display());
    }

    let mut command = capnpc::CompilerCommand::new();
    command
        .src_prefix(&schema_dir)
        .default_parent_module(vec!["wire".into(), "schema".into()]);
    for schema in &schemas {
        println!("cargo:rerun-if-changed={}", schema.display());
        command.file(schema);
    }
    if let Err(err) = command.run() {
        panic!(
            "compiling the Cap'n Proto schemas failed: {err}\n\
             the `capnp` compiler must be installed (Debian/Ubuntu package `capnproto`; \
             `make build` installs it)"
        );
    }
}
