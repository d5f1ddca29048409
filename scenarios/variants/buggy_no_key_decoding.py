"""The thumbnail Lambda with system.md bug 11 put back: the event's key is used without URL-decoding."""

import handler as fixed


def undecoded_key(record: dict) -> str:
    key = record["s3"]["object"]["key"]  # `my+avatar.jpg` -> GetObject answers NoSuchKey
    print(f"GetObject key={key}")
    return key


fixed.source_key = undecoded_key
handler = fixed.handler
