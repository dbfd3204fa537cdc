"""One `${NAME}` rule: what validate accepts, apply accepts, and reads the same way.

`validate` (config loading) and apply (resolving a saved plan's markers at send time) both
go through `interpolation.field_value`. The property below checks the two ends a user
sees — a configuration read by the loader, and a marker resolved by apply — agree on
every spelling of a boolean or an integer, including the ones that used to differ
(`tRuE`, ` true`, `+7 `, thousands of digits, values past int32).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.apply.secrets import SecretProblem, resolve_marker
from reconciler.config.document import read_document
from reconciler.config.model import ConfigRecord, Settings
from reconciler.errors import Issue
from reconciler.registry import spec
from reconciler.sensitive import Sensitive

FIELDS = spec("xero").fields
BOOLEAN = "enablesync"  # boolean
INT32 = "client_top_level"  # integer or null, format int32

WORDS = ["true", "false", "True", "FALSE", "tRuE", "yes", "on", "1", "0", "-0", "+7", "007"]
SPELLINGS = st.one_of(
    st.sampled_from(WORDS),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["2147483647", "2147483648", "-2147483648", "-2147483649", "9" * 5000]),
    st.text(alphabet="tTrRuUeEfFaAlLsS0123456789+-_ x\t\n", max_size=8),
    st.tuples(st.sampled_from(WORDS), st.sampled_from([" ", "\t", "\n", ""])).map(
        lambda t: t[1] + t[0] + t[1]
    ),
)


def _validate(field: str, text: str) -> object:
    """The value the loader gives `field` when it is `${V}` and V is `text`, or None."""
    issues: list[Issue] = []
    records: list[tuple[ConfigRecord, str]] = []
    found: list[Settings] = []
    document = f"xero:\n  - name: Acme\n    {field}: ${{V}}\n"
    read_document(document, "c.yaml", {"V": text}, issues, records, found)
    if issues:
        assert all(i.path == f"xero[0].{field}" for i in issues), issues
        return None
    value = records[0][0].fields[field]
    assert isinstance(value, Sensitive)
    return value.reveal()


def _apply(field: str, text: str) -> object:
    """The value apply sends for the marker `${V}` with V set to `text`, or None."""
    try:
        return resolve_marker("${V}", FIELDS[field], {"V": text}).reveal()
    except SecretProblem:
        return None


@settings(max_examples=300, deadline=None)
@given(text=SPELLINGS, field=st.sampled_from([BOOLEAN, INT32]))
def test_validate_and_apply_read_every_spelling_alike(text: str, field: str) -> None:
    validated, applied = _validate(field, text), _apply(field, text)
    assert validated == applied
    assert type(validated) is type(applied)


def test_the_spellings_that_used_to_differ() -> None:
    for text in ("tRuE", " true", "true ", "yes"):
        assert _validate(BOOLEAN, text) is None
        assert _apply(BOOLEAN, text) is None
    assert _apply(BOOLEAN, "TRUE") is True
    assert _apply(INT32, "+7") == 7
    assert _apply(INT32, " 7") is None
    assert _apply(INT32, "2147483648") is None
    assert _apply(INT32, "9" * 5000) is None


def test_a_huge_integer_is_a_clear_error() -> None:
    issues: list[Issue] = []
    document = "xero:\n  - name: Acme\n    client_top_level: ${V}\n"
    read_document(document, "c.yaml", {"V": "9" * 5000}, issues, [], [])
    assert [i.message for i in issues] == [
        "expected an integer, got the value of ${V}, "
        "which is not between -2147483648 and 2147483647"
    ]
    try:
        resolve_marker("${V}", FIELDS[INT32], {"V": "9" * 5000})
    except SecretProblem as exc:
        assert str(exc) == (
            "expected an integer, got the value of ${V}, "
            "which is not between -2147483648 and 2147483647"
        )


def test_halo_variables_are_refused_by_validate_and_apply() -> None:
    for field in ("tenant_id", "new_client_secret"):
        issues: list[Issue] = []
        document = f"xero:\n  - name: Acme\n    {field}: pre-${{HALO_CLIENT_SECRET}}\n"
        env = {"HALO_CLIENT_SECRET": "CANARY-9f3b2a7c-secret"}
        read_document(document, "c.yaml", env, issues, [], [])
        assert [i.message for i in issues] == [
            "${HALO_CLIENT_SECRET}: HALO_* variables are halo-reconciler's own connection "
            "settings and are never read into a configuration: use another variable name"
        ]
    try:
        resolve_marker("${HALO_CLIENT_SECRET}", FIELDS["new_client_secret"], env)
        raise AssertionError("apply resolved a HALO_* variable")
    except SecretProblem as exc:
        assert "CANARY" not in str(exc)
        assert str(exc).startswith("${HALO_CLIENT_SECRET}: HALO_* variables are")
