"""HTTP header blocks read into the same `HTTPMessage` as the standard library makes, without the email package for a
plain block (inside LocalStack; issue 13).

Every HTTP request the engine serves, the gateway's and each Lambda Runtime API call (`/next` and the response, two
per invocation), and every answer its internal clients read go through `http.client.parse_headers`. That reads the
header lines (`_read_headers`, which enforces the line length and count limits) and hands them to the email package's
feed parser, which was ~70 % of the Runtime API's own Python work per invocation (py-spy).

`parse_headers` here reads the lines the same way, and when every line is a plain `Name: value` line stores them as
that parser stores them (compat32's `header_source_parse`: the value without leading blanks and its line end, through
`Message.set_raw`), with the empty payload it sets. Anything else, a folded line, a line without a name and colon, a
bare CR, no blank line at the end, or a multipart or message content type (whose parts that parser looks for), goes to
the email package as before. `tests/test_http_header_parsing.py` holds both to the same result.
"""

from __future__ import annotations

import email.parser
import http.client
import re
from typing import IO, Any

# the feed parser's header line: a name of printable ASCII without blank or colon (its headerRE), then the colon
_PLAIN_HEADER_LINE = re.compile(r"([\041-\071\073-\176]+):([^\r\n]*)\r?\n")
_PARSED_PARTS = ("multipart/", "message/")  # content types the feed parser looks into


def plain_header_lines(lines: list[str], message_class: type) -> Any | None:
    """The message the feed parser makes of these lines (the last one blank), or None unless every line is plain."""
    if lines[-1] not in ("\r\n", "\n"):
        return None
    message = message_class()
    for line in lines[:-1]:
        match = _PLAIN_HEADER_LINE.fullmatch(line)
        if match is None:
            return None
        name, value = match.groups()
        if name.lower() == "content-type" and value.lstrip().lower().startswith(_PARSED_PARTS):
            return None
        message.set_raw(name, value.lstrip(" \t"))
    message.set_payload("")
    return message


def parse_headers(fp: IO[bytes], _class: type = http.client.HTTPMessage) -> Any:
    """`http.client.parse_headers`, with a plain header block stored without the email package."""
    lines = [line.decode("iso-8859-1") for line in http.client._read_headers(fp)]
    message = plain_header_lines(lines, _class)
    if message is None:
        message = email.parser.Parser(_class=_class).parsestr("".join(lines))
    return message


def read_plain_headers_directly() -> None:
    """From now on, this process's HTTP servers and clients read a plain header block without the email package."""
    http.client.parse_headers = parse_headers
