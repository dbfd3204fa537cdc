"""Which proxy, if any, a HaloPSA origin is reached through: from the usual variables.

`HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` (either case, lowercase first, as curl reads
them) minus `NO_PROXY`, exactly as a corporate network expects — except that a loopback
host (the sandbox, a local test server) is never proxied: a proxy would receive its
client secret and bearer token in clear, and could not reach the loopback port anyway.

The answer is a mapping from an origin ("https://acme.halopsa.com") to a proxy URL, for
the Exchange to mount; origins not in it go direct. A proxy whose scheme httpx cannot
use (socks5 without its extra, ftp...) is a settings problem naming the variable, never
its value (a proxy URL may hold a password). Pure: reads the mapping it is given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from reconciler.instance import is_loopback

SCHEMES = ("http", "https")  # proxy schemes httpx speaks without extras


def proxies_for(urls: Iterable[str], env: Mapping[str, str], problems: list[str]) -> dict[str, str]:
    """origin -> proxy URL for each of `urls` that goes through a proxy; an unusable proxy
    variable is appended to `problems`."""
    found: dict[str, str] = {}
    for url in urls:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if is_loopback(host) or _bypassed(host, env):
            continue
        chosen = _variable(parts.scheme, env)
        if chosen is None:
            continue
        name, proxy = chosen
        scheme = urlsplit(proxy if "://" in proxy else f"http://{proxy}").scheme.lower()
        if scheme not in SCHEMES:
            problem = (
                f"{name} uses the proxy scheme {scheme!r}, which is not supported: "
                "give an http:// or https:// proxy, or unset it"
            )
            if problem not in problems:
                problems.append(problem)
            continue
        origin = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
        found[origin] = proxy if "://" in proxy else f"http://{proxy}"
    return found


def _variable(scheme: str, env: Mapping[str, str]) -> tuple[str, str] | None:
    """(name, value) of the first proxy variable set for `scheme`."""
    for base in (f"{scheme}_proxy", "all_proxy"):
        for name in (base, base.upper()):
            value = env.get(name, "").strip()
            if value:
                return name, value
    return None


def _bypassed(host: str, env: Mapping[str, str]) -> bool:
    """Does NO_PROXY (either case) name `host`, a domain it is in, or `*`?"""
    raw = env.get("no_proxy") or env.get("NO_PROXY") or ""
    host = host.lower()
    for entry in (e.strip().lower() for e in raw.split(",")):
        name = entry.rpartition(":")[0] if entry.count(":") == 1 else entry  # drop a port
        name = name.lstrip(".")
        if entry == "*" or (name and (host == name or host.endswith("." + name))):
            return True
    return False
