"""Calls copkit-local through the Python client openapi-python-client
generated from its /openapi.json (importable as `copkit_api`):

usage: smoke.py BASE_URL TOKEN

Signs in with the demo token, lists the caller's communities and a space,
uploads a document the way a generated client sends bytes
(`application/octet-stream` with the type in the query), finds it in the
library, and reads typed problems for an untyped upload and a missing id.
"""

import io
import sys

from copkit_api import AuthenticatedClient
from copkit_api.api.documents import documents_list, upload
from copkit_api.api.me import my_communities
from copkit_api.api.communities import get_community
from copkit_api.api.spaces import spaces_list
from copkit_api.models import ContentType, Document, PageDocument, Problem
from copkit_api.types import File


def main(base_url: str, token: str) -> None:
    client = AuthenticatedClient(base_url=base_url, token=token)

    mine = my_communities.sync(client=client, limit=10)
    assert mine is not None and not isinstance(mine, Problem), mine
    assert mine.items, "the demo user belongs to no community"
    community = mine.items[0].card.id

    spaces = spaces_list.sync(community, client=client)
    assert isinstance(spaces, list) and spaces, spaces
    space = spaces[0].id

    added = upload.sync(
        space,
        client=client,
        body=File(payload=io.BytesIO(b"Minutes of the March meeting\n"), file_name="minutes.txt"),
        title="Generated client minutes",
        tags="minutes",
        content_type=ContentType.TEXT_PLAIN,
    )
    assert isinstance(added, Document), added
    assert added.content_type == "text/plain", added.content_type
    assert added.size == len(b"Minutes of the March meeting\n"), added.size

    library = documents_list.sync(space, client=client, limit=100)
    assert isinstance(library, PageDocument), library
    assert added.id in [d.id for d in library.items], "the upload is not in the library"

    untyped = upload.sync_detailed(
        space,
        client=client,
        body=File(payload=io.BytesIO(b"what am I?"), file_name="unknown"),
        title="No type given",
    )
    assert untyped.status_code == 415, untyped.status_code
    assert isinstance(untyped.parsed, Problem), untyped.parsed
    assert untyped.parsed.code == "unsupported_media_type", untyped.parsed.code

    missing = get_community.sync_detailed("01JAAAAAAAAAAAAAAAAAAAAAAA", client=client)
    assert missing.status_code == 404, missing.status_code
    assert isinstance(missing.parsed, Problem) and missing.parsed.code == "not_found", missing.parsed

    print(f"generated Python client: uploaded {added.id} to space {space} and read typed problems")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
