"""Small builders for configuration records and plans, shared by the plan tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from reconciler.config.model import ConfigRecord, Configuration, Ensure, Mark, Settings
from reconciler.plan import Instance, Plan, build_plan

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
INSTANCE = Instance("https://acme.halopsa.com", None)


def rec(
    type_key: str,
    identity: str | None,
    fields: Mapping[str, object] | None = None,
    *,
    id: int | None = None,
    line: int = 1,
    ensure: Ensure = Ensure.PRESENT,
    prevent_destroy: bool = False,
    ignore: Iterable[str] = (),
) -> ConfigRecord:
    """A config record; `fields` default to just the identity (`name`)."""
    if fields is None:
        fields = {"name": identity} if identity is not None else {}
    return ConfigRecord(
        type=type_key,
        identity=identity,
        id=id,
        fields=dict(fields),
        mark=Mark("c.yaml", line, 3),
        ensure=ensure,
        prevent_destroy=prevent_destroy,
        ignore_changes=frozenset(ignore),
    )


def cfg(
    *records: ConfigRecord, prune: Iterable[str] = (), max_deletes: int = 3, **settings: Any
) -> Configuration:
    """A configuration; `settings` are further Settings fields (protect, acknowledge, ...)."""
    return Configuration(
        records=tuple(records),
        settings=Settings(prune=frozenset(prune), max_deletes=max_deletes, **settings),
    )


def plan_of(
    config: Configuration,
    live: Mapping[str, Sequence[Mapping[str, Any]]],
    **kwargs: Any,
) -> Plan:
    kwargs.setdefault("now", NOW)
    return build_plan(config, live, instance=INSTANCE, **kwargs)
