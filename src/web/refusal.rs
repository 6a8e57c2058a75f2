//! A rule's message in the user's language: a locale key with its `{placeholders}` filled,
//! and the message of a refused spend, naming the rule it broke.

use crate::projects::rules::{Arg, Refusal};
use crate::web::ctx::Ctx;

/// A rule's message with its `{placeholders}` filled, keys among them translated.
pub fn say(ctx: &Ctx, key: &str, args: &[(&'static str, Arg)]) -> String {
    let vals: Vec<(&str, String)> = args
        .iter()
        .map(|(n, a)| {
            let v = match a {
                Arg::Text(s) => s.clone(),
                Arg::Key(k) => ctx.t(k).to_string(),
            };
            (*n, v)
        })
        .collect();
    let refs: Vec<(&str, &str)> = vals.iter().map(|(n, v)| (*n, v.as_str())).collect();
    ctx.tr.f(key, &refs)
}

/// The message of a refused spend, naming the rule.
pub fn refusal_message(ctx: &Ctx, r: &Refusal) -> String {
    say(ctx, r.key(), &r.args())
}
