package health.copkit

import health.copkit.core.Access
import health.copkit.core.ActivityKind
import health.copkit.core.CommunityChanges
import health.copkit.core.CommunityKind
import health.copkit.core.ContentDecision
import health.copkit.core.ContentRef
import health.copkit.core.DigestFrequency
import health.copkit.core.DigestPreference
import health.copkit.core.DeliveryStatus
import health.copkit.core.Mail
import health.copkit.core.Moderation
import health.copkit.core.ModerationAction
import health.copkit.core.NewReport
import health.copkit.core.ReportReason
import health.copkit.core.ReportStatus
import health.copkit.core.CopkitException
import health.copkit.core.EventInput
import health.copkit.core.Frequency
import health.copkit.core.InviteAccess
import health.copkit.core.InviteTarget
import health.copkit.core.JoinPolicy
import health.copkit.core.JoinedVia
import health.copkit.core.NewCommunity
import health.copkit.core.NewDocument
import health.copkit.core.NewInvitation
import health.copkit.core.NewPoll
import health.copkit.core.NewPost
import health.copkit.core.NewSpace
import health.copkit.core.NewThread
import health.copkit.core.NotificationChannel
import health.copkit.core.NotificationChoices
import health.copkit.core.NotificationKind
import health.copkit.core.NotificationTopic
import health.copkit.core.TopicChannel
import health.copkit.core.ParticipationLevel
import health.copkit.core.Recurrence
import health.copkit.core.ResultsVisibility
import health.copkit.core.Role
import health.copkit.core.RsvpResponse
import health.copkit.core.SearchKind
import health.copkit.core.SearchQuery
import health.copkit.core.SpaceVisibility
import health.copkit.core.ThreadKind
import health.copkit.core.Weekday
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.security.MessageDigest
import java.time.Duration
import java.time.Instant
import java.time.LocalDate
import java.time.ZoneOffset
import java.util.concurrent.atomic.AtomicReference
import java.util.concurrent.CopyOnWriteArrayList

/** Keeps every event copkit delivers, as an app's notification layer would. */
class Recorder : CopkitListener {
    val events = CopyOnWriteArrayList<CopkitEvent>()

    override fun onEvent(event: CopkitEvent) {
        events.add(event)
    }

    fun activities(): List<ActivityKind> =
        events.filterIsInstance<CopkitEvent.Activity>().map { it.activity.kind }
}

/** The portal's own mail system: records what it sent, or fails with [failure]. */
class HostMail(private val failure: HostMailException? = null) : CopkitMailer {
    val sent = CopyOnWriteArrayList<Mail>()

    override fun deliver(mail: Mail) {
        failure?.let { throw it }
        sent.add(mail)
    }
}

/** Time that moves only when the test says so: tests never depend on when they run. */
class FixedClock(start: Instant) : CopkitClock {
    private val instant = AtomicReference(start)

    override fun now(): Instant = instant.get()

    fun advance(by: Duration) {
        instant.updateAndGet { it + by }
    }

    /** The clock's date in UTC. */
    fun today(): LocalDate = instant.get().atZone(ZoneOffset.UTC).toLocalDate()
}

/**
 * The end-to-end scenario an Android app would run: a private ST3 group, a
 * request approved, a guest in one space, a question answered, a document
 * shared with its bytes, a fortnightly event with an RSVP, a poll, typed
 * errors and the listener.
 */
class ScenarioTest {
    private val day = Duration.ofDays(1)
    // A Monday evening in London, after the 18:30 start of the fortnightly event below.
    private val clock = FixedClock(Instant.parse("2026-03-02T20:15:00Z"))
    private val kit = Copkit.withClock(clock)
    private val recorder = Recorder().also { kit.addListener(it) }
    private val lead = kit.session("dr-lead", "Dr Lead", "lead@example.org")
    private val trainee = kit.session("trainee-1", "Sam Trainee", null)
    private val guest = kit.session("guest-speaker", "Guest Speaker", null)
    private val outsider = kit.session("outsider", null, null)

    private suspend fun privateGroup() = lead.createCommunity(
        NewCommunity(
            slug = "st3-small-group",
            name = "ST3 small group",
            purpose = "Case discussion for ST3 trainees",
            kind = CommunityKind.TRAINING_GROUP,
            access = Access.Private(JoinPolicy.APPROVAL),
            joinQuestion = "Which training practice are you at?",
        ),
    )

    @Test
    fun theWholeScenario() = runBlocking {
        val group = privateGroup()
        val community = group.card.id
        assertEquals(Role.OWNER, group.myRole)
        val cases = lead.createSpace(community, NewSpace("Case discussion", "", SpaceVisibility.Members))
        val talks = lead.createSpace(community, NewSpace("Visiting speakers", "", SpaceVisibility.Members))

        // request → approve
        trainee.requestToJoin(community, "Riverside Surgery")
        val pending = lead.listJoinRequests(community, null, null)
        assertEquals(listOf("trainee-1" to "Riverside Surgery"), pending.items.map { it.user to it.answer })
        assertEquals(Role.MEMBER, lead.approveJoinRequest(community, "trainee-1").role)

        // a guest in one space only
        val invite = lead.createInvitation(
            community,
            NewInvitation(InviteTarget.Link(1u), InviteAccess.Guest(listOf(talks.id)), 48u),
        )
        assertEquals(Role.GUEST, guest.acceptInvitation(invite.token).role)
        assertEquals(listOf(talks.id), guest.listSpaces(community).map { it.id })
        assertThrows<CopkitException.NotFound> { runBlocking { guest.getSpace(cases.id) } }

        // a question answered
        val question = trainee.startThread(
            cases.id,
            NewThread(ThreadKind.QUESTION, "Safety-netting a febrile child", "What do you document?", listOf("paediatrics")),
        )
        val answer = lead.addPost(question.id, NewPost("Use the traffic-light table.", null))
        assertEquals(answer.id, trainee.acceptAnswer(question.id, answer.id).acceptedAnswer)

        // a document with its bytes round-tripped
        val data = "%PDF-1.7\n".toByteArray() + ByteArray(10_240) { (it % 256).toByte() }
        val sha = MessageDigest.getInstance("SHA-256").digest(data).joinToString("") { "%02x".format(it) }
        val document = lead.uploadDocument(
            cases.id,
            NewDocument("Fever guideline", "Local summary", listOf(), "application/pdf", sha, data),
        )
        val download = trainee.downloadDocument(document.id, null)
        assertArrayEquals(data, download.bytes)
        assertEquals(data.size.toULong(), download.version.size)

        // a fortnightly event with an RSVP
        val tomorrow = clock.today().plusDays(1)
        val event = lead.scheduleEvent(
            cases.id,
            EventInput(
                title = "Fortnightly case review",
                description = "",
                location = "Seminar room",
                onlineUrl = null,
                timeZone = "Europe/London",
                startDate = tomorrow.toString(),
                startTime = "18:30",
                durationMinutes = 90u,
                recurrence = Recurrence(
                    Frequency.Weekly(listOf(Weekday.entries[tomorrow.dayOfWeek.value - 1])),
                    2u,
                    null,
                ),
                capacity = null,
            ),
        )
        val now = trainee.now()
        assertEquals(clock.now(), now)
        // eight weeks from a Monday evening: tomorrow, +14, +28, +42 days
        val occurrences = trainee.eventOccurrences(event.id, now, now + day.multipliedBy(56))
        assertEquals(4, occurrences.size)
        occurrences.zipWithNext().forEach { (a, b) ->
            val gap = Duration.between(a.startsAt, b.startsAt) - day.multipliedBy(14)
            assertTrue(gap.abs() <= Duration.ofHours(1), "a fortnight apart, ± a clock change")
        }
        val first = occurrences.first().key
        assertEquals(RsvpResponse.GOING, trainee.rsvp(event.id, first, RsvpResponse.GOING).response)
        assertEquals(1u, lead.rsvpTally(event.id, first).going)

        // a poll
        val poll = lead.createPoll(
            cases.id,
            NewPoll("Next topic?", listOf("Dermatology", "Mental health"), false, 24u, ResultsVisibility.AFTER_VOTE),
        )
        val voted = trainee.vote(poll.poll.id, listOf(1u))
        assertTrue(voted.resultsVisible)
        assertEquals(listOf(0u, 1u), voted.poll.tally)

        // participation levels: the trainee's question earned 2 points, 1 short of Active
        val standing = trainee.myLevel(community)
        assertEquals(Triple(ParticipationLevel.PERIPHERAL, 2u, 1u), Triple(standing.level, standing.points, standing.pointsToNextLevel))
        assertEquals(listOf("dr-lead"), lead.listMembersAtLevel(community, ParticipationLevel.CORE, null, null).items.map { it.user })
        assertEquals(0u, kit.reviewParticipation().reviewed)

        // typed errors
        assertThrows<CopkitException.NotFound> { runBlocking { outsider.getThread(question.id) } }
        lead.updateCommunity(community, CommunityChanges(name = "ST3 group (Riverside)"), group.card.version)
        val stale = assertThrows<CopkitException.Conflict> {
            runBlocking { lead.updateCommunity(community, CommunityChanges(name = "Stale"), group.card.version) }
        }
        assertEquals("version_conflict", stale.code)
        val bad = assertThrows<CopkitException.Invalid> {
            runBlocking {
                lead.createCommunity(
                    NewCommunity("No Spaces!", "x", "", CommunityKind.LEARNING_SET, Access.Secret, null),
                )
            }
        }
        assertEquals("slug", bad.field)
        val badId = assertThrows<CopkitException.Invalid> { runBlocking { lead.getThread("not-an-id") } }
        assertEquals("thread", badId.field)

        // the listener heard the domain events, and the upcoming occurrence once
        val kinds = recorder.activities()
        assertTrue(kinds.any { it is ActivityKind.MemberJoined && it.via == JoinedVia.APPROVAL })
        assertTrue(kinds.any { it is ActivityKind.PostAdded })
        assertTrue(kinds.any { it is ActivityKind.AnswerAccepted })
        assertTrue(kinds.any { it is ActivityKind.DocumentAdded })
        assertTrue(kinds.any { it is ActivityKind.EventScheduled })
        assertEquals(1u, trainee.announceUpcoming(48u))
        assertEquals(0u, trainee.announceUpcoming(48u))
        val upcoming = recorder.events.filterIsInstance<CopkitEvent.UpcomingEvent>()
        assertEquals(listOf(Triple("trainee-1", first, RsvpResponse.GOING)), upcoming.map { Triple(it.user, it.item.occurrence.key, it.response) })
    }

    @Test
    fun anApprovedRequestReachesTheListener() = runBlocking {
        val group = privateGroup()
        trainee.requestToJoin(group.card.id, "Riverside Surgery")
        lead.approveJoinRequest(group.card.id, "trainee-1")
        val joined = recorder.events.filterIsInstance<CopkitEvent.Activity>()
            .map { it.activity }
            .filter { it.kind is ActivityKind.MemberJoined }
            .map { Triple(it.community, (it.kind as ActivityKind.MemberJoined).user, (it.kind as ActivityKind.MemberJoined).via) }
        assertEquals(
            listOf(
                Triple(group.card.id, "dr-lead", JoinedVia.FOUNDED),
                Triple(group.card.id, "trainee-1", JoinedVia.APPROVAL),
            ),
            joined,
        )
    }

    @Test
    fun theHostMailerDeliversTheOutboxOnceAndAFailureLosesNothing() = runBlocking {
        val mia = kit.session("mia", "Dr Mia", "mia@example.org")
        val group = lead.createCommunity(
            NewCommunity("open-cases", "Open cases", "", CommunityKind.TRAINING_GROUP, Access.Public(JoinPolicy.OPEN), null),
        )
        mia.join(group.card.id)
        val cases = lead.createSpace(group.card.id, NewSpace("Cases", "", SpaceVisibility.Members))
        mia.setDigestPreference(DigestPreference(DigestFrequency.DAILY, 7u, "Europe/London", Weekday.MONDAY))
        lead.startThread(cases.id, NewThread(ThreadKind.DISCUSSION, "Appraisal toolkit", "", listOf()))
        clock.advance(day)
        assertEquals(1u, kit.sendDueDigests(100u).sent)

        // The portal's mail system is down: nothing is sent, the mail waits.
        val stopped = kit.deliverMail(HostMail(HostMailException.Unavailable("relay unreachable")), 100u)
        assertTrue(stopped.stopped)
        assertEquals(listOf(0u, 1u), listOf(stopped.sent, stopped.retrying))
        val waiting = mia.listOutbox(null, null).items.single()
        assertEquals(DeliveryStatus.PENDING, waiting.delivery.status)
        assertTrue(waiting.delivery.lastError!!.contains("relay unreachable"))

        // Back up after the retry delay: sent once, to Mia only.
        val up = HostMail()
        assertEquals(0u, kit.deliverMail(up, 100u).examined)
        clock.advance(Duration.ofMinutes(1))
        assertEquals(1u, kit.deliverMail(up, 100u).sent)
        assertEquals(listOf("mia@example.org"), up.sent.map { it.email })
        assertEquals(DeliveryStatus.SENT, mia.listOutbox(null, null).items.single().delivery.status)
        assertEquals(0u, kit.deliverMail(up, 100u).examined)
        assertEquals(1, up.sent.size)
    }

    @Test
    fun notificationsReachTheInboxOnceAndOnlyThoseConcerned() = runBlocking {
        val group = privateGroup()
        trainee.requestToJoin(group.card.id, "Riverside Surgery")
        assertTrue(lead.notifications(null, null, null).items.isEmpty())
        assertEquals(1u, kit.notifyDue(100u).notified)
        assertEquals(0u, kit.notifyDue(100u).examined)
        val inbox = lead.notifications(null, null, null)
        assertEquals(1u, inbox.unread)
        val asked = inbox.items.single()
        assertEquals("trainee-1", (asked.kind as NotificationKind.JoinRequested).user)
        assertTrue(outsider.notifications(null, null, null).items.isEmpty())
        assertThrows<CopkitException.NotFound> { runBlocking { outsider.markNotificationRead(asked.id) } }
        assertTrue(lead.markNotificationRead(asked.id).readAt != null)
        assertEquals(0u, lead.notifications(null, null, null).unread)

        // Join requests switched off: the next one reaches nobody.
        val off = TopicChannel(NotificationTopic.JOIN_REQUEST, NotificationChannel.OFF)
        assertEquals(1uL, lead.setNotificationPreferences(NotificationChoices(listOf(off), listOf()), 0uL).version)
        guest.requestToJoin(group.card.id, "Hillside")
        kit.notifyDue(100u)
        assertEquals(1, lead.notifications(null, null, null).items.size)
    }

    @Test
    fun aFailingListenerDoesNotUndoTheChange() = runBlocking {
        kit.addListener(object : CopkitListener {
            override fun onEvent(event: CopkitEvent) = throw IllegalStateException("host bug")
        })
        val group = privateGroup()
        assertEquals("ST3 small group", lead.getCommunity(group.card.id).card.name)
        assertTrue(recorder.activities().any { it is ActivityKind.CommunityCreated })
    }

    @Test
    fun searchFindsOnlyWhatTheCallerMaySee() = runBlocking {
        val group = privateGroup()
        val leads = lead.createSpace(
            group.card.id,
            NewSpace("Leads", "", SpaceVisibility.Restricted(listOf("dr-lead"), listOf())),
        )
        lead.startThread(leads.id, NewThread(ThreadKind.DISCUSSION, "Succession", "The quokka plan", listOf()))
        val query = SearchQuery("quokka", listOf(SearchKind.THREAD), null, null, null, null)
        val found = lead.search(group.card.id, query, null, null)
        assertEquals(listOf("Succession"), found.items.map { it.title })
        assertTrue(found.items[0].snippet.any { it.highlighted && it.text == "quokka" })
        assertEquals(1, lead.searchMine(query, 10u, null).items.size)
        for (who in listOf(trainee, outsider)) {
            assertEquals(0, who.searchMine(query, null, null).items.size)
        }
        val blank = SearchQuery(" ", listOf(), null, null, null, null)
        val bad = assertThrows<CopkitException.Invalid> { runBlocking { lead.search(group.card.id, blank, null, null) } }
        assertEquals("q", bad.field)
    }

    @Test
    fun pagesFollowTheirCursor() = runBlocking {
        val group = privateGroup()
        val space = lead.createSpace(group.card.id, NewSpace("Threads", "", SpaceVisibility.Members))
        repeat(5) { lead.startThread(space.id, NewThread(ThreadKind.DISCUSSION, "Thread $it", "", listOf())) }
        val first = lead.listThreads(space.id, 3u, null)
        val second = lead.listThreads(space.id, 3u, first.next)
        assertEquals(listOf(3, 2), listOf(first.items.size, second.items.size))
        assertEquals(null, second.next)
        assertEquals((0..4).map { "Thread $it" }.toSet(), (first.items + second.items).map { it.title }.toSet())
        val bad = assertThrows<CopkitException.Invalid> { runBlocking { lead.listThreads(space.id, 3u, first.next + "x") } }
        assertEquals("cursor", bad.field)
    }

    @Test
    fun moderationDigestsAndDataRights() = runBlocking {
        val group = privateGroup()
        val community = group.card.id
        val space = lead.createSpace(community, NewSpace("Cases", "", SpaceVisibility.Members))
        val thread = lead.startThread(space.id, NewThread(ThreadKind.DISCUSSION, "Safeguarding", "", listOf()))
        val post = lead.addPost(thread.id, NewPost("Names a child", null))
        val target = ContentRef.Post(post.id)
        val report = lead.reportContent(community, NewReport(target, ReportReason.PATIENT_IDENTIFIABLE, "A name"))
        assertEquals(listOf(report.id), lead.listReports(community, ReportStatus.OPEN, null, null).items.map { it.id })
        val entry = lead.moderate(community, Moderation(target, ContentDecision.HIDE, "Identifiable", report.id))
        assertEquals(ModerationAction.HIDDEN, entry.action)
        assertEquals(listOf(entry.id), lead.moderationLog(community, null, null).items.map { it.id })
        val stale = assertThrows<CopkitException.Conflict> {
            runBlocking { lead.moderate(community, Moderation(target, ContentDecision.HIDE, "Again", null)) }
        }
        assertEquals("wrong_state", stale.code)

        val schedule = lead.setDigestPreference(
            DigestPreference(DigestFrequency.WEEKLY, 18u, "Europe/London", Weekday.FRIDAY),
        )
        assertTrue(schedule.nextDue != null)
        val badHour = assertThrows<CopkitException.Invalid> {
            runBlocking { lead.setDigestPreference(DigestPreference(DigestFrequency.DAILY, 24u, "Europe/London", Weekday.MONDAY)) }
        }
        assertEquals("hour", badHour.field)

        val lastOwner = assertThrows<CopkitException.Conflict> { runBlocking { lead.eraseMyAccount() } }
        assertEquals("hand_over_first", lastOwner.code)
        assertEquals(1, lead.exportMyData().memberships.size)
        trainee.eraseMyAccount()
        val after = trainee.exportMyData()
        assertEquals(null, after.profile)
        assertTrue(after.activity.isEmpty() && after.memberships.isEmpty())
    }
}
