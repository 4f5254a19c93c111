//! «Замещение»: who stands in for a coordinator or a director while they are away — the
//! type, its queries and its mutations, merged into the schema's `Query` and `Mutation`.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use engine::Engine;

use crate::context::actor;
use crate::error::GqlResult;
use crate::types::directory::Person;
use crate::types::scalars::Date;
use crate::types::{parse_id, to_id};

/// Замещение: с какого по какое число (включительно, по времени района) напоминания человека
/// получает и замещающий — с пометкой «вы замещаете …».
#[derive(SimpleObject)]
pub struct Substitution {
    /// Идентификатор замещения.
    pub id: ID,
    /// Кто отсутствует.
    pub user: Person,
    /// Кто замещает.
    pub substitute: Person,
    /// Первый день.
    pub starts_on: Date,
    /// Последний день.
    pub ends_on: Date,
}

impl From<engine::model::Substitution> for Substitution {
    fn from(s: engine::model::Substitution) -> Self {
        Substitution {
            id: to_id(s.id),
            user: Person {
                id: to_id(s.user_id),
                full_name: s.user_name,
            },
            substitute: Person {
                id: to_id(s.substitute_id),
                full_name: s.substitute_name,
            },
            starts_on: s.starts_on.into(),
            ends_on: s.ends_on.into(),
        }
    }
}

/// Назначение замещающего.
#[derive(InputObject)]
pub struct SetSubstitutionInput {
    /// Кто будет отсутствовать; без него — вы сами.
    pub user_id: Option<ID>,
    /// Кто будет замещать: тот же по роли человек того же района (для руководителя — той же
    /// организации), см. `substituteCandidates`.
    pub substitute_id: ID,
    /// Первый день замещения.
    pub starts_on: Date,
    /// Последний день замещения (включительно).
    pub ends_on: Date,
}

/// The person a request is about: `user_id`, or the caller.
fn whom(ctx: &Context<'_>, user_id: Option<&ID>) -> async_graphql::Result<i64> {
    match user_id {
        Some(id) => parse_id(id, "userId"),
        None => Ok(actor(ctx)?.user_id),
    }
}

#[derive(Default)]
pub struct SubstitutionQuery;

#[Object]
impl SubstitutionQuery {
    /// Замещения человека, которые ещё не закончились (сегодняшние и будущие), ближайшие
    /// первыми.
    async fn substitutions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Кто отсутствует; без него — вы сами.")] user_id: Option<ID>,
    ) -> async_graphql::Result<Vec<Substitution>> {
        let user = whom(ctx, user_id.as_ref())?;
        let list = ctx
            .data_unchecked::<Engine>()
            .substitutions_of(actor(ctx)?, user)
            .await
            .gql()?;
        Ok(list.into_iter().map(Substitution::from).collect())
    }

    /// Кто может замещать человека: активные пользователи той же роли и того же района (для
    /// руководителя — той же организации).
    async fn substitute_candidates(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Кто отсутствует; без него — вы сами.")] user_id: Option<ID>,
    ) -> async_graphql::Result<Vec<Person>> {
        let user = whom(ctx, user_id.as_ref())?;
        let people = ctx
            .data_unchecked::<Engine>()
            .substitute_candidates(actor(ctx)?, user)
            .await
            .gql()?;
        Ok(people.iter().map(Person::of).collect())
    }
}

#[derive(Default)]
pub struct SubstitutionMutation;

#[Object]
impl SubstitutionMutation {
    /// Назначить замещающего на время отсутствия.
    async fn set_substitution(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Кто отсутствует, кто замещает и с какого по какое число.")] input: SetSubstitutionInput,
    ) -> async_graphql::Result<Substitution> {
        let user_id = whom(ctx, input.user_id.as_ref())?;
        let request = engine::service::NewSubstitution {
            user_id,
            substitute_id: parse_id(&input.substitute_id, "substituteId")?,
            starts_on: input.starts_on.into(),
            ends_on: input.ends_on.into(),
        };
        let saved = ctx
            .data_unchecked::<Engine>()
            .set_substitution(actor(ctx)?, request)
            .await
            .gql()?;
        Ok(saved.into())
    }

    /// Отменить замещение (ещё не начавшееся или досрочно); запись о нём остаётся.
    async fn cancel_substitution(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Идентификатор замещения.")] id: ID,
    ) -> async_graphql::Result<bool> {
        let id = parse_id(&id, "id")?;
        ctx.data_unchecked::<Engine>()
            .cancel_substitution(actor(ctx)?, id)
            .await
            .gql()?;
        Ok(true)
    }
}
