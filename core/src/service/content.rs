//! What every kind of content shares: tags, text limits, mentions, and the
//! "author or moderator" rule.

use crate::error::{Error, Result};
use crate::ids::UserId;
use crate::model::Handle;
use crate::policy::{self, SpaceAction, SpaceViewer, Standing};
use crate::service::access::SpaceAccess;
use crate::service::{Actor, Copkit};
use crate::validate::{Checker, limits};

/// Normalizes tags: lower-cased and deduplicated; each is 1–30 of
/// `A-Z a-z 0-9 -`, at most 10.
pub(crate) fn tags(check: &mut Checker, tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if tags.len() > limits::TAGS_MAX {
        check.fail(
            "tags",
            "too_many",
            format!("at most {} tags", limits::TAGS_MAX),
        );
    }
    for (i, tag) in tags.iter().enumerate() {
        let tag = tag.to_lowercase();
        let ok = !tag.is_empty()
            && tag.chars().count() <= limits::TAG_MAX
            && tag
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !ok {
            check.fail(
                &format!("tags[{i}]"),
                "invalid_tag",
                "a tag is 1 to 30 of a-z, 0-9 and hyphens",
            );
        } else if !out.contains(&tag) {
            out.push(tag);
        }
    }
    out
}

impl Copkit {
    /// The people `@mentioned` in `text` who can see the space, in order.
    /// Handles that are unknown, or whose holder cannot see the space, stay
    /// plain text: a mention never reveals the space to anyone.
    pub(crate) async fn mentions(&self, access: &SpaceAccess, text: &str) -> Result<Vec<UserId>> {
        let mut found = Vec::new();
        for handle in Handle::mentioned_in(text)
            .into_iter()
            .take(limits::MENTIONS_MAX)
        {
            let Some(profile) = self.store().get_profile_by_handle(&handle).await? else {
                continue;
            };
            let facts = self
                .store()
                .access_facts(
                    &access.community.community.id,
                    &profile.user,
                    Some(&access.space.id),
                )
                .await?;
            let viewer = SpaceViewer {
                user: &profile.user,
                standing: Standing::of(facts.membership.as_ref(), false, self.now()),
                granted: facts.grant.is_some(),
            };
            let sees = policy::space(
                &access.community.community,
                &access.space,
                viewer,
                SpaceAction::View,
            )
            .is_ok();
            if sees && !found.contains(&profile.user) {
                found.push(profile.user);
            }
        }
        Ok(found)
    }

    /// May `actor` change content written by `author` in this space?
    pub(crate) fn may_change(
        &self,
        actor: &Actor,
        access: &SpaceAccess,
        author: &UserId,
        moderators_too: bool,
    ) -> Result<()> {
        let contribute = access.decide(actor, SpaceAction::Contribute);
        let moderate = access.decide(actor, SpaceAction::Moderate);
        policy::change_content(*author == actor.user, moderators_too, contribute, moderate)
            .map_err(Error::from)
    }
}
