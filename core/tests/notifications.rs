//! Notifications from activity: the right people hear once, nobody who may
//! not see the thing hears anything (checked when the notification is made
//! and again when the inbox is read), a producer that stops half-way makes
//! no duplicate, and people's choices decide the channel.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{World, actor, invalid_fields, new_space};
use copkit_core::model::{
    CommunityChannels, JoinPolicy, Notification, NotificationChannel, NotificationChoices,
    NotificationKind, NotificationTopic, PageRequest, Role, SpaceVisibility, ThreadKind,
    TopicChannel, Visibility,
};
use copkit_core::service::ProfileChanges;
use copkit_core::service::{NewPost, NewThread};
use copkit_core::store::{ActivityStore, Expect, NotificationOp, Range, Transaction, WriteStore};
use copkit_core::{Actor, CommunityId, SpaceId};

struct Group {
    w: World,
    c: CommunityId,
    space: SpaceId,
    helen: Actor,
    tom: Actor,
    ann: Actor,
    zoe: Actor,
}

/// Helen owns a private community with Tom and Ann as members and a
/// members' space; Zoe is an outsider. Ann has the handle `ann_gp`.
async fn group() -> Group {
    let w = World::new();
    let helen = actor("helen");
    let (tom, ann, zoe) = (actor("tom"), actor("ann"), actor("zoe"));
    let c = w
        .community(&helen, "notes", Visibility::Private, JoinPolicy::Approval)
        .await;
    w.add_member(&helen, &c, &tom).await;
    w.add_member(&helen, &c, &ann).await;
    let space = w
        .copkit
        .create_space(&helen, &c, new_space("Cases", SpaceVisibility::Members))
        .await
        .unwrap()
        .id;
    let version = w.copkit.my_profile(&ann).await.unwrap().version;
    w.copkit
        .update_my_profile(
            &ann,
            ProfileChanges {
                handle: Some("ann_gp".into()),
                ..Default::default()
            },
            version,
        )
        .await
        .unwrap();
    Group {
        w,
        c,
        space,
        helen,
        tom,
        ann,
        zoe,
    }
}

async fn thread(g: &Group, who: &Actor, space: &SpaceId, body: &str) -> copkit_core::ThreadId {
    g.w.copkit
        .start_thread(
            who,
            space,
            NewThread {
                kind: ThreadKind::Discussion,
                title: "Appraisal toolkit".into(),
                body: body.into(),
                tags: vec![],
            },
        )
        .await
        .unwrap()
        .id
}

async fn post(g: &Group, who: &Actor, thread: &copkit_core::ThreadId, body: &str) {
    g.w.copkit
        .add_post(
            who,
            thread,
            NewPost {
                body: body.into(),
                parent: None,
            },
        )
        .await
        .unwrap();
}

async fn inbox(g: &Group, who: &Actor) -> Vec<Notification> {
    g.w.copkit
        .notifications(who, None, &PageRequest::of(100))
        .await
        .unwrap()
        .items
}

async fn unread(g: &Group, who: &Actor) -> u32 {
    g.w.copkit
        .notifications(who, None, &PageRequest::of(1))
        .await
        .unwrap()
        .unread
}

#[tokio::test]
async fn replies_and_mentions_reach_the_people_they_concern_once() {
    let g = group().await;
    let k = &g.w.copkit;
    let t = thread(&g, &g.tom, &g.space, "Has anyone tried it?").await;
    post(&g, &g.ann, &t, "Yes, last week.").await;
    post(
        &g,
        &g.helen,
        &t,
        "Thanks @ann_gp, can you share your notes?",
    )
    .await;
    // Nothing is told before the producer runs.
    assert!(inbox(&g, &g.tom).await.is_empty());
    let run = k.notify_due(100).await.unwrap();
    assert_eq!(run.failed + run.retrying + run.skipped, 0, "{run:?}");

    // Tom started it: told of both replies.
    let tom = inbox(&g, &g.tom).await;
    assert_eq!(tom.len(), 2, "{tom:?}");
    assert!(
        tom.iter()
            .all(|n| matches!(n.kind, NotificationKind::Replied { thread, .. } if thread == t))
    );
    assert!(tom[0].at >= tom[1].at, "newest first");
    assert_eq!(tom[0].actor, g.helen.user);
    assert_eq!(tom[0].title, "Appraisal toolkit");
    // Ann posted in it and was mentioned: one notification, the mention.
    let ann = inbox(&g, &g.ann).await;
    assert_eq!(ann.len(), 1, "{ann:?}");
    assert!(matches!(
        ann[0].kind,
        NotificationKind::Mentioned { thread, post: Some(_) } if thread == t
    ));
    // Helen took part only after Ann's reply: she is told of nothing (and
    // never of her own post).
    assert!(inbox(&g, &g.helen).await.is_empty());
    // The outsider hears nothing.
    assert!(inbox(&g, &g.zoe).await.is_empty());
    assert_eq!(unread(&g, &g.tom).await, 2);

    // A second run finds nothing left to do.
    let again = k.notify_due(100).await.unwrap();
    assert_eq!(again.examined, 0, "{again:?}");
    assert_eq!(inbox(&g, &g.tom).await.len(), 2);
}

#[tokio::test]
async fn a_producer_that_stopped_half_way_makes_no_duplicate() {
    let g = group().await;
    let k = &g.w.copkit;
    let t = thread(&g, &g.tom, &g.space, "Has anyone tried it?").await;
    post(&g, &g.ann, &t, "Yes.").await;
    k.notify_due(100).await.unwrap();
    assert_eq!(inbox(&g, &g.tom).await.len(), 1);
    // The same activity queued again, as if the producer had written the
    // notifications and died before removing the job.
    let activity =
        g.w.store
            .list_activity(&g.c, &Range::first(1))
            .await
            .unwrap()
            .items
            .remove(0);
    let job = copkit_core::model::FanoutJob {
        due: activity.at,
        activity,
        attempts: 1,
        version: 1,
    };
    g.w.store
        .commit(Transaction::new().with(NotificationOp::PutFanout {
            job,
            expect: Expect::Absent,
        }))
        .await
        .unwrap();
    let run = k.notify_due(100).await.unwrap();
    assert_eq!((run.examined, run.notified), (1, 0), "{run:?}");
    assert_eq!(inbox(&g, &g.tom).await.len(), 1);
    assert_eq!(unread(&g, &g.tom).await, 1);
}

#[tokio::test]
async fn access_is_checked_when_made_and_again_when_read() {
    let g = group().await;
    let k = &g.w.copkit;
    let room = k
        .create_space(
            &g.helen,
            &g.c,
            new_space(
                "Leads",
                SpaceVisibility::Restricted {
                    users: vec![g.tom.user.clone(), g.ann.user.clone()],
                    roles: vec![],
                },
            ),
        )
        .await
        .unwrap();
    let t = thread(&g, &g.tom, &room.id, "Private matter").await;
    post(&g, &g.ann, &t, "Noted.").await;
    // Tom leaves the room before the producer runs: he hears nothing.
    let restricted_to_ann = copkit_core::service::SpaceChanges {
        visibility: Some(SpaceVisibility::Restricted {
            users: vec![g.ann.user.clone()],
            roles: vec![],
        }),
        ..Default::default()
    };
    k.update_space(&g.helen, &room.id, restricted_to_ann, room.version)
        .await
        .unwrap();
    k.notify_due(100).await.unwrap();
    assert!(inbox(&g, &g.tom).await.is_empty());
    assert_eq!(unread(&g, &g.tom).await, 0);

    // Told while admitted, then shut out: the inbox no longer shows it.
    let t2 = thread(&g, &g.ann, &room.id, "Another matter").await;
    let room = k.get_space(&g.helen, &room.id).await.unwrap();
    let both = copkit_core::service::SpaceChanges {
        visibility: Some(SpaceVisibility::Restricted {
            users: vec![g.ann.user.clone(), g.tom.user.clone()],
            roles: vec![],
        }),
        ..Default::default()
    };
    let room = k
        .update_space(&g.helen, &room.id, both, room.version)
        .await
        .unwrap();
    post(&g, &g.tom, &t2, "I see it.").await;
    post(&g, &g.helen, &t2, "Good.").await;
    k.notify_due(100).await.unwrap();
    assert_eq!(inbox(&g, &g.tom).await.len(), 1);
    k.remove_member(&g.helen, &g.c, &g.tom.user).await.unwrap();
    assert!(inbox(&g, &g.tom).await.is_empty());
    let _ = room;
}

#[tokio::test]
async fn moderators_hear_of_requests_and_people_of_decisions_about_them() {
    let g = group().await;
    let k = &g.w.copkit;
    k.change_role(&g.helen, &g.c, &g.ann.user, Role::Moderator)
        .await
        .unwrap();
    let (sam, kim) = (actor("sam"), actor("kim"));
    k.request_to_join(&sam, &g.c, None).await.unwrap();
    k.request_to_join(&kim, &g.c, None).await.unwrap();
    k.notify_due(100).await.unwrap();
    for moderator in [&g.helen, &g.ann] {
        let asked: Vec<_> = inbox(&g, moderator)
            .await
            .into_iter()
            .filter(|n| matches!(n.kind, NotificationKind::JoinRequested { .. }))
            .collect();
        assert_eq!(asked.len(), 2, "{asked:?}");
        assert_eq!(asked[0].title, "Group notes");
    }
    // A plain member is not told.
    assert!(
        inbox(&g, &g.tom)
            .await
            .iter()
            .all(|n| !matches!(n.kind, NotificationKind::JoinRequested { .. }))
    );
    // Ann heard of her new role.
    assert!(inbox(&g, &g.ann).await.iter().any(|n| matches!(
        n.kind,
        NotificationKind::RoleChanged {
            to: Role::Moderator,
            ..
        }
    )));

    k.approve_join_request(&g.ann, &g.c, &sam.user)
        .await
        .unwrap();
    k.deny_join_request(&g.ann, &g.c, &kim.user, "Not this year")
        .await
        .unwrap();
    k.ban_member(&g.helen, &g.c, &g.tom.user, Some(7), "spam")
        .await
        .unwrap();
    k.notify_due(100).await.unwrap();
    assert!(matches!(
        inbox(&g, &sam).await[..],
        [Notification {
            kind: NotificationKind::JoinApproved,
            ..
        }]
    ));
    assert!(matches!(
        inbox(&g, &kim).await[..],
        [Notification {
            kind: NotificationKind::JoinDenied,
            ..
        }]
    ));
    // Banned, and no longer a member: still told of the ban.
    assert!(
        inbox(&g, &g.tom)
            .await
            .iter()
            .any(|n| matches!(n.kind, NotificationKind::Banned { until: Some(_) }))
    );
}

#[tokio::test]
async fn read_one_read_all_and_since() {
    let g = group().await;
    let k = &g.w.copkit;
    let t = thread(&g, &g.tom, &g.space, "Has anyone tried it?").await;
    for i in 0..3 {
        post(&g, &g.ann, &t, &format!("Reply {i}")).await;
        g.w.clock.advance(jiff::SignedDuration::from_mins(1));
    }
    k.notify_due(100).await.unwrap();
    let all = inbox(&g, &g.tom).await;
    assert_eq!((all.len(), unread(&g, &g.tom).await), (3, 3));
    // Pages of one lose nothing.
    let mut seen = Vec::new();
    let mut request = PageRequest::of(1);
    loop {
        let page = k.notifications(&g.tom, None, &request).await.unwrap();
        seen.extend(page.items.iter().map(|n| n.id));
        match page.next {
            Some(next) => {
                request = PageRequest::after(copkit_core::model::Cursor(next), 1);
            }
            None => break,
        }
    }
    assert_eq!(seen, all.iter().map(|n| n.id).collect::<Vec<_>>());
    // `since`: only what came after.
    let newer = k
        .notifications(&g.tom, Some(all[1].at), &PageRequest::of(10))
        .await
        .unwrap();
    assert_eq!(
        newer.items.iter().map(|n| n.id).collect::<Vec<_>>(),
        vec![all[0].id]
    );

    let read = k.mark_notification_read(&g.tom, &all[2].id).await.unwrap();
    assert!(read.read_at.is_some());
    assert_eq!(unread(&g, &g.tom).await, 2);
    // Reading it again changes nothing.
    k.mark_notification_read(&g.tom, &all[2].id).await.unwrap();
    assert_eq!(unread(&g, &g.tom).await, 2);
    // Someone else's notification does not exist for Ann.
    assert!(matches!(
        k.mark_notification_read(&g.ann, &all[0].id).await,
        Err(copkit_core::Error::NotFound)
    ));
    k.mark_all_notifications_read(&g.tom).await.unwrap();
    assert_eq!(unread(&g, &g.tom).await, 0);
    assert!(inbox(&g, &g.tom).await.iter().all(|n| n.read_at.is_some()));
    // A new reply is unread again.
    post(&g, &g.ann, &t, "One more").await;
    k.notify_due(100).await.unwrap();
    assert_eq!(unread(&g, &g.tom).await, 1);
    assert!(inbox(&g, &g.tom).await[0].read_at.is_none());
}

#[tokio::test]
async fn choices_decide_the_channel_per_topic_and_community() {
    let g = group().await;
    let k = &g.w.copkit;
    let tom = g.tom.clone().with_email("tom@example.org");
    let defaults = k.notification_preferences(&tom).await.unwrap();
    assert_eq!(defaults.version, 0);
    assert_eq!(defaults.effective.len(), NotificationTopic::ALL.len());
    assert!(defaults.effective.contains(&TopicChannel {
        topic: NotificationTopic::Mention,
        channel: NotificationChannel::Email,
    }));

    // Replies by email everywhere, but off in this community: off wins.
    let choices = NotificationChoices {
        topics: vec![TopicChannel {
            topic: NotificationTopic::Reply,
            channel: NotificationChannel::Email,
        }],
        communities: vec![CommunityChannels {
            community: g.c,
            topics: vec![TopicChannel {
                topic: NotificationTopic::Reply,
                channel: NotificationChannel::Off,
            }],
        }],
    };
    let chosen = k
        .set_notification_preferences(&tom, choices.clone(), 0)
        .await
        .unwrap();
    assert_eq!(
        (chosen.version, chosen.email.as_deref()),
        (1, Some("tom@example.org"))
    );
    // A stale version is refused.
    assert!(matches!(
        k.set_notification_preferences(&tom, choices, 0).await,
        Err(copkit_core::Error::Conflict(_))
    ));
    let t = thread(&g, &g.tom, &g.space, "Has anyone tried it?").await;
    post(&g, &g.ann, &t, "Yes.").await;
    k.notify_due(100).await.unwrap();
    assert!(inbox(&g, &g.tom).await.is_empty());

    // Without the community's override: in the inbox and in the outbox.
    let by_email = NotificationChoices {
        topics: vec![TopicChannel {
            topic: NotificationTopic::Reply,
            channel: NotificationChannel::Email,
        }],
        communities: vec![],
    };
    k.set_notification_preferences(&tom, by_email, 1)
        .await
        .unwrap();
    post(&g, &g.ann, &t, "And again.").await;
    let run = k.notify_due(100).await.unwrap();
    assert_eq!(run.emailed, 1, "{run:?}");
    let told = inbox(&g, &g.tom).await;
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].channel, NotificationChannel::Email);
    let outbox = k.list_outbox(&tom, &PageRequest::of(10)).await.unwrap();
    assert_eq!(outbox.items.len(), 1);
    let mail = &outbox.items[0];
    assert_eq!(mail.email.as_deref(), Some("tom@example.org"));
    assert_eq!(mail.notification.as_ref().map(|n| n.id), Some(told[0].id));
    assert!(
        mail.subject.contains("replied in “Appraisal toolkit”"),
        "{}",
        mail.subject
    );
    assert!(mail.html.contains("Appraisal toolkit"));

    // A topic or community named twice: the later choice counts, and one
    // of each is stored.
    let choose = |topic, channel| TopicChannel { topic, channel };
    let twice = NotificationChoices {
        topics: vec![
            choose(NotificationTopic::Ban, NotificationChannel::Off),
            choose(NotificationTopic::Reply, NotificationChannel::InApp),
            choose(NotificationTopic::Ban, NotificationChannel::InApp),
        ],
        communities: vec![
            CommunityChannels {
                community: g.c,
                topics: vec![choose(NotificationTopic::Mention, NotificationChannel::Off)],
            },
            CommunityChannels {
                community: g.c,
                topics: vec![choose(
                    NotificationTopic::Mention,
                    NotificationChannel::Digest,
                )],
            },
        ],
    };
    let stored = k
        .set_notification_preferences(&tom, twice, 2)
        .await
        .unwrap();
    assert_eq!(
        stored.choices,
        NotificationChoices {
            topics: vec![
                choose(NotificationTopic::Ban, NotificationChannel::InApp),
                choose(NotificationTopic::Reply, NotificationChannel::InApp),
            ],
            communities: vec![CommunityChannels {
                community: g.c,
                topics: vec![choose(
                    NotificationTopic::Mention,
                    NotificationChannel::Digest
                )],
            }],
        }
    );
    // Too many: every problem at once, nothing stored.
    let many = NotificationChoices {
        topics: vec![choose(NotificationTopic::Ban, NotificationChannel::Off); 51],
        communities: vec![
            CommunityChannels {
                community: g.c,
                topics: vec![choose(NotificationTopic::Ban, NotificationChannel::Off); 51],
            };
            201
        ],
    };
    let fields = invalid_fields(k.set_notification_preferences(&tom, many, 3).await);
    assert_eq!(
        &fields[..3],
        ["topics", "communities", "communities[0].topics"]
    );
    assert_eq!(fields.len(), 2 + 201);
    assert_eq!(k.notification_preferences(&tom).await.unwrap().version, 3);
}

#[tokio::test]
async fn the_digest_channel_lists_unread_notifications_in_the_next_digest() {
    let g = group().await;
    let k = &g.w.copkit;
    let in_digest = NotificationChoices {
        topics: vec![TopicChannel {
            topic: NotificationTopic::Reply,
            channel: NotificationChannel::Digest,
        }],
        communities: vec![],
    };
    k.set_notification_preferences(&g.tom, in_digest, 0)
        .await
        .unwrap();
    let t = thread(&g, &g.tom, &g.space, "Has anyone tried it?").await;
    post(&g, &g.ann, &t, "Yes.").await;
    k.notify_due(100).await.unwrap();
    let told = inbox(&g, &g.tom).await;
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].channel, NotificationChannel::Digest);
    g.w.clock.advance(jiff::SignedDuration::from_mins(1));
    let preview = k.preview_digest(&g.tom).await.unwrap();
    let section = preview
        .digest
        .communities
        .iter()
        .find(|c| c.community == g.c)
        .expect("the community's section");
    assert_eq!(section.for_you.len(), 1, "{section:?}");
    assert_eq!(section.for_you[0].id, told[0].id);
    let line = &section.for_you[0].line;
    assert!(line.contains("replied in “Appraisal toolkit”"), "{line}");
    assert!(preview.text.contains("For you") && preview.text.contains(line.as_str()));
    // Read in the app: no longer news for the digest.
    k.mark_notification_read(&g.tom, &told[0].id).await.unwrap();
    let preview = k.preview_digest(&g.tom).await.unwrap();
    assert!(
        preview
            .digest
            .communities
            .iter()
            .all(|c| c.for_you.is_empty())
    );
    // Ann (in-app by default) has no digest notices.
    let ann = k.preview_digest(&g.ann).await.unwrap();
    assert!(ann.digest.communities.iter().all(|c| c.for_you.is_empty()));
}

/// Records what the mail service took.
#[derive(Default)]
struct Taken(std::sync::Mutex<Vec<copkit_core::model::Mail>>);

#[async_trait::async_trait]
impl copkit_core::mail::Mailer for Taken {
    async fn deliver(
        &self,
        mail: &copkit_core::model::Mail,
    ) -> Result<(), copkit_core::mail::MailError> {
        self.0.lock().unwrap().push(mail.clone());
        Ok(())
    }
}

#[tokio::test]
async fn an_email_invitation_is_mailed_once_with_its_accept_link() {
    let clock = std::sync::Arc::new(copkit_core::ManualClock::new(common::start()));
    let mut config = copkit_core::Config::with_cursor_key([7; 32]);
    config.invitation_link = Some("https://app.copkit.example/join?token={token}".into());
    let k = copkit_core::Copkit::builder(std::sync::Arc::new(copkit_core::MemoryStore::new()))
        .clock(clock)
        .config(config)
        .build()
        .unwrap();
    let helen = actor("helen");
    let c = k
        .create_community(
            &helen,
            common::new_community("invites", Visibility::Private, JoinPolicy::InviteOnly),
        )
        .await
        .unwrap()
        .card
        .id;
    let made = k
        .create_invitation(
            &helen,
            &c,
            copkit_core::service::NewInvitation::email("New.GP@example.org"),
        )
        .await
        .unwrap();
    // A link invitation is not mailed; one revoked before the courier ran
    // is not sent.
    k.create_invitation(&helen, &c, copkit_core::service::NewInvitation::link(5))
        .await
        .unwrap();
    let withdrawn = k
        .create_invitation(
            &helen,
            &c,
            copkit_core::service::NewInvitation::email("changed.mind@example.org"),
        )
        .await
        .unwrap();
    k.revoke_invitation(&helen, &c, &withdrawn.invitation.id)
        .await
        .unwrap();
    let mailer = Taken::default();
    let run = k.deliver_mail(&mailer, 100).await.unwrap();
    assert_eq!(run.sent, 1, "{run:?}");
    let sent = mailer.0.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    let mail = &sent[0];
    assert_eq!(mail.email.as_deref(), Some("new.gp@example.org"));
    assert_eq!(mail.subject, "HELEN invites you to Group invites on copkit");
    let link = format!("https://app.copkit.example/join?token={}", made.token);
    assert!(mail.text.contains(&link), "{}", mail.text);
    assert!(
        mail.html.contains(&link.replace('&', "&amp;")),
        "{}",
        mail.html
    );
    // The link works: the addressee accepts with its token.
    let new_gp = actor("new-gp").with_email("new.gp@example.org");
    k.accept_invitation(&new_gp, &made.token).await.unwrap();
    // Sent once.
    assert_eq!(k.deliver_mail(&mailer, 100).await.unwrap().examined, 0);
    assert_eq!(mailer.0.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn notification_mail_is_checked_again_before_it_leaves() {
    let g = group().await;
    let k = &g.w.copkit;
    let tom = g.tom.clone().with_email("tom@example.org");
    let replies_by_email = NotificationChoices {
        topics: vec![TopicChannel {
            topic: NotificationTopic::Reply,
            channel: NotificationChannel::Email,
        }],
        communities: vec![],
    };
    k.set_notification_preferences(&tom, replies_by_email, 0)
        .await
        .unwrap();
    let t = thread(&g, &g.tom, &g.space, "Has anyone tried it?").await;
    post(&g, &g.ann, &t, "Yes.").await;
    assert_eq!(k.notify_due(100).await.unwrap().emailed, 1);
    // Removed before the courier runs: the mail does not leave.
    k.remove_member(&g.helen, &g.c, &g.tom.user).await.unwrap();
    let mailer = Taken::default();
    let run = k.deliver_mail(&mailer, 100).await.unwrap();
    assert_eq!((run.withdrawn, run.sent), (1, 0), "{run:?}");
    assert!(mailer.0.lock().unwrap().is_empty());
    let outbox = k.list_outbox(&tom, &PageRequest::of(10)).await.unwrap();
    assert_eq!(
        outbox.items[0].delivery.status,
        copkit_core::model::DeliveryStatus::Withdrawn
    );
    assert_eq!(k.deliver_mail(&mailer, 100).await.unwrap().examined, 0);
}

#[tokio::test]
async fn an_invitation_reaches_the_inbox_of_whoever_signs_in_with_its_address() {
    let g = group().await;
    let k = &g.w.copkit;
    let made = k
        .create_invitation(
            &g.helen,
            &g.c,
            copkit_core::service::NewInvitation::email("Sam.New@example.org"),
        )
        .await
        .unwrap();
    let revoked = k
        .create_invitation(
            &g.helen,
            &g.c,
            copkit_core::service::NewInvitation::email("sam.new@example.org"),
        )
        .await
        .unwrap();
    k.revoke_invitation(&g.helen, &g.c, &revoked.invitation.id)
        .await
        .unwrap();
    let sam = actor("sam").with_email("sam.new@example.org");
    for _ in 0..2 {
        let inbox = k
            .notifications(&sam, None, &PageRequest::of(10))
            .await
            .unwrap();
        assert_eq!((inbox.items.len(), inbox.unread), (1, 1), "{inbox:?}");
        let n = &inbox.items[0];
        assert_eq!(
            n.kind,
            NotificationKind::Invited {
                invitation: made.invitation.id
            }
        );
        assert_eq!((n.title.as_str(), &n.actor), ("Group notes", &g.helen.user));
    }
    // Someone signed in without that address sees nothing of it.
    assert!(inbox(&g, &g.zoe).await.is_empty());
    let other = actor("kim").with_email("kim@example.org");
    let theirs = k
        .notifications(&other, None, &PageRequest::of(10))
        .await
        .unwrap();
    assert!(theirs.items.is_empty());
}

fn two_hour_poll(question: &str) -> copkit_core::service::NewPoll {
    copkit_core::service::NewPoll {
        question: question.into(),
        options: vec!["Yes".into(), "No".into()],
        multiple_choice: false,
        closes_in_hours: 2,
        results: copkit_core::model::ResultsVisibility::AfterClose,
    }
}

/// The poll closings in `who`'s inbox, by poll.
async fn closings(g: &Group, who: &Actor) -> Vec<copkit_core::PollId> {
    inbox(g, who)
        .await
        .into_iter()
        .filter_map(|n| match n.kind {
            NotificationKind::PollClosed { poll } => Some(poll),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_poll_closing_tells_its_voters_and_author_once() {
    let g = group().await;
    let k = &g.w.copkit;
    // At the deadline: the author and every voter hear once, whoever left
    // before it and the outsider nothing.
    let due = k
        .create_poll(&g.tom, &g.space, two_hour_poll("Next topic?"))
        .await
        .unwrap()
        .poll
        .id;
    k.vote(&g.ann, &due, &[0]).await.unwrap();
    k.vote(&g.helen, &due, &[1]).await.unwrap();
    k.notify_due(100).await.unwrap();
    assert!(
        closings(&g, &g.ann).await.is_empty(),
        "not before it closes"
    );
    g.w.clock.advance(jiff::SignedDuration::from_mins(119));
    k.notify_due(100).await.unwrap();
    assert!(closings(&g, &g.tom).await.is_empty(), "a minute to go");
    g.w.clock.advance(jiff::SignedDuration::from_mins(1));
    let run = k.notify_due(100).await.unwrap();
    assert_eq!(run.examined, 1, "{run:?}");
    for who in [&g.tom, &g.ann, &g.helen] {
        assert_eq!(closings(&g, who).await, vec![due], "{}", who.user);
    }
    assert!(closings(&g, &g.zoe).await.is_empty());
    g.w.clock.advance(jiff::SignedDuration::from_hours(3));
    assert_eq!(k.notify_due(100).await.unwrap().examined, 0);
    assert_eq!(closings(&g, &g.ann).await, vec![due], "told once");

    // Closed early by its author: the voters hear now, the author (who did
    // it) not, and nobody again at the old deadline.
    let early = k
        .create_poll(&g.tom, &g.space, two_hour_poll("Which evening?"))
        .await
        .unwrap()
        .poll
        .id;
    k.vote(&g.ann, &early, &[0]).await.unwrap();
    k.vote(&g.zoe, &early, &[0]).await.unwrap_err();
    k.close_poll(&g.tom, &early).await.unwrap();
    k.notify_due(100).await.unwrap();
    assert_eq!(closings(&g, &g.ann).await, vec![early, due]);
    assert_eq!(closings(&g, &g.tom).await, vec![due]);
    g.w.clock.advance(jiff::SignedDuration::from_hours(3));
    k.notify_due(100).await.unwrap();
    assert_eq!(closings(&g, &g.ann).await, vec![early, due], "once");
    assert_eq!(closings(&g, &g.tom).await, vec![due]);

    // Closed early by a moderator: the author hears too. A voter removed
    // before the producer runs hears nothing.
    let moderated = k
        .create_poll(&g.tom, &g.space, two_hour_poll("Which venue?"))
        .await
        .unwrap()
        .poll
        .id;
    k.vote(&g.ann, &moderated, &[1]).await.unwrap();
    k.close_poll(&g.helen, &moderated).await.unwrap();
    k.remove_member(&g.helen, &g.c, &g.ann.user).await.unwrap();
    k.notify_due(100).await.unwrap();
    assert_eq!(closings(&g, &g.tom).await, vec![moderated, due]);
    assert!(closings(&g, &g.ann).await.is_empty());
    assert!(closings(&g, &g.helen).await.contains(&due));
    assert!(!closings(&g, &g.helen).await.contains(&moderated));
}
