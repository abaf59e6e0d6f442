"""Copkit.open(path): a portal's records and document bytes survive the
process. One process writes a group, a question and a document; a fresh
Python process opens the same file and reads everything back. A file that
is not a copkit database is refused untouched."""

import asyncio
import hashlib
import json
import subprocess
import sys
import textwrap

import pytest

from copkit import (
    Access,
    CommunityKind,
    Copkit,
    CopkitError,
    JoinPolicy,
    NewCommunity,
    NewDocument,
    NewSpace,
    NewThread,
    SpaceVisibility,
    ThreadKind,
)

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 8

READ_BACK = textwrap.dedent(
    """
    import asyncio, json, sys
    from copkit import Copkit

    async def main(path):
        kit = await Copkit.open(path)
        lead = kit.session("dr-lead", "Dr Lead", None)
        mine = await lead.my_communities(None, None)
        group = mine.items[0].card
        space = (await lead.list_spaces(group.id))[0]
        threads = await lead.list_threads(space.id, None, None)
        docs = await lead.list_documents(space.id, None, None)
        download = await lead.download_document(docs.items[0].id, None)
        print(json.dumps({
            "slug": group.slug,
            "threads": [t.title for t in threads.items],
            "document": docs.items[0].title,
            "bytes": download.bytes.hex(),
        }))

    asyncio.run(main(sys.argv[1]))
    """
)


def test_records_and_bytes_survive_a_fresh_process(tmp_path):
    path = str(tmp_path / "portal.db")

    async def write():
        kit = await Copkit.open(path)
        lead = kit.session("dr-lead", "Dr Lead", None)
        group = await lead.create_community(
            NewCommunity(
                slug="practice-team",
                name="Riverside practice team",
                purpose="",
                kind=CommunityKind.PRACTICE_TEAM,
                access=Access.PRIVATE(join_policy=JoinPolicy.INVITE_ONLY),
                join_question=None,
            )
        )
        space = await lead.create_space(
            group.card.id,
            NewSpace(name="Significant events", description="", visibility=SpaceVisibility.MEMBERS()),
        )
        await lead.start_thread(
            space.id,
            NewThread(kind=ThreadKind.DISCUSSION, title="Learning from a missed referral", body="", tags=[]),
        )
        await lead.upload_document(
            space.id,
            NewDocument(title="SEA template", description="", tags=[], content_type="application/pdf",
                        sha256=hashlib.sha256(PDF).hexdigest(), bytes=PDF),
        )

    asyncio.run(write())

    out = subprocess.run(
        [sys.executable, "-c", READ_BACK, path], check=True, capture_output=True, text=True
    ).stdout
    seen = json.loads(out)
    assert seen == {
        "slug": "practice-team",
        "threads": ["Learning from a missed referral"],
        "document": "SEA template",
        "bytes": PDF.hex(),
    }


def test_a_file_that_is_not_a_copkit_database_is_refused_untouched(tmp_path):
    path = tmp_path / "notes.db"
    noise = bytes((i * 7919) % 251 for i in range(4096))
    path.write_bytes(noise)

    async def attempt():
        await Copkit.open(str(path))

    with pytest.raises(CopkitError.Invalid) as refused:
        asyncio.run(attempt())
    assert refused.value.field == "path"
    assert "not a copkit database" in refused.value.reason
    assert path.read_bytes() == noise
