"""HaloPSA connection: settings, client-credentials auth, rate budget, retries, client.

The only package (with sandbox/server.py) that opens sockets. Import the client from
here; submodules are an implementation detail.
"""

from reconciler.halo.client import Client, ClientOptions, ReadOnlyClient, known_fields
from reconciler.halo.ratelimit import RateBudget
from reconciler.halo.settings import ConnectionSettings, settings_from_env
from reconciler.halo.timing import Timing
from reconciler.instance import Instance

__all__ = [
    "Client",
    "ClientOptions",
    "ConnectionSettings",
    "Instance",
    "RateBudget",
    "ReadOnlyClient",
    "Timing",
    "known_fields",
    "settings_from_env",
]
