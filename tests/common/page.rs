//! Reading pages by `id`: a test names the element it means, so a reworded label or a
//! reordered page cannot make it read the wrong number. A few lines of string work, enough
//! for the server's own well-formed templates; not an HTML parser.

/// Where the element with this `id` starts (its `<`) and ends (just past its closing tag,
/// or past the opening tag for a void element).
fn span_of(html: &str, id: &str) -> Option<(usize, usize, usize)> {
    let marker = format!(" id=\"{id}\"");
    let at = html.find(&marker)?;
    let open = html[..at].rfind('<')?;
    let tag: String = html[open + 1..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let inner = at + html[at..].find('>')? + 1;
    if html[..inner].ends_with("/>") || VOID.contains(&tag.as_str()) {
        return Some((open, inner, inner));
    }
    let (opening, closing) = (format!("<{tag}"), format!("</{tag}>"));
    let mut depth = 1;
    let mut pos = inner;
    loop {
        let next_close = pos + html[pos..].find(&closing)?;
        let next_open = html[pos..next_close]
            .match_indices(&opening)
            .map(|(i, _)| pos + i)
            .find(|&i| html[i + opening.len()..].starts_with([' ', '>', '/']));
        match next_open {
            Some(i) => {
                depth += 1;
                pos = i + opening.len();
            }
            None => {
                depth -= 1;
                if depth == 0 {
                    return Some((open, inner, next_close));
                }
                pos = next_close + closing.len();
            }
        }
    }
}

const VOID: &[&str] = &["input", "img", "br", "hr", "meta", "link", "source"];

/// The HTML inside the element with this `id`.
pub fn inner_by_id<'a>(html: &'a str, id: &str) -> Option<&'a str> {
    span_of(html, id).map(|(_, inner, end)| &html[inner..end])
}

/// The text inside the element with this `id`: tags dropped, white space folded.
pub fn text_by_id(html: &str, id: &str) -> Option<String> {
    inner_by_id(html, id).map(text_of)
}

/// The number shown in the element with this `id`; panics naming the id when there is none.
pub fn number_by_id(html: &str, id: &str) -> i64 {
    let text = text_by_id(html, id).unwrap_or_else(|| panic!("no element with id {id}"));
    text.replace(',', "")
        .parse()
        .unwrap_or_else(|_| panic!("#{id} shows {text:?}, not a number"))
}

/// The value of attribute `name` on the element with this `id`.
pub fn attr_by_id(html: &str, id: &str, name: &str) -> Option<String> {
    let (open, inner, _) = span_of(html, id)?;
    attr(&html[open..inner], name)
}

/// The value of attribute `name` in one opening tag.
pub fn attr(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let at = tag.find(&marker)? + marker.len();
    Some(unescape(&tag[at..at + tag[at..].find('"')?]))
}

/// Where the first link inside the element with this `id` leads.
pub fn link_in(html: &str, id: &str) -> Option<String> {
    first_attr_in(html, id, "<a ", "href")
}

/// The `src` of the first image inside the element with this `id`.
pub fn image_in(html: &str, id: &str) -> Option<String> {
    first_attr_in(html, id, "<img ", "src")
}

fn first_attr_in(html: &str, id: &str, tag: &str, name: &str) -> Option<String> {
    let inner = inner_by_id(html, id)?;
    let at = inner.find(tag)?;
    let end = at + inner[at..].find('>')?;
    attr(&inner[at..end], name)
}

/// What follows `prefix` in every `id` that starts with it, in page order: the comment ids
/// of a thread for `"comment-"`, say.
pub fn ids_with_prefix(html: &str, prefix: &str) -> Vec<String> {
    let marker = format!(" id=\"{prefix}");
    html.match_indices(&marker)
        .filter_map(|(at, _)| {
            let rest = &html[at + marker.len()..];
            Some(rest[..rest.find('"')?].to_string())
        })
        .collect()
}

/// The ids of the comments shown on a thread, in page order.
pub fn comment_ids(html: &str) -> Vec<String> {
    ids_with_prefix(html, "comment-")
        .into_iter()
        .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
        .collect()
}

/// The `id` suffix (after `prefix`) of the first such element whose text contains
/// `needle`: the request card naming an applicant, say.
pub fn id_of_the_one_with(html: &str, prefix: &str, needle: &str) -> Option<String> {
    ids_with_prefix(html, prefix).into_iter().find(|suffix| {
        inner_by_id(html, &format!("{prefix}{suffix}")).is_some_and(|inner| inner.contains(needle))
    })
}

/// The (value, label) of each `<option>` in the `<select>` with this `id`, in page order.
pub fn options(html: &str, select_id: &str) -> Vec<(String, String)> {
    let Some(select) = inner_by_id(html, select_id) else {
        return Vec::new();
    };
    select
        .split("<option")
        .skip(1)
        .filter_map(|option| {
            let (tag, rest) = option.split_once('>')?;
            let text = rest.split("</option>").next().unwrap_or_default();
            Some((attr(tag, "value")?, unescape(text.trim())))
        })
        .collect()
}

/// The value of the `<option>` labelled `label` in the `<select>` with this `id`.
pub fn option_value(html: &str, select_id: &str, label: &str) -> Option<String> {
    options(html, select_id)
        .into_iter()
        .find_map(|(value, shown)| (shown == label).then_some(value))
}

/// Tags dropped, entities undone, white space folded.
pub fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    unescape(&out.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Undoes the escapes askama writes (numeric, and the named ones for good measure).
pub fn unescape(s: &str) -> String {
    s.replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<main><section id="a"><div><div id="b">x</div></div><p>12</p></section>
        <span id="n"> 1,204 </span><input id="i" value="a&amp;b"><ul>
        <li id="row-3">王秀英</li><li id="row-9">柯蓝田</li></ul>
        <select id="s"><option value="4">网格七</option><option value="7">=网格&amp;</option></select></main>"#;

    #[test]
    fn elements_are_found_by_id_with_nesting() {
        assert_eq!(text_by_id(PAGE, "a").as_deref(), Some("x 12"));
        assert_eq!(text_by_id(PAGE, "b").as_deref(), Some("x"));
        assert_eq!(number_by_id(PAGE, "n"), 1204);
        assert_eq!(attr_by_id(PAGE, "i", "value").as_deref(), Some("a&b"));
        assert_eq!(ids_with_prefix(PAGE, "row-"), ["3", "9"]);
        assert_eq!(
            id_of_the_one_with(PAGE, "row-", "柯蓝田").as_deref(),
            Some("9")
        );
        assert_eq!(option_value(PAGE, "s", "=网格&").as_deref(), Some("7"));
        assert_eq!(text_by_id(PAGE, "missing"), None);
        let links = r#"<div id="d"><p><a class="x" href="/files/a.pdf">a</a><img src="/p/t.jpg"></p></div>"#;
        assert_eq!(link_in(links, "d").as_deref(), Some("/files/a.pdf"));
        assert_eq!(image_in(links, "d").as_deref(), Some("/p/t.jpg"));
    }
}
