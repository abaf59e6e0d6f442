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


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("MOTO_PORT", str(port))
    back_up_each_table_once()
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
