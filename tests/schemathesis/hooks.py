"""Schemathesis hooks for copkit.

Pagination cursors are opaque, server-issued and signed: a cursor the server
did not issue for that very list is rejected with 400 `invalid_cursor` by
design (DESIGN §5). A randomly drawn cursor is therefore never a valid
request, whatever the schema's string type says. In positive cases (those
meant to be accepted) a drawn cursor is dropped before the call; negative
cases keep theirs and are rejected as they should be. Every check stays
enabled.

A report's period (`from`, `to`) must not be reversed nor longer than 366
days: a rule across two parameters that JSON Schema cannot state (each
date's range is in the schema). Positive cases get a period that keeps it
(the dates swapped, the start moved up); negative cases are left alone.

An `Idempotency-Key` names one request: the same key with another body is
refused (422 `idempotency_key_reused`) by design, and the API tests check
that. Drawn keys repeat (the generator favours "00000000"), so each
positive case gets a fresh key, as a real client's new request would.

An upload's bytes must be of the type it declares, and a body sent as
`application/octet-stream` (how the document describes upload bodies) needs
that type in its `content_type` query parameter: another rule across two
parts of the request that JSON Schema cannot state. Positive upload cases
get the type of the image or PDF the generator drew, or else a short text
body declared `text/plain`; negative cases are left alone.
"""

import datetime
import re
import uuid
from collections.abc import MutableMapping

import schemathesis


@schemathesis.hook
def before_call(ctx, case, kwargs):
    meta = getattr(case, "meta", None)
    positive = meta is not None and meta.generation.mode.is_positive
    if positive and isinstance(case.query, MutableMapping):
        case.query.pop("cursor", None)
        keep_period_rule(case.query)
        if case.method.upper() == "POST" and UPLOADS.search(case.path):
            keep_upload_type_rule(case)
    fresh_idempotency_keys(case.headers)
    fresh_idempotency_keys(kwargs.get("headers"))


VALID_KEY = re.compile(r"^[A-Za-z0-9_-]{8,128}$")


def fresh_idempotency_keys(headers):
    """A well-formed drawn key becomes a fresh one (still well-formed, so a
    case's validity is unchanged); a malformed one is kept for the API to
    refuse. Schemathesis hands over its own case-insensitive mapping, not a
    dict."""
    if not isinstance(headers, MutableMapping):
        return
    for name in list(headers):
        value = headers[name]
        if name.lower() == "idempotency-key" and isinstance(value, str) and VALID_KEY.match(value):
            headers[name] = uuid.uuid4().hex


def keep_period_rule(query):
    """Swaps a reversed period and shortens one over 366 days."""
    try:
        start = datetime.date.fromisoformat(str(query["from"]))
        end = datetime.date.fromisoformat(str(query["to"]))
    except (KeyError, ValueError):
        return
    if start > end:
        start, end = end, start
    if (end - start).days >= 366:
        start = end - datetime.timedelta(days=365)
    query["from"], query["to"] = start.isoformat(), end.isoformat()


UPLOADS = re.compile(r"/(documents|versions)$")
MAGIC_TYPES = [
    (b"\x89PNG", "image/png"),
    (b"GIF8", "image/gif"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"%PDF", "application/pdf"),
]


def keep_upload_type_rule(case):
    """Declares the type of a drawn image or PDF; any other body becomes a
    short text declared `text/plain`."""
    body = case.body if isinstance(case.body, bytes) else None
    for magic, content_type in MAGIC_TYPES:
        if body is not None and body.startswith(magic):
            case.query["content_type"] = content_type
            return
    case.body = b"Uploaded by the API contract test.\n"
    case.query["content_type"] = "text/plain"
