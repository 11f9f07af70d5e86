"""What a library hands back is scrubbed of every part of a secret."""

from __future__ import annotations

from pydantic import SecretStr

from modelhealth.alerts._secrets import redact


def test_a_secret_urls_path_is_masked_when_a_receiver_echoes_it():
    url = SecretStr("https://hooks.example.test/services/T0/B1/SUPERSECRETPATH")
    text = redact("HTTP 404: no route /services/T0/B1/SUPERSECRETPATH", url)
    assert "SUPERSECRETPATH" not in text


def test_a_very_short_secret_does_not_mask_inside_words():
    assert redact("Connection refused", SecretStr("s")) == "Connection refused"


def test_tokens_in_query_strings_are_masked():
    assert redact("GET /x?token=abc123&page=2") == "GET /x?token=***&page=2"
    assert "xoxb-123-abc" not in redact("invalid_auth for xoxb-123-abc")
