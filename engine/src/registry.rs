//! Where definitions come from: the built-ins embedded in the binary (`workflows/*.toml`) and
//! an optional directory an administrator adds (`PO_WORKFLOWS_DIR`). A file in that directory
//! with the key of a built-in replaces the built-in. Storing them as versions is
//! [`Engine::register_definitions`](crate::service::Engine::register_definitions).

use std::collections::HashMap;
use std::path::Path;

use crate::definition::{Definition, DefinitionError, DefinitionErrors};

include!(concat!(env!("OUT_DIR"), "/builtin_workflows.rs"));

/// A definition file as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The name shown in messages: `workflows/tochka-rosta.toml` or the path read.
    pub name: String,
    pub text: String,
}

/// A definition that passed validation, with the file it came from.
#[derive(Debug, Clone)]
pub struct LoadedDefinition {
    pub source: SourceFile,
    pub definition: Definition,
}

/// The built-in definitions, as embedded at build time.
pub fn builtin_sources() -> Vec<SourceFile> {
    BUILTIN_WORKFLOWS
        .iter()
        .map(|(name, text)| SourceFile {
            name: format!("workflows/{name}"),
            text: (*text).to_string(),
        })
        .collect()
}

/// Every `*.toml` file of a directory, sorted by name.
pub fn read_dir(dir: &Path) -> std::io::Result<Vec<SourceFile>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            Ok(SourceFile {
                name: path.display().to_string(),
                text: std::fs::read_to_string(&path)?,
            })
        })
        .collect()
}

/// Validates files together: each one on its own, and no two with the same workflow key
/// (unless the later one is an administrator's file replacing a built-in: pass the built-ins
/// as `base` and the directory's files as `overrides`).
pub fn load(base: Vec<SourceFile>, overrides: Vec<SourceFile>) -> Result<Vec<LoadedDefinition>, Vec<DefinitionErrors>> {
    let mut errors = Vec::new();
    let mut loaded: Vec<LoadedDefinition> = Vec::new();
    for (is_override, files) in [(false, base), (true, overrides)] {
        let mut seen_here: HashMap<String, String> = HashMap::new();
        for source in files {
            match Definition::parse(&source.name, &source.text) {
                Err(e) => errors.push(e),
                Ok(definition) => {
                    let key = definition.key().to_string();
                    if let Some(first) = seen_here.get(&key) {
                        errors.push(DefinitionErrors(vec![DefinitionError {
                            file: source.name.clone(),
                            line: 1,
                            column: 1,
                            key: "key".into(),
                            message: format!(
                                "процесс «{key}» уже определён в файле {first}: у каждого процесса свой ключ."
                            ),
                        }]));
                        continue;
                    }
                    seen_here.insert(key.clone(), source.name.clone());
                    if is_override && let Some(pos) = loaded.iter().position(|l| l.definition.key() == key) {
                        tracing::info!(workflow = %key, file = %source.name, "a workflow file replaces the built-in one");
                        loaded.remove(pos);
                    }
                    loaded.push(LoadedDefinition { source, definition });
                }
            }
        }
    }
    if errors.is_empty() { Ok(loaded) } else { Err(errors) }
}
