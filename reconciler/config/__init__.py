"""Configuration: YAML files -> a validated `Configuration` (see model.py), or ConfigError."""
