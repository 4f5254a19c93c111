//! The API side of the throughput rows: `transitionProject` and `reportIndicator` over HTTP,
//! each worker on its own project or report.

use std::time::Instant;

use anyhow::Context;
use serde_json::json;

use crate::raw::Raw;
use crate::server::Client;

pub const TRANSITION: &str = "mutation($i: TransitionProjectInput!) { transitionProject(input: $i) { id rowVersion currentStage { key currentDue } } }";

pub async fn api_transitions(client: &Client, token: &str, project: i64, deadline: Instant) -> anyhow::Result<u64> {
    let data = client
        .data(
            token,
            "query($id: ID!) { project(id: $id) { rowVersion currentStage { key } } }",
            &json!({ "id": project.to_string() }),
        )
        .await?;
    let mut version = data["project"]["rowVersion"].as_i64().context("rowVersion")?;
    let mut stage = data["project"]["currentStage"]["key"]
        .as_str()
        .context("stage")?
        .to_string();
    let mut done = 0;
    while Instant::now() < deadline {
        let (to, comment) = if stage == "monitoring" {
            ("methodical_help", Some("Дорожная карта выполнена не полностью"))
        } else {
            ("monitoring", None)
        };
        let data = client
            .data(
                token,
                TRANSITION,
                &json!({ "i": { "projectId": project.to_string(), "toStage": to, "expectedVersion": version, "comment": comment } }),
            )
            .await?;
        version = data["transitionProject"]["rowVersion"].as_i64().context("rowVersion")?;
        stage = to.to_string();
        done += 1;
    }
    Ok(done)
}

/// One existing report to correct again and again.
#[derive(Clone)]
pub struct ReportTarget {
    pub project: i64,
    pub organization: i64,
    pub indicator: String,
    pub period: String,
    /// The value as reported (valid for the indicator by construction).
    pub value: f64,
}

pub async fn report_target(db: &Raw, id: i64) -> anyhow::Result<ReportTarget> {
    let (project, organization, indicator, period, value) = db.report(id).await?;
    Ok(ReportTarget {
        project,
        organization,
        indicator,
        period,
        value,
    })
}

pub async fn api_reports(client: &Client, token: &str, t: ReportTarget, deadline: Instant) -> anyhow::Result<u64> {
    let query = "mutation($i: ReportIndicatorInput!) { reportIndicator(input: $i) { id value revision } }";
    let vars = json!({ "i": {
        "projectId": t.project.to_string(),
        "organizationId": t.organization.to_string(),
        "indicator": t.indicator,
        "period": t.period,
        "value": t.value,
        "comment": "Уточнённые данные",
    } });
    let mut done = 0;
    while Instant::now() < deadline {
        client.data(token, query, &vars).await?;
        done += 1;
    }
    Ok(done)
}
