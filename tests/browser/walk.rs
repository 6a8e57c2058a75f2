//! Issue #15's walk: each role's main task on a 360 px phone, in the standard mode and in
//! 长辈版 (switched on the way a user does, with the header's visible switch) — a resident votes
//! and reports, the committee answers an inquiry and sends the report up to the township, a
//! supervisor reviews a payment's voucher from the supervision page, township staff take the
//! order. axe-core runs on every page; the guideline figures are measured on the main pages.
//! A screenshot of every page is kept in `target/browser-screenshots/walk/<mode>/`.

use std::path::PathBuf;

use super::{axe_source, launch, phone, Person};
use crate::common::{spawn_app, Backend, DEMO_PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_walks_its_main_task_on_a_phone_in_the_standard_mode() {
    walk(Mode::Standard).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_walks_its_main_task_on_a_phone_in_the_elder_mode() {
    walk(Mode::Elder).await;
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Standard,
    Elder,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Standard => "standard",
            Mode::Elder => "elder",
        }
    }
}

impl Person<'_> {
    /// Signs in from the sign-in page and, for 长辈版, taps the header's switch. The first
    /// person's sign-in page is checked; the others' is the same page.
    fn sign_in(&self, contact: &str, mode: Mode, first: bool) {
        if first {
            self.open("/signin");
        } else {
            self.mark_stale("/signin");
            let url = format!("{}/signin", self.base);
            self.ok("/signin", self.tab.navigate_to(&url).map(|_| ()));
            self.wait_for_new_page("/signin");
        }
        self.put("signin", "#contact", contact);
        self.put("signin", "#password", DEMO_PASSWORD);
        self.submit("signin", super::SIGN_IN);
        if mode == Mode::Elder {
            let before = self.tab.get_url();
            self.submit("elder-on", "#elder-switch button[type=submit]");
            assert_eq!(
                self.tab.get_url(),
                before,
                "the switch comes back to the page"
            );
            let on = self.ok(
                "elder-on",
                self.tab.evaluate(
                    "document.documentElement.classList.contains('elder')",
                    false,
                ),
            );
            if on.value.and_then(|v| v.as_bool()) != Some(true) {
                self.fail("elder-on", "长辈版 did not switch on");
            }
        }
    }

    /// Puts a long text into a field at once (typing it key by key takes seconds under load;
    /// the short fields of the sign-in form are typed).
    fn put(&self, step: &str, selector: &str, text: &str) {
        self.ok(step, self.tab.wait_for_element(selector).map(|_| ()));
        let script = format!(
            "(() => {{ const e = document.querySelector({selector:?}); e.focus(); e.value = {text:?}; \
             e.dispatchEvent(new Event('input', {{bubbles: true}})); return e.value; }})()"
        );
        let put = self.ok(step, self.tab.evaluate(&script, false));
        if put
            .value
            .and_then(|v| v.as_str().map(str::to_string))
            .as_deref()
            != Some(text)
        {
            self.fail(step, format!("{selector} did not take the text"));
        }
    }

    /// Taps the element the XPath finds and waits for the page it leads to.
    fn tap_xpath(&self, step: &str, xpath: &str) {
        let el = self.ok(step, self.tab.wait_for_xpath(xpath));
        self.mark_stale(step);
        self.ok(step, el.click().map(|_| ()));
        self.wait_for_new_page(step);
        self.check_page(step);
    }

    /// The element is on a phone's first screen (360 × 740) as the page opens, without
    /// scrolling: the tab is taller than a phone, for the screenshots.
    fn in_view(&self, step: &str, selector: &str) {
        let probe = format!(
            "(() => {{ const r = document.querySelector({selector:?}).getBoundingClientRect(); \
             return r.top >= 0 && r.bottom <= 740; }})()"
        );
        let seen = self.ok(step, self.tab.evaluate(&probe, false));
        if seen.value.and_then(|v| v.as_bool()) != Some(true) {
            self.fail(step, format!("{selector} is off the screen"));
        }
    }

    fn lands_on(&self, step: &str, path: &str) {
        let url = self.tab.get_url();
        let here = url.split(['?', '#']).next().unwrap_or_default();
        if !here.ends_with(path) {
            self.fail(step, format!("expected to be on {path}"));
        }
    }
}

async fn walk(mode: Mode) {
    let started = std::time::Instant::now();
    let app = spawn_app(Backend::Sqlite).await;
    let demo = app.load_demo().await;
    eprintln!(
        "[walk] {}: the demo loaded in {:?}",
        mode.name(),
        started.elapsed()
    );
    let contacts = ["resident", "committee", "supervisor", "township"].map(|r| demo.contact(r));
    let base = app.base.clone();
    tokio::task::spawn_blocking(move || {
        let [resident_contact, committee_contact, supervisor_contact, township_contact] =
            contacts;
        let axe = axe_source();
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/browser-screenshots");
        let kept = root.join("walk").join(mode.name());
        let _ = std::fs::remove_dir_all(&kept);
        let checked = std::cell::RefCell::new(Vec::new());
        let browser = launch();
        // The four phones are opened at once: opening a tab takes seconds under load.
        let mut tabs: Vec<_> = std::thread::scope(|s| {
            let opening: Vec<_> = (0..4).map(|_| s.spawn(|| phone(&browser))).collect();
            opening
                .into_iter()
                .map(|t| t.join().expect("a phone"))
                .collect()
        });
        let mut person = |who: &'static str| Person {
            who,
            tab: tabs.pop().expect("a phone for each person"),
            base: &base,
            axe: &axe,
            shots: root.clone(),
            keep: Some(kept.clone()),
            checked: &checked,
        };
        let elder = mode == Mode::Elder;
        // The report's title, told apart by mode so the screenshots say which walk they are.
        let report = if elder {
            "村口路灯不亮了（长辈版）"
        } else {
            "村口路灯不亮了"
        };

        // 1. A resident signs in and lands on the village ...
        let resident = person("1-resident");
        resident.sign_in(&resident_contact, mode, true);
        resident.lands_on("signed-in", "/c/liutang");
        resident.measure("home", elder);
        // ... opens the open ballot from the home tiles, taps an option card and votes ...
        resident.submit("ballots", "#tile-vote");
        resident.measure("ballots", elder);
        resident.tap_xpath(
            "ballot",
            "//section[@aria-labelledby='open-h']//a[contains(., '文化广场')]",
        );
        resident.measure("ballot", elder);
        let card = resident.ok(
            "choose",
            resident
                .tab
                .wait_for_element("label.option-card[for='choice-1']"),
        );
        resident.ok("choose", card.click().map(|_| ()));
        resident.submit("voted", "form[action*='/vote'] button[type=submit]");
        let receipt = resident.expect("voted", "#voted-tracker");
        assert!(!receipt.trim().is_empty(), "a receipt with a tracker");
        resident.measure("voted", elder);
        // ... then reports a broken street light (随手拍) from the home tiles ...
        resident.open("/c/liutang");
        resident.submit("report", "#tile-report");
        resident.measure("report", elder);
        resident.put("report", "#title", report);
        resident.choose("report", "#category", "lighting");
        resident.put(
            "report",
            "#description",
            "村口小卖部旁边那盏路灯一个星期没亮了，晚上走路看不见。",
        );
        resident.put("report", "#place", "村口小卖部旁");
        resident.submit("reported", "form[action='/c/liutang/orders'] button[type=submit]");
        let order = resident.tab.get_url();
        let order = order.split('?').next().unwrap_or_default().to_string();
        let state = resident.expect("reported", "#state");
        assert!(!state.trim().is_empty());
        resident.measure("reported", elder);
        // ... and sees it listed.
        resident.open("/c/liutang/orders");
        let listed = resident.expect("listed", "main");
        assert!(listed.contains(report), "the report is listed: {listed}");
        resident.measure("orders", elder);

        eprintln!("[walk] {} at {:?}: committee", mode.name(), started.elapsed());
        // 2. The committee answers the open inquiry about the subsidy list ...
        let committee = person("2-committee");
        committee.sign_in(&committee_contact, mode, false);
        committee.lands_on("signed-in", "/c/liutang");
        committee.submit("inquiries", "nav.sections a[href='/c/liutang/inquiries']");
        committee.measure("inquiries", elder);
        committee.tap_xpath("inquiry", "//main//a[contains(., '临时救助')]");
        committee.measure("inquiry", elder);
        committee.put(
            "answer",
            "textarea#answer",
            "两户都是今年因病致贫，按镇里的临时救助办法定的，经过村民代表会议评议，评议记录在村委会可以查阅。",
        );
        committee.submit("answered", "form[action$='/answer#answer-form'] button[type=submit]");
        let answer = committee.expect("answered", "section#answer");
        assert!(answer.contains("因病致贫"), "{answer}");
        committee.measure("answered", elder);
        // ... and sends the resident's report up to the township with a reason.
        committee.open("/c/liutang/orders");
        committee.tap_xpath("order", &format!("//main//a[text()='{report}']"));
        committee.measure("order", elder);
        committee.put(
            "send-up",
            "#send-up-reason",
            "这盏路灯接的是镇里的线路，村里没有电工证，请镇里安排供电所来修。",
        );
        committee.submit("sent-up", "form[action$='/send-up'] button[type=submit]");
        committee.expect("sent-up", "p.notice");
        committee.measure("sent-up", elder);

        eprintln!("[walk] {} at {:?}: supervisor", mode.name(), started.elapsed());
        // 3. A supervisor opens the supervision page and reviews the voucher of the payment made
        //    on an emergency override (the greenhouse), flagged there to the supervisors.
        let supervisor = person("3-supervisor");
        supervisor.sign_in(&supervisor_contact, mode, false);
        supervisor.submit("supervision", "a[href='/c/liutang/supervision']");
        supervisor.measure("supervision", elder);
        supervisor.submit("payment", "#overrides ul.plain li a");
        supervisor.measure("payment", elder);
        supervisor.put(
            "review",
            "#review-note",
            "凭证与合同、验收单核对一致，金额无误。",
        );
        supervisor.submit("reviewed", "form[action$='/review'] button[type=submit]");
        // The page comes back to its notice, not to its top: on a phone the payment's details
        // fill the first screen, and the supervisor would not see that the review was kept.
        supervisor.in_view("reviewed", "#done");
        let reviews = supervisor.expect("reviewed", "#reviews");
        assert!(reviews.contains("金额无误"), "{reviews}");
        supervisor.measure("reviewed", elder);

        eprintln!("[walk] {} at {:?}: township", mode.name(), started.elapsed());
        // 4. Township staff land on their township's page and take the order sent up.
        let township = person("4-township");
        township.sign_in(&township_contact, mode, false);
        township.lands_on("signed-in", "/t/dongxi");
        township.measure("desk", elder);
        township.tap_xpath(
            "sent-order",
            &format!("//section[@id='orders']//a[text()='{report}']"),
        );
        township.measure("sent-order", elder);
        township.submit("taken", "form[action$='/take'] button[type=submit]");
        township.expect("taken", "p.notice");
        township.measure("taken", elder);

        eprintln!("[walk] {} at {:?}: resident again", mode.name(), started.elapsed());
        // The resident sees the township took it.
        resident.mark_stale("my-order");
        resident.ok("my-order", resident.tab.navigate_to(&order).map(|_| ()));
        resident.wait_for_new_page("my-order");
        resident.check_page("my-order");
        let page = resident.expect("my-order", "main");
        assert!(page.contains("东溪镇"), "the resident sees the township: {page}");
        resident.measure("my-order", elder);

        let pages = checked.borrow().len();
        eprintln!(
            "[walk] {}: axe-core clean on {pages} pages, screenshots in {}",
            mode.name(),
            kept.display()
        );
        assert!(pages >= 24, "axe ran on {pages} pages");
    })
    .await
    .expect("browser walk");
    eprintln!("[walk] {} took {:?}", mode.name(), started.elapsed());
}
