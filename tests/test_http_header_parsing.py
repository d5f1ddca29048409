"""http_header_parsing.parse_headers: the standard library's `http.client.parse_headers` result, with a plain header
block stored without the email package (issue 13)."""

from __future__ import annotations

import email.parser
import http.client
import io

import pytest

from harness.localstack_plugins import http_header_parsing

STDLIB_PARSE_HEADERS = http.client.parse_headers

PLAIN = [
    b"Host: 127.0.0.1:4566\r\nUser-Agent: aws-lambda-ric/2.0.10\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n",
    b"\r\n",  # no headers
    b"A: b\n\n",  # bare LF line ends
    b"Empty:\r\nSpaced:   v  \r\nTabbed: \tb\t\r\n\r\n",  # leading blanks dropped, trailing ones kept
    b"X-Amz-Meta-Name: caf\xe9\r\n\r\n",  # Latin-1, as HTTP's bytes are read
    b"A: 1\r\na: 2\r\nA: 3\r\n\r\n",  # repeated, in order
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n",
]
NOT_PLAIN = [
    b"A: b\r\n folded\r\n\r\n",  # obsolete line folding
    b"no colon\r\nA: b\r\n\r\n",
    b"From someone\r\nA: b\r\n\r\n",  # a mailbox's From line
    b"A b: c\r\n\r\n",  # a blank in the name
    b": no name\r\n\r\n",
    b"A: b\rc\r\n\r\n",  # a bare CR, a line end to the email package
    b"A: b\r\n",  # the stream ends before the blank line
    b"Content-Type: multipart/form-data; boundary=x\r\n\r\n",  # the email package looks for its parts
    b"Content-Type: message/rfc822\r\n\r\n",
]


def read(parse, raw: bytes, message_class: type = http.client.HTTPMessage):
    return parse(io.BufferedReader(io.BytesIO(raw)), _class=message_class)


def outcome(message) -> tuple:
    payload = message.get_payload()
    return (type(message), message.items(), payload if isinstance(payload, str) else [part.items() for part in payload],
            [type(defect) for defect in message.defects], message.is_multipart(), message.get_unixfrom(),
            message.get_content_type(), message.get("content-length"), message.get_all("a"))


@pytest.mark.parametrize("raw", PLAIN + NOT_PLAIN)
def test_the_message_is_the_standard_librarys(raw):
    assert outcome(read(http_header_parsing.parse_headers, raw)) == outcome(read(STDLIB_PARSE_HEADERS, raw))


@pytest.mark.parametrize("raw", PLAIN)
def test_a_plain_block_is_read_without_the_email_package(raw, monkeypatch):
    expected = outcome(read(STDLIB_PARSE_HEADERS, raw))

    def refuse(*_, **__):
        raise AssertionError("the email package parsed a plain block")

    monkeypatch.setattr(email.parser, "Parser", refuse)
    assert outcome(read(http_header_parsing.parse_headers, raw)) == expected


@pytest.mark.parametrize("raw", NOT_PLAIN)
def test_any_other_block_goes_to_the_email_package(raw, monkeypatch):
    parsed = []
    parser = email.parser.Parser

    def counting(*args, **kwargs):
        parsed.append(raw)
        return parser(*args, **kwargs)

    monkeypatch.setattr(email.parser, "Parser", counting)
    read(http_header_parsing.parse_headers, raw)
    assert parsed == [raw]


def test_a_message_class_of_the_callers_is_made():
    class Headers(http.client.HTTPMessage):
        pass

    assert type(read(http_header_parsing.parse_headers, PLAIN[0], Headers)) is Headers


def test_the_standard_librarys_limits_still_hold():
    with pytest.raises(http.client.HTTPException, match="more than 100 headers"):
        read(http_header_parsing.parse_headers, b"".join(b"H%d: v\r\n" % i for i in range(101)) + b"\r\n")
    with pytest.raises(http.client.LineTooLong):
        read(http_header_parsing.parse_headers, b"A: " + b"x" * 70000 + b"\r\n\r\n")


def test_reading_stops_at_the_blank_line_and_leaves_the_body():
    stream = io.BufferedReader(io.BytesIO(b"Content-Length: 4\r\n\r\nbody"))
    http_header_parsing.parse_headers(stream)
    assert stream.read() == b"body"
