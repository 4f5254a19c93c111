//! Russian names for the demo data: districts with their regions and time zones, people,
//! schools, kindergartens and centres. The material is data (`data/*.toml`, embedded at build
//! time); this module only combines it.
//!
//! Districts are taken round-robin over the regions, so any scale above one district spans
//! several time zones. The list holds about 500 real districts; a scale that needs more (the
//! country) reuses them with a number («… (Челябинская область) № 2»), because district names
//! are unique in the database.

use std::collections::HashSet;
use std::str::FromStr;
use std::sync::OnceLock;

use chrono_tz::Tz;
use rand::RngExt;
use rand::seq::IndexedRandom;
use serde::Deserialize;

use super::DemoRng;
use crate::error::{Error, Result};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DistrictData {
    regions: Vec<Region>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Region {
    name: String,
    time_zone: String,
    districts: Vec<String>,
}

/// The name material of `data/names.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Names {
    surnames: Vec<String>,
    male_names: Vec<String>,
    female_names: Vec<String>,
    patronymics: Vec<String>,
    pub villages: Vec<String>,
    pub kindergartens: Vec<String>,
    pub additional_education: Vec<String>,
    pub methodical_days: Vec<String>,
}

fn parsed<T: serde::de::DeserializeOwned>(
    cell: &'static OnceLock<std::result::Result<T, String>>,
    file: &str,
    text: &str,
) -> Result<&'static T> {
    cell.get_or_init(|| toml::from_str(text).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| Error::Internal(format!("demo data {file} is unreadable: {e}")))
}

/// The name material.
pub(super) fn names() -> Result<&'static Names> {
    static NAMES: OnceLock<std::result::Result<Names, String>> = OnceLock::new();
    parsed(&NAMES, "names.toml", include_str!("data/names.toml"))
}

/// One district of the demo data.
#[derive(Debug, Clone)]
pub(super) struct DistrictSpec {
    /// «Чесменский район (Челябинская область)».
    pub name: String,
    pub time_zone: Tz,
    /// «Чесменского района», for names like «МКУ «Методический центр» Чесменского района».
    pub genitive: String,
    /// `chesmenskiy`: the mail domain of its people, `…@chesmenskiy.demo.test`.
    pub slug: String,
    /// The region's name, as the reference data of regions spells it.
    pub region: String,
}

/// The first `count` districts, round-robin over the regions.
pub(super) fn districts(count: usize) -> Result<Vec<DistrictSpec>> {
    static DISTRICTS: OnceLock<std::result::Result<DistrictData, String>> = OnceLock::new();
    let data = parsed(&DISTRICTS, "districts.toml", include_str!("data/districts.toml"))?;
    let longest = data.regions.iter().map(|r| r.districts.len()).max().unwrap_or(0);
    let mut real = Vec::new();
    for round in 0..longest {
        for region in &data.regions {
            if let Some(district) = region.districts.get(round) {
                real.push((district, region));
            }
        }
    }
    if real.is_empty() {
        return Err(Error::Internal("demo data districts.toml lists no districts".into()));
    }
    let mut slugs = HashSet::new();
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let (district, region) = real[i % real.len()];
        let pass = i / real.len();
        let time_zone = Tz::from_str(&region.time_zone)
            .map_err(|_| Error::Internal(format!("demo data: unknown time zone {}", region.time_zone)))?;
        let name = match pass {
            0 => format!("{district} ({})", region.name),
            n => format!("{district} ({}) № {}", region.name, n + 1),
        };
        let base = translit(district.split_whitespace().next().unwrap_or("district"));
        let mut slug = base.clone();
        let mut n = 2;
        while !slugs.insert(slug.clone()) {
            slug = format!("{base}-{n}");
            n += 1;
        }
        out.push(DistrictSpec {
            name,
            time_zone,
            genitive: genitive(district),
            slug,
            region: region.name.clone(),
        });
    }
    Ok(out)
}

/// A full name (ФИО) of a person, a woman with probability `female_share`.
pub(super) fn person(names: &Names, rng: &mut DemoRng, female_share: f64) -> String {
    let female = rng.random_bool(female_share);
    let surname = pick(&names.surnames, rng);
    let patronymic = pick(&names.patronymics, rng);
    if female {
        format!(
            "{} {} {}",
            feminine_surname(surname),
            pick(&names.female_names, rng),
            feminine_patronymic(patronymic)
        )
    } else {
        format!("{surname} {} {patronymic}", pick(&names.male_names, rng))
    }
}

/// A random element of a non-empty list (the lists are data checked by a unit test).
pub(super) fn pick<'a>(list: &'a [String], rng: &mut DemoRng) -> &'a str {
    list.choose(rng).map_or("", String::as_str)
}

fn feminine_surname(surname: &str) -> String {
    if let Some(stem) = surname.strip_suffix("ий") {
        format!("{stem}ая")
    } else if ["ов", "ев", "ёв", "ин", "ын"].iter().any(|s| surname.ends_with(s)) {
        format!("{surname}а")
    } else {
        surname.to_string()
    }
}

fn feminine_patronymic(patronymic: &str) -> String {
    match patronymic.strip_suffix("ич") {
        Some(stem) => format!("{stem}на"),
        None => patronymic.to_string(),
    }
}

/// «Чесменский район» → «Чесменского района»: adjectives and the nouns the list uses.
fn genitive(name: &str) -> String {
    name.split(' ')
        .map(|word| {
            for ending in ["ий", "ый", "ой"] {
                if let Some(stem) = word.strip_suffix(ending) {
                    return format!("{stem}ого");
                }
            }
            match word {
                "район" | "улус" | "округ" => format!("{word}а"),
                other => other.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Latin letters for a mail domain: «Сычёвский» → `sychevskiy`.
fn translit(word: &str) -> String {
    let mut out = String::new();
    for c in word.to_lowercase().chars() {
        let latin = match c {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'д' => "d",
            'е' | 'ё' | 'э' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' => "i",
            'й' | 'ы' => "y",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ю' => "yu",
            'я' => "ya",
            'ъ' | 'ь' => "",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => "-",
        };
        out.push_str(latin);
    }
    out
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn the_data_files_parse_and_every_list_has_enough_names() {
        let names = names().unwrap();
        for list in [
            &names.surnames,
            &names.male_names,
            &names.female_names,
            &names.patronymics,
            &names.methodical_days,
        ] {
            assert!(list.len() >= 15, "{list:?}");
        }
        assert!(names.villages.len() >= super::super::directory::RURAL_SCHOOLS);
        assert!(names.kindergartens.len() >= super::super::directory::KINDERGARTENS);
        assert!(names.additional_education.len() >= super::super::directory::CENTRES);
        let all = districts(700).unwrap();
        let unique: HashSet<&str> = all.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(unique.len(), 700, "district names are unique");
        let slugs: HashSet<&str> = all.iter().map(|d| d.slug.as_str()).collect();
        assert_eq!(slugs.len(), 700, "mail domains are unique");
        let zones: HashSet<Tz> = all[..40].iter().map(|d| d.time_zone).collect();
        assert!(zones.len() >= 10, "the region scale spans time zones: {zones:?}");
    }

    #[test]
    fn russian_grammar_of_names() {
        assert_eq!(all_first().name, "Чесменский район (Челябинская область)");
        assert_eq!(all_first().genitive, "Чесменского района");
        assert_eq!(all_first().slug, "chesmenskiy");
        assert_eq!(genitive("Кинель-Черкасский район"), "Кинель-Черкасского района");
        assert_eq!(genitive("Горный улус"), "Горного улуса");
        assert_eq!(translit("Сычёвский"), "sychevskiy");
        assert_eq!(feminine_surname("Покровский"), "Покровская");
        assert_eq!(feminine_surname("Соловьёв"), "Соловьёва");
        assert_eq!(feminine_surname("Ткаченко"), "Ткаченко");
        assert_eq!(feminine_patronymic("Сергеевич"), "Сергеевна");
        let mut rng = DemoRng::seed_from_u64(1);
        let name = person(names().unwrap(), &mut rng, 0.5);
        assert_eq!(name.split(' ').count(), 3, "{name}");
    }

    fn all_first() -> DistrictSpec {
        districts(1).unwrap().remove(0)
    }
}
