"""Schemathesis hooks for copkit.

Pagination cursors are opaque, server-issued and signed: a cursor the server
did not issue for that very list is rejected with 400 `invalid_cursor` by
design (DESIGN §5). A randomly drawn cursor is therefore never a valid
request, whatever the schema's string type says. In positive cases (those
meant to be accepted) a drawn cursor is dropped before the call; negative
cases keep theirs and are rejected as they should be. Every check stays
enabled.
"""

import schemathesis


@schemathesis.hook
def before_call(ctx, case, kwargs):
    meta = getattr(case, "meta", None)
    positive = meta is not None and meta.generation.mode.is_positive
    if positive and isinstance(case.query, dict):
        case.query.pop("cursor", None)
