//! Embeds the web interface (`../web/**`: HTML, CSS, ES modules, images) into the crate, so
//! `cargo build` alone gives a binary that serves it — no JavaScript build step, no files to
//! deploy next to the binary. Each file gets its content type and an ETag (a hash of its
//! bytes) here, once, at build time.

use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")).join("../web");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    let mut out =
        String::from("/// The embedded web assets, by path under `web/`.\npub static ASSETS: &[Asset] = &[\n");
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let relative = path
            .strip_prefix(&root)
            .expect("under web/")
            .to_str()
            .expect("UTF-8 file name")
            .replace('\\', "/");
        let Some(content_type) = content_type(&relative) else {
            panic!("web/{relative}: unknown file type; add it to graphql/build.rs");
        };
        let bytes = fs::read(path).expect("read a web asset");
        let abs = fs::canonicalize(path).expect("web asset path");
        out.push_str(&format!(
            "    Asset {{ path: {relative:?}, content_type: {content_type:?}, etag: \"\\\"{:016x}\\\"\", body: include_bytes!({:?}) }},\n",
            fnv1a(&bytes),
            abs.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("web_assets.rs");
    fs::write(dest, out).expect("write web_assets.rs");
}

/// Every file under `dir`, recursively, skipping hidden ones (editor swap files and the like).
fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}

fn content_type(path: &str) -> Option<&'static str> {
    let extension = path.rsplit_once('.')?.1;
    Some(match extension {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => return None,
    })
}

/// 64-bit FNV-1a: a content hash for the ETag (no cryptography needed, no build dependency).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
