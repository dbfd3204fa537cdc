"""Property: whatever the YAML says, the loader returns a Configuration or raises ConfigError.

Documents are built from the schemas' own field names and from values that trip the
checks (YAML 1.1 words, `${...}` forms, wrong types, nesting), then dumped as YAML and,
sometimes, damaged. No other exception may escape, and no message may hold the value of
an environment variable.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler import registry
from reconciler.config import load
from reconciler.config.model import Configuration
from reconciler.errors import ConfigError

SECRET = "CANARY-9f3b2a7c-secret"
ENV = {"A": SECRET, "B": "true", "C": "12", "D": ""}

_KEYWORDS = "id ensure lifecycle prevent_destroy ignore_changes halo_id third_party_id filters"
FIELD_NAMES = sorted(
    {name for key in registry.KEYS for name in registry.spec(key).fields}
    | {*_KEYWORDS.split(), "filter_field", "filter_value", "<<", ""}
)
TOP_KEYS = [*registry.KEYS, "settings", "prune", "max_deletes", "xeor"]
# YAML 1.1 words, ${...} forms, date-times and numbers as YAML spells them
_WORDS = (
    "yes no on off true ~ null present absent invoices ${A} ${B} ${C} ${D} ${MISSING} $${A} ${"
    " ${1} x${A}y 2024-03-31T00:00:00Z 31/03/2024 0x1f 1_000 .inf xero quickbooks"
)
WORDS = _WORDS.split()
# what damages YAML: indicators, tabs, anchors, tags, control characters, documents
_DAMAGE = ": - [ ] { } &a *a ! !!binary <<: ' \" ? % @ ${A}"
DAMAGE = [*_DAMAGE.split(), "\t", "\n", "\n  "]
DAMAGE += ["\x07", "---\n", "! "]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False),
    st.sampled_from(WORDS),
    st.text(max_size=12),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(FIELD_NAMES), inner, max_size=5),
    ),
    max_leaves=20,
)
records = st.dictionaries(st.sampled_from(FIELD_NAMES), values, max_size=8)
documents = st.one_of(
    st.dictionaries(
        st.sampled_from(TOP_KEYS),
        st.one_of(st.lists(st.one_of(records, values), max_size=4), values),
        max_size=4,
    ),
    values,
)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One file rewritten by every example (a module-scoped fixture suits hypothesis)."""
    return tmp_path_factory.mktemp("fuzz") / "fuzz.yaml"


def _check(path: Path, text: str, env: dict[str, str] | None) -> None:
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        result = load([path], env=env)
    except ConfigError as exc:
        assert exc.issues
        assert SECRET not in str(exc)
    else:
        assert isinstance(result, Configuration)
        assert SECRET not in repr(result)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.booleans())
def test_any_document_loads_or_fails_cleanly(
    scratch: Path, document: object, with_env: bool
) -> None:
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    _check(scratch, text, ENV if with_env else None)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.lists(st.tuples(st.integers(0, 400), st.sampled_from(DAMAGE)), max_size=4))
def test_damaged_yaml_loads_or_fails_cleanly(
    scratch: Path, document: object, damage: list[tuple[int, str]]
) -> None:
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    for position, insert in damage:
        at = position % (len(text) + 1)
        text = text[:at] + insert + text[at:]
    _check(scratch, text, ENV)
