"""Configuration: YAML files -> a validated `Configuration` (see model.py), or ConfigError."""

from reconciler.config.loader import load

__all__ = ["load"]
