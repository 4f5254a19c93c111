//! The demo data set: a living project office, generated (`project-office demo seed`,
//! `serve --demo`).
//!
//! Districts with real names and time zones, schools, kindergartens, centres and the
//! methodical service with Russian names, a person of every role, and projects of the five
//! built-in workflows at every stage — some completed, some on time, some overdue, some due
//! this week, a few cancelled — with their checklists, history and two years of indicator
//! reports, some missing and a few corrected.
//!
//! Decisions:
//!
//! - **Deterministic.** Everything random comes from [`DemoRng`] seeded with the seed and the
//!   district's number, never from the clock; dates count from the `now` passed in. The same
//!   seed and `now` give the same data, row for row (a test loads it twice and compares).
//!   The generator is xoshiro256++, a named algorithm, rather than `StdRng`, whose algorithm
//!   rand may change between releases.
//! - **The engine's plans, not look-alikes.** A project's history is simulated stage by stage:
//!   the launch computes the plan with [`crate::schedule::due_dates`], each transition
//!   recomputes it from the same facts the engine's own replanning uses (entered dates,
//!   completed stages pinned), so baseline and current due dates are exactly what launching
//!   and moving the project through the services would have stored. Guards hold too: a
//!   transition past a checklist has every item ticked before it, and one past
//!   `indicators_reported` has those reports, for the right period, before it.
//! - **Batched inserts for every scale.** Rows are built in memory a district at a time and
//!   written with multi-row `INSERT`s (sea-orm `insert_many`, chunks under the databases'
//!   bind-parameter limits), one transaction per district; on PostgreSQL several districts
//!   load at once. Going through the services would cost a transaction per click — hours at
//!   the country scale — and one code path for all scales means the tests check the loader
//!   the big scales use. Referenced rows get their ids from the generator (counted on from
//!   the table's largest id), so nothing waits for `RETURNING`; PostgreSQL's identity
//!   sequences are moved past them afterwards.
//! - **One password hash.** Every demo user has the password [`DEMO_PASSWORD`], hashed once
//!   (argon2 for each of 40,000 directors would take longer than the whole load).
//! - **Only into an empty database** (no districts): demo people and real people must not mix.

mod directory;
mod load;
mod names;
mod projects;
mod reports;
mod timeline;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use rand::SeedableRng;
use sea_orm::{EntityTrait, QueryOrder};

use crate::auth::{Role, hash_password};
use crate::definition::Definition;
use crate::error::{Error, Result};
use crate::period::{Period, Periodicity};
use crate::service::Engine;
use crate::store::entity::districts;

/// The random generator of the demo data (xoshiro256++: the same numbers from a seed in
/// every rand release).
pub(crate) type DemoRng = rand::rngs::Xoshiro256PlusPlus;

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "demo12345";

/// The mail domain of the demo users (`.test` is reserved: nothing is ever delivered there).
pub const DEMO_DOMAIN: &str = "demo.test";

/// The five built-in workflows the demo runs.
pub(crate) const WORKFLOWS: [&str; 5] = [
    "tochka-rosta",
    "school-leaders",
    "unified-methodical-day",
    "school-quality-roadmap",
    "methodical-service-monitoring",
];

/// How much data: one district, a region, or the country.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// One district: 60 organizations, about 300 projects (SQLite on a small machine).
    District,
    /// 40 districts: 2,400 organizations, about 12,000 projects.
    Region,
    /// 680 districts: about 40,000 organizations and 200,000 projects (PostgreSQL).
    Country,
}

impl Scale {
    pub fn parse(s: &str) -> Option<Scale> {
        match s {
            "district" => Some(Scale::District),
            "region" => Some(Scale::Region),
            "country" => Some(Scale::Country),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scale::District => "district",
            Scale::Region => "region",
            Scale::Country => "country",
        }
    }

    /// How many districts the scale has.
    pub fn districts(self) -> usize {
        match self {
            Scale::District => 1,
            Scale::Region => 40,
            Scale::Country => 680,
        }
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub scale: Scale,
    pub seed: u64,
    /// The instant the data is "as of": projects started before it, reports sent before it.
    pub now: DateTime<Utc>,
}

/// Rows written, by table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoCounts {
    pub districts: u64,
    pub organizations: u64,
    pub users: u64,
    pub projects: u64,
    pub participants: u64,
    pub stage_plans: u64,
    pub checklist_marks: u64,
    pub events: u64,
    pub indicator_reports: u64,
    pub report_revisions: u64,
    /// Projects left out because their plan would run past the production calendar.
    pub skipped_projects: u64,
}

impl DemoCounts {
    fn add(&mut self, other: &DemoCounts) {
        self.districts += other.districts;
        self.organizations += other.organizations;
        self.users += other.users;
        self.projects += other.projects;
        self.participants += other.participants;
        self.stage_plans += other.stage_plans;
        self.checklist_marks += other.checklist_marks;
        self.events += other.events;
        self.indicator_reports += other.indicator_reports;
        self.report_revisions += other.report_revisions;
        self.skipped_projects += other.skipped_projects;
    }

    /// All rows written.
    pub fn rows(&self) -> u64 {
        self.districts
            + self.organizations
            + self.users
            + self.projects
            + self.participants
            + self.stage_plans
            + self.checklist_marks
            + self.events
            + self.indicator_reports
            + self.report_revisions
    }
}

/// A demo account to sign in with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    pub role: Role,
    pub email: String,
    pub full_name: String,
    /// What the account sees, in Russian: «все районы», a district, an organization.
    pub scope: String,
}

/// What [`seed`] loaded.
#[derive(Debug, Clone)]
pub struct DemoReport {
    pub counts: DemoCounts,
    /// One account of each role (the coordinator, director and district observer of the
    /// first district).
    pub logins: Vec<DemoLogin>,
    pub password: &'static str,
}

/// A workflow's current version.
pub(crate) struct Workflow {
    pub id: i64,
    pub version: i32,
    pub definition: Arc<Definition>,
}

/// The workflows the demo runs, by key.
pub(crate) type Workflows = HashMap<&'static str, Workflow>;

/// Whether the database has no districts yet (then the demo may be loaded).
pub async fn is_empty(engine: &Engine) -> Result<bool> {
    Ok(districts::Entity::find()
        .order_by_asc(districts::Column::Id)
        .one(engine.db())
        .await?
        .is_none())
}

/// Generates the demo data set and loads it into an empty database whose workflows are
/// registered. Refuses a database that already has districts.
pub async fn seed(engine: &Engine, options: &DemoOptions) -> Result<DemoReport> {
    if !is_empty(engine).await? {
        return Err(Error::invalid(
            "В базе уже есть районы: демонстрационные данные загружаются только в пустую базу. \
             Укажите новую базу (DATABASE_URL) и повторите.",
        ));
    }
    let mut workflows = Workflows::new();
    for key in WORKFLOWS {
        let version = engine.workflow_version(key, None).await.map_err(|_| {
            Error::invalid(format!(
                "Процесс «{key}» не зарегистрирован: выполните `project-office migrate` и повторите."
            ))
        })?;
        workflows.insert(
            key,
            Workflow {
                id: version.id,
                version: version.version,
                definition: version.definition,
            },
        );
    }
    let hash = tokio::task::spawn_blocking(|| hash_password(DEMO_PASSWORD))
        .await
        .map_err(|e| Error::Internal(format!("password hashing: {e}")))??;

    let db = engine.db().clone();
    let mut ids = load::next_ids(&db).await?;
    let specs = names::districts(options.scale.districts())?;
    engine.register_regions().await?;
    let academic_year = Period::containing(Periodicity::AcademicYear, options.now.date_naive()).year();
    let epoch = NaiveDate::from_ymd_opt(academic_year - 2, 1, 10)
        .and_then(|d| d.and_hms_opt(6, 0, 0))
        .map(|d| d.and_utc())
        .ok_or_else(|| Error::Internal("no demo epoch".into()))?;

    let mut logins = Vec::new();
    let mut counts = DemoCounts::default();
    let parallel = match crate::store::backend(&db) {
        sea_orm::DbBackend::Postgres => 4,
        _ => 1,
    };
    let mut loading = tokio::task::JoinSet::new();
    for (index, spec) in specs.iter().enumerate() {
        let mut rng = DemoRng::seed_from_u64(options.seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut batch = load::Batch::default();
        if index == 0 {
            // With the first district, so a failed first batch leaves nothing behind.
            logins = directory::region_people(&mut batch, &mut ids, &hash, epoch);
        }
        let region = crate::calendar::Region::all().iter().find(|r| r.name == spec.region);
        let calendar = crate::calendar::Calendar::new(region, []);
        let district = directory::district(
            spec,
            region.map(|r| r.code.clone()),
            &mut rng,
            &mut ids,
            &mut batch,
            &hash,
            epoch,
        )?;
        let skipped = projects::generate(
            &projects::Context {
                district: &district,
                workflows: &workflows,
                calendar: &calendar,
                now: options.now,
                academic_year,
            },
            &mut rng,
            &mut ids,
            &mut batch,
        )?;
        if index == 0 {
            logins.extend(district.logins.clone());
        }
        let mut district_counts = batch.counts();
        district_counts.skipped_projects = skipped;
        counts.add(&district_counts);
        while loading.len() >= parallel {
            join_one(&mut loading).await?;
        }
        let db = db.clone();
        loading.spawn(async move { load::insert(&db, batch).await });
        if (index + 1) % 20 == 0 {
            tracing::info!(districts = index + 1, of = specs.len(), "demo data generated");
        }
    }
    while !loading.is_empty() {
        join_one(&mut loading).await?;
    }
    load::finish(&db).await?;
    logins.sort_by_key(|l| match l.role {
        Role::Admin => 0,
        Role::Coordinator => 1,
        Role::Director => 2,
        Role::Observer => 3,
    });
    Ok(DemoReport {
        counts,
        logins,
        password: DEMO_PASSWORD,
    })
}

async fn join_one(set: &mut tokio::task::JoinSet<Result<()>>) -> Result<()> {
    match set.join_next().await {
        Some(Ok(result)) => result,
        Some(Err(e)) => Err(Error::Internal(format!("demo loading task failed: {e}"))),
        None => Ok(()),
    }
}
