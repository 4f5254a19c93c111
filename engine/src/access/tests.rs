//! The table's own checks; the walk over HTTP is `tests/e2e/access.rs`.

use super::*;

fn actor(role: Role, district: Option<i64>, organization: Option<i64>) -> Actor {
    Actor {
        user_id: 1,
        role,
        district_id: district,
        organization_id: organization,
    }
}

#[test]
fn every_operation_has_exactly_one_row() {
    for (i, a) in TABLE.iter().enumerate() {
        assert_eq!(
            TABLE.iter().filter(|b| b.operation == a.operation).count(),
            1,
            "{:?} (row {i})",
            a.operation
        );
    }
}

#[test]
fn reaches_mean_what_they_say() {
    let director = Scope::of(&actor(Role::Director, Some(1), Some(10)));
    let project = Target::Project {
        district: 1,
        participants: &[10, 11],
    };
    assert!(director.may(Operation::ReadProject, project));
    assert!(!director.may(
        Operation::ReadProject,
        Target::Project {
            district: 1,
            participants: &[11]
        }
    ));
    assert!(director.may(
        Operation::ReadValues,
        Target::Organization {
            district: 1,
            organization: 10
        }
    ));
    assert!(!director.may(
        Operation::ReadValues,
        Target::Organization {
            district: 1,
            organization: 11
        }
    ));
    let coordinator = Scope::of(&actor(Role::Coordinator, Some(1), None));
    assert!(coordinator.may(Operation::LaunchProject, Target::District(1)));
    assert!(!coordinator.may(Operation::LaunchProject, Target::District(2)));
    assert!(!coordinator.may(Operation::EditCalendar, Target::Everything));
    let lost = Scope::of(&actor(Role::Coordinator, None, None));
    assert!(!lost.may(Operation::ReadProject, Target::District(1)));
    let region = Scope::of(&actor(Role::Observer, None, None));
    assert!(region.may(Operation::ReadDashboard, Target::Everything));
    assert!(!region.may(Operation::LaunchProject, Target::District(1)));
    let admin = Scope::of(&Actor::SYSTEM);
    assert!(admin.named(Operation::TakeTransition, Target::District(5), &[Role::Director]));
    assert!(!coordinator.named(Operation::TakeTransition, project, &[Role::Director]));
    assert!(director.named(Operation::TakeTransition, project, &[Role::Director]));
}

#[test]
fn a_refusal_says_who_may() {
    let Error::Forbidden(message) = refusal(Operation::LaunchProject) else {
        panic!()
    };
    assert_eq!(
        message,
        "Нет прав. Запускать проекты может администратор (везде) или координатор (в своём районе)."
    );
}

/// The README shows the table as it is.
#[test]
fn the_readme_shows_the_current_table() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let (begin, end) = ("<!-- permissions:begin -->\n", "<!-- permissions:end -->");
    let start = readme.find(begin).expect("README has the permissions markers") + begin.len();
    let stop = readme[start..].find(end).expect("README has the end marker") + start;
    let current = markdown();
    if std::env::var_os("UPDATE_README").is_some() {
        let updated = format!("{}{current}{}", &readme[..start], &readme[stop..]);
        std::fs::write(&path, updated).expect("write README.md");
        return;
    }
    assert!(
        readme[start..stop] == current,
        "README.md's permission table is stale: run `UPDATE_README=1 cargo test -p project-office-engine the_readme_shows_the_current_table`"
    );
}
