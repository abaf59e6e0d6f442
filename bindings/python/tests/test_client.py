"""CopkitClient: the same Session, on a copkit API. copkit-local is started
on a fresh SQLite data folder with its demo data; an outsider signs in,
finds the appraisers' community, joins, posts, answers an event, uploads
and downloads a document with progress, and reads the digest. Then the
typed errors, the token refresh, and reading while the server is gone."""

import asyncio
import datetime
import os
import pathlib
import subprocess
import tempfile

import pytest

import copkit
from copkit import (
    ClientOptions,
    CopkitClient,
    CopkitError,
    CopkitTokenProvider,
    EventInput,
    NewDocument,
    NewPost,
    NewThread,
    RsvpResponse,
    ThreadKind,
    TransferProgress,
)

ROOT = pathlib.Path(__file__).resolve().parents[3]
BINARY = os.environ.get("COPKIT_LOCAL", str(ROOT / "target" / "debug" / "copkit-local"))


class Server:
    """copkit-local --demo on a free port and a fresh data folder."""

    def __init__(self):
        self.data = tempfile.TemporaryDirectory()
        self.process = subprocess.Popen(
            [BINARY, "--demo", "--addr", "127.0.0.1:0", "--data-dir", self.data.name],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            env={**os.environ, "COPKIT_JWT_SECRET": "python-client-secret"},
        )
        self.tokens, self.base, user = {}, None, None
        for line in self.process.stdout:
            if line.startswith("copkit-local listening on "):
                self.base = line.split()[3]
            stripped = line.strip()
            if " — " in stripped:
                user = stripped.split(" — ")[0]
            if stripped.startswith("TOKEN=") and user:
                self.tokens[user] = stripped[len("TOKEN="):]
            if stripped.startswith("Try (as"):
                break
        assert self.base and "outsider" in self.tokens, "copkit-local did not start"

    def stop(self):
        self.process.kill()
        self.process.wait()
        self.data.cleanup()


class Tokens(CopkitTokenProvider):
    """The app's sign-in: a token, and a fresh one when asked to refresh."""

    def __init__(self, token, stale=None):
        self.current, self.fresh, self.asked = stale or token, token, []

    def token(self, refresh):
        self.asked.append(refresh)
        if refresh:
            self.current = self.fresh
        return self.current


class Progress(TransferProgress):
    def __init__(self):
        self.reports = []

    def progress(self, done, total):
        self.reports.append((done, total))


@pytest.fixture(scope="module")
def server():
    s = Server()
    yield s
    s.stop()


def run(coroutine):
    return asyncio.run(coroutine)


def test_an_outsider_joins_posts_answers_shares_and_reads_the_digest(server):
    async def story():
        outsider = await CopkitClient(server.base, Tokens(server.tokens["outsider"])).session()
        andrew = await CopkitClient(server.base, Tokens(server.tokens["andrew"])).session()
        assert outsider.is_remote() and outsider.user() == "outsider"
        assert isinstance(outsider.now(), datetime.datetime)

        # find a community, join it
        found = await outsider.directory(None, "wessex", None, None)
        sig = next(c for c in found.items if c.slug == "wessex-gp-appraisers")
        membership = await outsider.join(sig.id)
        assert membership.role == copkit.Role.MEMBER
        assert isinstance(membership.joined_at, datetime.datetime)
        general = next(s for s in await outsider.list_spaces(sig.id) if s.name == "General")

        # post: a question and a reply
        thread = await outsider.start_thread(general.id, NewThread(
            kind=ThreadKind.QUESTION, title="Portfolio with no reflections?",
            body="How do you open that conversation?", tags=["appraisal"]))
        reply = await andrew.add_post(thread.id, NewPost(body="Ask for one case that changed them.", parent=None))
        posts = await outsider.list_posts(thread.id, None, None)
        assert [p.id for p in posts.items][-1] == reply.id

        # an event far ahead, answered
        event = await andrew.schedule_event(general.id, EventInput(
            title="Appraisers' forum", description="", location="Winchester", online_url=None,
            time_zone="Europe/London", start_date="2030-03-05", start_time="18:30",
            duration_minutes=90, recurrence=None, capacity=None))
        start = datetime.datetime(2030, 3, 1, tzinfo=datetime.timezone.utc)
        occurrences = await outsider.event_occurrences(event.id, start, start + datetime.timedelta(days=14))
        assert [o.key for o in occurrences] == ["2030-03-05T18:30:00"]
        assert occurrences[0].starts_at == datetime.datetime(2030, 3, 5, 18, 30, tzinfo=datetime.timezone.utc)
        rsvp = await outsider.rsvp(event.id, occurrences[0].key, RsvpResponse.GOING)
        assert rsvp.response == RsvpResponse.GOING
        assert (await andrew.rsvp_tally(event.id, occurrences[0].key)).going == 1

        # a document up (ticket, bytes, filing) and down, bytes checked
        data = b"# Reflection prompts\n\n- What changed your practice?\n" * 50
        up = Progress()
        document = await outsider.upload_new_document(general.id, NewDocument(
            title="Reflection prompts", description="For appraisees", tags=["appraisal"],
            content_type="text/markdown", sha256=None, bytes=data), up)
        assert up.reports[-1] == (len(data), len(data))
        down = Progress()
        download = await outsider.download_document_with_progress(document.id, None, down)
        assert download.bytes == data and download.version.sha256
        assert down.reports[-1] == (len(data), len(data))

        # andrew's reply reaches the outsider's inbox once copkit-local's
        # producer has run (every few seconds)
        for _ in range(100):
            inbox = await outsider.notifications(None, None, None)
            if any(n.kind.thread == thread.id for n in inbox.items
                   if isinstance(n.kind, copkit.NotificationKind.REPLIED)):
                break
            await asyncio.sleep(0.1)
        replied = next(n for n in inbox.items if isinstance(n.kind, copkit.NotificationKind.REPLIED))
        assert replied.actor == "andrew" and replied.title == "Portfolio with no reflections?"
        assert (await outsider.mark_notification_read(replied.id)).read_at is not None
        # The producer may add more meanwhile (the event's notice): the
        # count is checked against the page it came with.
        after = await outsider.notifications(None, None, None)
        assert next(n for n in after.items if n.id == replied.id).read_at is not None
        assert after.unread == sum(1 for n in after.items if n.read_at is None)
        link = await outsider.renew_calendar_feed(None)
        assert link.url.endswith(f"/calendar/{link.token}.ics")
        await outsider.stop_calendar_feed()

        # the digest
        digest = await outsider.preview_digest()
        assert digest.to == "outsider"
        assert "Wessex GP appraisers" in digest.text

    run(story())


def test_errors_are_typed_and_a_refused_token_is_refreshed(server):
    async def story():
        tokens = Tokens(server.tokens["outsider"], stale="expired-token")
        outsider = await CopkitClient(server.base, tokens).session()
        assert tokens.asked[:2] == [False, True]
        mine = await outsider.my_communities(None, None)
        trainers = await outsider.directory(None, "wessex-trainers", None, None)
        assert trainers.items == []  # a secret community is not listed
        with pytest.raises(CopkitError.NotFound):
            await outsider.get_community_by_slug("wessex-trainers-circle")
        st3 = await outsider.get_community_by_slug("mid-wessex-st3-small-group")
        with pytest.raises(CopkitError.Forbidden):
            await outsider.create_space(st3.card.id, copkit.NewSpace(
                name="Mine", description="", visibility=copkit.SpaceVisibility.MEMBERS()))
        me = await outsider.my_profile()
        await outsider.update_my_profile(copkit.ProfileChanges(handle="alex_outsider"), me.version)
        with pytest.raises(CopkitError.Conflict) as stale:
            await outsider.update_my_profile(copkit.ProfileChanges(handle="alex_two"), me.version)
        assert stale.value.code == "version_conflict"
        with pytest.raises(CopkitError.Invalid) as invalid:
            await outsider.update_my_profile(copkit.ProfileChanges(display_name=" padded"), me.version + 1)
        assert invalid.value.field == "display_name"
        with pytest.raises(CopkitError.Unsupported):
            await outsider.announce_upcoming(24)
        return mine

    run(story())
    with pytest.raises(CopkitError.Unauthorized):
        run(CopkitClient(server.base, Tokens("not-a-token")).session())


def test_reads_are_shown_from_the_cache_while_the_server_is_gone():
    server = Server()
    cache = tempfile.TemporaryDirectory()
    options = ClientOptions(cache_path=os.path.join(cache.name, "cache.db"), max_attempts=1)
    client = CopkitClient.with_options(server.base, Tokens(server.tokens["sam"]), options)

    async def online():
        sam = await client.session()
        return sam, await sam.my_communities(None, None)

    sam, seen = run(online())
    assert client.stale_since() is None
    server.stop()

    async def offline():
        return await sam.my_communities(None, None)

    again = run(offline())
    assert again == seen
    assert isinstance(client.stale_since(), datetime.datetime)
    with pytest.raises(CopkitError.Network):
        run(sam.list_outbox(None, None))
    cache.cleanup()
