"""click types over the registry's type keys, read when used, not when declared: a
command's --help must not pay for importing the registry (~14 ms)."""

from __future__ import annotations

from collections.abc import Sequence

import click


class TypeKey(click.Choice[str]):
    """A type's config key: a choice of registry.KEYS, read when the option is used."""

    def __init__(self) -> None:
        super().__init__(())

    @property  # type: ignore[override]  # click.Choice stores a tuple; ours is read late
    def choices(self) -> Sequence[str]:
        from reconciler.registry import KEYS

        return KEYS

    @choices.setter
    def choices(self, value: Sequence[str]) -> None:
        """click.Choice.__init__ sets the choices; the registry's are used instead."""


class KeysHelp(click.Option):
    """An option whose help ends with the type keys, looked up when help is shown."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        from reconciler.registry import KEYS

        record = super().get_help_record(ctx)
        return None if record is None else (record[0], f"{record[1]} One of: {', '.join(KEYS)}.")


def complete_type_keys(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of --target: the type keys (identities live in HaloPSA, not here)."""
    from reconciler.registry import KEYS

    return [key for key in KEYS if key.startswith(incomplete)] if "/" not in incomplete else []
