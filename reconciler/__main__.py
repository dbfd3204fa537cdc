"""`python -m reconciler` runs the same CLI as the `halo-reconciler` script."""

from reconciler.cli.main import run

run()
