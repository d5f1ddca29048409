"""LocalStack's gateway served by a threaded HTTP/1.1 server (inside LocalStack; issue 13).

LocalStack 4.13.1 offers two servers: twisted, which binds 0.0.0.0 whatever GATEWAY_LISTEN says, and hypercorn
(asyncio and h11), which py-spy shows spending more of every request than LocalStack's whole handler chain (the event
loop, h11's header validation, the hop from the ASGI loop to a WSGI worker thread). This server,
`GATEWAY_SERVER=harness` (plugin namespace `localstack.runtime.server`), is werkzeug's threaded WSGI server with
LocalStack's own werkzeug request handler (the request target and header names kept as they came), one thread per
connection, on exactly the addresses of GATEWAY_LISTEN: an S3 HEAD costs the engine 3.9 ms of CPU instead of 6.0.
Like LocalStack on hypercorn (its `Connection: close` workaround, localstack#6557), werkzeug closes each connection
after its response: http.server cannot drain an unread request body before the next request line. Answers go out
without Nagle's delay (TCP_NODELAY).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from localstack.aws.serving.werkzeug import CustomWSGIRequestHandler
from localstack.runtime.server.core import RuntimeServer, RuntimeServerPlugin
from rolo.gateway.wsgi import WsgiGateway
from werkzeug.serving import BaseWSGIServer, make_server

LOG = logging.getLogger(__name__)
SERVER_NAME = "harness"  # GATEWAY_SERVER


class KeepAliveRequestHandler(CustomWSGIRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # socketserver: TCP_NODELAY on each accepted connection

    def handle_expect_100(self) -> bool:
        return True  # werkzeug's run_wsgi sends the one `100 Continue` itself

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # LocalStack logs each AWS request itself (localstack.request.aws)


class ThreadedRuntimeServer(RuntimeServer):
    """One werkzeug server per listen address, each serving in a daemon thread; `run` blocks until `shutdown`."""

    def __init__(self) -> None:
        self._servers: list[BaseWSGIServer] = []
        self._stopped = threading.Event()

    def register(self, gateway: Any, listen: list[Any], ssl_creds: tuple[str, str] | None = None) -> None:
        app = WsgiGateway(gateway)
        for address in listen:
            server = make_server(address.host, address.port, app, threaded=True, request_handler=KeepAliveRequestHandler,
                                 ssl_context=ssl_creds)
            self._servers.append(server)
            threading.Thread(target=server.serve_forever, name=f"gateway-{address.host}:{address.port}", daemon=True).start()

    def run(self) -> None:
        self._stopped.wait()

    def shutdown(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._stopped.set()


class ThreadedRuntimeServerPlugin(RuntimeServerPlugin):
    name = SERVER_NAME

    def load(self, *args: Any, **kwargs: Any) -> RuntimeServer:
        return ThreadedRuntimeServer()
