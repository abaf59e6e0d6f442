//! Properties of the access policy over random communities, spaces and callers.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use copkit_core::UserId;
use copkit_core::model::{Community, JoinPolicy, Role, Space, SpaceVisibility, Visibility};
use copkit_core::policy::{self, CommunityAction, Denied, SpaceAction, SpaceViewer, Standing};
use proptest::prelude::*;

mod common;
use common::{policy_community as community, policy_space as space};

fn any_visibility() -> impl Strategy<Value = Visibility> {
    prop::sample::select(Visibility::ALL.to_vec())
}

fn any_join_policy() -> impl Strategy<Value = JoinPolicy> {
    prop::sample::select(JoinPolicy::ALL.to_vec())
}

fn any_role() -> impl Strategy<Value = Role> {
    prop::sample::select(Role::ALL.to_vec())
}

fn any_space_visibility() -> impl Strategy<Value = SpaceVisibility> {
    prop_oneof![
        Just(SpaceVisibility::Public),
        Just(SpaceVisibility::Members),
        (
            prop::collection::vec(prop::sample::select(vec!["caller", "x", "y"]), 0..3),
            prop::collection::vec(any_role(), 0..3)
        )
            .prop_map(|(users, roles)| SpaceVisibility::Restricted {
                users: users.into_iter().map(|u| UserId::new(u).unwrap()).collect(),
                roles,
            }),
    ]
}

fn allowed_space_actions(c: &Community, s: &Space, viewer: SpaceViewer<'_>) -> Vec<SpaceAction> {
    SpaceAction::ALL
        .into_iter()
        .filter(|a| policy::space(c, s, viewer, *a).is_ok())
        .collect()
}

fn is_subset<T: PartialEq>(small: &[T], big: &[T]) -> bool {
    small.iter().all(|x| big.contains(x))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// Anyone who is not an active member of a Secret community gets
    /// NotFound from every read (and every other action), in every space.
    #[test]
    fn secret_communities_are_invisible_outside(
        standing in prop::sample::select(vec![Standing::Outsider, Standing::Pending, Standing::Banned]),
        space_visibility in any_space_visibility(),
        archived in any::<bool>(),
        granted in any::<bool>(),
    ) {
        let c = community(Visibility::Secret, JoinPolicy::InviteOnly);
        for action in CommunityAction::ALL {
            prop_assert_eq!(policy::community(&c, standing, action), Err(Denied::NotFound), "{:?}", action);
        }
        let s = space(space_visibility, archived);
        let user = UserId::new("caller").unwrap();
        let viewer = SpaceViewer { user: &user, standing, granted };
        for action in SpaceAction::ALL {
            prop_assert_eq!(policy::space(&c, &s, viewer, action), Err(Denied::NotFound), "{:?}", action);
        }
        prop_assert!(!policy::can_see_community(Visibility::Secret, standing));
    }

    /// Within one space, with the caller's personal facts (named, granted)
    /// held fixed, Owner ⊇ Moderator ⊇ Member ⊇ Guest in allowed actions.
    #[test]
    fn more_powerful_roles_may_do_at_least_as_much_in_a_space(
        visibility in any_visibility(),
        join_policy in any_join_policy(),
        space_visibility in any_space_visibility(),
        archived in any::<bool>(),
        granted in any::<bool>(),
    ) {
        let c = community(visibility, join_policy);
        let s = space(space_visibility, archived);
        let user = UserId::new("caller").unwrap();
        let allowed = |role| allowed_space_actions(&c, &s, SpaceViewer { user: &user, standing: Standing::Active(role), granted });
        let (owner, moderator, member, guest) =
            (allowed(Role::Owner), allowed(Role::Moderator), allowed(Role::Member), allowed(Role::Guest));
        prop_assert!(is_subset(&moderator, &owner), "moderator {:?} owner {:?}", moderator, owner);
        prop_assert!(is_subset(&member, &moderator), "member {:?} moderator {:?}", member, moderator);
        prop_assert!(is_subset(&guest, &member), "guest {:?} member {:?}", guest, member);
    }

    /// The same order holds for community actions other than the ways in
    /// (joining makes no sense for someone already in).
    #[test]
    fn more_powerful_roles_may_do_at_least_as_much_in_a_community(
        visibility in any_visibility(),
        join_policy in any_join_policy(),
    ) {
        let c = community(visibility, join_policy);
        let entry = [CommunityAction::Join, CommunityAction::RequestToJoin, CommunityAction::WithdrawRequest];
        let allowed = |role| -> Vec<CommunityAction> {
            CommunityAction::ALL
                .into_iter()
                .filter(|a| !entry.contains(a))
                .filter(|a| policy::community(&c, Standing::Active(role), *a).is_ok())
                .collect()
        };
        prop_assert!(is_subset(&allowed(Role::Moderator), &allowed(Role::Owner)));
        prop_assert!(is_subset(&allowed(Role::Member), &allowed(Role::Moderator)));
        prop_assert!(is_subset(&allowed(Role::Guest), &allowed(Role::Member)));
    }

    /// Seeing a space always requires seeing its community, and any allowed
    /// space action implies the space is visible (Forbidden never hides a
    /// NotFound).
    #[test]
    fn forbidden_only_for_what_is_visible(
        visibility in any_visibility(),
        standing in prop_oneof![
            Just(Standing::Outsider), Just(Standing::Pending), Just(Standing::Banned),
            any_role().prop_map(Standing::Active)
        ],
        space_visibility in any_space_visibility(),
        archived in any::<bool>(),
        granted in any::<bool>(),
    ) {
        let c = community(visibility, JoinPolicy::InviteOnly);
        let s = space(space_visibility, archived);
        let user = UserId::new("caller").unwrap();
        let viewer = SpaceViewer { user: &user, standing, granted };
        let view = policy::space(&c, &s, viewer, SpaceAction::View);
        for action in SpaceAction::ALL {
            let decision = policy::space(&c, &s, viewer, action);
            if view.is_err() {
                prop_assert_eq!(decision, Err(Denied::NotFound));
            } else {
                prop_assert_ne!(decision, Err(Denied::NotFound));
            }
        }
        if view.is_ok() {
            prop_assert!(policy::can_see_community(visibility, standing));
        }
    }
}
