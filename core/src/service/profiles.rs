//! Profiles: what members see of each other.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::UserId;
use crate::model::{Handle, Profile};
use crate::service::{Actor, Copkit, check_version};
use crate::store::{Expect, Op, ProfileOp, Transaction};
use crate::validate::{Checker, limits};

/// Changes to one's own profile. `None` leaves a field as it is; an empty
/// string clears an optional field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ProfileChanges {
    /// New display name (1–80 characters).
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:line", min_length = 1, max_length = 80)
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub display_name: Option<String>,
    /// New handle for `@mentions` (3–30 of a-z, 0-9, _); empty removes it.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^(?:@?[A-Za-z0-9_]{3,30})?$"))]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub handle: Option<String>,
    /// New professional role (up to 80 characters; empty removes it).
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:line-or-empty", max_length = 80)
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub professional_role: Option<String>,
    /// New organisation (up to 120 characters; empty removes it).
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:line-or-empty", max_length = 120)
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub organisation: Option<String>,
}

fn optional(value: String) -> Option<String> {
    if value.is_empty() { None } else { Some(value) }
}

impl Copkit {
    /// The profile a first write creates for `actor`, from identity claims.
    fn default_profile(&self, actor: &Actor, now: Timestamp) -> Profile {
        let name = actor
            .display_name
            .as_deref()
            .map(str::trim)
            .filter(|n| {
                !n.is_empty()
                    && n.chars().count() <= limits::DISPLAY_NAME_MAX
                    && !n.chars().any(char::is_control)
            })
            .unwrap_or_else(|| actor.user.as_str());
        let display_name: String = name.chars().take(limits::DISPLAY_NAME_MAX).collect();
        Profile {
            user: actor.user.clone(),
            display_name,
            handle: None,
            professional_role: None,
            organisation: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    /// The operation that stores a first profile for `actor`, if they have none.
    pub(crate) async fn first_profile_op(
        &self,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<Option<Op>> {
        if self.store().get_profile(&actor.user).await?.is_some() {
            return Ok(None);
        }
        Ok(Some(
            ProfileOp::PutProfile {
                profile: self.default_profile(actor, now),
                expect: Expect::Absent,
                previous_handle: None,
            }
            .into(),
        ))
    }

    /// The caller's profile; if none is stored yet, the one that would be
    /// created from their identity (with version 0).
    pub async fn my_profile(&self, actor: &Actor) -> Result<Profile> {
        match self.store().get_profile(&actor.user).await? {
            Some(p) => Ok(p),
            None => {
                let mut p = self.default_profile(actor, self.now());
                p.version = 0;
                Ok(p)
            }
        }
    }

    /// Changes the caller's profile. `expected_version` is the version read
    /// (0 when none was stored yet).
    pub async fn update_my_profile(
        &self,
        actor: &Actor,
        changes: ProfileChanges,
        expected_version: u64,
    ) -> Result<Profile> {
        let mut check = Checker::new();
        let display_name = changes
            .display_name
            .map(|v| check.line("display_name", &v, 1, limits::DISPLAY_NAME_MAX));
        let professional_role = changes
            .professional_role
            .map(|v| check.line("professional_role", &v, 0, limits::PROFESSIONAL_ROLE_MAX));
        let organisation = changes
            .organisation
            .map(|v| check.line("organisation", &v, 0, limits::ORGANISATION_MAX));
        let handle = match changes.handle.as_deref() {
            None => None,
            Some("") => Some(None),
            Some(h) => check.check(Handle::new(h)).map(Some),
        };
        check.finish()?;

        let now = self.now();
        let stored = self.store().get_profile(&actor.user).await?;
        let current_version = stored.as_ref().map_or(0, |p| p.version);
        check_version(current_version, expected_version)?;
        let mut profile = stored.unwrap_or_else(|| {
            let mut p = self.default_profile(actor, now);
            p.version = 0;
            p
        });
        if let Some(v) = display_name {
            profile.display_name = v;
        }
        if let Some(v) = professional_role {
            profile.professional_role = optional(v);
        }
        if let Some(v) = organisation {
            profile.organisation = optional(v);
        }
        let previous_handle = profile.handle.clone();
        if let Some(h) = handle {
            profile.handle = h;
        }
        profile.updated_at = now;
        profile.version = current_version + 1;
        let expect = if current_version == 0 {
            Expect::Absent
        } else {
            Expect::Version(current_version)
        };
        self.commit(Transaction::new().with(ProfileOp::PutProfile {
            profile: profile.clone(),
            expect,
            previous_handle,
        }))
        .await?;
        Ok(profile)
    }

    /// Someone's profile. Profiles hold no community information, so any
    /// signed-in user may read them.
    pub async fn profile(&self, _actor: &Actor, user: &UserId) -> Result<Profile> {
        self.store().get_profile(user).await?.ok_or(Error::NotFound)
    }
}
