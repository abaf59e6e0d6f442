//! The access rules of DESIGN §3 as explicit tables: every caller × community
//! visibility × space visibility × action, written out by hand so that the
//! policy code is checked against a specification, not against itself.
//!
//! Letters: `A` allowed, `N` not found, `F` forbidden, `C` conflict.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use copkit_core::model::{JoinPolicy, Role, Space, SpaceVisibility, Visibility};
use copkit_core::policy::{self, CommunityAction, Denied, SpaceAction, SpaceViewer, Standing};
use copkit_core::{Forbidden, UserId};
use jiff::Timestamp;

mod common;
use common::policy_community as community;

fn space(visibility: SpaceVisibility) -> Space {
    common::policy_space(visibility, false)
}

fn letter(decision: policy::Decision) -> char {
    match decision {
        Ok(()) => 'A',
        Err(Denied::NotFound) => 'N',
        Err(Denied::Forbidden(_)) => 'F',
        Err(Denied::Conflict(_)) => 'C',
    }
}

/// (standing, holds a grant on the space)
fn caller(name: &str) -> (Standing, bool) {
    match name {
        "outsider" => (Standing::Outsider, false),
        "pending" => (Standing::Pending, false),
        "guest" | "guest+" => (Standing::Active(Role::Guest), true),
        "guest-" => (Standing::Active(Role::Guest), false),
        "member" => (Standing::Active(Role::Member), false),
        "moderator" => (Standing::Active(Role::Moderator), false),
        "owner" => (Standing::Active(Role::Owner), false),
        "banned" => (Standing::Banned, false),
        other => panic!("unknown caller {other}"),
    }
}

/// Parses `caller LETTERS` rows, skipping blank lines and `#` comments.
fn rows(table: &str) -> Vec<(&str, Vec<char>)> {
    table
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (who, letters) = l.split_once(char::is_whitespace).unwrap();
            (who, letters.trim().chars().collect())
        })
        .collect()
}

const ALL_CALLERS: [&str; 7] = [
    "outsider",
    "pending",
    "guest",
    "member",
    "moderator",
    "owner",
    "banned",
];

fn check_community_table(visibility: Visibility, join_policy: JoinPolicy, table: &str) {
    let c = community(visibility, join_policy);
    let rows = rows(table);
    assert_eq!(
        rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        ALL_CALLERS,
        "every caller, once"
    );
    let mut failures = Vec::new();
    for (who, expected) in rows {
        assert_eq!(expected.len(), CommunityAction::ALL.len(), "{who}");
        let (standing, _) = caller(who);
        for (action, want) in CommunityAction::ALL.iter().zip(expected) {
            let got = letter(policy::community(&c, standing, *action));
            if got != want {
                failures.push(format!(
                    "{visibility:?}/{who}/{action:?}: want {want}, got {got}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// Columns: ViewListing ListMembers Join RequestToJoin WithdrawRequest Leave
//          ReviewRequests Invite ManageMembers ChangeRoles EditSettings
//          ManageSpaces Moderate
#[test]
fn community_actions_in_a_public_open_community() {
    check_community_table(
        Visibility::Public,
        JoinPolicy::Open,
        "
        #          VLJRWXQIMCSPA
        outsider   AFAFNFFFFFFFF
        pending    AFAFAFFFFFFFF
        guest      AFAFNAFFFFFFF
        member     AACCNAFFFFFFF
        moderator  AACCNAAAAFFAA
        owner      AACCNAAAAAAAA
        banned     AFFFNFFFFFFFF
        ",
    );
}

#[test]
fn community_actions_in_a_private_approval_community() {
    check_community_table(
        Visibility::Private,
        JoinPolicy::Approval,
        "
        #          VLJRWXQIMCSPA
        outsider   AFFANFFFFFFFF
        pending    AFFCAFFFFFFFF
        guest      AFFANAFFFFFFF
        member     AACCNAFFFFFFF
        moderator  AACCNAAAAFFAA
        owner      AACCNAAAAAAAA
        banned     AFFFNFFFFFFFF
        ",
    );
}

#[test]
fn community_actions_in_a_secret_community() {
    check_community_table(
        Visibility::Secret,
        JoinPolicy::InviteOnly,
        "
        #          VLJRWXQIMCSPA
        outsider   NNNNNNNNNNNNN
        pending    NNNNNNNNNNNNN
        guest      AFFFNAFFFFFFF
        member     AACCNAFFFFFFF
        moderator  AACCNAAAAFFAA
        owner      AACCNAAAAAAAA
        banned     NNNNNNNNNNNNN
        ",
    );
}

const SPACE_CALLERS: [&str; 8] = [
    "outsider",
    "pending",
    "guest+",
    "guest-",
    "member",
    "moderator",
    "owner",
    "banned",
];

/// The Restricted space in the tables names the Moderator role and nobody
/// by name; `guest+` holds a grant on the space, `guest-` does not.
fn restricted_to_moderators() -> SpaceVisibility {
    SpaceVisibility::Restricted {
        users: vec![],
        roles: vec![Role::Moderator],
    }
}

fn check_space_table(visibility: Visibility, table: &str) {
    let c = community(visibility, JoinPolicy::InviteOnly);
    let mut failures = Vec::new();
    let blocks: Vec<&str> = table.split("---").collect();
    let spaces = [
        ("public", SpaceVisibility::Public),
        ("members", SpaceVisibility::Members),
        ("restricted", restricted_to_moderators()),
    ];
    assert_eq!(blocks.len(), spaces.len());
    let user = UserId::new("caller").unwrap();
    for ((label, space_visibility), block) in spaces.into_iter().zip(blocks) {
        let s = space(space_visibility);
        let rows = rows(block);
        assert_eq!(
            rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            SPACE_CALLERS,
            "{label}: every caller, once"
        );
        for (who, expected) in rows {
            assert_eq!(expected.len(), SpaceAction::ALL.len(), "{label}/{who}");
            let (standing, granted) = caller(who);
            let viewer = SpaceViewer {
                user: &user,
                standing,
                granted,
            };
            for (action, want) in SpaceAction::ALL.iter().zip(expected) {
                let got = letter(policy::space(&c, &s, viewer, *action));
                if got != want {
                    failures.push(format!(
                        "{visibility:?} community/{label} space/{who}/{action:?}: want {want}, got {got}"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// Columns: View Contribute Moderate Manage. Blocks: Public, Members, Restricted space.
#[test]
fn space_actions_in_a_public_community() {
    check_space_table(
        Visibility::Public,
        "
        # public space
        outsider   AFFF
        pending    AFFF
        guest+     AAFF
        guest-     AFFF
        member     AAFF
        moderator  AAAA
        owner      AAAA
        banned     NNNN
        ---
        # members space: in a Public community anyone signed in may read
        outsider   AFFF
        pending    AFFF
        guest+     AAFF
        guest-     AFFF
        member     AAFF
        moderator  AAAA
        owner      AAAA
        banned     NNNN
        ---
        # restricted to moderators
        outsider   NNNN
        pending    NNNN
        guest+     AAFF
        guest-     NNNN
        member     NNNN
        moderator  AAAA
        owner      AAAA
        banned     NNNN
        ",
    );
}

#[test]
fn space_actions_in_a_private_community() {
    check_space_table(
        Visibility::Private,
        "
        # public space
        outsider   AFFF
        pending    AFFF
        guest+     AAFF
        guest-     AFFF
        member     AAFF
        moderator  AAAA
        owner      AAAA
        banned     NNNN
        ---
        # members space
        outsider   NNNN
        pending    NNNN
        guest+     AAFF
        guest-     NNNN
        member     AAFF
        moderator  AAAA
        owner      AAAA
        banned     NNNN
        ---
        # restricted to moderators
        outsider   NNNN
        pending    NNNN
        guest+     AAFF
        guest-     NNNN
        member     NNNN
        moderator  AAAA
        owner      AAAA
        banned     NNNN
        ",
    );
}

#[test]
fn space_actions_in_a_secret_community() {
    check_space_table(
        Visibility::Secret,
        "
        # public space: still invisible outside a Secret community
        outsider   NNNN
        pending    NNNN
        guest+     AAFF
        guest-     AFFF
        member     AAFF
        moderator  AAAA
        owner      AAAA
        banned     NNNN
        ---
        # members space
        outsider   NNNN
        pending    NNNN
        guest+     AAFF
        guest-     NNNN
        member     AAFF
        moderator  AAAA
        owner      AAAA
        banned     NNNN
        ---
        # restricted to moderators
        outsider   NNNN
        pending    NNNN
        guest+     AAFF
        guest-     NNNN
        member     NNNN
        moderator  AAAA
        owner      AAAA
        banned     NNNN
        ",
    );
}

#[test]
fn restricted_spaces_admit_named_people_and_roles_with_everyone_above() {
    let c = community(Visibility::Private, JoinPolicy::Approval);
    let named = UserId::new("named").unwrap();
    let other = UserId::new("other").unwrap();
    let by_name = space(SpaceVisibility::Restricted {
        users: vec![named.clone()],
        roles: vec![],
    });
    let view = |s: &Space, user: &UserId, standing| {
        letter(policy::space(
            &c,
            s,
            SpaceViewer {
                user,
                standing,
                granted: false,
            },
            SpaceAction::View,
        ))
    };
    assert_eq!(view(&by_name, &named, Standing::Active(Role::Member)), 'A');
    assert_eq!(view(&by_name, &other, Standing::Active(Role::Member)), 'N');
    assert_eq!(
        view(&by_name, &other, Standing::Active(Role::Moderator)),
        'N'
    );
    assert_eq!(view(&by_name, &other, Standing::Active(Role::Owner)), 'A');
    // Naming a guest is not enough: guests enter through grants only.
    assert_eq!(view(&by_name, &named, Standing::Active(Role::Guest)), 'N');
    // A named person who left sees nothing.
    assert_eq!(view(&by_name, &named, Standing::Outsider), 'N');

    let members_up = space(SpaceVisibility::Restricted {
        users: vec![],
        roles: vec![Role::Member],
    });
    assert_eq!(
        view(&members_up, &other, Standing::Active(Role::Member)),
        'A'
    );
    assert_eq!(
        view(&members_up, &other, Standing::Active(Role::Moderator)),
        'A'
    );
    assert_eq!(
        view(&members_up, &other, Standing::Active(Role::Guest)),
        'N'
    );
}

#[test]
fn archived_spaces_are_readable_but_take_no_content() {
    let c = community(Visibility::Private, JoinPolicy::Approval);
    let mut s = space(SpaceVisibility::Members);
    s.archived_at = Some(Timestamp::UNIX_EPOCH);
    let user = UserId::new("m").unwrap();
    let viewer = SpaceViewer {
        user: &user,
        standing: Standing::Active(Role::Member),
        granted: false,
    };
    assert_eq!(policy::space(&c, &s, viewer, SpaceAction::View), Ok(()));
    assert_eq!(
        policy::space(&c, &s, viewer, SpaceAction::Contribute),
        Err(Denied::Forbidden(Forbidden::Archived))
    );
    let moderator = SpaceViewer {
        standing: Standing::Active(Role::Moderator),
        ..viewer
    };
    assert_eq!(
        policy::space(&c, &s, moderator, SpaceAction::Manage),
        Ok(())
    );
}

#[test]
fn join_actions_follow_the_join_policy() {
    for policy_kind in JoinPolicy::ALL {
        let c = community(Visibility::Public, policy_kind);
        let join = policy::community(&c, Standing::Outsider, CommunityAction::Join);
        let ask = policy::community(&c, Standing::Outsider, CommunityAction::RequestToJoin);
        match policy_kind {
            JoinPolicy::Open => {
                assert_eq!(join, Ok(()));
                assert_eq!(ask, Err(Denied::Forbidden(Forbidden::JoinPolicy)));
            }
            JoinPolicy::Approval => {
                assert_eq!(join, Err(Denied::Forbidden(Forbidden::JoinPolicy)));
                assert_eq!(ask, Ok(()));
            }
            JoinPolicy::InviteOnly => {
                assert_eq!(join, Err(Denied::Forbidden(Forbidden::JoinPolicy)));
                assert_eq!(ask, Err(Denied::Forbidden(Forbidden::JoinPolicy)));
            }
        }
        // Banned people are told they are banned, whatever the policy.
        assert_eq!(
            policy::community(&c, Standing::Banned, CommunityAction::Join),
            Err(Denied::Forbidden(Forbidden::Banned))
        );
    }
}

#[test]
fn moderators_manage_members_and_guests_only() {
    // rows: actor; columns: target Owner Moderator Member Guest
    let table = [
        (Role::Owner, "AAAA"),
        (Role::Moderator, "FFAA"),
        (Role::Member, "FFFF"),
        (Role::Guest, "FFFF"),
    ];
    for (actor, expected) in table {
        let got: String = Role::ALL
            .iter()
            .map(|target| letter(policy::manage_member(actor, *target)))
            .collect();
        assert_eq!(got, expected, "{actor:?}");
    }
}
