//! Districts, organizations and users.

use engine::model::OrganizationKind;
use engine::service::{NewDistrict, NewOrganization, NewUser};
use engine::{Actor, Role};

use crate::both_backends;
use crate::helpers::TestDb;
use crate::helpers::code;

fn director(email: &str, organization_id: i64) -> NewUser {
    NewUser {
        email: email.into(),
        full_name: "Иванова Мария Петровна".into(),
        password: Some("надёжный-пароль".into()),
        role: Role::Director,
        district_id: None,
        organization_id: Some(organization_id),
    }
}

async fn a_district_needs_a_real_time_zone_and_a_unique_name(db: TestDb) {
    let e = &db.engine;
    let err = e
        .create_district(
            &Actor::SYSTEM,
            NewDistrict {
                name: "Скопинский район".into(),
                time_zone: Some("Europe/Ryazan".into()),
                region_code: None,
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, engine::Error::Validation { field: Some(f), .. } if f.name() == "timeZone"),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("Europe/Moscow"),
        "the message shows how to write it: {err}"
    );
    let d = e
        .create_district(
            &Actor::SYSTEM,
            NewDistrict {
                name: " Скопинский район ".into(),
                time_zone: Some("Europe/Moscow".into()),
                region_code: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (d.name.as_str(), d.time_zone),
        ("Скопинский район", chrono_tz::Europe::Moscow)
    );
    assert_eq!(
        code(
            e.create_district(
                &Actor::SYSTEM,
                NewDistrict {
                    name: "Скопинский район".into(),
                    time_zone: Some("Europe/Moscow".into()),
                    region_code: None
                }
            )
            .await
        ),
        "VALIDATION"
    );
}

async fn only_admins_create_districts_and_coordinators_manage_their_own(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    assert_eq!(
        code(
            e.create_district(
                &w.coordinator,
                NewDistrict {
                    name: "Новый".into(),
                    time_zone: Some("Europe/Moscow".into()),
                    region_code: None
                }
            )
            .await
        ),
        "FORBIDDEN"
    );
    let school = NewOrganization {
        district_id: w.district.id,
        name: "МДОУ «Детский сад № 3»".into(),
        kind: OrganizationKind::Kindergarten,
        email: Some("Sad3@Chesma.Test".into()),
    };
    let created = e.create_organization(&w.coordinator, school.clone()).await.unwrap();
    assert_eq!(created.email.as_deref(), Some("sad3@chesma.test"));
    assert_eq!(
        code(e.create_organization(&w.coordinator, school.clone()).await),
        "VALIDATION"
    );
    assert_eq!(
        code(
            e.create_organization(
                &w.other_coordinator,
                NewOrganization {
                    name: "Другая".into(),
                    ..school.clone()
                }
            )
            .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        code(
            e.create_organization(
                &w.director,
                NewOrganization {
                    name: "Третья".into(),
                    ..school.clone()
                }
            )
            .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        code(
            e.create_organization(
                &w.coordinator,
                NewOrganization {
                    name: "С почтой".into(),
                    email: Some("не почта".into()),
                    ..school
                }
            )
            .await
        ),
        "VALIDATION"
    );
    assert_eq!(
        e.organizations(&w.coordinator, Some(w.district.id))
            .await
            .unwrap()
            .len(),
        4
    );
    assert_eq!(e.districts(&w.coordinator).await.unwrap().len(), 1);
    assert_eq!(e.districts(&w.admin).await.unwrap().len(), 2);
}

async fn a_coordinator_creates_directors_only_for_schools_of_their_district(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    let user = e
        .create_user(&w.coordinator, director("New.Director@Chesma.test", w.schools[2].id))
        .await
        .unwrap();
    assert_eq!(
        (user.email.as_str(), user.district_id, user.organization_id),
        ("new.director@chesma.test", Some(w.district.id), Some(w.schools[2].id))
    );
    let err = e
        .create_user(&w.coordinator, director("new.director@chesma.test", w.schools[2].id))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, engine::Error::Validation { field: Some(f), .. } if f.name() == "email"),
        "{err:?}"
    );
    assert_eq!(
        code(
            e.create_user(&w.coordinator, director("x@yartsevo.test", w.other_school.id))
                .await
        ),
        "FORBIDDEN"
    );
    let coordinator = NewUser {
        role: Role::Coordinator,
        organization_id: None,
        district_id: Some(w.district.id),
        ..director("c2@chesma.test", 0)
    };
    assert_eq!(code(e.create_user(&w.coordinator, coordinator).await), "FORBIDDEN");
    let short = NewUser {
        password: Some("1234".into()),
        ..director("short@chesma.test", w.schools[2].id)
    };
    let err = e.create_user(&w.admin, short).await.unwrap_err();
    assert!(
        matches!(&err, engine::Error::Validation { field: Some(f), .. } if f.name() == "password"),
        "{err:?}"
    );
    let nowhere = NewUser {
        organization_id: None,
        ..director("nowhere@chesma.test", 0)
    };
    assert_eq!(code(e.create_user(&w.admin, nowhere).await), "VALIDATION");
}

async fn passwords_are_stored_as_argon2_hashes(db: TestDb) {
    use sea_orm::{ConnectionTrait, Statement};
    let w = db.world().await;
    let _ = w;
    let row = db
        .db()
        .query_one_raw(Statement::from_string(
            db.db().get_database_backend(),
            "SELECT password_hash FROM users WHERE email = 'admin@po.test'",
        ))
        .await
        .unwrap()
        .unwrap();
    let hash: String = row.try_get("", "password_hash").unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(engine::auth::verify_password("пароль-для-тестов", &hash));
}

/// Pages of organizations by name, forward with `first`/`after` and backward with
/// `last`/`before` (row-value comparisons on both databases, names with quotes and «№»), in
/// the caller's scope: the same rows, in the same order, as the whole list.
async fn organizations_page_forward_and_backward_within_the_scope(db: TestDb) {
    use engine::service::{PageRequest, Take};
    let w = db.world().await;
    let e = &db.engine;
    for name in [
        "МБОУ «СОШ № 10»",
        "МБОУ «СОШ № 2»",
        "Детский сад «Ёлочка»",
        "\"Кавычки\" и № 1",
        "Аа",
        "аа",
    ] {
        let org = NewOrganization {
            district_id: w.district.id,
            name: name.into(),
            kind: OrganizationKind::School,
            email: None,
        };
        e.create_organization(&w.admin, org).await.unwrap();
    }
    for actor in [&w.admin, &w.coordinator, &w.director, &w.observer, &w.other_coordinator] {
        let all: Vec<i64> = e
            .organizations(actor, None)
            .await
            .unwrap()
            .iter()
            .map(|o| o.id)
            .collect();
        // Forward, three at a time.
        let mut forward = Vec::new();
        let mut after = None;
        loop {
            let page = e
                .organization_page(actor, None, &PageRequest::first(3, after))
                .await
                .unwrap();
            assert_eq!(page.total_count, all.len() as u64);
            assert_eq!(page.has_previous_page, !forward.is_empty());
            forward.extend(page.values().map(|o| o.id));
            after = page.items.last().map(|(c, _)| c.clone());
            if !page.has_next_page {
                break;
            }
        }
        assert_eq!(forward, all, "{:?}", actor.role);
        // Backward from the end, three at a time.
        let mut backward = Vec::new();
        let mut before = None;
        loop {
            let page = e
                .organization_page(actor, None, &PageRequest::last(3, before))
                .await
                .unwrap();
            let ids: Vec<i64> = page.values().map(|o| o.id).collect();
            backward.splice(0..0, ids);
            before = page.items.first().map(|(c, _)| c.clone());
            if !page.has_previous_page {
                break;
            }
        }
        assert_eq!(backward, all, "{:?}", actor.role);
        // Between two cursors.
        if all.len() >= 4 {
            let whole = e
                .organization_page(actor, None, &PageRequest::first(100, None))
                .await
                .unwrap();
            let between = PageRequest {
                take: Take::First(100),
                after: Some(whole.items[0].0.clone()),
                before: Some(whole.items[3].0.clone()),
            };
            let page = e.organization_page(actor, None, &between).await.unwrap();
            assert_eq!(page.values().map(|o| o.id).collect::<Vec<_>>(), all[1..3]);
        }
    }
}

both_backends!(
    organizations_page_forward_and_backward_within_the_scope,
    a_district_needs_a_real_time_zone_and_a_unique_name,
    only_admins_create_districts_and_coordinators_manage_their_own,
    a_coordinator_creates_directors_only_for_schools_of_their_district,
    passwords_are_stored_as_argon2_hashes,
    the_user_list_is_scoped_searched_and_an_account_switched_off_is_locked_out_at_once,
    a_person_changes_their_password_and_their_other_sessions_end
);

/// Changing one's password: the current one must be right, the new one hard to guess (said in
/// Russian on its field); the other sessions end, the one that changed it goes on.
async fn a_person_changes_their_password_and_their_other_sessions_end(db: TestDb) {
    let w = db.world().await;
    let e = &db.engine;
    let here = e.login("director1@chesma.test", "пароль-для-тестов").await.unwrap();
    let elsewhere = e.login("director1@chesma.test", "пароль-для-тестов").await.unwrap();
    let field_of = |err: engine::Error| match err {
        engine::Error::Validation {
            field: Some(f),
            message,
        } => (f.name(), message),
        other => panic!("{other:?}"),
    };
    let (field, _) = field_of(
        e.change_password(&w.director, &here.token, "не тот пароль", "корова зонтик пятница")
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "currentPassword");
    let (field, message) = field_of(
        e.change_password(&w.director, &here.token, "пароль-для-тестов", "12345678")
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "password");
    assert!(message.contains("легко подобрать"), "{message}");
    let (_, message) = field_of(
        e.change_password(&w.director, &here.token, "пароль-для-тестов", "пароль-для-тестов")
            .await
            .unwrap_err(),
    );
    assert!(message.contains("совпадает с текущим"), "{message}");
    // Nothing changed by the refusals.
    e.authenticate(&elsewhere.token).await.unwrap();

    e.change_password(&w.director, &here.token, "пароль-для-тестов", "корова зонтик пятница")
        .await
        .unwrap();
    e.authenticate(&here.token).await.unwrap();
    assert_eq!(code(e.authenticate(&elsewhere.token).await), "UNAUTHENTICATED");
    assert_eq!(
        code(e.login("director1@chesma.test", "пароль-для-тестов").await),
        "UNAUTHENTICATED"
    );
    e.login("director1@chesma.test", "корова зонтик пятница").await.unwrap();
}

/// The user list: an administrator sees everyone, a coordinator the people of their district,
/// a director nobody; words of the name or email find people in any case; pages go both ways.
/// A coordinator switches a director off: the director's session ends at once and the
/// director cannot sign in until switched on again; nobody switches off themselves, and a
/// coordinator cannot switch off a coordinator.
async fn the_user_list_is_scoped_searched_and_an_account_switched_off_is_locked_out_at_once(db: TestDb) {
    use engine::service::{PageRequest, UserFilter};
    let w = db.world().await;
    let e = &db.engine;
    let emails = |page: &engine::service::Page<engine::service::UserListing>| {
        page.values().map(|l| l.user.email.clone()).collect::<Vec<_>>()
    };
    let admin = &w.admin;
    let all = |f: UserFilter| async move { e.user_page(admin, &f, &PageRequest::first(100, None)).await.unwrap() };
    assert_eq!(all(UserFilter::default()).await.total_count, 6);
    let mine = e
        .user_page(&w.coordinator, &UserFilter::default(), &PageRequest::first(100, None))
        .await
        .unwrap();
    assert_eq!(
        emails(&mine),
        [
            "coordinator@chesma.test",
            "director1@chesma.test",
            "director2@chesma.test",
            "observer@chesma.test"
        ],
        "the district's people, by name"
    );
    assert_eq!(
        code(
            e.user_page(
                &w.coordinator,
                &UserFilter {
                    district_id: Some(w.other_district.id),
                    ..Default::default()
                },
                &PageRequest::first(10, None)
            )
            .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        code(
            e.user_page(&w.director, &UserFilter::default(), &PageRequest::first(10, None))
                .await
        ),
        "FORBIDDEN"
    );
    // Words in any case, of the name or the email; every word must be there.
    let found = all(UserFilter {
        search: Some("ПОЛЬЗОВАТЕЛЬ DIRECTOR2".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(emails(&found), ["director2@chesma.test"]);
    // Two by two and back.
    let first = e
        .user_page(&w.admin, &UserFilter::default(), &PageRequest::first(2, None))
        .await
        .unwrap();
    let after = first.items.last().unwrap().0.clone();
    let second = e
        .user_page(&w.admin, &UserFilter::default(), &PageRequest::first(2, Some(after)))
        .await
        .unwrap();
    let before = second.items.first().unwrap().0.clone();
    let back = e
        .user_page(&w.admin, &UserFilter::default(), &PageRequest::last(2, Some(before)))
        .await
        .unwrap();
    assert_eq!(emails(&back), emails(&first));

    // Signed in: the list says when.
    let session = e.login("director1@chesma.test", "пароль-для-тестов").await.unwrap();
    let listed = all(UserFilter {
        search: Some("director1".into()),
        ..Default::default()
    })
    .await;
    assert!(listed.values().next().unwrap().last_sign_in.is_some());

    // Switched off by the district's coordinator: locked out at once.
    assert_eq!(
        code(
            e.set_user_active(&w.coordinator, w.other_coordinator.user_id, false)
                .await
        ),
        "NOT_FOUND",
        "another district's people are not the coordinator's to see"
    );
    let own = e.set_user_active(&w.admin, w.admin.user_id, false).await.unwrap_err();
    assert_eq!(own.code(), "VALIDATION");
    assert!(own.to_string().contains("Собственную учётную запись"), "{own}");
    let off = e
        .set_user_active(&w.coordinator, w.director.user_id, false)
        .await
        .unwrap();
    assert!(!off.active);
    assert_eq!(code(e.authenticate(&session.token).await), "UNAUTHENTICATED");
    assert_eq!(
        code(e.login("director1@chesma.test", "пароль-для-тестов").await),
        "UNAUTHENTICATED"
    );
    let inactive = all(UserFilter {
        active: Some(false),
        ..Default::default()
    })
    .await;
    assert_eq!(emails(&inactive), ["director1@chesma.test"]);
    // Back on: signing in works again.
    e.set_user_active(&w.coordinator, w.director.user_id, true)
        .await
        .unwrap();
    e.login("director1@chesma.test", "пароль-для-тестов").await.unwrap();
}
