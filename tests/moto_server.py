"""moto's server with each request applied atomically.

DynamoDB applies every request (a TransactWriteItems call above all)
atomically. moto's server handles requests on several threads without a
lock around them, so two racing conditional writes can both pass their
condition: the race tests of the conformance suite would be testing moto,
not copkit. This runs moto's own WSGI application with one lock around each
request.

One more change, to moto's speed only: before a TransactWriteItems call,
moto backs up each table the call writes (to roll back if an item fails),
but it does so once per *item*, so a call of 100 items deep-copied the
whole table (its stream records included) a hundred times, and a test
writing a few hundred items spent minutes in copies. Here each table is
copied once per call: the same backup, the same results.

And one more: moto renders every answer by walking the service model and,
for each member of each value, trying a list of aliases for its name (a
profile of one DynamoDB-heavy test: two thirds of moto's time). When the
value is a plain dict, the names the walk could try are looked up at once:
none present is a missing member, only the member's own name is its value,
anything else takes moto's own walk. The same answers, without the walk.

    python tests/moto_server.py 127.0.0.1 5000
"""

import copy
import os
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


def back_up_each_table_once() -> None:
    """Makes moto's TransactWriteItems copy each table once per call."""
    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    # Fail loudly if a moto upgrade changed what this relies on.
    assert models.copy is copy, "moto.dynamodb.models no longer uses copy.deepcopy"
    write = models.DynamoDBBackend.transact_write_items

    class OncePerTable:
        """`copy` as moto's DynamoDB models see it during one call."""

        def __init__(self) -> None:
            self.tables: dict[int, Table] = {}

        def deepcopy(self, value, memo=None):
            if isinstance(value, Table):
                if id(value) not in self.tables:
                    self.tables[id(value)] = copy.deepcopy(value)
                return self.tables[id(value)]
            return copy.deepcopy(value, memo)

    def transact_write_items(self, transact_items):
        # Safe to swap: requests run one at a time (see main).
        models.copy = OncePerTable()
        try:
            return write(self, transact_items)
        finally:
            models.copy = copy

    models.DynamoDBBackend.transact_write_items = transact_write_items


def pick_dict_members_directly() -> None:
    """Answers moto's member look-ups on plain dicts without the alias walk."""
    from botocore import xform_name
    from moto.core import serialize

    picker = serialize.AttributePicker
    walk = picker.__call__
    # Fail loudly if a moto upgrade changed the aliases the walk tries: the
    # names below cover exactly these.
    assert serialize.DEFAULT_ALIAS_PROVIDERS == [
        serialize.ExplicitAlias,
        serialize.ShapeNameAlias,
        serialize.NoAlias,
        serialize.ShapePrefixAlias,
        serialize.ClassPrefixAlias,
        serialize.ModelAlias,
    ], "moto's alias providers changed"

    def pick(self, context):
        obj, key, shape = context.obj, context.key, context.shape
        if type(obj) is not dict or "." in key or self.response_transformers:
            return walk(self, context)
        # Every name the walk could try (a superset: the shape's name, its
        # serialised name, the key without its parent's or the class's
        # name in front), each also in snake_case. A dict has no Meta
        # (ExplicitAlias).
        names = [key]
        if shape is not None:
            names.append(shape.name)
            names.append(shape.serialization.get("name", key))
            parent = getattr(shape, "parent", None)
            if parent is not None and key.lower().startswith(parent.name.lower()):
                names.append(key[len(parent.name) :])
        if key.lower().startswith("dict"):
            names.append(key[len("dict") :])
        present = {n for n in names + [xform_name(n) for n in names] if n in obj}
        if not present:
            return None
        if present == {key}:
            return obj[key]
        return walk(self, context)

    picker.__call__ = pick


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("MOTO_PORT", str(port))
    back_up_each_table_once()
    pick_dict_members_directly()
    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def one_at_a_time(environ, start_response):
        with lock:
            return list(app(environ, start_response))

    run_simple(
        host,
        port,
        one_at_a_time,
        threaded=True,
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main()
