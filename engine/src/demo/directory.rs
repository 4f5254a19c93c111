//! The people and organizations of the demo: a district's methodical service, schools,
//! kindergartens and additional-education centres, a director for each, the district's
//! coordinator and observer (its methodist); the administrator and a regional observer.
//!
//! A district has 60 organizations, about the size of a rural Russian district: the
//! methodical service, 10 schools in the district centre (a gymnasium, a lyceum, numbered
//! secondary and basic schools), 34 village schools, 10 kindergartens and 5 centres. Each
//! organization gets a hidden «strength» that its indicator values follow, so the dashboard's
//! achievement groups (80–100 %, 50–79 %, below 50 %) all have members.

use chrono::{DateTime, Utc};
use rand::RngExt;
use rand::seq::SliceRandom;
use sea_orm::ActiveValue::Set;

use super::load::{Batch, Ids};
use super::names::{self, DistrictSpec, Names};
use super::{DEMO_DOMAIN, DemoLogin, DemoRng};
use crate::auth::Role;
use crate::error::Result;
use crate::model::OrganizationKind;
use crate::store::entity::{districts, organizations, users};

/// Schools in the district centre.
pub(super) const TOWN_SCHOOLS: usize = 10;
/// Village schools.
pub(super) const RURAL_SCHOOLS: usize = 34;
pub(super) const KINDERGARTENS: usize = 10;
/// Additional-education centres.
pub(super) const CENTRES: usize = 5;

/// One generated organization.
#[derive(Debug, Clone)]
pub(super) struct Org {
    pub id: i64,
    pub name: String,
    pub kind: OrganizationKind,
    /// How well it does, around 1.0 for a school that meets its targets.
    pub strength: f64,
    /// Its director's user id.
    pub director: i64,
    /// Its director's full name (for the history entries that name them).
    pub director_name: String,
}

/// One generated district with what its projects need.
#[derive(Debug, Clone)]
pub(super) struct District {
    pub id: i64,
    pub time_zone: chrono_tz::Tz,
    pub coordinator: i64,
    /// The methodical service first, then schools, kindergartens and centres.
    pub organizations: Vec<Org>,
    /// Its coordinator, the director of its first school, its observer.
    pub logins: Vec<DemoLogin>,
}

/// A demo account before it becomes a row.
struct Person {
    id: i64,
    email: String,
    full_name: String,
    role: Role,
    district_id: Option<i64>,
    organization_id: Option<i64>,
}

impl Person {
    fn row(&self, hash: &str, at: DateTime<Utc>) -> users::ActiveModel {
        users::ActiveModel {
            id: Set(self.id),
            search_text: Set(crate::text::user_search_key(&self.full_name, &self.email)),
            email: Set(self.email.clone()),
            full_name: Set(self.full_name.clone()),
            password_hash: Set(Some(hash.to_string())),
            role: Set(self.role.as_str().to_string()),
            district_id: Set(self.district_id),
            organization_id: Set(self.organization_id),
            active: Set(true),
            failed_logins: Set(0),
            last_failed_login_at: Set(None),
            created_at: Set(at),
        }
    }

    fn login(&self, scope: &str) -> DemoLogin {
        DemoLogin {
            role: self.role,
            email: self.email.clone(),
            full_name: self.full_name.clone(),
            scope: scope.to_string(),
        }
    }
}

/// The administrator and the observer of every district.
pub(super) fn region_people(batch: &mut Batch, ids: &mut Ids, hash: &str, at: DateTime<Utc>) -> Vec<DemoLogin> {
    let admin = Person {
        id: Ids::take(&mut ids.user),
        email: format!("admin@{DEMO_DOMAIN}"),
        full_name: "Администратор проектного офиса".into(),
        role: Role::Admin,
        district_id: None,
        organization_id: None,
    };
    let observer = Person {
        id: Ids::take(&mut ids.user),
        email: format!("observer@{DEMO_DOMAIN}"),
        full_name: "Наблюдатель регионального института развития образования".into(),
        role: Role::Observer,
        district_id: None,
        organization_id: None,
    };
    batch.users.extend([admin.row(hash, at), observer.row(hash, at)]);
    vec![
        admin.login("все районы, все права"),
        observer.login("все районы, только чтение"),
    ]
}

/// A district with its organizations and people.
pub(super) fn district(
    spec: &DistrictSpec,
    region_code: Option<String>,
    rng: &mut DemoRng,
    ids: &mut Ids,
    batch: &mut Batch,
    hash: &str,
    at: DateTime<Utc>,
) -> Result<District> {
    let names = names::names()?;
    let id = Ids::take(&mut ids.district);
    batch.districts.push(districts::ActiveModel {
        id: Set(id),
        name: Set(spec.name.clone()),
        time_zone: Set(spec.time_zone.name().to_string()),
        region_code: Set(region_code),
        created_at: Set(at),
    });
    let domain = format!("{}.{DEMO_DOMAIN}", spec.slug);
    let coordinator = Person {
        id: Ids::take(&mut ids.user),
        email: format!("coordinator@{domain}"),
        full_name: names::person(names, rng, 0.6),
        role: Role::Coordinator,
        district_id: Some(id),
        organization_id: None,
    };
    let observer = Person {
        id: Ids::take(&mut ids.user),
        email: format!("observer@{domain}"),
        full_name: names::person(names, rng, 0.8),
        role: Role::Observer,
        district_id: Some(id),
        organization_id: None,
    };
    let mut logins = vec![
        coordinator.login(&spec.name),
        observer.login(&format!("{}, только чтение", spec.name)),
    ];
    batch.users.extend([coordinator.row(hash, at), observer.row(hash, at)]);

    let mut organizations = Vec::new();
    for (k, (name, kind)) in organization_names(names, spec, rng).into_iter().enumerate() {
        let org_id = Ids::take(&mut ids.organization);
        let director = Person {
            id: Ids::take(&mut ids.user),
            email: format!("director{:02}@{domain}", k + 1),
            full_name: names::person(names, rng, 0.75),
            role: Role::Director,
            district_id: Some(id),
            organization_id: Some(org_id),
        };
        if kind == OrganizationKind::School && !logins.iter().any(|l| l.role == Role::Director) {
            logins.push(director.login(&name));
        }
        batch.organizations.push(organizations::ActiveModel {
            id: Set(org_id),
            district_id: Set(id),
            name: Set(name.clone()),
            kind: Set(kind.as_str().to_string()),
            email: Set(Some(format!("org{:02}@{domain}", k + 1))),
            phone: Set(None),
            created_at: Set(at),
            archived_at: Set(None),
        });
        organizations.push(Org {
            id: org_id,
            name,
            kind,
            strength: strength(rng),
            director: director.id,
            director_name: director.full_name.clone(),
        });
        batch.users.push(director.row(hash, at));
    }
    Ok(District {
        id,
        time_zone: spec.time_zone,
        coordinator: coordinator.id,
        organizations,
        logins,
    })
}

/// Most organizations meet their targets, a third fall short, a few are far behind.
fn strength(rng: &mut DemoRng) -> f64 {
    let r: f64 = rng.random();
    if r < 0.55 {
        rng.random_range(0.85..1.15)
    } else if r < 0.85 {
        rng.random_range(0.55..0.85)
    } else {
        rng.random_range(0.25..0.55)
    }
}

/// The organizations' names and kinds, unique within the district.
fn organization_names(names: &Names, spec: &DistrictSpec, rng: &mut DemoRng) -> Vec<(String, OrganizationKind)> {
    let mut out = vec![(
        format!("МКУ «Информационно-методический центр» {}", spec.genitive),
        OrganizationKind::MethodicalService,
    )];
    for n in 1..=TOWN_SCHOOLS {
        let name = match n {
            1 => "МАОУ «Гимназия № 1»".to_string(),
            2 => "МАОУ «Лицей № 2»".to_string(),
            n if n <= 8 => format!("МБОУ «СОШ № {n}»"),
            n => format!("МБОУ «ООШ № {n}»"),
        };
        out.push((name, OrganizationKind::School));
    }
    let mut villages = names.villages.clone();
    villages.shuffle(rng);
    for village in villages.iter().take(RURAL_SCHOOLS) {
        let level = if rng.random_bool(0.8) { "СОШ" } else { "ООШ" };
        out.push((format!("МКОУ «{village} {level}»"), OrganizationKind::School));
    }
    let mut kindergartens = names.kindergartens.clone();
    kindergartens.shuffle(rng);
    let mut numbers: Vec<usize> = (1..=30).collect();
    numbers.shuffle(rng);
    for (name, number) in kindergartens.iter().zip(numbers).take(KINDERGARTENS) {
        let full = match rng.random_range(0..4) {
            0 => format!("МАДОУ «Детский сад № {number} «{name}»»"),
            1 => format!("МКДОУ «Детский сад комбинированного вида № {number} «{name}»»"),
            _ => format!("МБДОУ «Детский сад № {number} «{name}»»"),
        };
        out.push((full, OrganizationKind::Kindergarten));
    }
    let mut centres = names.additional_education.clone();
    centres.shuffle(rng);
    for centre in centres.into_iter().take(CENTRES) {
        out.push((centre, OrganizationKind::AdditionalEducation));
    }
    out
}
