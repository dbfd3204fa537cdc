"""The command-line interface: thin click adapters over the library (click lives only here)."""
