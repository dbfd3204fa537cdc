"""A secret from the environment, or one pasted where a secret belongs, is never echoed.

XERO_CLIENT_SECRET holds the canary; configurations use it where every kind of check
fails. The canary must not appear in stdout, stderr, str()/repr() of the ConfigError or
its issues, nor in the repr of a loaded Configuration.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from config_support import CANARY, validate

from reconciler.config import load
from reconciler.errors import ConfigError

ENV = {"XERO_CLIENT_SECRET": CANARY, "LONG_SECRET": CANARY * 20}

BROKEN = f"""\
xero:
  - name: Acme NZ
    enablesync: ${{XERO_CLIENT_SECRET}}
    client_top_level: ${{XERO_CLIENT_SECRET}}
    sync_entities: [invoices, "${{XERO_CLIENT_SECRET}}", 3]
    new_client_secret: {CANARY}
    new_refresh_token: [{CANARY}]
    code: {{token: {CANARY}}}
    colour: ${{XERO_CLIENT_SECRET}}
    tenant_name: ${{XERO_CLIENT_SECRET}}
  - name: ${{XERO_CLIENT_SECRET}}
  - name: Acme NZ
    new_access_token: {CANARY}
    new_access_token: {CANARY}
quickbooks:
  - name: Acme Books
    close_period_date: ${{XERO_CLIENT_SECRET}}
    qbo_sitemappings:
      - halo_id: 1
        third_party_id: ${{XERO_CLIENT_SECRET}}
        new_subscription_key: {CANARY}
        description: ${{LONG_SECRET}}
      - halo_id: 1
        third_party_id: ${{XERO_CLIENT_SECRET}}
        filters: ${{XERO_CLIENT_SECRET}}
"""


def _write(tmp_path: Path) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    return path


def test_canary_absent_from_the_exception(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load([_write(tmp_path)], env=ENV)
    error = info.value
    assert len(error.issues) >= 14  # every defect above is reported ...
    for text in (str(error), repr(error), *(repr(i) for i in error.issues)):
        assert CANARY not in text  # ... and none echoes the secret
    messages = "\n".join(str(i) for i in error.issues)
    assert "the value of ${XERO_CLIENT_SECRET}" in messages
    assert "(the value is not shown)" in messages


def test_canary_absent_from_the_command_output(tmp_path: Path) -> None:
    path = _write(tmp_path)
    for group, args in (
        ((), [str(path)]),
        ((), ["--no-env", str(path)]),
        (("--debug",), [str(path)]),
    ):
        result = validate(*args, env=ENV, group=group)
        assert result.returncode == 1
        assert "errors in the configuration" in result.stderr
        assert CANARY not in result.stdout + result.stderr


def test_canary_absent_from_a_loaded_configuration(tmp_path: Path) -> None:
    path = tmp_path / "good.yaml"
    path.write_text(
        "xero:\n  - name: Acme NZ\n    enablesync: true\n"
        "    client_id: ${XERO_CLIENT_SECRET}\n"
        "    new_client_secret: ${XERO_CLIENT_SECRET}\n"
        '    sync_entities: [invoices, "${XERO_CLIENT_SECRET}"]\n',
        encoding="utf-8",
    )
    config = load([path], env=ENV)
    text = repr(config) + str(config) + "".join(repr(r) + str(r) for r in config.records)
    assert CANARY not in text
    assert config.records[0].fields["client_id"].reveal() == CANARY  # type: ignore[attr-defined]
    result = validate(str(path), env=ENV)
    assert result.returncode == 0
    assert CANARY not in result.stdout + result.stderr
