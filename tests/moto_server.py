"""moto's server with each request applied atomically.

DynamoDB applies every request (a TransactWriteItems call above all)
atomically. moto's server handles requests on several threads without a
lock around them, so two racing conditional writes can both pass their
condition: the race tests of the conformance suite would be testing moto,
not copkit. This runs moto's own WSGI application with one lock around each
request; everything else is moto unchanged.

    python tests/moto_server.py 127.0.0.1 5000
"""

import os
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("MOTO_PORT", str(port))
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
