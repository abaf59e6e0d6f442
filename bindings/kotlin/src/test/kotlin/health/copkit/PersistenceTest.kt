package health.copkit

import health.copkit.core.Access
import health.copkit.core.CommunityKind
import health.copkit.core.CopkitException
import health.copkit.core.JoinPolicy
import health.copkit.core.NewCommunity
import health.copkit.core.NewDocument
import health.copkit.core.NewSpace
import health.copkit.core.NewThread
import health.copkit.core.SpaceVisibility
import health.copkit.core.ThreadKind
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.nio.file.Path
import java.security.MessageDigest

private val PDF: ByteArray = "%PDF-1.7\n".toByteArray() + ByteArray(2048) { (it % 251).toByte() }

/** Run in a fresh JVM by [PersistenceTest]: opens the file and prints what it holds. */
object ReadBack {
    @JvmStatic
    fun main(args: Array<String>) = runBlocking {
        val kit = Copkit.open(args[0])
        val lead = kit.session("dr-lead", "Dr Lead", null)
        val group = lead.myCommunities(null, null).items.first().card
        val space = lead.listSpaces(group.id).first()
        val threads = lead.listThreads(space.id, null, null).items.map { it.title }
        val doc = lead.listDocuments(space.id, null, null).items.first()
        val bytes = lead.downloadDocument(doc.id, null).bytes
        File(args[1]).writeBytes(bytes)
        println("${group.slug}|${threads.joinToString(",")}|${doc.title}")
    }
}

/** `Copkit.open(path)`: records and document bytes survive the process. */
class PersistenceTest {
    @Test
    fun recordsAndBytesSurviveAFreshProcess(@TempDir dir: Path) {
        val path = dir.resolve("portal.db").toString()
        runBlocking {
            val kit = Copkit.open(path)
            val lead = kit.session("dr-lead", "Dr Lead", null)
            val group = lead.createCommunity(
                NewCommunity(
                    "practice-team", "Riverside practice team", "", CommunityKind.PRACTICE_TEAM,
                    Access.Private(JoinPolicy.INVITE_ONLY), null,
                )
            )
            val space = lead.createSpace(
                group.card.id, NewSpace("Significant events", "", SpaceVisibility.Members),
            )
            lead.startThread(
                space.id, NewThread(ThreadKind.DISCUSSION, "Learning from a missed referral", "", listOf()),
            )
            val sha = MessageDigest.getInstance("SHA-256").digest(PDF).joinToString("") { "%02x".format(it) }
            lead.uploadDocument(
                space.id, NewDocument("SEA template", "", listOf(), "application/pdf", sha, PDF),
            )
            kit.close()
        }

        val bytesOut = dir.resolve("downloaded.bin").toFile()
        val java = File(System.getProperty("java.home"), "bin/java").path
        val process = ProcessBuilder(
            java,
            "-cp", System.getProperty("java.class.path"),
            "-Djna.library.path=" + System.getProperty("jna.library.path"),
            ReadBack::class.java.name, path, bytesOut.path,
        ).redirectErrorStream(true).start()
        val output = process.inputStream.bufferedReader().readText()
        assertEquals(0, process.waitFor(), output)
        assertEquals(
            "practice-team|Learning from a missed referral|SEA template",
            output.lines().last { it.isNotBlank() },
        )
        assertArrayEquals(PDF, bytesOut.readBytes())
    }

    @Test
    fun aFileThatIsNotACopkitDatabaseIsRefusedUntouched(@TempDir dir: Path) {
        val file = dir.resolve("notes.db").toFile()
        val noise = ByteArray(4096) { ((it * 7919) % 251).toByte() }
        file.writeBytes(noise)
        val refused = assertThrows<CopkitException.Invalid> {
            runBlocking { Copkit.open(file.path) }
        }
        assertEquals("path", refused.field)
        assertTrue(refused.reason.contains("not a copkit database"), refused.reason)
        assertArrayEquals(noise, file.readBytes())
    }
}
