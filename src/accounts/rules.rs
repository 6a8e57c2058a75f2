//! The pure rules of accounts: what a phone number, e-mail address, display name and
//! password must be; when a session has expired; when sign-in is throttled.

use chrono::{Duration, NaiveDateTime};

/// What is wrong with a field; the handler turns it into a message in the user's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldProblem {
    Empty,
    TooLong(usize),
    /// A control character other than a line break or tab: never meant, and XML forbids most.
    ControlChar,
    Malformed,
    TooShort(usize),
    Common,
    Mismatch,
    Taken,
}

impl FieldProblem {
    /// The message naming the field when it is empty ("标题不能为空。"), else [`Self::message`].
    /// `field` is an `err.field_*` key.
    pub fn named(self, t: &crate::web::i18n::Tr, field: &str) -> String {
        match self {
            FieldProblem::Empty => t.f("err.empty_named", &[("field", t.t(field))]),
            other => other.message(t),
        }
    }

    pub fn message(self, t: &crate::web::i18n::Tr) -> String {
        match self {
            FieldProblem::Empty => t.t("err.empty").to_string(),
            FieldProblem::TooLong(n) => t.f("err.too_long", &[("n", &n.to_string())]),
            FieldProblem::ControlChar => t.t("err.control_char").to_string(),
            FieldProblem::Malformed => t.t("err.contact_malformed").to_string(),
            FieldProblem::TooShort(n) => t.f("err.password_short", &[("n", &n.to_string())]),
            FieldProblem::Common => t.t("err.password_common").to_string(),
            FieldProblem::Mismatch => t.t("err.password_mismatch").to_string(),
            FieldProblem::Taken => t.t("err.contact_taken").to_string(),
        }
    }
}

/// How a user signs in: a mainland mobile number or an e-mail address, normalised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Contact {
    Phone(String),
    Email(String),
}

impl Contact {
    pub fn parse(input: &str) -> Result<Contact, FieldProblem> {
        let s = input.trim();
        if s.is_empty() {
            return Err(FieldProblem::Empty);
        }
        if s.chars().count() > 254 {
            return Err(FieldProblem::TooLong(254));
        }
        if s.contains('@') {
            let email = s.to_lowercase();
            let (local, domain) = email.split_once('@').ok_or(FieldProblem::Malformed)?;
            let ok = !local.is_empty()
                && local.len() <= 64
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control());
            return if ok {
                Ok(Contact::Email(email))
            } else {
                Err(FieldProblem::Malformed)
            };
        }
        let digits: String = s
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
            .collect();
        let digits = digits
            .strip_prefix("+86")
            .or_else(|| digits.strip_prefix("0086"))
            .unwrap_or(&digits)
            .to_string();
        let b = digits.as_bytes();
        if b.len() == 11
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1])
            && b.iter().all(u8::is_ascii_digit)
        {
            Ok(Contact::Phone(digits))
        } else {
            Err(FieldProblem::Malformed)
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Contact::Phone(s) | Contact::Email(s) => s,
        }
    }
}

pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 128;
pub const NAME_MAX: usize = 40;

const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

/// A new password: long enough, not absurdly long, not a common one, not the contact itself.
pub fn check_password(password: &str, contact: Option<&str>) -> Result<(), FieldProblem> {
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        return Err(FieldProblem::TooShort(PASSWORD_MIN));
    }
    if n > PASSWORD_MAX {
        return Err(FieldProblem::TooLong(PASSWORD_MAX));
    }
    let lower = password.to_lowercase();
    if COMMON_PASSWORDS.lines().any(|l| l.trim() == lower) || contact == Some(password) {
        return Err(FieldProblem::Common);
    }
    Ok(())
}

pub fn check_display_name(name: &str) -> Result<String, FieldProblem> {
    let name = name.trim();
    if name.is_empty() {
        return Err(FieldProblem::Empty);
    }
    if name.chars().count() > NAME_MAX {
        return Err(FieldProblem::TooLong(NAME_MAX));
    }
    if name
        .chars()
        .any(|c| c.is_control() || crate::text::unwanted_control(c))
    {
        return Err(FieldProblem::ControlChar);
    }
    Ok(name.to_string())
}

/// A session ends after a week unused or thirty days in all, whichever comes first.
pub const SESSION_IDLE: Duration = Duration::days(7);
pub const SESSION_ABSOLUTE: Duration = Duration::days(30);

pub fn session_alive(created: NaiveDateTime, last_seen: NaiveDateTime, now: NaiveDateTime) -> bool {
    now < created + SESSION_ABSOLUTE && now < last_seen + SESSION_IDLE
}

/// How many attempts of one kind a bucket (an account, a client address) may make in a
/// window. Attempts are reserved before any password is hashed (see `accounts::model::
/// reserve_attempt`), so the limit bounds the hashing too.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub max: i64,
    pub window: Duration,
}

pub const THROTTLE_WINDOW: Duration = Duration::minutes(15);
/// Failed sign-ins per account (however the account is written).
pub const SIGNIN_PER_ACCOUNT: Limit = Limit {
    max: 5,
    window: THROTTLE_WINDOW,
};
/// Failed sign-ins per client address.
pub const SIGNIN_PER_ADDRESS: Limit = Limit {
    max: 20,
    window: THROTTLE_WINDOW,
};
/// Sign-ups per client address: enough for a committee member signing up a hall full of
/// villagers on the village's one connection, too few to mint accounts by the thousand.
pub const SIGNUP_PER_ADDRESS: Limit = Limit {
    max: 20,
    window: THROTTLE_WINDOW,
};

impl Limit {
    /// Whether a bucket whose window began at `window_start` with `attempts` in it takes one
    /// more at `now`. The database's conditional update says the same in SQL.
    pub fn admits(&self, window_start: NaiveDateTime, attempts: i64, now: NaiveDateTime) -> bool {
        window_start <= now - self.window || attempts < self.max
    }

    /// Whole minutes (at least one) until a full bucket whose window began at `window_start`
    /// takes attempts again.
    pub fn minutes_to_wait(&self, window_start: NaiveDateTime, now: NaiveDateTime) -> i64 {
        let secs = (window_start + self.window - now).num_seconds().max(1);
        (secs + 59) / 60
    }
}

/// A short, readable name for a browser's User-Agent: "WeChat · Android", "Chrome · Windows".
pub fn describe_agent(ua: &str) -> String {
    let browser = [
        ("MicroMessenger", "WeChat"),
        ("Edg/", "Edge"),
        ("HeadlessChrome", "Chrome"),
        ("Chrome/", "Chrome"),
        ("Firefox/", "Firefox"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ]
    .iter()
    .find(|(needle, _)| ua.contains(needle))
    .map(|(_, name)| *name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(needle, _)| ua.contains(needle))
    .map(|(_, name)| *name);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} · {s}"),
        (Some(b), None) => b.to_string(),
        (None, Some(s)) => s.to_string(),
        (None, None) if ua.is_empty() => "?".to_string(),
        (None, None) => ua.chars().take(40).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32, m: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
            .and_then(|d| d.and_hms_opt(h, m, 0))
            .expect("valid time")
    }

    #[test]
    fn phones_are_mainland_mobiles_normalised() {
        assert_eq!(
            Contact::parse("138 0013 8000"),
            Ok(Contact::Phone("13800138000".into()))
        );
        assert_eq!(
            Contact::parse("+86 139-0000-1111"),
            Ok(Contact::Phone("13900001111".into()))
        );
        assert_eq!(Contact::parse("12800138000"), Err(FieldProblem::Malformed));
        assert_eq!(Contact::parse("1380013800"), Err(FieldProblem::Malformed));
        assert_eq!(
            Contact::parse("１３８００１３８０００"),
            Err(FieldProblem::Malformed)
        );
        assert_eq!(Contact::parse("   "), Err(FieldProblem::Empty));
    }

    #[test]
    fn emails_are_lowercased_and_need_a_domain() {
        assert_eq!(
            Contact::parse(" Li.Wei@Example.CN "),
            Ok(Contact::Email("li.wei@example.cn".into()))
        );
        for bad in ["a@b", "@b.cn", "a b@c.cn", "a@.cn", "a@b.cn.", "a@@b.cn"] {
            assert_eq!(Contact::parse(bad), Err(FieldProblem::Malformed), "{bad}");
        }
    }

    #[test]
    fn passwords_need_length_and_must_not_be_common() {
        assert_eq!(
            check_password("short", None),
            Err(FieldProblem::TooShort(8))
        );
        assert_eq!(check_password("password", None), Err(FieldProblem::Common));
        assert_eq!(check_password("12345678", None), Err(FieldProblem::Common));
        assert_eq!(
            check_password("woaini1314", None),
            Err(FieldProblem::Common)
        );
        assert_eq!(
            check_password("13800138000", Some("13800138000")),
            Err(FieldProblem::Common)
        );
        assert_eq!(
            check_password(&"x".repeat(129), None),
            Err(FieldProblem::TooLong(128))
        );
        assert_eq!(check_password("柳塘村修路议事会", None), Ok(()));
        assert_eq!(check_password("correct horse battery", None), Ok(()));
    }

    #[test]
    fn sessions_expire_when_idle_or_old() {
        let created = at(8, 0);
        assert!(session_alive(created, created, created + Duration::days(6)));
        assert!(!session_alive(
            created,
            created,
            created + Duration::days(7)
        ));
        let busy = created + Duration::days(29);
        assert!(session_alive(created, busy, busy + Duration::hours(23)));
        assert!(!session_alive(created, busy, created + Duration::days(30)));
    }

    #[test]
    fn a_bucket_takes_attempts_up_to_its_limit_within_the_window() {
        let now = at(10, 0);
        let acct = SIGNIN_PER_ACCOUNT;
        assert!(acct.admits(at(9, 50), 4, now));
        assert!(
            !acct.admits(at(9, 50), 5, now),
            "the fifth failure fills it"
        );
        // Exactly fifteen minutes after the window began, it starts again.
        assert!(acct.admits(at(9, 45), 5, now));
        assert!(!acct.admits(at(9, 46), 5, now));
        assert!(SIGNIN_PER_ADDRESS.admits(at(9, 50), 19, now));
        assert!(!SIGNIN_PER_ADDRESS.admits(at(9, 50), 20, now));
        assert_eq!(acct.minutes_to_wait(at(9, 50), now), 5);
        assert_eq!(
            acct.minutes_to_wait(at(9, 45), now),
            1,
            "never less than a minute"
        );
        assert_eq!(acct.minutes_to_wait(now, now), 15);
    }

    #[test]
    fn user_agents_read_as_browser_and_system() {
        let wechat = "Mozilla/5.0 (Linux; Android 13; V2219A) AppleWebKit/537.36 Chrome/107.0 Mobile Safari/537.36 MicroMessenger/8.0.44";
        assert_eq!(describe_agent(wechat), "WeChat · Android");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Version/17.1 Mobile/15E148 Safari/604.1";
        assert_eq!(describe_agent(iphone), "Safari · iPhone");
        assert_eq!(
            describe_agent(
                "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/156.0.0.0 Safari/537.36"
            ),
            "Chrome · Linux"
        );
        assert_eq!(describe_agent(""), "?");
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(check_display_name("  王秀英 "), Ok("王秀英".into()));
        assert_eq!(check_display_name(""), Err(FieldProblem::Empty));
        assert_eq!(
            check_display_name(&"张".repeat(41)),
            Err(FieldProblem::TooLong(40))
        );
    }
}
