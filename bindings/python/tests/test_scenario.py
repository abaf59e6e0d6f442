"""The end-to-end scenario through the Python bindings: a private ST3 group,
a request approved, a guest in one space, a question answered, a document
shared with its bytes, a fortnightly event with RSVPs, a poll, typed errors
and the listener."""

import asyncio
import datetime
import hashlib

import pytest

import copkit
from copkit import (
    Access,
    CommunityChanges,
    CommunityKind,
    Copkit,
    CopkitError,
    CopkitEvent,
    CopkitListener,
    EventInput,
    Frequency,
    InviteAccess,
    InviteTarget,
    JoinPolicy,
    JoinedVia,
    NewCommunity,
    NewDocument,
    NewInvitation,
    NewPoll,
    NewPost,
    NewSpace,
    NewThread,
    Recurrence,
    ResultsVisibility,
    Role,
    RsvpResponse,
    SpaceVisibility,
    ThreadKind,
    Weekday,
)

DAY = datetime.timedelta(days=1)

# The tests' "now": a Monday evening in London, after the 18:30 start of the
# fortnightly event below (the hour that used to break a wall-clock test).
START = datetime.datetime(2026, 3, 2, 20, 15, tzinfo=datetime.timezone.utc)


class FixedClock(copkit.CopkitClock):
    """Time that moves only when the test says so."""

    def __init__(self, start):
        self.instant = start

    def now(self):
        return self.instant

    def advance(self, by):
        self.instant += by

    def today(self):
        """The clock's date in UTC."""
        return self.instant.astimezone(datetime.timezone.utc).date()


class Recorder(CopkitListener):
    """Keeps every event the bindings deliver."""

    def __init__(self):
        self.events = []

    def on_event(self, event):
        self.events.append(event)

    def activity_kinds(self):
        return [
            kind_name(e.activity.kind)
            for e in self.events
            if isinstance(e, CopkitEvent.ACTIVITY)
        ]


def kind_name(kind):
    """`MEMBER_JOINED` for an `ActivityKind.MEMBER_JOINED` value."""
    return type(kind).__name__.rsplit(".", 1)[-1]


def run(coroutine):
    return asyncio.run(coroutine)


@pytest.fixture()
def world():
    clock = FixedClock(START)
    kit = Copkit.with_clock(clock)
    recorder = Recorder()
    kit.add_listener(recorder)
    return {
        "kit": kit,
        "clock": clock,
        "events": recorder,
        "lead": kit.session("dr-lead", "Dr Lead", "lead@example.org"),
        "trainee": kit.session("trainee-1", "Sam Trainee", None),
        "guest": kit.session("guest-speaker", "Guest Speaker", None),
        "outsider": kit.session("outsider", None, None),
    }


async def private_group(lead):
    return await lead.create_community(
        NewCommunity(
            slug="st3-small-group",
            name="ST3 small group",
            purpose="Case discussion for ST3 trainees",
            kind=CommunityKind.TRAINING_GROUP,
            access=Access.PRIVATE(join_policy=JoinPolicy.APPROVAL),
            join_question="Which training practice are you at?",
        )
    )


def test_the_whole_scenario(world):
    lead, trainee, guest, outsider = (
        world["lead"], world["trainee"], world["guest"], world["outsider"])

    async def scenario():
        group = await private_group(lead)
        community = group.card.id
        assert group.my_role == Role.OWNER

        cases = await lead.create_space(
            community, NewSpace(name="Case discussion", description="", visibility=SpaceVisibility.MEMBERS()))
        talks = await lead.create_space(
            community, NewSpace(name="Visiting speakers", description="", visibility=SpaceVisibility.MEMBERS()))

        # request → approve
        request = await trainee.request_to_join(community, "Riverside Surgery")
        assert request.answer == "Riverside Surgery"
        pending = await lead.list_join_requests(community, None, None)
        assert [(r.user, r.answer) for r in pending.items] == [("trainee-1", "Riverside Surgery")]
        membership = await lead.approve_join_request(community, "trainee-1")
        assert membership.role == Role.MEMBER

        # a guest in one space only
        invite = await lead.create_invitation(
            community,
            NewInvitation(
                target=InviteTarget.LINK(max_uses=1),
                access=InviteAccess.GUEST(spaces=[talks.id]),
                expires_in_hours=48,
            ),
        )
        joined = await guest.accept_invitation(invite.token)
        assert joined.role == Role.GUEST
        assert [s.id for s in await guest.list_spaces(community)] == [talks.id]
        with pytest.raises(CopkitError.NotFound):
            await guest.get_space(cases.id)

        # a question answered
        question = await trainee.start_thread(
            cases.id,
            NewThread(kind=ThreadKind.QUESTION, title="Safety-netting a febrile child",
                      body="What do you document?", tags=["paediatrics"]),
        )
        answer = await lead.add_post(question.id, NewPost(body="Use the traffic-light table.", parent=None))
        answered = await trainee.accept_answer(question.id, answer.id)
        assert answered.accepted_answer == answer.id
        posts = await trainee.list_posts(question.id, None, None)
        assert [p.id for p in posts.items] == [answer.id]

        # a document with its bytes round-tripped
        data = b"%PDF-1.7\n" + bytes(range(256)) * 40
        document = await lead.upload_document(
            cases.id,
            NewDocument(title="Fever guideline", description="Local summary", tags=[],
                        content_type="application/pdf",
                        sha256=hashlib.sha256(data).hexdigest(), bytes=data),
        )
        download = await trainee.download_document(document.id, None)
        assert download.bytes == data
        assert download.version.size == len(data)

        # a fortnightly event with an RSVP
        tomorrow = world["clock"].today() + datetime.timedelta(days=1)
        event = await lead.schedule_event(
            cases.id,
            EventInput(
                title="Fortnightly case review", description="", location="Seminar room",
                online_url=None, time_zone="Europe/London", start_date=tomorrow.isoformat(),
                start_time="18:30", duration_minutes=90,
                recurrence=Recurrence(
                    frequency=Frequency.WEEKLY(weekdays=[list(Weekday)[tomorrow.weekday()]]),
                    interval=2, end=None),
                capacity=None,
            ),
        )
        now = trainee.now()
        assert now == world["clock"].now()
        # eight weeks from a Monday evening: tomorrow, +14, +28, +42 days
        assert isinstance(now, datetime.datetime)
        occurrences = await trainee.event_occurrences(event.id, now, now + 56 * DAY)
        assert len(occurrences) == 4
        gaps = {b.starts_at - a.starts_at for a, b in zip(occurrences, occurrences[1:])}
        # 14 days, ± a clock change
        assert all(abs(g - 14 * DAY) <= datetime.timedelta(hours=1) for g in gaps)
        first = occurrences[0].key
        rsvp = await trainee.rsvp(event.id, first, RsvpResponse.GOING)
        assert rsvp.response == RsvpResponse.GOING
        assert (await lead.rsvp_tally(event.id, first)).going == 1

        # a poll
        poll = await lead.create_poll(
            cases.id,
            NewPoll(question="Next topic?", options=["Dermatology", "Mental health"],
                    multiple_choice=False, closes_in_hours=24,
                    results=ResultsVisibility.AFTER_VOTE),
        )
        voted = await trainee.vote(poll.poll.id, [1])
        assert voted.results_visible and voted.poll.tally == [0, 1]

        # participation levels: the trainee's question (2 points) and the
        # lead's answer credited... to the lead, who is Core anyway
        standing = await trainee.my_level(community)
        assert (standing.level, standing.points, standing.points_to_next_level) == (
            copkit.ParticipationLevel.PERIPHERAL, 2, 1)
        core = await lead.list_members_at_level(community, copkit.ParticipationLevel.CORE, None, None)
        assert [m.user for m in core.items] == ["dr-lead"]
        assert (await world["kit"].review_participation()).reviewed == 0

        # a value story, and the trainee's CPD evidence with it, as data and CSV
        await trainee.tell_value_story(community, copkit.NewValueStory(
            kind=copkit.ValueKind.APPLIED, title="Safety-netting leaflet",
            story="We now give the leaflet, and document it.", thread=question.id))
        today = world["clock"].today()
        evidence = await trainee.cpd_evidence((today - datetime.timedelta(days=1)).isoformat(),
                                              (today + datetime.timedelta(days=1)).isoformat())
        assert [e.kind for e in evidence.entries].count(copkit.CpdKind.VALUE_STORY) == 1
        assert evidence.contributions == 1  # the question
        csv_text = await trainee.cpd_csv(today.isoformat(), today.isoformat())
        assert csv_text.splitlines()[0] == "date,kind,community,activity,minutes,hours,reflection,reference"

        # typed errors
        with pytest.raises(CopkitError.NotFound):
            await outsider.get_thread(question.id)
        with pytest.raises(CopkitError.NotFound):
            await outsider.download_document(document.id, None)
        await lead.update_community(community, CommunityChanges(name="ST3 group (Riverside)"), group.card.version)
        with pytest.raises(CopkitError.Conflict) as stale:
            await lead.update_community(community, CommunityChanges(name="Stale"), group.card.version)
        assert stale.value.code == "version_conflict"
        with pytest.raises(CopkitError.Invalid) as bad:
            await lead.create_community(
                NewCommunity(slug="No Spaces!", name="x", purpose="", kind=CommunityKind.LEARNING_SET,
                             access=Access.SECRET(), join_question=None))
        assert bad.value.field == "slug"
        with pytest.raises(CopkitError.Invalid) as bad_id:
            await lead.get_thread("not-an-id")
        assert bad_id.value.field == "thread"

        # the listener heard the domain events, and upcoming occurrences once
        kinds = world["events"].activity_kinds()
        for expected in ("MEMBER_JOINED", "THREAD_STARTED", "POST_ADDED", "ANSWER_ACCEPTED",
                         "DOCUMENT_ADDED", "EVENT_SCHEDULED"):
            assert expected in kinds, (expected, kinds)
        assert await trainee.announce_upcoming(48) == 1
        assert await trainee.announce_upcoming(48) == 0
        upcoming = [e for e in world["events"].events if isinstance(e, CopkitEvent.UPCOMING_EVENT)]
        assert [(u.user, u.item.occurrence.key, u.response) for u in upcoming] == [
            ("trainee-1", first, RsvpResponse.GOING)]

    run(scenario())


def test_an_approved_request_reaches_the_listener_with_its_community(world):
    lead, trainee = world["lead"], world["trainee"]

    async def scenario():
        group = await private_group(lead)
        await trainee.request_to_join(group.card.id, "Riverside Surgery")
        await lead.approve_join_request(group.card.id, "trainee-1")
        joined = [e.activity for e in world["events"].events
                  if isinstance(e, CopkitEvent.ACTIVITY)
                  and kind_name(e.activity.kind) == "MEMBER_JOINED"]
        assert [(a.community, a.actor, a.kind.user, a.kind.via) for a in joined] == [
            (group.card.id, "dr-lead", "dr-lead", JoinedVia.FOUNDED),
            (group.card.id, "dr-lead", "trainee-1", JoinedVia.APPROVAL),
        ]

    run(scenario())


def test_a_failing_listener_does_not_undo_the_change(world):
    kit, lead = world["kit"], world["lead"]

    class Broken(CopkitListener):
        def on_event(self, event):
            raise RuntimeError("host bug")

    kit.add_listener(Broken())

    async def scenario():
        group = await private_group(lead)
        assert (await lead.get_community(group.card.id)).card.name == "ST3 small group"
        assert "COMMUNITY_CREATED" in world["events"].activity_kinds()

    run(scenario())


def test_bad_timestamps_and_limits_are_typed_errors(world):
    lead = world["lead"]

    async def scenario():
        group = await private_group(lead)
        assert await lead.agenda(group.card.id, START, START - DAY) == []
        with pytest.raises(TypeError):
            await lead.agenda(group.card.id, 2**62, 2**62 + 1)  # not instants
        with pytest.raises(CopkitError.Invalid) as hours:
            await lead.announce_upcoming(0)
        assert hours.value.field == "within_hours"

    run(scenario())


def test_pages_follow_their_cursor(world):
    lead = world["lead"]

    async def scenario():
        group = await private_group(lead)
        space = await lead.create_space(
            group.card.id, NewSpace(name="Threads", description="", visibility=SpaceVisibility.MEMBERS()))
        for n in range(5):
            await lead.start_thread(space.id, NewThread(
                kind=ThreadKind.DISCUSSION, title=f"Thread {n}", body="", tags=[]))
        first = await lead.list_threads(space.id, 3, None)
        second = await lead.list_threads(space.id, 3, first.next)
        assert (len(first.items), len(second.items), second.next) == (3, 2, None)
        titles = {t.title for t in first.items + second.items}
        assert titles == {f"Thread {n}" for n in range(5)}
        with pytest.raises(CopkitError.Invalid) as bad:
            await lead.list_threads(space.id, 3, first.next + "x")
        assert bad.value.field == "cursor"

    run(scenario())


def test_the_package_exports_its_types():
    assert copkit.Copkit is Copkit
    assert issubclass(CopkitError.NotFound, CopkitError)


def test_two_step_upload_files_a_document(world):
    lead, outsider = world["lead"], world["outsider"]

    async def scenario():
        group = await private_group(lead)
        space = await lead.create_space(
            group.card.id, NewSpace(name="Library", description="", visibility=SpaceVisibility.MEMBERS()))
        data = b"%PDF-1.7 audit report\n" * 500
        intent = copkit.UploadIntent(content_type="application/pdf", size=len(data),
                                     sha256=hashlib.sha256(data).hexdigest())
        ticket = await lead.begin_upload(space.id, intent)
        assert ticket.put is None  # the in-memory store takes the bytes through the session
        with pytest.raises(CopkitError.NotFound):
            await outsider.send_upload(ticket.upload, data)
        await lead.send_upload(ticket.upload, data)
        document = await lead.add_uploaded_document(
            space.id, copkit.NewUploadedDocument(title="Audit report", description="", tags=[], upload=ticket.upload))
        assert (await lead.download_document(document.id, None)).bytes == data
        link = await lead.document_download_link(document.id, None)
        assert link.get is None and link.version.number == 1
        tampered = await lead.begin_upload(space.id, intent)
        with pytest.raises(CopkitError.Invalid):
            await lead.send_upload(tampered.upload, data[:-1] + b"X")

    run(scenario())


def test_digest_rhythm_preview_and_typed_errors(world):
    kit, lead, trainee = world["kit"], world["lead"], world["trainee"]

    async def scenario():
        group = await private_group(lead)
        cases = await lead.create_space(
            group.card.id, NewSpace(name="Cases", description="", visibility=SpaceVisibility.MEMBERS()))
        await lead.start_thread(cases.id, copkit.NewThread(
            kind=copkit.ThreadKind.QUESTION, title="Febrile infant pathway?", body="", tags=[]))
        off = await trainee.digest_preference()
        assert off.preference.frequency == copkit.DigestFrequency.OFF and off.version == 0
        weekly = copkit.DigestPreference(
            frequency=copkit.DigestFrequency.WEEKLY, hour=18, time_zone="Europe/London",
            weekday=copkit.Weekday.FRIDAY)
        schedule = await lead.set_digest_preference(weekly)
        assert schedule.version == 1 and schedule.next_due is not None
        assert schedule.email == "lead@example.org"
        with pytest.raises(CopkitError.Invalid) as bad:
            await lead.set_digest_preference(copkit.DigestPreference(
                frequency=copkit.DigestFrequency.DAILY, hour=24, time_zone="Europe/London",
                weekday=copkit.Weekday.MONDAY))
        assert bad.value.field == "hour"
        # The lead's own question is not news to them; the trainee (not a
        # member) hears nothing of the private group.
        assert (await lead.preview_digest()).digest.communities == []
        preview = await trainee.preview_digest()
        assert preview.digest.communities == [] and "Febrile" not in preview.text
        run = await kit.send_due_digests(100)
        assert run.examined == 0 and not run.more_due
        assert (await lead.list_outbox(None, None)).items == []

    run(scenario())


def test_reports_decisions_and_the_moderation_log(world):
    lead, outsider = world["lead"], world["outsider"]

    async def scenario():
        group = await private_group(lead)
        community = group.card.id
        cases = await lead.create_space(
            community, NewSpace(name="Cases", description="", visibility=SpaceVisibility.MEMBERS()))
        thread = await lead.start_thread(cases.id, copkit.NewThread(
            kind=copkit.ThreadKind.DISCUSSION, title="Safeguarding case", body="", tags=[]))
        post = await lead.add_post(thread.id, copkit.NewPost(body="Names a child", parent=None))
        target = copkit.ContentRef.POST(post=post.id)
        report = await lead.report_content(community, copkit.NewReport(
            target=target, reason=copkit.ReportReason.PATIENT_IDENTIFIABLE, note="A name"))
        queue = await lead.list_reports(community, copkit.ReportStatus.OPEN, None, None)
        assert [r.id for r in queue.items] == [report.id]
        entry = await lead.moderate(community, copkit.Moderation(
            target=target, decision=copkit.ContentDecision.HIDE, reason="Identifiable", report=report.id))
        assert entry.action == copkit.ModerationAction.HIDDEN
        log = await lead.moderation_log(community, None, None)
        assert [e.id for e in log.items] == [entry.id]
        with pytest.raises(CopkitError.Conflict):
            await lead.moderate(community, copkit.Moderation(
                target=target, decision=copkit.ContentDecision.HIDE, reason="Again", report=None))
        with pytest.raises(CopkitError.Forbidden):
            await outsider.list_reports(community, copkit.ReportStatus.OPEN, None, None)

    run(scenario())


def test_export_then_erase_leaves_nothing_personal(world):
    lead, trainee = world["lead"], world["trainee"]

    async def scenario():
        group = await private_group(lead)
        community = group.card.id
        with pytest.raises(CopkitError.Conflict) as last_owner:
            await lead.erase_my_account()
        assert last_owner.value.code == "hand_over_first"
        story = copkit.NewValueStory(kind=copkit.ValueKind.IMMEDIATE, title="Helpful group",
                                     story="It helped.", thread=None)
        await lead.tell_value_story(community, story)
        export = await lead.export_my_data()
        assert len(export.memberships) == 1 and export.value_stories[0].title == "Helpful group"
        mine = await trainee.export_my_data()
        assert mine.memberships == [] and mine.value_stories == []
        report = await trainee.erase_my_account()
        assert report.communities_left == 0
        after = await trainee.export_my_data()
        assert after.profile is None and after.activity == []

    run(scenario())


class HostMail(copkit.CopkitMailer):
    """The portal's own mail system: records what it sent, or fails."""

    def __init__(self, failure=None):
        self.sent = []
        self.failure = failure

    def deliver(self, mail):
        if self.failure is not None:
            raise self.failure
        self.sent.append(mail)


def test_the_host_mailer_delivers_the_outbox_once_and_a_failure_loses_nothing(world):
    kit, clock, lead = world["kit"], world["clock"], world["lead"]
    mia = kit.session("mia", "Dr Mia", "mia@example.org")

    async def scenario():
        group = await lead.create_community(NewCommunity(
            slug="open-cases", name="Open cases", purpose="", kind=CommunityKind.TRAINING_GROUP,
            access=Access.PUBLIC(join_policy=JoinPolicy.OPEN), join_question=None))
        await mia.join(group.card.id)
        cases = await lead.create_space(
            group.card.id, NewSpace(name="Cases", description="", visibility=SpaceVisibility.MEMBERS()))
        await mia.set_digest_preference(copkit.DigestPreference(
            frequency=copkit.DigestFrequency.DAILY, hour=7, time_zone="Europe/London",
            weekday=copkit.Weekday.MONDAY))
        await lead.start_thread(cases.id, copkit.NewThread(
            kind=copkit.ThreadKind.DISCUSSION, title="Appraisal toolkit", body="", tags=[]))
        clock.advance(DAY)
        produced = await kit.send_due_digests(100)
        assert produced.sent == 1

        # The portal's mail system is down: nothing is sent, the mail waits.
        down = HostMail(copkit.HostMailError.Unavailable("relay unreachable"))
        stopped = await kit.deliver_mail(down, 100)
        assert stopped.stopped and stopped.retrying == 1 and stopped.sent == 0
        waiting = (await mia.list_outbox(None, None)).items[0]
        assert waiting.delivery.status == copkit.DeliveryStatus.PENDING
        assert waiting.delivery.attempts == 1
        assert "relay unreachable" in waiting.delivery.last_error

        # Back up, after the retry delay: sent once, to Mia only.
        up = HostMail()
        assert (await kit.deliver_mail(up, 100)).examined == 0, "not due before its retry"
        clock.advance(datetime.timedelta(minutes=1))
        done = await kit.deliver_mail(up, 100)
        assert done.sent == 1 and not done.more_due
        assert [m.email for m in up.sent] == ["mia@example.org"]
        assert "Appraisal toolkit" in up.sent[0].text
        sent = (await mia.list_outbox(None, None)).items[0]
        assert sent.delivery.status == copkit.DeliveryStatus.SENT
        assert sent.delivery.sent_at == clock.now()
        assert (await kit.deliver_mail(up, 100)).examined == 0
        assert len(up.sent) == 1

    run(scenario())


def test_notifications_reach_the_inbox_and_the_host_mailer_once(world):
    kit, lead, trainee, outsider = world["kit"], world["lead"], world["trainee"], world["outsider"]

    async def scenario():
        group = await private_group(lead)
        await trainee.request_to_join(group.card.id, "Riverside Surgery")
        assert (await lead.notifications(None, None, None)).items == [], "not before the producer"
        made = await kit.notify_due(100)
        assert made.notified == 1 and made.failed == 0
        inbox = await lead.notifications(None, None, None)
        assert inbox.unread == 1
        (asked,) = inbox.items
        assert isinstance(asked.kind, copkit.NotificationKind.JOIN_REQUESTED)
        assert asked.kind.user == "trainee-1" and asked.title == "ST3 small group"
        # The lead chose email for join requests: the producer queues mail,
        # the host's mail system sends it once.
        prefs = await lead.notification_preferences()
        assert prefs.version == 0
        email = copkit.TopicChannel(
            topic=copkit.NotificationTopic.JOIN_REQUEST, channel=copkit.NotificationChannel.EMAIL)
        chosen = await lead.set_notification_preferences(
            copkit.NotificationChoices(topics=[email], communities=[]), 0)
        assert chosen.version == 1 and chosen.email == "lead@example.org"
        with pytest.raises(CopkitError.Conflict):
            await lead.set_notification_preferences(
                copkit.NotificationChoices(topics=[], communities=[]), 0)
        await outsider.request_to_join(group.card.id, "Hillside")
        await kit.notify_due(100)
        mailer = HostMail()
        sent = await kit.deliver_mail(mailer, 100)
        assert sent.sent == 1 and [m.email for m in mailer.sent] == ["lead@example.org"]
        assert mailer.sent[0].notification.kind.user == "outsider"
        assert (await kit.deliver_mail(mailer, 100)).examined == 0
        # The portal's unsubscribe link for its own mail: the token alone
        # switches join requests back to the app.
        token = kit.unsubscribe_token("dr-lead", copkit.MailStream.TOPIC(
            topic=copkit.NotificationTopic.JOIN_REQUEST))
        stopped = await kit.unsubscribe(token)
        assert stopped.stopped == copkit.MailStream.TOPIC(topic=copkit.NotificationTopic.JOIN_REQUEST)
        effective = {t.topic: t.channel for t in (await lead.notification_preferences()).effective}
        assert effective[copkit.NotificationTopic.JOIN_REQUEST] == copkit.NotificationChannel.IN_APP
        with pytest.raises(CopkitError.NotFound):
            await kit.unsubscribe(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
        # The outsider hears nothing of the group's requests.
        assert (await outsider.notifications(None, None, None)).items == []
        with pytest.raises(CopkitError.NotFound):
            await outsider.mark_notification_read(asked.id)
        read = await lead.mark_notification_read(asked.id)
        assert read.read_at is not None
        await lead.mark_all_notifications_read()
        assert (await lead.notifications(None, None, None)).unread == 0
        # Approved: the trainee is told.
        await lead.approve_join_request(group.card.id, "trainee-1")
        await kit.notify_due(100)
        (approved,) = (await trainee.notifications(None, None, None)).items
        assert isinstance(approved.kind, copkit.NotificationKind.JOIN_APPROVED)

    run(scenario())


def test_a_personal_calendar_feed_url_for_an_embedded_portal(world):
    kit, lead = world["kit"], world["lead"]

    async def scenario():
        await private_group(lead)
        with pytest.raises(CopkitError.Invalid) as missing:
            await lead.renew_calendar_feed(None)
        assert missing.value.field == "feed_base_url"
        link = await lead.renew_calendar_feed("https://portal.example.org/")
        assert link.url == f"https://portal.example.org/calendar/{link.token}.ics"
        feed = await kit.calendar_feed_by_token(link.token)
        assert feed.startswith("BEGIN:VCALENDAR")
        await lead.stop_calendar_feed()
        with pytest.raises(CopkitError.NotFound):
            await kit.calendar_feed_by_token(link.token)

    run(scenario())


def test_search_finds_only_what_the_caller_may_see(world):
    lead, trainee, outsider = world["lead"], world["trainee"], world["outsider"]

    async def scenario():
        group = await private_group(lead)
        leads_only = await lead.create_space(
            group.card.id,
            NewSpace(name="Leads", description="",
                     visibility=SpaceVisibility.RESTRICTED(users=["dr-lead"], roles=[])))
        await lead.start_thread(leads_only.id, NewThread(
            kind=ThreadKind.DISCUSSION, title="Succession",
            body="The quokka plan for next year", tags=[]))
        query = copkit.SearchQuery(q="quokka", kinds=[copkit.SearchKind.THREAD], tag=None,
                                   author=None, since=None, before=None)
        found = await lead.search(group.card.id, query, None, None)
        assert [h.title for h in found.items] == ["Succession"]
        assert any(part.highlighted and part.text == "quokka"
                   for part in found.items[0].snippet)
        mine = await lead.search_mine(query, 10, None)
        assert len(mine.items) == 1
        for who in (trainee, outsider):
            assert (await who.search_mine(query, None, None)).items == []
        assert (await outsider.search(group.card.id, query, None, None)).items == []
        blank = copkit.SearchQuery(q=" ", kinds=[], tag=None, author=None,
                                   since=None, before=None)
        with pytest.raises(CopkitError.Invalid) as bad:
            await lead.search(group.card.id, blank, None, None)
        assert bad.value.field == "q"

    run(scenario())
