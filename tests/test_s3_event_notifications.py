"""Event keys as AWS encodes them (behaviour.md "S3"); end to end in scenarios' bug 11."""

import pytest

from harness.localstack_plugins.s3_event_notifications import aws_event_key


@pytest.mark.parametrize("key, encoded", [
    ("my avatar.jpg", "my+avatar.jpg"),
    ("a+b.png", "a%2Bb.png"),
    ("folder/x y.jpg", "folder/x+y.jpg"),
    ("été (1).jpg", "%C3%A9t%C3%A9+%281%29.jpg"),
    ("plain-key_1.jpg", "plain-key_1.jpg"),
])
def test_event_key_is_form_encoded_with_slashes_kept(key, encoded):
    assert aws_event_key(key) == encoded
