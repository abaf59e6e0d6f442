package health.copkit

import health.copkit.core.CopkitException
import health.copkit.core.EventInput
import health.copkit.core.NewDocument
import health.copkit.core.NewPost
import health.copkit.core.NewThread
import health.copkit.core.ProfileChanges
import health.copkit.core.Role
import health.copkit.core.RsvpResponse
import health.copkit.core.ThreadKind
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.time.Instant
import java.util.concurrent.CopyOnWriteArrayList

/** copkit-local --demo on a free port and a fresh data folder. */
class LocalServer {
    private val data: File = Files.createTempDirectory("copkit-kotlin-client").toFile()
    private val process: Process
    val base: String
    val tokens = mutableMapOf<String, String>()

    init {
        val binary = System.getenv("COPKIT_LOCAL") ?: error("COPKIT_LOCAL names the copkit-local binary")
        process = ProcessBuilder(binary, "--demo", "--addr", "127.0.0.1:0", "--data-dir", data.path)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .also { it.environment()["COPKIT_JWT_SECRET"] = "kotlin-client-secret" }
            .start()
        val lines = process.inputStream.bufferedReader()
        var found: String? = null
        var user: String? = null
        while (true) {
            val line = lines.readLine() ?: error("copkit-local stopped early")
            val text = line.trim()
            if (line.startsWith("copkit-local listening on ")) found = line.split(" ")[3]
            if (" — " in text) user = text.substringBefore(" — ")
            if (text.startsWith("TOKEN=") && user != null) tokens[user] = text.removePrefix("TOKEN=")
            if (text.startsWith("Try (as")) break
        }
        base = found ?: error("no listening line")
        // Keep reading, or the server's next line would hit a full pipe.
        Thread { lines.forEachLine { } }.apply { isDaemon = true }.start()
    }

    fun stop() {
        process.destroy()
        process.waitFor()
        data.deleteRecursively()
    }
}

/** The app's sign-in: a token, and a fresh one when asked to refresh. */
class Tokens(private val fresh: String, stale: String? = null) : CopkitTokenProvider {
    private var current = stale ?: fresh
    val asked = CopyOnWriteArrayList<Boolean>()

    override fun token(refresh: Boolean): String {
        asked.add(refresh)
        if (refresh) current = fresh
        return current
    }
}

class Progress : TransferProgress {
    val reports = CopyOnWriteArrayList<Pair<ULong, ULong>>()

    override fun progress(done: ULong, total: ULong) {
        reports.add(done to total)
    }
}

/**
 * What a mobile app does against the deployed API, through `CopkitClient`:
 * the same `Session` as the embedded library. Sign in, find a community,
 * join, post, RSVP, upload and download a document, read the digest; then
 * typed errors, a refreshed token, and reading while the server is gone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientTest {
    private lateinit var server: LocalServer

    @BeforeAll
    fun start() {
        server = LocalServer()
    }

    @AfterAll
    fun stop() {
        server.stop()
    }

    @Test
    fun anOutsiderJoinsPostsAnswersSharesAndReadsTheDigest() = runBlocking {
        val outsider = CopkitClient(server.base, Tokens(server.tokens.getValue("outsider"))).session()
        val andrew = CopkitClient(server.base, Tokens(server.tokens.getValue("andrew"))).session()
        assertTrue(outsider.isRemote())
        assertEquals("outsider", outsider.user())

        val sig = outsider.directory(null, "wessex", null, null).items.first { it.slug == "wessex-gp-appraisers" }
        val membership = outsider.join(sig.id)
        assertEquals(Role.MEMBER, membership.role)
        assertTrue(membership.joinedAt is Instant)
        val general = outsider.listSpaces(sig.id).first { it.name == "General" }

        val thread = outsider.startThread(
            general.id,
            NewThread(ThreadKind.QUESTION, "Portfolio with no reflections?", "How do you open that conversation?", listOf("appraisal")),
        )
        val reply = andrew.addPost(thread.id, NewPost("Ask for one case that changed them.", null))
        assertEquals(reply.id, outsider.listPosts(thread.id, null, null).items.last().id)

        val event = andrew.scheduleEvent(
            general.id,
            EventInput(
                title = "Appraisers' forum", description = "", location = "Winchester", onlineUrl = null,
                timeZone = "Europe/London", startDate = "2030-03-05", startTime = "18:30",
                durationMinutes = 90u, recurrence = null, capacity = null,
            ),
        )
        val from = Instant.parse("2030-03-01T00:00:00Z")
        val occurrences = outsider.eventOccurrences(event.id, from, from + Duration.ofDays(14))
        assertEquals(listOf("2030-03-05T18:30:00"), occurrences.map { it.key })
        assertEquals(Instant.parse("2030-03-05T18:30:00Z"), occurrences.first().startsAt)
        assertEquals(RsvpResponse.GOING, outsider.rsvp(event.id, occurrences.first().key, RsvpResponse.GOING).response)
        assertEquals(1u, andrew.rsvpTally(event.id, occurrences.first().key).going)

        val data = "# Reflection prompts\n\n- What changed your practice?\n".repeat(50).toByteArray()
        val up = Progress()
        val document = outsider.uploadNewDocument(
            general.id,
            NewDocument("Reflection prompts", "For appraisees", listOf("appraisal"), "text/markdown", null, data),
            up,
        )
        assertEquals(data.size.toULong() to data.size.toULong(), up.reports.last())
        val down = Progress()
        val download = outsider.downloadDocumentWithProgress(document.id, null, down)
        assertArrayEquals(data, download.bytes)
        assertEquals(data.size.toULong() to data.size.toULong(), down.reports.last())

        val digest = outsider.previewDigest()
        assertEquals("outsider", digest.to)
        assertTrue("Wessex GP appraisers" in digest.text)
    }

    @Test
    fun errorsAreTypedAndARefusedTokenIsRefreshed() = runBlocking {
        val tokens = Tokens(server.tokens.getValue("priya"), stale = "expired-token")
        val priya = CopkitClient(server.base, tokens).session()
        assertEquals(listOf(false, true), tokens.asked.take(2))
        assertThrows<CopkitException.NotFound> { runBlocking { priya.getCommunityBySlug("no-such-group") } }
        val me = priya.myProfile()
        priya.updateMyProfile(ProfileChanges(handle = "priya_trainer"), me.version)
        val stale = assertThrows<CopkitException.Conflict> {
            runBlocking { priya.updateMyProfile(ProfileChanges(handle = "priya_two"), me.version) }
        }
        assertEquals("version_conflict", stale.code)
        val invalid = assertThrows<CopkitException.Invalid> {
            runBlocking { priya.updateMyProfile(ProfileChanges(displayName = " padded"), me.version + 1u) }
        }
        assertEquals("display_name", invalid.field)
        assertThrows<CopkitException.Unsupported> { runBlocking { priya.announceUpcoming(24u) } }
        assertThrows<CopkitException.Unauthorized> {
            runBlocking { CopkitClient(server.base, Tokens("not-a-token")).session() }
        }
        Unit
    }

    @Test
    fun readsComeFromTheCacheWhileTheServerIsGone(@TempDir dir: Path) = runBlocking {
        val own = LocalServer()
        val cache = dir.resolve("cache.db").toString()
        val client = CopkitClient.withOptions(
            own.base,
            Tokens(own.tokens.getValue("sam")),
            ClientOptions(cachePath = cache, maxAttempts = 1u),
        )
        val sam = client.session()
        val seen = sam.myCommunities(null, null)
        assertNull(client.staleSince())
        own.stop()
        assertEquals(seen, sam.myCommunities(null, null))
        assertNotNull(client.staleSince())
        assertThrows<CopkitException.Network> { runBlocking { sam.listOutbox(null, null) } }
        Unit
    }
}
