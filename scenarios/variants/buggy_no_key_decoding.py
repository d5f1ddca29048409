"""The thumbnail Lambda with system.md bug 11 put back: the event's key is used without URL-decoding."""

import handler as fixed

fixed.source_key = lambda record: record["s3"]["object"]["key"]  # `my+avatar.jpg` -> GetObject NoSuchKey
handler = fixed.handler
