//! Erasure across families: what is anonymised and what is forgotten.

// A test suite: a panic is how a failed check reports itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use jiff::{SignedDuration, Timestamp};

use super::fixtures::*;
use crate::ids::{UserId, ValueStoryId};
use crate::model::{
    Activity, DigestPreference, DigestSchedule, Handle, Participation, Profile, ValueKind,
    ValueStory,
};
use crate::store::{ActivityOp, ConditionFailure, DigestOp, Expect, Op, ProfileOp, Range, Store};

/// Erasure: an anonymised activity or value story leaves its person's
/// list but stays in the community's; forgotten records are gone with
/// their index entries (and forgetting twice is harmless).
pub async fn erasure_anonymises_and_forgets<S: Store + ?Sized>(store: &S) {
    let s = space_in_new_community(store, "Erasure").await;
    let me = user("erased");
    let former = UserId::former_member();
    let mine: Vec<Activity> = (0..2)
        .map(|n| Activity {
            actor: me.clone(),
            ..activity(s.community, n)
        })
        .collect();
    for a in &mine {
        commit(
            store,
            vec![
                ActivityOp::RecordActivity {
                    activity: a.clone(),
                }
                .into(),
            ],
        )
        .await
        .unwrap();
    }
    let anonymous = Activity {
        actor: former.clone(),
        ..mine[0].clone()
    };
    commit(
        store,
        vec![
            ActivityOp::AnonymiseActivity {
                activity: anonymous.clone(),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let listed = store
        .list_user_activity(&me, &Range::first(10))
        .await
        .unwrap()
        .items;
    assert_eq!(
        listed.iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![mine[1].id]
    );
    let community = store
        .list_activity(&s.community, &Range::first(10))
        .await
        .unwrap()
        .items;
    assert!(community.contains(&anonymous), "{community:?}");
    let never = commit(
        store,
        vec![
            ActivityOp::AnonymiseActivity {
                activity: activity(s.community, 7),
            }
            .into(),
        ],
    )
    .await;
    assert_eq!(failure(never), (0, ConditionFailure::VersionMismatch));

    let story = ValueStory {
        id: ValueStoryId(ulid()),
        community: s.community,
        author: me.clone(),
        kind: ValueKind::Applied,
        title: "Story".into(),
        story: "It helped.".into(),
        thread: None,
        created_at: t0(),
        version: 1,
    };
    commit(
        store,
        vec![
            ActivityOp::PutValueStory {
                story: story.clone(),
                expect: Expect::Absent,
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let told = ValueStory {
        author: former.clone(),
        version: 2,
        ..story
    };
    commit(
        store,
        vec![
            ActivityOp::PutValueStory {
                story: told.clone(),
                expect: Expect::Version(1),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let stories = store
        .list_user_value_stories(&me, &Range::first(10))
        .await
        .unwrap();
    assert!(stories.items.is_empty());
    let stories = store
        .list_value_stories(&s.community, &Range::first(10))
        .await
        .unwrap();
    assert_eq!(stories.items, vec![told]);

    let handle = Handle::new(&format!("h{}", &unique()[..8])).unwrap();
    let p = Profile {
        handle: Some(handle.clone()),
        ..profile(&me, "Erased")
    };
    commit(
        store,
        vec![
            ProfileOp::PutProfile {
                profile: p,
                expect: Expect::Absent,
                previous_handle: None,
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let due = Timestamp::UNIX_EPOCH + SignedDuration::from_hours(24 * 1_100);
    commit(
        store,
        vec![
            ActivityOp::PutParticipation {
                participation: Participation {
                    review_at: Some(due),
                    version: 1,
                    ..Participation::new(s.community, me.clone())
                },
                expect: Expect::Absent,
            }
            .into(),
            DigestOp::PutDigestSchedule {
                schedule: DigestSchedule {
                    user: me.clone(),
                    preference: DigestPreference::default(),
                    email: None,
                    next_due: Some(due),
                    covered_until: t0(),
                    updated_at: t0(),
                    version: 1,
                },
                expect: Expect::Absent,
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let forget: Vec<Op> = vec![
        ProfileOp::ForgetProfile {
            user: me.clone(),
            handle: Some(handle.clone()),
        }
        .into(),
        ActivityOp::ForgetParticipation {
            community: s.community,
            user: me.clone(),
        }
        .into(),
        DigestOp::ForgetDigestSchedule { user: me.clone() }.into(),
    ];
    commit(store, forget.clone()).await.unwrap();
    commit(store, forget).await.unwrap();
    assert_eq!(store.get_profile(&me).await.unwrap(), None);
    assert_eq!(store.get_profile_by_handle(&handle).await.unwrap(), None);
    assert_eq!(
        store.get_participation(&s.community, &me).await.unwrap(),
        None
    );
    assert_eq!(store.get_digest_schedule(&me).await.unwrap(), None);
    let still_due = |users: Vec<UserId>| users.contains(&me);
    assert!(!still_due(
        store
            .participation_due(due, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.user)
            .collect()
    ));
    assert!(!still_due(
        store
            .digests_due(due, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.user)
            .collect()
    ));
}

/// The records erasure deletes or anonymises one by one: a membership, a
/// join request, a reaction (the post's count stays), an RSVP, a ballot
/// (the poll's tally stays), a document version's uploader; and email
/// invitations are listed by their address, leaving that list when the
/// address goes.
pub async fn erasure_reaches_every_personal_record<S: Store + ?Sized>(store: &S) {
    use crate::model::{
        Ballot, DocumentVersion, InvitationTarget, Reaction, ReactionKind, RequestStatus, Role,
        RsvpResponse,
    };
    use crate::store::{
        CommunityOp, DiscussionOp, DocumentOp, EventOp, InvitationOp, PollOp, Wanted,
    };
    let s = space_in_new_community(store, "Erasure reach").await;
    let me = user("erased");
    let t = thread(&s, 1);
    let p = post(&t, None);
    let d = document(&s, 1);
    let v1 = doc_version(&d, 1);
    let ev = event(&s, None);
    let answer = rsvp(&ev, &me, RsvpResponse::Going);
    let pl = poll(&s, 2);
    let ballot = Ballot {
        poll: pl.id,
        user: me.clone(),
        choices: vec![1],
        cast_at: t0(),
        version: 1,
    };
    let request = crate::model::JoinRequest {
        community: s.community,
        user: me.clone(),
        answer: Some("My practice".into()),
        status: RequestStatus::Pending,
        requested_at: t0(),
        version: 1,
    };
    let address = format!("{}@example.nhs.uk", unique());
    let (mut invited, _) = invitation(s.community, 1);
    invited.target = InvitationTarget::Email {
        address: address.clone(),
    };
    commit(
        store,
        vec![
            CommunityOp::PutMembership {
                membership: membership(s.community, &me, Role::Member),
                expect: Expect::Absent,
            }
            .into(),
            InvitationOp::PutJoinRequest {
                request: request.clone(),
                expect: Expect::Absent,
            }
            .into(),
            DiscussionOp::PutThread {
                thread: t.clone(),
                expect: Expect::Absent,
            }
            .into(),
            DiscussionOp::PutPost {
                post: p.clone(),
                expect: Expect::Absent,
            }
            .into(),
            DocumentOp::PutDocument {
                document: d.clone(),
                expect: Expect::Absent,
            }
            .into(),
            DocumentOp::AddDocumentVersion {
                version: v1.clone(),
            }
            .into(),
            EventOp::PutEvent {
                event: ev.clone(),
                expect: Expect::Absent,
            }
            .into(),
            EventOp::PutRsvp {
                rsvp: answer.clone(),
                expect: Expect::Absent,
            }
            .into(),
            tally_op(&ev, 1, 0, 0),
            PollOp::PutPoll {
                poll: pl.clone(),
                expect: Expect::Absent,
            }
            .into(),
            PollOp::PutBallot {
                ballot: ballot.clone(),
                expect: Expect::Absent,
            }
            .into(),
            InvitationOp::CreateInvitation {
                invitation: invited.clone(),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    commit(
        store,
        vec![
            DiscussionOp::AddReaction {
                reaction: Reaction {
                    post: p.id,
                    user: me.clone(),
                    kind: ReactionKind::Thanks,
                    at: t0(),
                },
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let to_me = store
        .list_invitations_to(&address, &Range::first(10))
        .await
        .unwrap();
    assert_eq!(to_me.items, vec![invited.clone()]);

    // Anonymising a version that is not stored is refused.
    let missing = DocumentVersion {
        number: 9,
        ..v1.clone()
    };
    let result = commit(
        store,
        vec![DocumentOp::AnonymiseVersion { version: missing }.into()],
    )
    .await;
    assert_eq!(failure(result), (0, ConditionFailure::VersionMismatch));

    let forget: Vec<Op> = vec![
        CommunityOp::ForgetMembership {
            community: s.community,
            user: me.clone(),
        }
        .into(),
        InvitationOp::ForgetJoinRequest {
            community: s.community,
            user: me.clone(),
        }
        .into(),
        DiscussionOp::ForgetReaction {
            post: p.id,
            user: me.clone(),
            kind: ReactionKind::Thanks,
        }
        .into(),
        EventOp::ForgetRsvp {
            event: ev.id,
            occurrence: answer.occurrence.clone(),
            user: me.clone(),
        }
        .into(),
        PollOp::ForgetBallot {
            poll: pl.id,
            user: me.clone(),
        }
        .into(),
        DocumentOp::AnonymiseVersion {
            version: DocumentVersion {
                uploaded_by: UserId::former_member(),
                ..v1.clone()
            },
        }
        .into(),
        InvitationOp::UpdateInvitation {
            invitation: crate::model::Invitation {
                target: InvitationTarget::Link,
                revoked_at: Some(t0()),
                version: invited.version + 1,
                ..invited.clone()
            },
            expect_version: invited.version,
        }
        .into(),
    ];
    commit(store, forget.clone()).await.unwrap();
    // Forgetting again changes nothing (the version is anonymised already).
    commit(store, forget[..5].to_vec()).await.unwrap();

    let mut found = store
        .get_records(&[
            Wanted::Membership(s.community, me.clone()),
            Wanted::JoinRequest(s.community, me.clone()),
            Wanted::Reaction(p.id, me.clone(), ReactionKind::Thanks),
            Wanted::Rsvp(ev.id, answer.occurrence.clone(), me.clone()),
            Wanted::Ballot(pl.id, me.clone()),
            Wanted::DocumentVersion(d.id, 1),
            Wanted::Post(p.id),
            Wanted::Poll(pl.id),
        ])
        .await
        .unwrap();
    assert_eq!(
        found.version().map(|v| v.uploaded_by),
        Some(UserId::former_member())
    );
    assert_eq!(
        found.post().map(|p| p.reactions.thanks),
        Some(1),
        "counts stay"
    );
    assert_eq!(found.poll().map(|p| p.tally), Some(pl.tally.clone()));
    assert!(found.0.is_empty(), "nothing personal left: {:?}", found.0);
    assert_eq!(store.get_membership(&s.community, &me).await.unwrap(), None);
    assert!(
        store
            .list_user_memberships(&me, &Range::first(10))
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(
        store
            .list_invitations_to(&address, &Range::first(10))
            .await
            .unwrap()
            .items
            .is_empty()
    );
}
