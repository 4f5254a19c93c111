//! The schema's own scalars: `Date`, `DateTime` and `JSON`.
//!
//! async-graphql's chrono and JSON integrations register scalars with fixed English
//! descriptions (and name dates `NaiveDate`); these newtypes replace them so that what a
//! client reads in the schema, and the error it gets for a value that does not parse, is
//! Russian and says what to fix. The wire formats are unchanged: a date is `2027-09-01`
//! (`%Y-%m-%d`), a moment is chrono's RFC 3339 in UTC (`2027-09-01T06:00:00+00:00`, with a
//! fraction of a second when there is one), JSON is any value.
//!
//! Convert with `From`/`Into` at the edges: resolvers hand the engine `NaiveDate` and
//! `chrono::DateTime<Utc>` and wrap what it returns.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::format::ParseErrorKind;
use chrono::{NaiveDate, Utc};

/// How a date looks on the wire (and how it was parsed before these scalars).
const DATE_FORMAT: &str = "%Y-%m-%d";

/// A calendar date, without time or time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(NaiveDate);

/// Календарная дата без времени и часового пояса в виде `ГГГГ-ММ-ДД` (ISO 8601), например
/// `2027-09-01`. Сроки и даты проектов считаются по часовому поясу района.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        let Value::String(text) = &value else {
            return Err(InputValueError::custom(
                "Дата должна быть строкой в виде ГГГГ-ММ-ДД, например 2027-09-01.",
            ));
        };
        NaiveDate::parse_from_str(text, DATE_FORMAT).map(Date).map_err(|e| {
            InputValueError::custom(match e.kind() {
                ParseErrorKind::OutOfRange | ParseErrorKind::Impossible => format!(
                    "Такой даты нет в календаре: «{}». Месяц — от 01 до 12, день — не больше числа дней в месяце.",
                    shown(text)
                ),
                _ => format!(
                    "Дата должна быть в виде ГГГГ-ММ-ДД, например 2027-09-01. Получено: «{}».",
                    shown(text)
                ),
            })
        })
    }

    /// Checked when the document is validated, so a bad date in a variable is refused there,
    /// with the input's path as `extensions.field`, before any resolver runs (the parse error
    /// alone names only the input type).
    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(text) if NaiveDate::parse_from_str(text, DATE_FORMAT).is_ok())
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format(DATE_FORMAT).to_string())
    }
}

impl From<NaiveDate> for Date {
    fn from(date: NaiveDate) -> Self {
        Date(date)
    }
}

impl From<Date> for NaiveDate {
    fn from(date: Date) -> Self {
        date.0
    }
}

/// A moment in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime(chrono::DateTime<Utc>);

/// Момент времени в формате RFC 3339 со смещением от UTC, например
/// `2027-09-01T09:00:00+03:00`. Сервер отдаёт время в UTC (`+00:00`), с долями секунды, если
/// они есть.
#[Scalar(
    name = "DateTime",
    specified_by_url = "https://datatracker.ietf.org/doc/html/rfc3339"
)]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        let Value::String(text) = &value else {
            return Err(InputValueError::custom(
                "Время должно быть строкой в формате RFC 3339, например 2027-09-01T09:00:00+03:00.",
            ));
        };
        text.parse::<chrono::DateTime<Utc>>().map(DateTime).map_err(|e| {
            InputValueError::custom(match e.kind() {
                ParseErrorKind::OutOfRange | ParseErrorKind::Impossible => format!(
                    "Такого момента нет: «{}». Проверьте дату, часы (00–23), минуты и секунды (00–59) и смещение.",
                    shown(text)
                ),
                _ => format!(
                    "Время должно быть в формате RFC 3339, например 2027-09-01T09:00:00+03:00. Получено: «{}».",
                    shown(text)
                ),
            })
        })
    }

    /// As for [`Date`]: refused at validation, with the field.
    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(text) if text.parse::<chrono::DateTime<Utc>>().is_ok())
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339())
    }
}

impl From<chrono::DateTime<Utc>> for DateTime {
    fn from(at: chrono::DateTime<Utc>) -> Self {
        DateTime(at)
    }
}

impl From<DateTime> for chrono::DateTime<Utc> {
    fn from(at: DateTime) -> Self {
        at.0
    }
}

/// Any JSON value.
#[derive(Clone, Debug, PartialEq)]
pub struct Json(serde_json::Value);

/// Любое значение JSON: объект, список, строка, число, `true`/`false` или `null`.
#[Scalar(name = "JSON")]
impl ScalarType for Json {
    fn parse(value: Value) -> InputValueResult<Self> {
        value.into_json().map(Json).map_err(|_| {
            InputValueError::custom("Значение должно быть JSON: объект, список, строка, число, true/false или null.")
        })
    }

    fn to_value(&self) -> Value {
        async_graphql::to_value(&self.0).unwrap_or_default()
    }
}

impl From<serde_json::Value> for Json {
    fn from(value: serde_json::Value) -> Self {
        Json(value)
    }
}

/// The value a client sent, shortened for an error message.
fn shown(text: &str) -> String {
    const LIMIT: usize = 40;
    match text.char_indices().nth(LIMIT) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{InputType, InputValueResult, OutputType, Value};
    use chrono::{NaiveDate, TimeZone, Utc};

    use super::{Date, DateTime, Json};

    fn string(s: &str) -> Value {
        Value::String(s.into())
    }

    /// Parses as the executor does: through `InputType`.
    fn parse<T: InputType>(value: Value) -> InputValueResult<T> {
        T::parse(Some(value))
    }

    fn error<T: InputType>(result: InputValueResult<T>) -> String {
        match result {
            Ok(_) => panic!("expected a parse error"),
            Err(e) => e.into_server_error(Default::default()).message,
        }
    }

    #[test]
    fn dates_keep_their_wire_format() {
        let date = NaiveDate::from_ymd_opt(2027, 9, 1).unwrap();
        assert_eq!(InputType::to_value(&Date::from(date)), string("2027-09-01"));
        assert_eq!(NaiveDate::from(parse::<Date>(string("2027-09-01")).unwrap()), date);
        assert_eq!(<Date as OutputType>::type_name(), "Date");
    }

    #[test]
    fn a_malformed_date_is_refused_in_russian_with_the_format() {
        let message = error(parse::<Date>(string("01.09.2027")));
        assert!(
            message.contains("Дата должна быть в виде ГГГГ-ММ-ДД, например 2027-09-01. Получено: «01.09.2027»."),
            "{message}"
        );
        let message = error(parse::<Date>(Value::Number(20270901.into())));
        assert!(message.contains("Дата должна быть строкой"), "{message}");
    }

    #[test]
    fn a_date_not_in_the_calendar_is_refused_as_such() {
        for text in ["2027-02-30", "2027-13-01", "2027-00-10"] {
            let message = error(parse::<Date>(string(text)));
            assert!(
                message.contains(&format!("Такой даты нет в календаре: «{text}»")),
                "{message}"
            );
        }
    }

    #[test]
    fn moments_keep_their_wire_format() {
        let at = Utc.with_ymd_and_hms(2027, 9, 1, 6, 0, 0).unwrap();
        assert_eq!(
            InputType::to_value(&DateTime::from(at)),
            string("2027-09-01T06:00:00+00:00")
        );
        let parsed: chrono::DateTime<Utc> = parse::<DateTime>(string("2027-09-01T09:00:00+03:00")).unwrap().into();
        assert_eq!(parsed, at);
    }

    #[test]
    fn a_malformed_moment_is_refused_in_russian_with_an_example() {
        let message = error(parse::<DateTime>(string("1 сентября, 9 утра")));
        assert!(
            message.contains("Время должно быть в формате RFC 3339, например 2027-09-01T09:00:00+03:00."),
            "{message}"
        );
        let message = error(parse::<DateTime>(string("2027-09-01T25:00:00+03:00")));
        assert!(message.contains("Такого момента нет"), "{message}");
    }

    #[test]
    fn json_is_any_value_both_ways() {
        let value = serde_json::json!({ "from": "2027-09-01", "changes": [1, 2.5, null, true] });
        let scalar = Json::from(value.clone());
        assert_eq!(InputType::to_value(&scalar).into_json().unwrap(), value);
        assert_eq!(parse::<Json>(InputType::to_value(&scalar)).unwrap(), scalar);
    }

    #[test]
    fn a_long_value_is_shortened_in_the_message() {
        let message = error(parse::<Date>(string(&"9".repeat(1000))));
        assert!(message.len() < 300 && message.contains("…"), "{message}");
    }

    /// A bad date, in a variable or written in the query, is refused when the document is
    /// validated: the client reads what to fix and which field it is in (the parse error a
    /// resolver would give names only the input type).
    #[tokio::test]
    async fn a_client_sending_a_bad_date_reads_what_to_fix_and_where() {
        use crate::schema::{Mutation, Query, Subscription};
        let schema = async_graphql::Schema::build(Query::default(), Mutation::default(), Subscription).finish();
        let with_variable = async_graphql::Request::new(
            "query($day: Date!) { launchPreview(input: { workflowKey: \"w\", districtId: \"1\", participantIds: [], startDate: $day }) { title } }",
        )
        .variables(async_graphql::Variables::from_json(serde_json::json!({ "day": "01.09.2027" })));
        let in_an_input =
            async_graphql::Request::new("query($i: LaunchProjectInput!) { launchPreview(input: $i) { title } }")
                .variables(async_graphql::Variables::from_json(serde_json::json!({
                    "i": { "workflowKey": "w", "districtId": "1", "participantIds": [], "startDate": "2027-02-30" }
                })));
        let literal = async_graphql::Request::new(
            "{ launchPreview(input: { workflowKey: \"w\", districtId: \"1\", participantIds: [], startDate: \"2027-02-30\" }) { title } }",
        );
        for request in [with_variable, in_an_input, literal] {
            let response = schema.execute(request).await;
            let mut error = response.errors.first().cloned().expect("refused");
            crate::messages::russify(&mut error);
            assert!(
                error.message.contains("ожидается существующая дата в виде ГГГГ-ММ-ДД"),
                "{}",
                error.message
            );
            let field = error.extensions.as_ref().and_then(|e| e.get("field")).cloned();
            assert_eq!(
                field,
                Some(async_graphql::Value::from("startDate")),
                "{}",
                error.message
            );
        }
    }
}
