//! New passwords: at least [`MIN_LENGTH`] characters and hard to guess, as zxcvbn (the
//! estimator Dropbox published, in its Rust port) judges them — a length alone lets
//! «12345678» and «qwertyui» through. The estimator's own words are English; a person reads
//! the Russian ones below, which say what to change.

/// The fewest characters a password may have.
pub const MIN_LENGTH: usize = 8;

/// What is wrong with `password` as a new password, in Russian, or `None` when it will do.
/// `personal` are the person's own words (name, email): a password made of them is weak.
pub fn problem(password: &str, personal: &[&str]) -> Option<String> {
    if password.chars().count() < MIN_LENGTH {
        return Some(format!("Пароль слишком короткий: нужно не меньше {MIN_LENGTH} знаков."));
    }
    let words: Vec<String> = personal
        .iter()
        .flat_map(|p| p.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let estimate = zxcvbn::zxcvbn(password, &words);
    if u8::from(estimate.score()) >= 3 {
        return None;
    }
    let why = estimate.feedback().and_then(|f| f.warning()).map(warning);
    Some(format!(
        "Пароль легко подобрать{}. Возьмите фразу из трёх-четырёх несвязанных слов или добавьте к паролю ещё несколько знаков.",
        why.map(|w| format!(": {w}")).unwrap_or_default()
    ))
}

fn warning(w: zxcvbn::feedback::Warning) -> &'static str {
    use zxcvbn::feedback::Warning as W;
    match w {
        W::StraightRowsOfKeysAreEasyToGuess | W::ShortKeyboardPatternsAreEasyToGuess => {
            "клавиши подряд на клавиатуре угадываются быстро"
        }
        W::RepeatsLikeAaaAreEasyToGuess | W::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => {
            "повторы вроде «ааа» или «абвабв» угадываются быстро"
        }
        W::ThisIsATop10Password | W::ThisIsATop100Password | W::ThisIsACommonPassword => {
            "это один из самых распространённых паролей"
        }
        W::ThisIsSimilarToACommonlyUsedPassword => "он похож на распространённый пароль",
        W::SequencesLikeAbcAreEasyToGuess => "последовательности вроде «абв» или «123» угадываются быстро",
        W::RecentYearsAreEasyToGuess | W::DatesAreOftenEasyToGuess => "годы и даты угадываются быстро",
        W::AWordByItselfIsEasyToGuess => "одно слово угадывается быстро",
        W::NamesAndSurnamesByThemselvesAreEasyToGuess | W::CommonNamesAndSurnamesAreEasyToGuess => {
            "имена и фамилии угадываются быстро"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_common_and_personal_passwords_are_refused_in_russian_and_phrases_pass() {
        assert!(problem("1234", &[]).unwrap().contains("не меньше 8"));
        assert!(problem("12345678", &[]).unwrap().contains("легко подобрать"));
        assert!(problem("qwertyuiop", &[]).unwrap().contains("легко подобрать"));
        assert!(problem("password1", &[]).unwrap().contains("распространённ"));
        assert!(problem("ivanova1985", &["Иванова", "ivanova@school.ru"]).is_some());
        assert_eq!(problem("пароль-для-тестов", &[]), None);
        assert_eq!(problem("корова зонтик пятница", &[]), None);
        assert_eq!(problem("Tr0mb0n-Kaktus-77", &[]), None);
    }
}
