//! Storing definitions as versions, and reading them back.
//!
//! A definition's version is decided by the database, not written in the file: registering
//! compares the definition's fingerprint with the newest stored version of its key and stores
//! a new version only when they differ. So an unchanged file keeps its version across
//! restarts and replicas, a changed one becomes the next version, and reverting a file makes
//! yet another version (identical to an older one) rather than silently reviving the old:
//! "the newest version" always means "what the files say now". Versions are never updated
//! or deleted; projects point at the version they were launched with.

use std::sync::Arc;

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::Engine;
use crate::definition::Definition;
use crate::error::{Error, Result};
use crate::model::WorkflowVersion;
use crate::registry::LoadedDefinition;
use crate::store::entity::workflow_versions;

/// The outcome of registering one definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    pub key: String,
    pub version: i32,
    /// Whether this call stored it (a new or changed definition).
    pub created: bool,
}

impl Engine {
    /// Stores every definition whose content is not the newest version of its key.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn register_definitions(&self, loaded: &[LoadedDefinition]) -> Result<Vec<Registered>> {
        let mut out = Vec::with_capacity(loaded.len());
        for item in loaded {
            // Two replicas starting at once may race for the same version number; the unique
            // (key, version) index lets one win, and the loser finds the winner's row.
            let mut attempt = 0;
            loop {
                attempt += 1;
                match self.register_one(item).await {
                    Ok(registered) => {
                        if registered.created {
                            tracing::info!(workflow = %registered.key, version = registered.version, "registered a new workflow version");
                        }
                        out.push(registered);
                        break;
                    }
                    Err(Error::Conflict(_)) if attempt < 3 => continue,
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(out)
    }

    async fn register_one(&self, item: &LoadedDefinition) -> Result<Registered> {
        let definition = &item.definition;
        let key = definition.key().to_string();
        let fingerprint = definition.fingerprint();
        let newest = workflow_versions::Entity::find()
            .filter(workflow_versions::Column::Key.eq(&key))
            .order_by_desc(workflow_versions::Column::Version)
            .one(&self.db)
            .await?;
        if let Some(row) = &newest
            && row.fingerprint == fingerprint
        {
            return Ok(Registered {
                key,
                version: row.version,
                created: false,
            });
        }
        let version = newest.map_or(1, |row| row.version + 1);
        workflow_versions::ActiveModel {
            key: Set(key.clone()),
            version: Set(version),
            title: Set(definition.title().to_string()),
            scope: Set(match definition.scope() {
                crate::definition::Scope::Organization => "organization".into(),
                crate::definition::Scope::District => "district".into(),
            }),
            fingerprint: Set(fingerprint),
            definition: Set(definition.to_json()),
            source: Set(item.source.text.clone()),
            source_name: Set(item.source.name.clone()),
            registered_at: Set(self.now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(Registered {
            key,
            version,
            created: true,
        })
    }

    /// Every stored version, by key and version.
    pub async fn workflow_versions(&self) -> Result<Vec<WorkflowVersion>> {
        let rows = workflow_versions::Entity::find()
            .order_by_asc(workflow_versions::Column::Key)
            .order_by_asc(workflow_versions::Column::Version)
            .all(&self.db)
            .await?;
        rows.into_iter().map(|row| self.version_from_row(row)).collect()
    }

    /// One version of a workflow; the newest when `version` is `None`.
    pub async fn workflow_version(&self, key: &str, version: Option<i32>) -> Result<WorkflowVersion> {
        let mut query = workflow_versions::Entity::find().filter(workflow_versions::Column::Key.eq(key));
        if let Some(version) = version {
            query = query.filter(workflow_versions::Column::Version.eq(version));
        }
        let row = query
            .order_by_desc(workflow_versions::Column::Version)
            .one(&self.db)
            .await?
            .ok_or_else(|| {
                Error::not_found(
                    "процесс",
                    version.map_or_else(|| key.to_string(), |v| format!("{key} версии {v}")),
                )
            })?;
        self.version_from_row(row)
    }

    /// The definition of a stored version, parsed once per process.
    pub(crate) async fn definition_by_version_id(
        &self,
        id: i64,
    ) -> Result<(Arc<Definition>, workflow_versions::Model)> {
        let cached = self
            .version_rows
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .cloned();
        let row = match cached {
            Some(row) => row,
            None => {
                let row = workflow_versions::Entity::find_by_id(id)
                    .one(&self.db)
                    .await?
                    .ok_or_else(|| Error::not_found("версия процесса", id))?;
                self.version_rows
                    .write()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(id, row.clone());
                row
            }
        };
        let definition = self.cached_definition(&row)?;
        Ok((definition, row))
    }

    fn cached_definition(&self, row: &workflow_versions::Model) -> Result<Arc<Definition>> {
        if let Some(found) = self.definitions.read().unwrap_or_else(|p| p.into_inner()).get(&row.id) {
            return Ok(found.clone());
        }
        let definition = Arc::new(Definition::from_stored_json(&row.definition).map_err(|e| {
            Error::Internal(format!(
                "stored workflow {} v{} is unreadable: {e}",
                row.key, row.version
            ))
        })?);
        self.definitions
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(row.id, definition.clone());
        Ok(definition)
    }

    pub(super) fn version_from_row(&self, row: workflow_versions::Model) -> Result<WorkflowVersion> {
        let definition = self.cached_definition(&row)?;
        Ok(WorkflowVersion {
            id: row.id,
            key: row.key,
            version: row.version,
            fingerprint: row.fingerprint,
            source_name: row.source_name,
            registered_at: row.registered_at,
            definition,
        })
    }
}
