//! Starting, finding and configuring communities.

use crate::service::rate_limits::Limited;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::CommunityId;
use crate::model::{
    Access, ActivityKind, Community, CommunityCounts, CommunityKind, DepartedUploads, JoinPolicy,
    JoinedVia, LevelRules, Membership, MembershipStatus, Page, PageRequest, ParticipationLevel,
    Role, Slug, Visibility,
};
use crate::policy::{CommunityAction, Standing};
use crate::service::{Actor, Copkit, check_version};
use crate::store::{CommunityOp, DirectoryQuery, Expect, Range, Transaction};
use crate::validate::{Checker, limits};

/// What it takes to start a community.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", schema(example = json!({"slug": "wessex-gp-trainers", "name": "Wessex GP trainers", "purpose": "Teaching ideas, appraisal tips and cover swaps for trainers in Wessex.", "kind": "educator_group", "access": {"visibility": "private", "join_policy": "approval"}, "join_question": "Which practice do you train at?"})))]
pub struct NewCommunity {
    /// Unique URL-friendly name, `[a-z0-9-]{3,40}`.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[a-z0-9-]{3,40}$"))]
    pub slug: String,
    /// Display name, 3–80 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:line", min_length = 3, max_length = 80)
    )]
    pub name: String,
    /// What the community is for, up to 2,000 characters.
    #[cfg_attr(feature = "openapi", schema(format = "copkit:text", max_length = 2000))]
    pub purpose: String,
    /// What kind of group it is.
    pub kind: CommunityKind,
    /// Who can see it and how people get in.
    pub access: Access,
    /// The question asked of people who request to join (up to 500 characters).
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:line-or-empty", max_length = 500)
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub join_question: Option<String>,
}

/// Changes to a community's settings; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CommunityChanges {
    /// New slug.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[a-z0-9-]{3,40}$"))]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub slug: Option<String>,
    /// New name.
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:line", min_length = 3, max_length = 80)
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub name: Option<String>,
    /// New purpose.
    #[cfg_attr(feature = "openapi", schema(format = "copkit:text", max_length = 2000))]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub purpose: Option<String>,
    /// New kind.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub kind: Option<CommunityKind>,
    /// New visibility and join policy.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub access: Option<Access>,
    /// New join question; an empty string removes it.
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:line-or-empty", max_length = 500)
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub join_question: Option<String>,
    /// New participation-level rules (window 7–365 days; Active and Core
    /// point thresholds, Core above Active). Levels follow at each
    /// member's next contribution or review.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub level_rules: Option<LevelRules>,
    /// What happens to the documents of someone who erases their account
    /// (from then on; documents already kept stay kept).
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub departed_uploads: Option<DepartedUploads>,
}

/// What anyone who can see a community sees of it: the listing card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CommunityCard {
    /// Its id.
    pub id: CommunityId,
    /// Its slug.
    pub slug: Slug,
    /// Its name.
    pub name: String,
    /// Its purpose.
    pub purpose: String,
    /// Its kind.
    pub kind: CommunityKind,
    /// Its visibility.
    pub visibility: Visibility,
    /// Its join policy.
    pub join_policy: JoinPolicy,
    /// The question asked of people who request to join.
    pub join_question: Option<String>,
    /// Number of active members (guests not counted).
    pub member_count: u32,
    /// When it was started.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// Version of its settings (the `ETag`).
    pub version: u64,
    /// How participation levels are computed here.
    pub level_rules: LevelRules,
    /// What happens to the documents of someone who erases their account.
    pub departed_uploads: DepartedUploads,
}

impl From<&Community> for CommunityCard {
    fn from(c: &Community) -> Self {
        CommunityCard {
            id: c.id,
            slug: c.slug.clone(),
            name: c.name.clone(),
            purpose: c.purpose.clone(),
            kind: c.kind,
            visibility: c.visibility,
            join_policy: c.join_policy,
            join_question: c.join_question.clone(),
            member_count: c.counts.members,
            created_at: c.created_at,
            version: c.version,
            level_rules: c.level_rules,
            departed_uploads: c.departed_uploads,
        }
    }
}

/// A community as one caller sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CommunityView {
    /// The listing card.
    pub card: CommunityCard,
    /// The caller's role, if they are an active member.
    pub my_role: Option<Role>,
    /// The caller's participation level, if they are an active member.
    pub my_level: Option<ParticipationLevel>,
}

/// One of the caller's communities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MyCommunity {
    /// The listing card.
    pub card: CommunityCard,
    /// The caller's role.
    pub role: Role,
    /// The caller's participation level.
    pub level: ParticipationLevel,
}

fn question(check: &mut Checker, value: &str) -> Option<String> {
    let q = check.line("join_question", value, 0, limits::QUESTION_MAX);
    if q.is_empty() { None } else { Some(q) }
}

impl Copkit {
    /// Starts a community; the caller becomes its first Owner.
    pub async fn create_community(
        &self,
        actor: &Actor,
        input: NewCommunity,
    ) -> Result<CommunityView> {
        let mut check = Checker::new();
        let slug = check.check(Slug::new(&input.slug));
        let name = check.line("name", &input.name, limits::NAME_MIN, limits::NAME_MAX);
        let purpose = check.text("purpose", &input.purpose, 0, limits::PURPOSE_MAX);
        let join_question = input
            .join_question
            .as_deref()
            .and_then(|q| question(&mut check, q));
        check.finish()?;
        let Some(slug) = slug else {
            return Err(Error::Internal("slug validated but missing".into()));
        };

        let now = self.now();
        let community = Community {
            id: CommunityId(self.new_ulid(now)),
            slug,
            name,
            purpose,
            kind: input.kind,
            visibility: input.access.visibility(),
            join_policy: input.access.join_policy(),
            join_question,
            created_by: actor.user.clone(),
            created_at: now,
            updated_at: now,
            version: 1,
            counts: CommunityCounts {
                members: 1,
                guests: 0,
                owners: 1,
                spaces: 0,
            },
            level_rules: Default::default(),
            departed_uploads: Default::default(),
        };
        let owner = Membership {
            community: community.id,
            user: actor.user.clone(),
            role: Role::Owner,
            status: MembershipStatus::Active,
            level: ParticipationLevel::Core,
            joined_at: now,
            updated_at: now,
            version: 1,
        };
        let mut tx = Transaction::new();
        if let Some(op) = self.first_profile_op(actor, now).await? {
            tx.push(op);
        }
        tx.push(CommunityOp::CreateCommunity {
            community: community.clone(),
        })
        .push(CommunityOp::PutMembership {
            membership: owner.clone(),
            expect: Expect::Absent,
        })
        .push(self.activity(
            actor,
            community.id,
            None,
            now,
            ActivityKind::CommunityCreated,
        ))
        .push(self.activity(
            actor,
            community.id,
            None,
            now,
            ActivityKind::MemberJoined {
                user: actor.user.clone(),
                role: Role::Owner,
                via: JoinedVia::Founded,
            },
        ));
        self.count_write(actor, Limited::Communities, now).await?;
        self.commit(tx).await?;
        Ok(CommunityView {
            card: CommunityCard::from(&community),
            my_role: Some(Role::Owner),
            my_level: Some(owner.level),
        })
    }

    /// A community's card and the caller's place in it.
    pub async fn get_community(&self, actor: &Actor, id: &CommunityId) -> Result<CommunityView> {
        let access = self
            .authorize(actor, id, CommunityAction::ViewListing)
            .await?;
        let active = access.membership.as_ref().filter(|m| m.is_active());
        Ok(CommunityView {
            card: CommunityCard::from(&access.community),
            my_role: active.map(|m| m.role),
            my_level: active.map(|m| m.level),
        })
    }

    /// A community by its slug (same visibility rules as by id). Listed
    /// communities hold their slug in one namespace; a Secret community
    /// holds none (no answer about a slug may reveal it), so it is found by
    /// slug only among the caller's own communities.
    pub async fn get_community_by_slug(&self, actor: &Actor, slug: &str) -> Result<CommunityView> {
        let slug = Slug::new(slug).map_err(|_| Error::NotFound)?;
        let id = match self.store().community_id_by_slug(&slug).await? {
            Some(id) => id,
            None => self
                .my_secret_community_by_slug(actor, &slug)
                .await?
                .ok_or(Error::NotFound)?,
        };
        self.get_community(actor, &id).await
    }

    /// The caller's Secret community with this slug, if any (the first
    /// found, were two of theirs to share it).
    async fn my_secret_community_by_slug(
        &self,
        actor: &Actor,
        slug: &Slug,
    ) -> Result<Option<CommunityId>> {
        let mut range = Range::first(100);
        loop {
            let chunk = self
                .store()
                .list_user_memberships(&actor.user, &range)
                .await?;
            let ids: Vec<CommunityId> = chunk.items.iter().map(|m| m.community).collect();
            let found = self
                .store()
                .get_communities(&ids)
                .await?
                .into_iter()
                .find(|c| c.visibility == Visibility::Secret && c.slug == *slug);
            if let Some(community) = found {
                return Ok(Some(community.id));
            }
            match chunk.next {
                Some(next) => range.after = Some(next),
                None => return Ok(None),
            }
        }
    }

    /// Changes a community's settings (owners only). `expected_version` is
    /// the card's version the caller last read.
    pub async fn update_community(
        &self,
        actor: &Actor,
        id: &CommunityId,
        changes: CommunityChanges,
        expected_version: u64,
    ) -> Result<CommunityView> {
        let access = self
            .authorize(actor, id, CommunityAction::EditSettings)
            .await?;
        let current = access.community;
        check_version(current.version, expected_version)?;

        let mut check = Checker::new();
        let mut next = current.clone();
        if let Some(slug) = changes.slug
            && let Some(slug) = check.check(Slug::new(&slug))
        {
            next.slug = slug;
        }
        if let Some(name) = changes.name {
            next.name = check.line("name", &name, limits::NAME_MIN, limits::NAME_MAX);
        }
        if let Some(purpose) = changes.purpose {
            next.purpose = check.text("purpose", &purpose, 0, limits::PURPOSE_MAX);
        }
        if let Some(q) = changes.join_question {
            next.join_question = question(&mut check, &q);
        }
        next.kind = changes.kind.unwrap_or(next.kind);
        next.departed_uploads = changes.departed_uploads.unwrap_or(next.departed_uploads);
        if let Some(rules) = changes.level_rules {
            match rules.problem() {
                Some((field, message)) => check.fail(field, "out_of_range", message),
                None => next.level_rules = rules,
            }
        }
        if let Some(access) = changes.access {
            next.visibility = access.visibility();
            next.join_policy = access.join_policy();
        }
        check.finish()?;

        let now = self.now();
        next.updated_at = now;
        next.version = current.version + 1;
        let tx = Transaction::new()
            .with(CommunityOp::UpdateCommunity {
                community: next.clone(),
                previous_claim: current.slug_claim().cloned(),
                expect_version: current.version,
            })
            .with(self.activity(actor, *id, None, now, ActivityKind::CommunityUpdated));
        self.commit(tx).await?;
        Ok(CommunityView {
            card: CommunityCard::from(&next),
            my_role: Some(Role::Owner),
            my_level: access
                .membership
                .as_ref()
                .map(|m| m.level)
                .or(Some(ParticipationLevel::Core)),
        })
    }

    /// The directory: Public and Private communities (never Secret), by name,
    /// optionally filtered by kind and name prefix.
    pub async fn directory(
        &self,
        _actor: &Actor,
        kind: Option<CommunityKind>,
        name_prefix: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<CommunityCard>> {
        let mut check = Checker::new();
        let prefix = name_prefix
            .map(|p| check.line("name_prefix", p, 0, limits::NAME_MAX))
            .filter(|p| !p.is_empty());
        check.finish()?;
        let scope = format!(
            "directory|{}|{}",
            kind.map(|k| format!("{k:?}")).unwrap_or_default(),
            prefix.as_deref().unwrap_or_default().to_lowercase()
        );
        let range = self.range(&scope, page)?;
        let query = DirectoryQuery {
            kind,
            name_prefix: prefix,
        };
        let chunk = self.store().list_directory(&query, &range).await?;
        // The store only indexes listed communities; keep the guarantee here
        // too, so a store bug cannot reveal a Secret community.
        let page = self.page(&scope, chunk)?;
        Ok(Page {
            items: page
                .items
                .iter()
                .filter(|c| c.visibility.is_listed())
                .map(CommunityCard::from)
                .collect(),
            next: page.next,
        })
    }

    /// The caller's communities (active memberships, guests included), with
    /// their role and level.
    pub async fn my_communities(
        &self,
        actor: &Actor,
        page: &PageRequest,
    ) -> Result<Page<MyCommunity>> {
        let scope = format!("mine|{}", actor.user);
        let range = self.range(&scope, page)?;
        let chunk = self
            .store()
            .list_user_memberships(&actor.user, &range)
            .await?;
        let ids: Vec<CommunityId> = chunk.items.iter().map(|m| m.community).collect();
        let communities = self.store().get_communities(&ids).await?;
        let page = self.page(&scope, chunk)?;
        let now = self.now();
        Ok(Page {
            items: page
                .items
                .into_iter()
                .filter(|m| Standing::of(Some(m), false, now) == Standing::Active(m.role))
                .filter_map(|m| {
                    communities
                        .iter()
                        .find(|c| c.id == m.community)
                        .map(|c| MyCommunity {
                            card: CommunityCard::from(c),
                            role: m.role,
                            level: m.level,
                        })
                })
                .collect(),
            next: page.next,
        })
    }
}
