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

/// What identifies the person [`residue_after_erasure`] erased: their id,
/// handle, name and email. After the erasure none may appear in any record
/// of the store.
#[derive(Debug, Clone)]
pub struct Erased {
    /// Their sign-in subject id.
    pub user: String,
    /// Their handle.
    pub handle: String,
    /// Their display name.
    pub name: String,
    /// Their email address.
    pub email: String,
}

impl Erased {
    /// Every identifying string found in `dump` (a printout of every record
    /// the store holds).
    pub fn found_in(&self, dump: &str) -> Vec<String> {
        [&self.user, &self.handle, &self.name, &self.email]
            .into_iter()
            .filter(|needle| dump.contains(needle.as_str()))
            .cloned()
            .collect()
    }
}

/// A member takes part in every way copkit records — a profile with a
/// handle, a join request elsewhere with an answer naming them, an email
/// invitation to a third community, a question and a reply (accepted as
/// the answer), a reaction, an RSVP, attendance recorded for them, a
/// ballot, a report, a document with two versions, a value story, a
/// digest — then erases their account. Returns who they were, for the
/// caller to search every record of `store` for (the residue test, run on
/// every store).
pub async fn residue_after_erasure(store: std::sync::Arc<dyn Store>) -> Erased {
    use crate::model::{
        Access, CommunityKind, ContentRef, DigestFrequency, JoinPolicy, ReactionKind, ReportReason,
        RsvpResponse, SpaceVisibility, ThreadKind,
    };
    use crate::service::{
        Actor, Copkit, EventInput, NewCommunity, NewDocument, NewInvitation, NewPoll, NewPost,
        NewReport, NewSpace, NewThread, NewValueStory, NewVersion, ProfileChanges,
    };
    use crate::{ManualClock, RandomIds};

    let tag = unique();
    let erased = Erased {
        user: format!("pat-{tag}"),
        handle: format!("pat_{}", &tag[tag.len() - 12..]),
        name: format!("Pat Erasedname {tag}"),
        email: format!("pat.{tag}@example.org"),
    };
    let clock = std::sync::Arc::new(ManualClock::new(t0()));
    let k = Copkit::builder(store)
        .clock(clock.clone())
        .ids(std::sync::Arc::new(RandomIds))
        .build()
        .unwrap();
    let helen = Actor::new(user("helen")).with_name("Helen Owner");
    let pat = Actor::new(UserId::new(erased.user.clone()).unwrap())
        .with_name(erased.name.clone())
        .with_email(erased.email.clone());
    let community = |slug: &str, policy| NewCommunity {
        slug: format!("{slug}-{tag}"),
        name: format!("Group {slug}"),
        purpose: String::new(),
        kind: CommunityKind::TrainingGroup,
        access: Access::Private {
            join_policy: policy,
        },
        join_question: Some("Which practice are you at?".into()),
    };
    let c = k
        .create_community(&helen, community("st3", JoinPolicy::InviteOnly))
        .await
        .unwrap()
        .card
        .id;
    let elsewhere = k
        .create_community(&helen, community("elsewhere", JoinPolicy::Approval))
        .await
        .unwrap()
        .card
        .id;
    let third = k
        .create_community(&helen, community("third", JoinPolicy::InviteOnly))
        .await
        .unwrap()
        .card
        .id;
    k.request_to_join(&pat, &elsewhere, Some(&format!("I am {}", erased.name)))
        .await
        .unwrap();
    k.create_invitation(&helen, &third, NewInvitation::email(erased.email.clone()))
        .await
        .unwrap();
    let link = k
        .create_invitation(&helen, &c, NewInvitation::link(1))
        .await
        .unwrap();
    k.accept_invitation(&pat, &link.token).await.unwrap();
    let version = k.my_profile(&pat).await.unwrap().version;
    k.update_my_profile(
        &pat,
        ProfileChanges {
            display_name: Some(erased.name.clone()),
            handle: Some(erased.handle.clone()),
            professional_role: Some("GP trainee".into()),
            organisation: None,
        },
        version,
    )
    .await
    .unwrap();
    let cases = k
        .create_space(
            &helen,
            &c,
            NewSpace {
                name: "Cases".into(),
                description: String::new(),
                visibility: SpaceVisibility::Members,
            },
        )
        .await
        .unwrap()
        .id;
    k.set_digest_preference(
        &pat,
        crate::model::DigestPreference {
            frequency: DigestFrequency::Daily,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    clock.advance(SignedDuration::from_mins(1));
    let question = k
        .start_thread(
            &pat,
            &cases,
            NewThread {
                kind: ThreadKind::Question,
                title: "Febrile infant pathway?".into(),
                body: "My question.".into(),
                tags: vec![],
            },
        )
        .await
        .unwrap();
    let reply = k
        .add_post(
            &pat,
            &question.id,
            NewPost {
                body: "My own follow-up.".into(),
                parent: None,
            },
        )
        .await
        .unwrap();
    k.accept_answer(&helen, &question.id, Some(reply.id))
        .await
        .unwrap();
    let news = k
        .start_thread(
            &helen,
            &cases,
            NewThread {
                kind: ThreadKind::Discussion,
                title: "News".into(),
                body: String::new(),
                tags: vec![],
            },
        )
        .await
        .unwrap();
    let helens = k
        .add_post(
            &helen,
            &news.id,
            NewPost {
                body: "Rota changes.".into(),
                parent: None,
            },
        )
        .await
        .unwrap();
    k.react(&pat, &helens.id, ReactionKind::Thanks)
        .await
        .unwrap();
    k.report_content(
        &pat,
        &c,
        NewReport {
            target: ContentRef::Post { post: helens.id },
            reason: ReportReason::Other,
            note: "Please check.".into(),
        },
    )
    .await
    .unwrap();
    let document = k
        .upload_document(
            &pat,
            &cases,
            NewDocument {
                title: "My audit".into(),
                description: String::new(),
                tags: vec![],
                content_type: "text/plain".into(),
                sha256: None,
                bytes: b"audit v1".to_vec(),
            },
        )
        .await
        .unwrap();
    k.add_document_version(
        &pat,
        &document.id,
        NewVersion {
            content_type: "text/plain".into(),
            sha256: None,
            bytes: b"audit v2".to_vec(),
            note: "Second cycle".into(),
        },
        document.version,
    )
    .await
    .unwrap();
    let poll = k
        .create_poll(
            &helen,
            &cases,
            NewPoll {
                question: "Next topic?".into(),
                options: vec!["Dermatology".into(), "Mental health".into()],
                multiple_choice: false,
                closes_in_hours: 24,
                results: crate::model::ResultsVisibility::AfterVote,
            },
        )
        .await
        .unwrap();
    k.vote(&pat, &poll.poll.id, &[1]).await.unwrap();
    // Pat's own poll, still open when Pat is erased: its deadline closing
    // is queued naming Pat.
    let pats_poll = k
        .create_poll(
            &pat,
            &cases,
            NewPoll {
                question: "Which audit next?".into(),
                options: vec!["Antibiotics".into(), "Opioids".into()],
                multiple_choice: false,
                closes_in_hours: 8_760,
                results: crate::model::ResultsVisibility::AfterClose,
            },
        )
        .await
        .unwrap()
        .poll;
    k.vote(&helen, &pats_poll.id, &[0]).await.unwrap();
    k.tell_value_story(
        &pat,
        &c,
        NewValueStory {
            kind: crate::model::ValueKind::Applied,
            title: "Safer prescribing".into(),
            story: "I changed my practice.".into(),
            thread: None,
        },
    )
    .await
    .unwrap();
    let event = k
        .schedule_event(
            &helen,
            &cases,
            EventInput {
                title: "Teaching".into(),
                description: String::new(),
                location: None,
                online_url: None,
                time_zone: "Europe/London".into(),
                start_date: jiff::civil::date(2026, 1, 2),
                start_time: "08:00".into(),
                duration_minutes: 60,
                recurrence: None,
                capacity: None,
            },
        )
        .await
        .unwrap();
    k.rsvp(&pat, &event.id, "2026-01-02T08:00:00", RsvpResponse::Going)
        .await
        .unwrap();
    clock.advance(SignedDuration::from_hours(48));
    k.record_attendance(&helen, &event.id, "2026-01-02T08:00:00", &pat.user, true)
        .await
        .unwrap();
    let run = k
        .send_due_digests(&crate::mail::Outbox::new(k.store().clone()), 1000)
        .await
        .unwrap();
    assert!(run.sent >= 1, "a digest was sent: {run:?}");
    // Pat's reply in Helen's thread: Helen's inbox names Pat.
    let handover = k
        .start_thread(
            &helen,
            &cases,
            NewThread {
                kind: ThreadKind::Discussion,
                title: "Handover notes".into(),
                body: "Ideas?".into(),
                tags: vec![],
            },
        )
        .await
        .unwrap();
    let reply = |body: &str| NewPost {
        body: body.into(),
        parent: None,
    };
    k.add_post(&pat, &handover.id, reply("Use SBAR."))
        .await
        .unwrap();
    let told = k.notify_due(1000).await.unwrap();
    assert!(told.notified >= 1, "{told:?}");
    let naming = k
        .store()
        .list_notifications_by_actor(&pat.user, &crate::store::Range::first(10))
        .await
        .unwrap();
    assert!(!naming.items.is_empty(), "Helen was told of Pat's reply");
    // One more, still queued when Pat is erased.
    k.add_post(&pat, &handover.id, reply("Or ISBAR."))
        .await
        .unwrap();

    k.erase_my_account(&pat).await.unwrap();
    // Nothing queued names Pat any more.
    let after = k.notify_due(1000).await.unwrap();
    assert_eq!(after.notified, 0, "{after:?}");
    // Pat's poll is a former member's, and still tells its voters when it
    // closes.
    let asked = k.store().get_poll(&pats_poll.id).await.unwrap().unwrap();
    assert_eq!(asked.created_by, UserId::former_member());
    clock.advance(SignedDuration::from_hours(8_760));
    let closed = k.notify_due(1000).await.unwrap();
    assert_eq!(closed.notified, 1, "Helen, who voted: {closed:?}");
    let told = k
        .notifications(&helen, None, &crate::model::PageRequest::of(1))
        .await
        .unwrap()
        .items;
    assert_eq!(
        (&told[0].kind, &told[0].actor),
        (
            &crate::model::NotificationKind::PollClosed { poll: pats_poll.id },
            &UserId::former_member()
        )
    );
    // Running it again finds nothing more to do.
    let again = k.erase_my_account(&pat).await.unwrap();
    assert_eq!(again.communities_left, 0);
    erased
}
