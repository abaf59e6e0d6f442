//! Value stories: members record how the community helped them.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{CommunityId, ThreadId, ValueStoryId};
use crate::model::{ActivityKind, Contribution, Page, PageRequest, ValueKind, ValueStory};
use crate::policy::CommunityAction;
use crate::service::{Actor, Copkit};
use crate::store::{ActivityOp, Expect, Transaction};
use crate::validate::Checker;

/// Headlines: fewest characters.
const TITLE_MIN: usize = 3;
/// Headlines: most characters.
const TITLE_MAX: usize = 200;
/// Stories: most characters.
const STORY_MAX: usize = 5_000;

/// What it takes to tell a value story.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", schema(example = json!({"kind": "applied", "title": "We changed our weekend handover", "story": "After the thread on safety-netting we added a handover checklist; no missed results since."})))]
pub struct NewValueStory {
    /// The kind of value.
    pub kind: ValueKind,
    /// A headline, 3–200 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:line", min_length = 3, max_length = 200)
    )]
    pub title: String,
    /// What happened and what changed, 1–5,000 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:nonblank-text", min_length = 1, max_length = 5000)
    )]
    pub story: String,
    /// A discussion it grew from (one the teller can see, in this community).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = "copkit:ulid"))]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub thread: Option<ThreadId>,
}

impl Copkit {
    /// Tells a value story (members; guests and outsiders may not). It
    /// counts toward the teller's participation level.
    pub async fn tell_value_story(
        &self,
        actor: &Actor,
        community: &CommunityId,
        input: NewValueStory,
    ) -> Result<ValueStory> {
        let access = self
            .authorize(actor, community, CommunityAction::ListMembers)
            .await?;
        let mut check = Checker::new();
        let title = check.line("title", &input.title, TITLE_MIN, TITLE_MAX);
        let story = check.text("story", &input.story, 1, STORY_MAX);
        check.finish()?;
        if let Some(thread) = &input.thread {
            let (t, _) = self.thread_access(actor, thread).await?;
            if t.community != *community {
                return Err(Error::NotFound);
            }
        }
        let participation = self
            .store()
            .get_participation(community, &actor.user)
            .await?;
        let now = self.now();
        let told = ValueStory {
            id: ValueStoryId(self.new_ulid(now)),
            community: *community,
            author: actor.user.clone(),
            kind: input.kind,
            title,
            story,
            thread: input.thread,
            created_at: now,
            version: 1,
        };
        let tx = Transaction::new()
            .with(ActivityOp::PutValueStory {
                story: told.clone(),
                expect: Expect::Absent,
            })
            .with(self.activity(
                actor,
                *community,
                None,
                now,
                ActivityKind::ValueStoryTold {
                    story: told.id,
                    kind: told.kind,
                },
            ));
        let counted = Self::counted(
            access.community.level_rules,
            access.membership.as_ref(),
            participation,
            Contribution::ValueStory,
        );
        self.commit_counting(tx, counted).await?;
        Ok(told)
    }

    /// A community's value stories, newest first (members).
    pub async fn list_value_stories(
        &self,
        actor: &Actor,
        community: &CommunityId,
        page: &PageRequest,
    ) -> Result<Page<ValueStory>> {
        self.authorize(actor, community, CommunityAction::ListMembers)
            .await?;
        let scope = format!("value-stories|{community}");
        let range = self.range(&scope, page)?;
        let chunk = self.store().list_value_stories(community, &range).await?;
        self.page(&scope, chunk)
    }
}
