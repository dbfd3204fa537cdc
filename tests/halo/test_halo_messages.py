"""HaloPSA's own error message from each body shape it is known to send, secrets scrubbed."""

from __future__ import annotations

import json

import pytest

from reconciler.halo.messages import halo_message
from reconciler.scrubber import Scrubber, secret_texts
from reconciler.sensitive import Sensitive

CANARY = "CANARY-9f3b2a7c-secret"
NONE = Scrubber()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"resultCode": 1, "errorMessage": "Xero tenant not found"}, "Xero tenant not found"),
        ({"ClassName": "HaloException", "Message": "Access denied"}, "Access denied"),
        ({"Message": "An error has occurred."}, "An error has occurred."),
        ({"message": "lower-case key"}, "lower-case key"),
        ({"error": "invalid_client"}, "invalid_client"),
        ({"error": "invalid_grant", "error_description": "bad scope"}, "invalid_grant: bad scope"),
        ({"error": {"message": "nested"}}, "nested"),
        ({"errors": ["first", "second"]}, "first; second"),
        (
            {"title": "One or more validation errors occurred.", "errors": {"[0].id": ["bad"]}},
            "[0].id: bad",
        ),
        (
            {"id": ["The id field is required."], "[0].name": ["Too long.", "Bad."]},
            "id: The id field is required.; [0].name: Too long. Bad.",
        ),
        ({"title": "Bad Request", "detail": "no body"}, "Bad Request: no body"),
        ("just a JSON string", "just a JSON string"),
        ({"unexpected": 1}, '{"unexpected":1}'),
    ],
)
def test_json_shapes(body: object, expected: str) -> None:
    assert halo_message(json.dumps(body).encode(), NONE) == expected


def test_plain_text() -> None:
    text = b"Rate Limit Reached - 300 Requests per rolling 5 minute window"
    assert halo_message(text, NONE) == text.decode()


def test_html_is_stripped_to_its_text() -> None:
    page = (
        b"<!DOCTYPE html><html><head><title>500 - Internal server error.</title>"
        b"<style>body{color:red}</style></head><body><h1>Server Error</h1>"
        b"<p>The agent &quot;API&quot; is disabled.</p><script>x()</script></body></html>"
    )
    assert halo_message(page, NONE) == (
        '500 - Internal server error.: Server Error The agent "API" is disabled.'
    )


def test_long_text_truncated_to_about_200_chars() -> None:
    message = halo_message(("word " * 100).encode(), NONE)
    assert len(message) == 200
    assert message.endswith("word…")


def test_empty_body() -> None:
    assert halo_message(b"  \n", NONE) == ""


def test_secrets_scrubbed_in_every_form_before_truncation() -> None:
    scrub = Scrubber([CANARY, "tok+en/with=chars", "abc"])
    body = "x" * 190 + f" {CANARY} sent as tok%2Ben%2Fwith%3Dchars and tok+en/with=chars; abc stays"
    message = halo_message(body.encode(), scrub)
    assert CANARY not in message
    assert "CANARY" not in message  # no half-secret left by truncation
    assert "tok" not in message.split("x" * 190)[1]
    assert message == "x" * 190 + " (sensiti…"


def test_secret_in_json_escaped_form() -> None:
    secret = 'pa"ss\\word'
    body = json.dumps({"Message": f"bad value {secret}"})
    assert halo_message(body.encode(), Scrubber([secret])) == "bad value (sensitive)"
    # Not JSON once cut: still scrubbed in its escaped form.
    assert halo_message(body.encode()[10:], Scrubber([secret])) == ': "bad value (sensitive)"}'


def test_secret_texts_of_revealed_values() -> None:
    hidden = Sensitive({"a": ["s1", 12345, True, None], "b": 1.5}, "${X}")
    assert secret_texts({"plain": "shown", "x": [hidden]}) == {"s1", "12345", "1.5"}


def test_scrubber_repr_holds_no_secret() -> None:
    assert CANARY not in repr(Scrubber([CANARY]))
