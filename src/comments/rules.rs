//! The pure rules of comment threads: Markdown to safe HTML, stances and their tally, the
//! display order of a thread, the posting rate limit and the bounds of a comment's text.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use chrono::{NaiveDateTime, TimeDelta};
use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

// ---------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------

/// The sanitiser is built once: its allow-lists are hash sets, and every comment on every
/// page goes through it.
static SANITISER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .rm_tags(["img"])
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        // A relative link has no scheme to check and would point into our own site under
        // the author's choice of path; residents link to the outside world.
        .url_relative(ammonia::UrlRelative::Deny)
        // `nofollow ugc` tells search engines the link is the author's, not ours, which
        // takes the reward out of link spam.
        .link_rel(Some("nofollow ugc"));
    builder
});

/// Markdown typed by a resident, as an HTML fragment that is safe to insert into a page.
///
/// Raw HTML is shown as the text it is (so `<b>` reads as `<b>`), images are reduced to
/// their alt text, links keep their target only for `http`, `https` and `mailto`, and
/// every single newline is a line break. The result still goes through ammonia, so a bug
/// in the event mapping cannot let a live tag through.
pub fn render_markdown(source: &str) -> String {
    let options = Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES;
    let events = safe_events(Parser::new_ext(source, options));
    let mut html = String::with_capacity(source.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    SANITISER.clean(&html).to_string()
}

/// Rewrites the parser's events into ones that need no trust in the author.
fn safe_events<'a>(parser: impl Iterator<Item = Event<'a>>) -> Vec<Event<'a>> {
    let mut out = Vec::new();
    for event in parser {
        match event {
            // Residents write on phones and mean a newline when they type one.
            Event::SoftBreak => out.push(Event::HardBreak),
            // A block of raw HTML becomes a paragraph of its own text, line by line.
            Event::Start(Tag::HtmlBlock) => out.push(Event::Start(Tag::Paragraph)),
            Event::End(TagEnd::HtmlBlock) => out.push(Event::End(TagEnd::Paragraph)),
            Event::Html(raw) => push_lines(&mut out, raw),
            Event::InlineHtml(raw) => out.push(Event::Text(raw)),
            // Photos come through the upload form, where they are checked and resized;
            // an image link here would also let an author track who reads the thread.
            Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => {}
            // The page owns h1 and h2; a comment's headings sit below them.
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => out.push(Event::Start(Tag::Heading {
                level: demote(level),
                id,
                classes,
                attrs,
            })),
            Event::End(TagEnd::Heading(level)) => {
                out.push(Event::End(TagEnd::Heading(demote(level))))
            }
            other => out.push(other),
        }
    }
    out
}

/// Raw HTML as text, with its newlines kept as line breaks like everywhere else.
fn push_lines<'a>(out: &mut Vec<Event<'a>>, raw: CowStr<'a>) {
    let text = raw.trim_end_matches('\n');
    for (i, line) in text.split('\n').enumerate() {
        // A block's lines may arrive as several events; each after the first starts a line.
        if i > 0 || matches!(out.last(), Some(Event::Text(_))) {
            out.push(Event::HardBreak);
        }
        out.push(Event::Text(CowStr::from(line.to_string())));
    }
}

fn demote(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H3,
        HeadingLevel::H2 => HeadingLevel::H4,
        HeadingLevel::H3 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

// ---------------------------------------------------------------------------------------
// Stances
// ---------------------------------------------------------------------------------------

/// Where a comment stands on the item it discusses; stored as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stance {
    Support,
    Oppose,
    Neutral,
}

impl Stance {
    pub const ALL: [Stance; 3] = [Stance::Support, Stance::Oppose, Stance::Neutral];

    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Support => "support",
            Stance::Oppose => "oppose",
            Stance::Neutral => "neutral",
        }
    }

    /// The stored or submitted form; anything else (including an empty choice) is `None`.
    pub fn parse(value: &str) -> Option<Stance> {
        Stance::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// The i18n key of the stance's label.
    pub fn label_key(self) -> &'static str {
        match self {
            Stance::Support => "stance.support",
            Stance::Oppose => "stance.oppose",
            Stance::Neutral => "stance.neutral",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StanceCounts {
    pub support: i64,
    pub oppose: i64,
    pub neutral: i64,
}

/// Tallies the stances of a thread per person: each author's latest stance (`(author,
/// stance)` in the order written) counts once; a comment without a stance changes nothing.
pub fn count_stances(stances: impl IntoIterator<Item = (i64, Option<Stance>)>) -> StanceCounts {
    let mut latest: Vec<(i64, Stance)> = Vec::new();
    for (author, stance) in stances {
        let Some(stance) = stance else { continue };
        match latest.iter_mut().find(|(a, _)| *a == author) {
            Some(l) => l.1 = stance,
            None => latest.push((author, stance)),
        }
    }
    let mut counts = StanceCounts::default();
    for (_, stance) in latest {
        match stance {
            Stance::Support => counts.support += 1,
            Stance::Oppose => counts.oppose += 1,
            Stance::Neutral => counts.neutral += 1,
        }
    }
    counts
}

// ---------------------------------------------------------------------------------------
// Thread layout
// ---------------------------------------------------------------------------------------

/// One comment of a thread as loaded, in any order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThreadInput {
    pub id: i64,
    pub parent_id: Option<i64>,
    /// An answer given on behalf of the committee; shown first among top-level comments.
    pub official: bool,
    /// Orders comments by the time they were posted.
    pub created_seq: i64,
}

/// Where a comment is shown: its indentation and, once indentation has run out, whom it
/// answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThreadSlot {
    pub id: i64,
    pub depth: usize,
    /// Set only for a reply deeper than `max_depth`, which is shown flat at `max_depth`
    /// and so needs to say which comment it answers.
    pub replying_to: Option<i64>,
}

/// The display order of a thread: top-level comments (official ones first, then oldest
/// first), each followed depth-first by its replies, oldest first.
///
/// A comment whose parent is missing (deleted, or in another thread) is top-level. Bad data
/// cannot make this loop: each id is shown once (the first of any duplicates wins), and
/// comments caught in a parent cycle are appended at the end, each cycle opened at its
/// oldest comment as a top-level one.
pub fn layout_thread(input: &[ThreadInput], max_depth: usize) -> Vec<ThreadSlot> {
    let mut index: HashMap<i64, usize> = HashMap::with_capacity(input.len());
    let mut nodes: Vec<&ThreadInput> = Vec::with_capacity(input.len());
    for comment in input {
        index.entry(comment.id).or_insert_with(|| {
            nodes.push(comment);
            nodes.len() - 1
        });
    }

    let parent_of = |i: usize| nodes[i].parent_id.and_then(|p| index.get(&p)).copied();

    let mut children: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    let mut roots: Vec<usize> = Vec::new();
    for i in 0..nodes.len() {
        match parent_of(i) {
            Some(parent) => children[parent].push(i),
            None => roots.push(i),
        }
    }
    let by_time = |&i: &usize| (nodes[i].created_seq, nodes[i].id);
    for siblings in &mut children {
        siblings.sort_by_key(by_time);
    }
    roots.sort_by_key(|&i| (!nodes[i].official, nodes[i].created_seq, nodes[i].id));

    let mut walk = Walk {
        nodes: &nodes,
        children: &children,
        max_depth,
        shown: vec![false; nodes.len()],
        stack: Vec::new(),
        slots: Vec::with_capacity(nodes.len()),
    };
    for &root in &roots {
        walk.from(root);
    }

    // Whatever was not reached hangs off a parent cycle (every ancestor of it is unreached
    // too, and none is missing). Climb to the cycle and open it at its oldest comment.
    let mut climbed = vec![false; nodes.len()];
    for i in 0..nodes.len() {
        if walk.shown[i] {
            continue;
        }
        let mut at = i;
        while !std::mem::replace(&mut climbed[at], true) {
            at = parent_of(at).unwrap_or(at);
        }
        let mut oldest = at;
        let mut member = at;
        loop {
            member = parent_of(member).unwrap_or(at);
            if member == at {
                break;
            }
            if by_time(&member) < by_time(&oldest) {
                oldest = member;
            }
        }
        walk.from(oldest);
    }
    walk.slots
}

/// The depth-first walk of [`layout_thread`], with an explicit stack because a reply chain
/// can be thousands long.
struct Walk<'a> {
    nodes: &'a [&'a ThreadInput],
    children: &'a [Vec<usize>],
    max_depth: usize,
    shown: Vec<bool>,
    /// (node, true depth); children are pushed in reverse so they pop oldest first.
    stack: Vec<(usize, usize)>,
    slots: Vec<ThreadSlot>,
}

impl Walk<'_> {
    /// Shows `start` at the top level and everything under it not shown yet.
    fn from(&mut self, start: usize) {
        self.stack.push((start, 0));
        while let Some((i, depth)) = self.stack.pop() {
            if std::mem::replace(&mut self.shown[i], true) {
                continue; // came round a cycle
            }
            let node = self.nodes[i];
            self.slots.push(ThreadSlot {
                id: node.id,
                depth: depth.min(self.max_depth),
                replying_to: if depth > self.max_depth {
                    node.parent_id
                } else {
                    None
                },
            });
            let children = self.children[i].iter().rev();
            self.stack.extend(children.map(|&c| (c, depth + 1)));
        }
    }
}

// ---------------------------------------------------------------------------------------
// Posting rate limit
// ---------------------------------------------------------------------------------------

/// A resident may post at most this many comments within any [`POST_WINDOW_SECS`].
pub const MAX_POSTS_PER_WINDOW: usize = 5;
pub const POST_WINDOW_SECS: i64 = 60;

/// How long the author of the posts at `recent` (any order; old ones are ignored) must wait
/// before posting again: `None` if they may post now, else whole seconds, rounded up so
/// that posting after the wait always succeeds.
///
/// A post leaves the window exactly `POST_WINDOW_SECS` after it was made.
pub fn post_wait(recent: &[NaiveDateTime], now: NaiveDateTime) -> Option<i64> {
    rate_wait(recent, now, MAX_POSTS_PER_WINDOW, POST_WINDOW_SECS)
}

/// The same rule for any action allowed at most `max` times within any `window_secs`
/// (`max` ≥ 1): how long someone who acted at `recent` must wait to act again.
pub fn rate_wait(
    recent: &[NaiveDateTime],
    now: NaiveDateTime,
    max: usize,
    window_secs: i64,
) -> Option<i64> {
    let max = max.max(1);
    let window = TimeDelta::seconds(window_secs);
    let mut in_window: Vec<NaiveDateTime> = recent
        .iter()
        .copied()
        .filter(|&t| now.signed_duration_since(t) < window)
        .collect();
    if in_window.len() < max {
        return None;
    }
    // Posting becomes possible once all but MAX - 1 of these have left the window, that
    // is when the MAX-th newest one leaves.
    in_window.sort_unstable_by(|a, b| b.cmp(a));
    let blocking = in_window[max - 1];
    let remaining = blocking.signed_duration_since(now) + window;
    // Microseconds because timestamps have them; milliseconds would round a wait of
    // 1.0000005 s down to a post that is still refused.
    let micros = remaining.num_microseconds().unwrap_or(i64::MAX).max(1);
    Some(micros.saturating_add(999_999) / 1_000_000)
}

// ---------------------------------------------------------------------------------------
// Text bounds
// ---------------------------------------------------------------------------------------

/// The longest comment, in characters (a Chinese character counts as one).
pub const BODY_MAX: usize = 5000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyProblem {
    Empty,
    /// Carries the length found, in characters, so the form can say how far over it is.
    TooLong(usize),
}

/// A submitted comment body, trimmed, with line endings normalised to `\n`, or why it
/// cannot be posted.
pub fn check_body(body: &str) -> Result<String, BodyProblem> {
    // Browsers submit a textarea's newlines as CRLF but count them as one character for
    // `maxlength`; normalising keeps our count the same as the one the resident saw.
    let body = body.trim().replace("\r\n", "\n");
    match body.chars().count() {
        0 => Err(BodyProblem::Empty),
        n if n > BODY_MAX => Err(BodyProblem::TooLong(n)),
        _ => Ok(body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    // --- Markdown ---

    #[test]
    fn script_tag_is_shown_as_text_not_run() {
        let html = render_markdown("<script>alert(1)</script>");
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn inline_script_is_shown_as_text_not_run() {
        let html = render_markdown("看这里 <script>alert(1)</script> 好吗");
        assert!(!html.contains("<script"), "{html}");
    }

    #[test]
    fn img_with_onerror_is_not_a_live_tag() {
        let html = render_markdown("<img src=x onerror=alert(1)>");
        assert!(!html.contains("<img"), "{html}");
    }

    #[test]
    fn inline_img_with_onerror_is_not_a_live_tag() {
        let html = render_markdown("照片 <img src=x onerror=alert(1)> 在此");
        assert!(!html.contains("<img"), "{html}");
    }

    #[test]
    fn iframe_is_not_a_live_tag() {
        let html = render_markdown("<iframe src=\"https://evil.example\"></iframe>");
        assert!(!html.contains("<iframe"), "{html}");
    }

    #[test]
    fn typed_bold_tag_reads_as_typed() {
        let html = render_markdown("这是 <b>粗体</b> 吗");
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.contains("&lt;b&gt;粗体&lt;/b&gt;"), "{html}");
    }

    #[test]
    fn markdown_emphasis_still_works() {
        let html = render_markdown("**重要** and _note_ and ~~old~~");
        assert_eq!(
            html.trim(),
            "<p><strong>重要</strong> and <em>note</em> and <del>old</del></p>"
        );
    }

    #[test]
    fn javascript_link_loses_its_href() {
        let html = render_markdown("[点我](javascript:alert(1))");
        assert!(!html.contains("href"), "{html}");
        assert!(!html.contains("javascript"), "{html}");
        assert!(html.contains("点我"), "{html}");
    }

    #[test]
    fn disguised_javascript_links_lose_their_href() {
        for source in [
            "[a](JavaScript:alert(1))",
            "[a](&#106;avascript:alert(1))",
            "<javascript:alert(1)>",
        ] {
            let html = render_markdown(source);
            assert!(!html.contains("href"), "{source} -> {html}");
        }
    }

    #[test]
    fn data_link_loses_its_href() {
        let html = render_markdown("[a](data:text/html;base64,PHNjcmlwdD4=)");
        assert!(!html.contains("href"), "{html}");
    }

    #[test]
    fn relative_link_loses_its_href() {
        let html = render_markdown("[a](/admin/delete) [b](//evil.example/)");
        assert!(!html.contains("href"), "{html}");
    }

    #[test]
    fn https_link_is_kept_with_nofollow_ugc() {
        let html = render_markdown("[村委会](https://example.org/x?a=1&b=2)");
        assert_eq!(
            html.trim(),
            "<p><a href=\"https://example.org/x?a=1&amp;b=2\" rel=\"nofollow ugc\">村委会</a></p>"
        );
    }

    #[test]
    fn mailto_link_is_kept() {
        let html = render_markdown("<wang@example.org>");
        assert!(html.contains("href=\"mailto:wang@example.org\""), "{html}");
        assert!(html.contains("rel=\"nofollow ugc\""), "{html}");
    }

    #[test]
    fn markdown_image_becomes_its_alt_text() {
        let html = render_markdown("![破损的路灯](https://example.org/lamp.jpg)");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("lamp.jpg"), "{html}");
        assert!(html.contains("破损的路灯"), "{html}");
    }

    #[test]
    fn chinese_text_keeps_single_newlines_as_line_breaks() {
        let html = render_markdown("东边的路灯坏了。\n什么时候修？\n\n谢谢！");
        assert_eq!(
            html.trim(),
            "<p>东边的路灯坏了。<br>\n什么时候修？</p>\n<p>谢谢！</p>"
        );
    }

    #[test]
    fn raw_html_block_keeps_its_line_breaks() {
        let html = render_markdown("<div>\n第二行\n</div>");
        assert!(!html.contains("<div"), "{html}");
        assert!(html.contains("&lt;div&gt;<br>"), "{html}");
        assert!(html.contains("第二行<br>"), "{html}");
    }

    #[test]
    fn headings_are_demoted_below_the_page_title() {
        let html = render_markdown("# 标题\n\n## 小标题");
        assert_eq!(html.trim(), "<h3>标题</h3>\n<h4>小标题</h4>");
    }

    #[test]
    fn tables_render() {
        let html = render_markdown("| 项目 | 金额 |\n|---|--:|\n| 路灯 | 300 |");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<td>路灯</td>"), "{html}");
        assert!(!html.contains("style"), "{html}");
    }

    // --- Stances ---

    #[test]
    fn stance_round_trips_through_text() {
        for stance in Stance::ALL {
            assert_eq!(Stance::parse(stance.as_str()), Some(stance));
        }
        assert_eq!(Stance::Oppose.as_str(), "oppose");
    }

    #[test]
    fn unknown_stance_text_is_none() {
        assert_eq!(Stance::parse(""), None);
        assert_eq!(Stance::parse("Support"), None);
        assert_eq!(Stance::parse("maybe"), None);
    }

    #[test]
    fn stance_label_keys() {
        assert_eq!(Stance::Support.label_key(), "stance.support");
        assert_eq!(Stance::Oppose.label_key(), "stance.oppose");
        assert_eq!(Stance::Neutral.label_key(), "stance.neutral");
    }

    #[test]
    fn stances_are_counted_and_none_is_skipped() {
        let counts = count_stances([
            (1, Some(Stance::Support)),
            (2, None),
            (3, Some(Stance::Oppose)),
            (4, Some(Stance::Support)),
            (5, Some(Stance::Neutral)),
            (6, None),
        ]);
        assert_eq!(
            counts,
            StanceCounts {
                support: 2,
                oppose: 1,
                neutral: 1
            }
        );
    }

    #[test]
    fn a_person_counts_once_with_their_latest_stance() {
        // Person 1 supports three times, then opposes; a reply without a stance keeps it.
        let counts = count_stances([
            (1, Some(Stance::Support)),
            (1, Some(Stance::Support)),
            (2, Some(Stance::Support)),
            (1, Some(Stance::Support)),
            (1, Some(Stance::Oppose)),
            (1, None),
        ]);
        let want = StanceCounts {
            support: 1,
            oppose: 1,
            neutral: 0,
        };
        assert_eq!(counts, want);
    }

    proptest::proptest! {
        /// However many comments, the tally never counts more stances than people.
        #[test]
        fn never_more_stances_than_people(v in proptest::collection::vec((0i64..5, 0usize..4), 0..40)) {
            let input = v.iter().map(|(a, s)| (*a, Stance::ALL.get(*s).copied()));
            let c = count_stances(input);
            let people = v.iter().filter(|(_, s)| *s < 3).map(|(a, _)| *a).collect::<std::collections::HashSet<_>>().len();
            proptest::prop_assert_eq!((c.support + c.oppose + c.neutral) as usize, people);
        }
    }

    #[test]
    fn no_stances_count_zero() {
        assert_eq!(count_stances([]), StanceCounts::default());
    }

    // --- Thread layout ---

    fn c(id: i64, parent_id: Option<i64>, created_seq: i64) -> ThreadInput {
        ThreadInput {
            id,
            parent_id,
            official: false,
            created_seq,
        }
    }

    fn slot(id: i64, depth: usize, replying_to: Option<i64>) -> ThreadSlot {
        ThreadSlot {
            id,
            depth,
            replying_to,
        }
    }

    fn ids(slots: &[ThreadSlot]) -> Vec<i64> {
        slots.iter().map(|s| s.id).collect()
    }

    #[test]
    fn replies_follow_their_parent_depth_first_in_time_order() {
        let input = [
            c(1, None, 1),
            c(2, None, 2),
            c(3, Some(1), 5),
            c(4, Some(1), 3),
            c(5, Some(4), 4),
            c(6, Some(2), 6),
        ];
        let slots = layout_thread(&input, 5);
        assert_eq!(
            slots,
            vec![
                slot(1, 0, None),
                slot(4, 1, None),
                slot(5, 2, None),
                slot(3, 1, None),
                slot(2, 0, None),
                slot(6, 1, None),
            ]
        );
    }

    #[test]
    fn official_top_level_comments_come_first() {
        let mut official = c(3, None, 9);
        official.official = true;
        let input = [c(1, None, 1), c(2, None, 2), official];
        assert_eq!(ids(&layout_thread(&input, 3)), vec![3, 1, 2]);
    }

    #[test]
    fn official_replies_keep_time_order() {
        let mut official = c(3, Some(1), 9);
        official.official = true;
        let input = [c(1, None, 1), c(2, Some(1), 2), official];
        assert_eq!(ids(&layout_thread(&input, 3)), vec![1, 2, 3]);
    }

    #[test]
    fn replies_deeper_than_the_cap_are_flat_and_name_their_parent() {
        let input = [
            c(1, None, 1),
            c(2, Some(1), 2),
            c(3, Some(2), 3),
            c(4, Some(3), 4),
            c(5, Some(4), 5),
        ];
        let slots = layout_thread(&input, 2);
        assert_eq!(
            slots,
            vec![
                slot(1, 0, None),
                slot(2, 1, None),
                slot(3, 2, None),
                slot(4, 2, Some(3)),
                slot(5, 2, Some(4)),
            ]
        );
    }

    #[test]
    fn zero_cap_shows_every_reply_flat() {
        let input = [c(1, None, 1), c(2, Some(1), 2)];
        let slots = layout_thread(&input, 0);
        assert_eq!(slots, vec![slot(1, 0, None), slot(2, 0, Some(1))]);
    }

    #[test]
    fn orphan_is_top_level_in_time_order() {
        let input = [c(1, None, 1), c(2, Some(99), 2), c(3, None, 3)];
        let slots = layout_thread(&input, 3);
        assert_eq!(
            slots,
            vec![slot(1, 0, None), slot(2, 0, None), slot(3, 0, None)]
        );
    }

    #[test]
    fn cycle_is_shown_once_after_the_rooted_thread() {
        // 2 -> 3 -> 4 -> 2, with 5 hanging off 3; none reachable from 1.
        let input = [
            c(5, Some(3), 1),
            c(4, Some(3), 7),
            c(3, Some(2), 6),
            c(2, Some(4), 5),
            c(1, None, 2),
        ];
        let slots = layout_thread(&input, 5);
        assert_eq!(
            slots,
            vec![
                slot(1, 0, None),
                slot(2, 0, None),
                slot(3, 1, None),
                slot(5, 2, None),
                slot(4, 2, None),
            ]
        );
    }

    #[test]
    fn comment_that_replies_to_itself_is_shown_once() {
        let input = [c(1, Some(1), 1), c(2, Some(1), 2)];
        let slots = layout_thread(&input, 3);
        assert_eq!(slots, vec![slot(1, 0, None), slot(2, 1, None)]);
    }

    #[test]
    fn duplicate_ids_are_shown_once() {
        let input = [c(1, None, 1), c(1, None, 2)];
        assert_eq!(ids(&layout_thread(&input, 3)), vec![1]);
    }

    #[test]
    fn ten_thousand_deep_chain_does_not_overflow() {
        let input: Vec<ThreadInput> = (0..10_000)
            .map(|i| c(i, if i == 0 { None } else { Some(i - 1) }, i))
            .rev()
            .collect();
        let slots = layout_thread(&input, 4);
        assert_eq!(slots.len(), 10_000);
        assert_eq!(slots[3], slot(3, 3, None));
        assert_eq!(slots[4], slot(4, 4, None));
        assert_eq!(slots[5], slot(5, 4, Some(4)));
        assert_eq!(slots[9_999], slot(9_999, 4, Some(9_998)));
    }

    #[test]
    fn ten_thousand_long_cycle_terminates() {
        let n = 10_000;
        let input: Vec<ThreadInput> = (0..n).map(|i| c(i, Some((i + 1) % n), i)).collect();
        let slots = layout_thread(&input, 4);
        assert_eq!(slots.len(), n as usize);
        assert_eq!(slots[0], slot(0, 0, None));
        assert_eq!(slots[1], slot(n - 1, 1, None));
    }

    #[test]
    fn empty_thread_lays_out_empty() {
        assert!(layout_thread(&[], 3).is_empty());
    }

    // --- Rate limit ---

    fn at(secs: i64) -> NaiveDateTime {
        let base = NaiveDate::from_ymd_opt(2025, 3, 1)
            .and_then(|d| d.and_hms_opt(8, 0, 0))
            .unwrap();
        base + TimeDelta::seconds(secs)
    }

    #[test]
    fn fewer_than_the_limit_may_post() {
        let recent = [at(0), at(1), at(2), at(3)];
        assert_eq!(post_wait(&recent, at(4)), None);
    }

    #[test]
    fn at_the_limit_waits_for_the_oldest_counted_post_to_leave() {
        let recent = [at(10), at(0), at(20), at(30), at(40)];
        assert_eq!(post_wait(&recent, at(45)), Some(15));
    }

    #[test]
    fn post_leaves_the_window_exactly_at_its_end() {
        let recent = [at(0), at(10), at(20), at(30), at(40)];
        assert_eq!(post_wait(&recent, at(60)), None);
    }

    #[test]
    fn one_microsecond_before_the_window_ends_waits_one_second() {
        let recent = [at(0), at(10), at(20), at(30), at(40)];
        let now = at(60) - TimeDelta::microseconds(1);
        assert_eq!(post_wait(&recent, now), Some(1));
    }

    #[test]
    fn partial_seconds_round_up() {
        let recent = [at(0), at(10), at(20), at(30), at(40)];
        let now = at(58) + TimeDelta::milliseconds(500);
        assert_eq!(post_wait(&recent, now), Some(2));
    }

    #[test]
    fn old_posts_do_not_count() {
        let recent = [at(-600), at(-61), at(-60), at(10), at(20), at(30)];
        assert_eq!(post_wait(&recent, at(31)), None);
    }

    #[test]
    fn many_recent_posts_wait_for_enough_of_them_to_leave() {
        let recent: Vec<_> = (0..8).map(at).collect();
        // Posts 3..=7 are the five newest; posting needs post 3 gone, at 63.
        assert_eq!(post_wait(&recent, at(8)), Some(55));
    }

    #[test]
    fn no_posts_may_post() {
        assert_eq!(post_wait(&[], at(0)), None);
    }

    // --- Body ---

    #[test]
    fn body_is_trimmed() {
        assert_eq!(check_body("  你好 \n"), Ok("你好".to_string()));
    }

    #[test]
    fn blank_body_is_empty() {
        assert_eq!(check_body(" \n\t "), Err(BodyProblem::Empty));
    }

    #[test]
    fn body_length_counts_characters_not_bytes() {
        let body = "字".repeat(BODY_MAX);
        assert_eq!(check_body(&body), Ok(body.clone()));
        let over = "字".repeat(BODY_MAX + 1);
        assert_eq!(check_body(&over), Err(BodyProblem::TooLong(BODY_MAX + 1)));
    }

    #[test]
    fn crlf_counts_as_one_character() {
        let body = format!("{}\r\n{}", "a".repeat(2500), "b".repeat(2499));
        let checked = check_body(&body);
        assert_eq!(checked.map(|b| b.chars().count()), Ok(BODY_MAX));
    }
}
