//! Browser tests: the real server driven in headless Chromium (Debian's `chromium`), with
//! axe-core run on every page reached. A failing step leaves screenshots in
//! `target/browser-screenshots/`; set `YISHI_SCREENSHOTS=DIR` to keep one of every page.

use std::ffi::OsStr;
use std::path::PathBuf;

use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::{Browser, LaunchOptions, Tab};

use crate::common::{spawn_app, Backend, DEMO_PASSWORD};

mod walk;

/// The sign-in and sign-up forms' own submit buttons (not the keyboard switch beside the
/// contact field, which submits a form of its own).
const SIGN_IN: &str = "form[action='/signin'] button[type=submit]:not([form])";
const SIGN_UP: &str = "form[action='/signup'] button[type=submit]:not([form])";

/// A tab the size of a 360 px phone, tall enough that a screenshot shows most of a page.
fn phone(browser: &Browser) -> std::sync::Arc<Tab> {
    screen(browser, 360, 1400, 1.0)
}

/// A tab of a phone's layout viewport `width` × `height` CSS px at `scale` device pixels each.
fn screen(browser: &Browser, width: u32, height: u32, scale: f64) -> std::sync::Arc<Tab> {
    let tab = browser
        .new_context()
        .expect("browser context")
        .new_tab()
        .expect("tab");
    tab.call_method(
        headless_chrome::protocol::cdp::Emulation::SetDeviceMetricsOverride {
            width,
            height,
            device_scale_factor: scale,
            mobile: true,
            scale: None,
            screen_width: None,
            screen_height: None,
            position_x: None,
            position_y: None,
            dont_set_visible_size: None,
            screen_orientation: None,
            viewport: None,
            display_feature: None,
            device_posture: None,
        },
    )
    .expect("emulate a phone");
    tab
}

fn chromium() -> PathBuf {
    std::env::var_os("YISHI_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

fn launch() -> Browser {
    let path = chromium();
    assert!(
        path.exists(),
        "browser tests need Chromium at {} (apt-get install chromium, or set YISHI_CHROMIUM)",
        path.display()
    );
    let args: Vec<&OsStr> = [
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--lang=zh-CN",
        "--accept-lang=zh-CN,zh",
    ]
    .iter()
    .map(OsStr::new)
    .collect();
    let options = LaunchOptions::default_builder()
        .path(Some(path))
        .headless(true)
        .sandbox(false)
        .window_size(Some((360, 780)))
        .args(args)
        .idle_browser_timeout(std::time::Duration::from_secs(120))
        .build()
        .expect("launch options");
    Browser::new(options).expect("Chromium starts")
}

fn axe_source() -> String {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}. Run `npm ci` first: it installs axe-core for these tests.",
            path.display()
        )
    })
}

/// One browser window of one person, with its screenshots and accessibility checks.
struct Person<'a> {
    who: &'static str,
    tab: std::sync::Arc<Tab>,
    base: &'a str,
    axe: &'a str,
    shots: PathBuf,
    keep: Option<PathBuf>,
    checked: &'a std::cell::RefCell<Vec<String>>,
}

impl Person<'_> {
    fn screenshot(&self, dir: &std::path::Path, label: &str) {
        if let Ok(png) =
            self.tab
                .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        {
            let _ = std::fs::create_dir_all(dir);
            let _ = std::fs::write(dir.join(format!("{}-{label}.png", self.who)), png);
        }
    }

    /// Fails the test with a screenshot of where it stood.
    fn fail(&self, step: &str, why: impl std::fmt::Display) -> ! {
        self.screenshot(&self.shots, &format!("FAILED-{}", step.replace('/', "_")));
        panic!(
            "{} at step `{step}`: {why}\n(screenshot in {})\npage: {}",
            self.who,
            self.shots.display(),
            self.tab.get_url()
        );
    }

    fn ok<T, E: std::fmt::Display>(&self, step: &str, r: Result<T, E>) -> T {
        match r {
            Ok(v) => v,
            Err(e) => self.fail(step, e),
        }
    }

    fn open(&self, path: &str) {
        let url = format!("{}{}", self.base, path);
        self.mark_stale(path);
        self.ok(path, self.tab.navigate_to(&url).map(|_| ()));
        self.wait_for_new_page(path);
        self.check_page(path);
    }

    /// Marks the current document, so that its replacement can be told apart from it.
    fn mark_stale(&self, step: &str) {
        self.ok(
            step,
            self.tab
                .evaluate("window.__yishiStale = true", false)
                .map(|_| ()),
        );
    }

    /// Waits until a new document (not the one `mark_stale` marked) has fully loaded.
    fn wait_for_new_page(&self, step: &str) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let probe = "window.__yishiStale === undefined && document.readyState === 'complete'";
        while std::time::Instant::now() < deadline {
            let loaded = self
                .tab
                .evaluate(probe, false)
                .ok()
                .and_then(|r| r.value)
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            if loaded {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        self.fail(step, "the next page did not load within 30 s");
    }

    fn fill(&self, step: &str, selector: &str, text: &str) {
        let el = self.ok(step, self.tab.wait_for_element(selector));
        self.ok(step, el.click().map(|_| ()));
        self.ok(step, el.type_into(text).map(|_| ()));
    }

    /// Picks an option of a `<select>` by its value, as a tap on the list would.
    fn choose(&self, step: &str, selector: &str, value: &str) {
        self.ok(step, self.tab.wait_for_element(selector).map(|_| ()));
        let script = format!(
            "(() => {{ const s = document.querySelector({selector:?}); s.value = {value:?}; \
             s.dispatchEvent(new Event('change', {{bubbles: true}})); return s.value; }})()"
        );
        let chosen = self.ok(step, self.tab.evaluate(&script, false));
        let chosen = chosen.value.and_then(|v| v.as_str().map(str::to_string));
        if chosen.as_deref() != Some(value) {
            self.fail(step, format!("{selector} has no option {value}"));
        }
    }

    /// Clicks and waits for the page it leads to.
    fn submit(&self, step: &str, selector: &str) {
        let el = self.ok(step, self.tab.wait_for_element(selector));
        self.mark_stale(step);
        self.ok(step, el.click().map(|_| ()));
        self.wait_for_new_page(step);
        self.check_page(step);
    }

    /// What the page's first 朗读 button would say: the speech is caught, not spoken.
    fn read_aloud(&self, step: &str) -> String {
        let script = "(() => { if (!('speechSynthesis' in window)) return 'NO SPEECH'; \
             let said = ''; speechSynthesis.speak = u => { said = u.text; }; \
             const b = document.querySelector('button.speak'); \
             if (!b) return 'NO BUTTON'; b.click(); return said; })()";
        let said = self.ok(step, self.tab.evaluate(script, false));
        let said = said.value.and_then(|v| v.as_str().map(str::to_string));
        said.unwrap_or_default()
    }

    fn expect(&self, step: &str, selector: &str) -> String {
        let el = self.ok(step, self.tab.wait_for_element(selector));
        self.ok(step, el.get_inner_text())
    }

    /// Runs axe-core on the page; serious or critical violations fail the test.
    fn check_page(&self, step: &str) {
        let started = std::time::Instant::now();
        static SINCE: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        eprintln!(
            "[browser] {:?} {} {step}: checking {}",
            SINCE.get_or_init(std::time::Instant::now).elapsed(),
            self.who,
            self.tab.get_url()
        );
        if let Some(dir) = &self.keep {
            // Numbered, so that the files sort in the order the pages were seen.
            let n = self.checked.borrow().len() + 1;
            self.screenshot(dir, &format!("{n:02}-{}", step.replace('/', "_")));
        }
        self.ok(step, self.tab.evaluate(self.axe, false).map(|_| ()));
        let script = "Promise.race([\
            axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify(\
              r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')\
              .map(v => v.impact + ' ' + v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')))),\
            new Promise(resolve => setTimeout(() => resolve('axe did not finish in 30 s'), 30000))])";
        let result = self.ok(step, self.tab.evaluate(script, true));
        let found = result
            .value
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| self.fail(step, "axe returned nothing"));
        if found != "[]" {
            self.fail(step, format!("accessibility violations: {found}"));
        }
        self.checked
            .borrow_mut()
            .push(format!("{} {}", self.who, self.tab.get_url()));
        eprintln!(
            "[browser] {} {step}: axe took {:?}",
            self.who,
            started.elapsed()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newcomer_signs_up_joins_and_is_verified_in_a_real_browser() {
    let app = spawn_app(Backend::Sqlite).await;
    let demo = app.load_demo().await;
    let committee_contact = demo.contact("committee");
    let base = app.base.clone();
    tokio::task::spawn_blocking(move || {
        let axe = axe_source();
        let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/browser-screenshots");
        let keep = std::env::var_os("YISHI_SCREENSHOTS").map(PathBuf::from);
        let checked = std::cell::RefCell::new(Vec::new());
        let browser = launch();
        let person = |who: &'static str| {
            let context = browser.new_context().expect("browser context");
            let tab = context.new_tab().expect("tab");
            Person { who, tab, base: &base, axe: &axe, shots: shots.clone(), keep: keep.clone(), checked: &checked }
        };

        // A newcomer signs up on a phone-sized screen.
        let newcomer = person("newcomer");
        newcomer.open("/");
        newcomer.open("/signup");
        newcomer.submit("signup-empty", SIGN_UP);
        newcomer.expect("signup-errors", "#contact-error");
        newcomer.fill("signup", "#contact", "13611112222");
        newcomer.fill("signup", "#display_name", "何美玲");
        newcomer.fill("signup", "#password", "何家的小卖部在村口");
        newcomer.fill("signup", "#password_confirm", "何家的小卖部在村口");
        newcomer.submit("signup", SIGN_UP);
        let nav = newcomer.expect("signed-in", "header.site nav");
        assert!(nav.contains("何美玲"), "{nav}");

        // ... asks to join the village ...
        newcomer.open("/c/liutang");
        newcomer.submit("to-join", "a.button[href='/c/liutang/join']");
        newcomer.fill("join", "#address", "柳塘村二组15号");
        newcomer.submit("join", "form[action^='/c/liutang/join'] button[type=submit]");
        newcomer.expect("join-pending", "#join-pending");

        // ... a committee member approves in another browser ...
        let committee = person("committee");
        committee.open("/signin?next=/c/liutang/residents");
        committee.fill("signin", "#contact", &committee_contact);
        committee.fill("signin", "#password", DEMO_PASSWORD);
        committee.submit("signin", SIGN_IN);
        let card = committee.expect("residents", "main");
        assert!(card.contains("何美玲") && card.contains("柳塘村二组15号"), "{card}");
        // ... registering her on the village roster (村民名册) as she is verified.
        let request = committee.ok(
            "approve",
            committee
                .tab
                .wait_for_xpath("//div[starts-with(@id,'request-')][.//strong[text()='何美玲']]"),
        );
        let request = committee.ok("approve", request.get_attribute_value("id"));
        let id = request.unwrap_or_default().trim_start_matches("request-").to_string();
        committee.choose("approve", &format!("#person-{id}"), "new");
        committee.choose("approve", &format!("#personsex-{id}"), "f");
        committee.fill("approve", &format!("#personbirth-{id}"), "1968-04-12");
        let approve = "//div[starts-with(@id,'request-')][.//strong[text()='何美玲']]//form[contains(@action,'/approve')]//button";
        let button = committee.ok("approve", committee.tab.wait_for_xpath(approve));
        committee.mark_stale("approve");
        committee.ok("approve", button.click().map(|_| ()));
        committee.wait_for_new_page("approve");
        committee.check_page("approved");
        committee.expect("approved", "p.notice");
        committee.open("/c/liutang/log");

        // ... and the resident sees their verified status and the notice.
        newcomer.open("/c/liutang");
        newcomer.expect("verified", "#verified-status");
        let badge = newcomer.expect("badge", "header.site .badge");
        assert_eq!(badge.trim(), "1");
        newcomer.open("/inbox");
        newcomer.open("/profile");

        // Everyone else's pages, for the accessibility check.
        let visitor = person("visitor");
        for path in ["/signin", "/c/dongxi", "/c/xinghe", "/c/xinghe/items", "/c/xinghe/items/1", "/no-such-page"] {
            visitor.open(path);
        }
        let pages = checked.borrow().len();
        assert!(pages >= 15, "axe ran on {pages} pages");
        eprintln!("axe-core found no serious or critical violations on {pages} pages");
    })
    .await
    .expect("browser test");
}

/// 200% zoom on a 360 px screen leaves a 180 px wide layout viewport: every page must fit
/// it without scrolling sideways (wide tables scroll inside their own box).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_fits_a_phone_at_200_percent_zoom() {
    let app = spawn_app(Backend::Sqlite).await;
    let demo = app.load_demo().await;
    let committee = demo.contact("committee");
    let base = app.base.clone();
    tokio::task::spawn_blocking(move || {
        let axe = axe_source();
        let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/browser-screenshots");
        let checked = std::cell::RefCell::new(Vec::new());
        let browser = launch();
        let tab = screen(&browser, 180, 390, 2.0);
        let zoomed = Person {
            who: "zoomed",
            tab,
            base: &base,
            axe: &axe,
            shots,
            keep: std::env::var_os("YISHI_SCREENSHOTS").map(PathBuf::from),
            checked: &checked,
        };
        let fits = |step: &str| {
            let probe =
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]";
            let dims = zoomed.ok(
                step,
                zoomed
                    .tab
                    .evaluate(&format!("JSON.stringify({probe})"), false),
            );
            let text = dims
                .value
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let nums: Vec<i64> = serde_json::from_str(&text).unwrap_or_default();
            if nums.len() != 2 || nums[0] > nums[1] + 1 {
                let who = "JSON.stringify([...document.querySelectorAll('body *')]\
                    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)\
                    .slice(-5).map(e => e.tagName + '.' + e.className + '#' + e.id))";
                let offenders = zoomed
                    .tab
                    .evaluate(who, false)
                    .ok()
                    .and_then(|r| r.value)
                    .map(|v| v.to_string())
                    .unwrap_or_default();
                zoomed.fail(step, format!("the page is wider than the screen: {text}; too wide: {offenders}"));
            }
        };
        for path in [
            "/",
            "/signup",
            "/signin",
            "/c/liutang",
            "/c/dongxi",
            "/no-such-page",
            "/c/liutang/projects",
            "/p/LT-2026-001",
            "/p/LT-2026-001/notice",
            "/c/liutang/powers",
            "/c/liutang/disbursements/1",
        ] {
            zoomed.open(path);
            fits(path);
        }
        zoomed.open("/signin");
        zoomed.fill("signin", "#contact", &committee);
        zoomed.fill("signin", "#password", DEMO_PASSWORD);
        zoomed.submit("signin", SIGN_IN);
        for path in [
            "/c/liutang/residents",
            "/c/liutang/log",
            "/c/liutang/supervision",
            "/c/liutang/join",
            "/profile",
            "/inbox",
            "/c/liutang/items",
            "/c/liutang/items/new",
            "/c/liutang/items/6",
            "/c/xinghe/items/1",
            "/c/liutang/ballots",
            "/c/liutang/ballots/7",
            "/c/liutang/ballots/7/electorate",
            "/c/liutang/items/6/ballots/new",
            "/c/liutang/decisions/2",
            "/c/liutang/decisions/3",
            "/c/liutang/decisions/5",
            "/c/xinghe/decisions/1",
            "/c/liutang/orders",
            "/c/liutang/orders/new",
            "/c/liutang/orders/8",
            "/c/liutang/orders/1",
            "/c/liutang/echo",
            "/c/liutang/bulletin",
            "/c/liutang/disclosures",
            "/c/liutang/disclosures/new",
            "/c/liutang/disclosures/schedule",
            "/c/liutang/disclosures/7",
            "/c/liutang/inquiries",
            "/c/liutang/inquiries/1",
            "/log",
            "/log/entries/0",
            "/p/LT-2026-001",
            "/c/liutang/projects/new",
        ] {
            zoomed.open(path);
            fits(path);
        }
    })
    .await
    .expect("browser test");
}

/// What the guideline figures are measured on: visible text in `main`, and every tap target
/// (buttons, fields, the rows of radio buttons and checkboxes, the header's and the lists'
/// links, the tiles). Links inside running text are exempt, as in WCAG 2.5.8.
const FIGURES: &str = r#"(() => {
  const seen = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
  const px = v => parseFloat(v);
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '') + ' "' + (e.innerText || e.value || '').trim().slice(0, 12) + '"';
  const text = [...document.querySelectorAll('main p, main li, main label, main dd, main td, main .tile-word')]
    .filter(e => seen(e) && (e.innerText || '').trim().length > 0 && !e.closest('svg'));
  const smallest = Math.min(...text.map(e => px(getComputedStyle(e).fontSize)));
  const small_text = text.filter(e => px(getComputedStyle(e).fontSize) === smallest).slice(0, 3).map(name);
  const paragraphs = [...document.querySelectorAll('main p')].filter(e => seen(e) && e.innerText.trim().length > 0);
  const tight = paragraphs.filter(e => { const s = getComputedStyle(e); return px(s.lineHeight) / px(s.fontSize) < 1.3; }).map(name);
  const spacing = paragraphs.filter(e => e.nextElementSibling && e.nextElementSibling.tagName === 'P')
    .filter(e => { const s = getComputedStyle(e); return px(s.marginBottom) < 1.3 * px(s.lineHeight); }).map(name);
  const targets = [...document.querySelectorAll('button, select, textarea, summary, input:not([type=hidden]):not([type=radio]):not([type=checkbox]), .choice label, label.option-card, label.inline, header.site a, nav a, .tile, ul.plain li > a:first-child, a.button, table.cards a')]
    .filter(seen);
  const small_targets = targets.filter(e => { const r = e.getBoundingClientRect(); return r.height < 44 || r.width < 44; })
    .map(e => { const r = e.getBoundingClientRect(); return name(e) + ' ' + Math.round(r.width) + '×' + Math.round(r.height); });
  const crushed = [...document.querySelectorAll('main th, main td')].filter(seen)
    .filter(e => (e.innerText || '').trim().length > 2 && !e.closest('thead[style], table.cards thead, table.ledger thead') && e.getBoundingClientRect().width < 2.5 * px(getComputedStyle(e).fontSize)).slice(0, 3).map(name);
  const body = px(getComputedStyle(document.querySelector('main')).fontSize);
  return JSON.stringify({ body, smallest, small_text, tight, spacing, targets: targets.length, small_targets,
    wide: document.documentElement.scrollWidth > document.documentElement.clientWidth + 1,
    option_cards: [...document.querySelectorAll('label.option-card')].filter(seen).length,
    ledger_cards: [...document.querySelectorAll('table.ledger tr.ledger-line')].filter(e => seen(e) && getComputedStyle(e).display === 'grid').length,
    ledger_scrolls: [...document.querySelectorAll('.table-wrap')].filter(e => e.querySelector('table.ledger')).some(e => e.scrollWidth > e.clientWidth + 1),
    crushed,
    file_pickers: [...document.querySelectorAll('main input[type=file]')].filter(seen).map(e => {
      const r = e.getBoundingClientRect(), p = e.parentElement, s = getComputedStyle(p);
      return [r.width, p.clientWidth - px(s.paddingLeft) - px(s.paddingRight), r.height]; }),
    split_amounts: [...document.querySelectorAll('.amount, .tile-count')].filter(seen).filter(e => e.getClientRects().length > 1).map(name) });
})()"#;

impl Person<'_> {
    /// Measures the page against the guideline figures (see `FIGURES`) and fails the test
    /// on any shortfall: body text ≥ 18 px (≥ 22 px in 长辈版), no text under 16 px (22 px),
    /// line height ≥ 1.3, paragraph spacing ≥ 1.3 lines in 长辈版, every tap target
    /// ≥ 44 × 44 px, nothing wider than the screen, no amount broken over two lines.
    fn measure(&self, step: &str, elder: bool) -> Figures {
        let raw = self.ok(step, self.tab.evaluate(FIGURES, false));
        let json = raw
            .value
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let f: Figures =
            serde_json::from_str(&json).unwrap_or_else(|e| self.fail(step, format!("{e}: {json}")));
        eprintln!("[figures] {} {step}: {f:?}", self.who);
        let (body_min, text_min) = if elder { (22.0, 22.0) } else { (18.0, 16.0) };
        if f.body < body_min || f.smallest < text_min {
            self.fail(
                step,
                format!("text too small: {} px, {:?}", f.smallest, f.small_text),
            );
        }
        if !f.tight.is_empty() {
            self.fail(step, format!("line height under 1.3: {:?}", f.tight));
        }
        if elder && !f.spacing.is_empty() {
            self.fail(
                step,
                format!("paragraph spacing under 1.3 lines: {:?}", f.spacing),
            );
        }
        if f.targets < 5 || !f.small_targets.is_empty() {
            self.fail(
                step,
                format!("tap targets under 44 px: {:?}", f.small_targets),
            );
        }
        if f.wide {
            self.fail(step, "wider than the screen");
        }
        if !f.split_amounts.is_empty() {
            self.fail(step, format!("amounts broken: {:?}", f.split_amounts));
        }
        if !f.crushed.is_empty() {
            self.fail(step, format!("table cells squeezed: {:?}", f.crushed));
        }
        // A file picker has its own full-width line: its button (44 px, 56 px in 长辈版)
        // with "未选择任何文件" on a line of its own below.
        let button = if elder { 56.0 } else { 44.0 };
        for &[width, line, height] in &f.file_pickers {
            if width < line - 1.0 || height < button + text_min {
                self.fail(
                    step,
                    format!("file picker {width}×{height} on a {line} px line"),
                );
            }
        }
        f
    }
}

#[derive(serde::Deserialize, Debug)]
struct Figures {
    body: f64,
    smallest: f64,
    small_text: Vec<String>,
    tight: Vec<String>,
    spacing: Vec<String>,
    targets: usize,
    small_targets: Vec<String>,
    wide: bool,
    /// Ballot option cards shown (each a tap target, measured with the others).
    option_cards: usize,
    /// Ledger lines laid out as cards, and whether a ledger still scrolls sideways.
    ledger_cards: usize,
    ledger_scrolls: bool,
    /// Table cells squeezed narrower than two and a half characters (text one character a line).
    crushed: Vec<String>,
    /// Each file picker: (its width, the width of its line, its height).
    file_pickers: Vec<[f64; 3]>,
    /// Amounts (and the tiles' counts, 「1 项进行中」) broken over two lines.
    split_amounts: Vec<String>,
}

/// A resident's main pages on a 360 px phone, in the standard mode and in 长辈版, measured
/// against 《互联网网站适老化通用设计规范》: body text (≥ 22 px in 长辈版), line height ≥ 1.3,
/// paragraph spacing ≥ 1.3 × the line height (长辈版), every tap target ≥ 44 × 44 px; axe-core
/// clean; nothing wider than the screen. Screenshots of every page in both modes are kept in
/// `target/browser-screenshots/figures/`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_residents_pages_meet_the_elderly_friendly_figures_in_both_modes() {
    let app = spawn_app(Backend::Sqlite).await;
    let demo = app.load_demo().await;
    let resident = demo.contact("resident");
    let base = app.base.clone();
    // The culture-square ballot with its options' photos, and a finance ledger of 柳塘村.
    let dir = app.state.config.data_dir();
    app.state
        .db(move |conn| yishi::ballots::option_photos::add(conn, &dir))
        .await
        .expect("option photos");
    let square = crate::common::steps::count_sql(
        &app,
        "SELECT b.id AS n FROM ballots b JOIN agenda_items i ON i.id = b.item_id \
         WHERE i.title = '文化广场选在哪里？' AND b.state = 'open'"
            .into(),
    )
    .await;
    let ledger = crate::common::steps::count_sql(
        &app,
        "SELECT MIN(v.disclosure_id) AS n FROM ledger_lines l \
         JOIN disclosure_versions v ON v.id = l.version_id \
         JOIN communities c ON c.id = l.community_id WHERE c.slug = 'liutang'"
            .into(),
    )
    .await;
    tokio::task::spawn_blocking(move || {
        let axe = axe_source();
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/browser-screenshots");
        let figures_dir = root.join("figures");
        let checked = std::cell::RefCell::new(Vec::new());
        let browser = launch();
        // A 360 px phone (a desktop window cannot be made that narrow), tall enough that each
        // screenshot shows most of the page.
        let tab = phone(&browser);
        let villager = Person {
            who: "villager",
            tab,
            base: &base,
            axe: &axe,
            shots: root,
            keep: None,
            checked: &checked,
        };
        villager.open("/signin");
        villager.fill("signin", "#contact", &resident);
        villager.fill("signin", "#password", DEMO_PASSWORD);
        villager.submit("signin", SIGN_IN);
        let landed = villager.tab.get_url();
        assert!(
            landed.ends_with("/c/liutang"),
            "lands on the village: {landed}"
        );
        let (ballot, ledger) = (
            format!("/c/liutang/ballots/{square}"),
            format!("/c/liutang/disclosures/{ledger}"),
        );
        let pages = [
            ("home", "/c/liutang"),
            ("item", "/c/liutang/items/6"),
            ("ballot", ballot.as_str()),
            ("report", "/c/liutang/orders/new"),
            ("ledger", ledger.as_str()),
            ("items", "/c/liutang/items"),
            ("decision", "/c/liutang/decisions/2"),
            ("disclosures", "/c/liutang/disclosures"),
            ("echo", "/c/liutang/echo"),
        ];
        for mode in ["standard", "elder"] {
            if mode == "elder" {
                villager.open("/c/liutang");
                villager.submit("elder-on", "#elder-switch button[type=submit]");
            }
            for (label, path) in pages {
                let step = format!("{mode}-{label}");
                villager.open(path);
                villager.screenshot(&figures_dir, &step);
                let f = villager.measure(&step, mode == "elder");
                if label == "ballot" && f.option_cards != 3 {
                    villager.fail(&step, format!("{} option cards, not 3", f.option_cards));
                }
                if label == "ballot" {
                    // 朗读 reads the ballot's title, its facts and every option.
                    let said = villager.read_aloud(&step);
                    for part in [
                        "文化广场选在哪里",
                        "截止",
                        "村委会东侧空地",
                        "老小学操场",
                        "三组晒谷场",
                    ] {
                        if !said.contains(part) {
                            villager.fail(&step, format!("朗读 leaves out {part}: {said}"));
                        }
                    }
                }
                if label == "report" && f.file_pickers.is_empty() {
                    villager.fail(&step, "no file picker measured");
                }
                if label == "ledger" && (f.ledger_cards == 0 || f.ledger_scrolls) {
                    villager.fail(&step, format!("ledger not in cards: {f:?}"));
                }
            }
        }
        assert_eq!(checked.borrow().len(), 22, "axe ran on every page");
    })
    .await
    .expect("browser test");
}
