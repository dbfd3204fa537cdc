"""Connection settings: where HaloPSA is, which credentials, how fast and how long to try.

Built once from the HALO_* environment variables (SPEC §2), with --url/--tenant
overriding. Every problem found is reported at once, naming the variable. The client
secret is a `Sensitive` from the moment it is read, so no repr, log line or message can
print it. Never does I/O and never echoes a value that may be secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from reconciler.errors import ConnectionSettingsError
from reconciler.halo.proxy import proxies_for
from reconciler.instance import Instance, is_loopback
from reconciler.sensitive import Sensitive

DEFAULT_SCOPE = "all"
DEFAULT_RATE_LIMIT = (300, 300.0)  # HaloPSA hosted: 300 requests per rolling 5 minutes
DEFAULT_RETRY_BUDGET = 120.0
MAX_COUNT = 1_000_000  # requests per window: far past any HaloPSA limit
MAX_SECONDS = 86_400  # a day: a longer rate window or retry budget is a typo


@dataclass(frozen=True, slots=True)
class ConnectionSettings:
    """Everything needed to talk to one HaloPSA instance; URLs have no trailing slash."""

    url: str  # the instance, e.g. https://acme.halopsa.com
    auth_url: str  # the token endpoint's base: token at <auth_url>/token
    client_id: str
    client_secret: Sensitive
    tenant: str | None = None
    scope: str = DEFAULT_SCOPE
    rate_limit: tuple[int, float] = DEFAULT_RATE_LIMIT  # N requests per rolling S seconds
    # (origin, proxy URL), see halo/proxy.py; kept out of repr: a proxy URL may hold a password
    proxies: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    retry_budget: float = DEFAULT_RETRY_BUDGET  # seconds all retries of one request may take
    # How plans name this instance when its URL does not say it: the local --sandbox
    # listens on a new port each run, so it is named by its data directory instead.
    label: str | None = None

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    @property
    def token_url(self) -> str:
        return f"{self.auth_url}/token"

    @property
    def instance(self) -> Instance:
        return Instance(self.label or self.url, self.tenant)


def settings_from_env(
    env: Mapping[str, str], *, url: str | None = None, tenant: str | None = None
) -> ConnectionSettings:
    """Settings from HALO_* variables; `url`/`tenant` (the --url/--tenant flags) win.

    Raises ConnectionSettingsError listing every missing or malformed variable.
    """
    problems: list[str] = []

    def get(name: str) -> str:
        return env.get(name, "").strip()

    raw_url = (url or "").strip() or get("HALO_URL")
    client_id = get("HALO_CLIENT_ID")
    secret = get("HALO_CLIENT_SECRET")
    missing = [
        name
        for name, value in (
            ("HALO_URL", raw_url),
            ("HALO_CLIENT_ID", client_id),
            ("HALO_CLIENT_SECRET", secret),
        )
        if not value
    ]
    if missing:
        problems.append(
            f"missing {', '.join(missing)}: set "
            + ("this environment variable" if len(missing) == 1 else "these environment variables")
            + (" (or pass --url)" if "HALO_URL" in missing else "")
        )
    source = "--url" if (url or "").strip() else "HALO_URL"
    base = _check_url(source, raw_url, problems, strip="/api") if raw_url else ""
    raw_auth = get("HALO_AUTH_URL")
    auth = _check_url("HALO_AUTH_URL", raw_auth, problems, strip="/token") if raw_auth else ""
    rate = limits_from_env(env, problems)
    proxies: dict[str, str] = {}
    if base:
        targets = (base, auth or base)
        proxies = proxies_for((f"{u}/" for u in targets), env, problems)
    if problems:
        raise ConnectionSettingsError(_join(problems))
    chosen_tenant = (tenant if tenant is not None else get("HALO_TENANT")).strip()
    return ConnectionSettings(
        url=base,
        auth_url=auth or f"{base}/auth",
        client_id=client_id,
        client_secret=Sensitive(secret, "${HALO_CLIENT_SECRET}"),
        tenant=chosen_tenant or None,
        scope=get("HALO_SCOPE") or DEFAULT_SCOPE,
        rate_limit=rate[0],
        retry_budget=rate[1],
        proxies=tuple(sorted(proxies.items())),
    )


def limits_from_env(
    env: Mapping[str, str], problems: list[str] | None = None
) -> tuple[tuple[int, float], float]:
    """(HALO_RATE_LIMIT, HALO_RETRY_BUDGET), defaults when unset.

    With `problems`, malformed values are appended there; without, they raise
    ConnectionSettingsError (the sandbox path uses only these two variables).
    """
    found: list[str] = [] if problems is None else problems
    rate = DEFAULT_RATE_LIMIT
    raw_rate = env.get("HALO_RATE_LIMIT", "").strip()
    if raw_rate:
        parsed = parse_rate_limit(raw_rate)
        if parsed is None:
            found.append(
                f"HALO_RATE_LIMIT must be N/S: N requests (1 to {MAX_COUNT:,}) per rolling S "
                f"seconds (up to {MAX_SECONDS:,}), e.g. 300/300; got {_shown(raw_rate)}"
            )
        else:
            rate = parsed
    budget = DEFAULT_RETRY_BUDGET
    raw_budget = env.get("HALO_RETRY_BUDGET", "").strip()
    if raw_budget:
        try:
            budget = float(raw_budget)
        except ValueError:
            budget = -1.0
        if not (0 <= budget <= MAX_SECONDS):
            found.append(
                f"HALO_RETRY_BUDGET must be a number of seconds from 0 to {MAX_SECONDS:,} "
                f"(e.g. 120), got {_shown(raw_budget)}"
            )
            budget = DEFAULT_RETRY_BUDGET
    if problems is None and found:
        raise ConnectionSettingsError(_join(found))
    return rate, budget


def parse_rate_limit(text: str) -> tuple[int, float] | None:
    """`"N/S"` -> (N, S) with 1 <= N <= MAX_COUNT and 0 < S <= MAX_SECONDS; None when not.

    Bounded so that no wait the budget asks for overflows a sleep (`1/1e10` did)."""
    n, sep, s = text.strip().partition("/")
    if len(n) > 12:  # int() of thousands of digits is slow, and past MAX_COUNT anyway
        return None
    try:
        count, seconds = int(n), float(s)
    except ValueError:
        return None
    if not sep or not (1 <= count <= MAX_COUNT) or not (0 < seconds <= MAX_SECONDS):
        return None
    return count, seconds


def _check_url(name: str, raw: str, problems: list[str], *, strip: str) -> str:
    """`raw` normalised (no trailing slash, no trailing `strip` segment), or "" with a problem.

    HaloPSA's API settings page shows the resource server as `<instance>/api` and the
    authorisation server as `<instance>/auth`: pasting either is accepted, so a trailing
    /api (HALO_URL) or /token (HALO_AUTH_URL) is dropped rather than doubled.
    """
    try:
        parts = urlsplit(raw)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        parts, host = urlsplit(""), ""
    if parts.username is not None or parts.password is not None:
        # Never echo it: the user part may hold a password.
        problems.append(f"{name} must not contain credentials: use HALO_CLIENT_ID/SECRET")
        return ""
    if parts.scheme.lower() not in ("http", "https") or not host:
        problems.append(
            f"{name} must be a URL like https://acme.halopsa.com, got {_shown(_url_shown(raw))}"
        )
        return ""
    if parts.query or parts.fragment:
        problems.append(f"{name} must not have a query or fragment, got {_shown(_url_shown(raw))}")
        return ""
    if parts.scheme.lower() == "http" and not is_loopback(host):
        problems.append(
            f"{name} uses http:// for {host}: only https:// is allowed, except for a loopback "
            "address (localhost, 127.0.0.1, ::1)"
        )
        return ""
    path = parts.path.rstrip("/")
    if path.lower().endswith(strip):
        path = path[: -len(strip)].rstrip("/")
    return f"{parts.scheme.lower()}://{parts.netloc}{path}"


def _url_shown(raw: str) -> str:
    """`raw` as a message may show it: a user:password@ part and a ?query or #fragment
    (either may hold a secret) are replaced by `***`, even in a URL that does not parse."""
    cut = min((i for i in (raw.find("?"), raw.find("#")) if i >= 0), default=len(raw))
    shown = raw[:cut] + (raw[cut] + "***" if cut < len(raw) else "")
    scheme, sep, rest = shown.partition("://") if "://" in shown else ("", "", shown)
    authority, slash, path = rest.partition("/")
    if "@" in authority:
        authority = "***@" + authority.rpartition("@")[2]
    return f"{scheme}{sep}{authority}{slash}{path}"


def _shown(text: str) -> str:
    """A setting's value quoted for a message, cut to 60 characters."""
    return repr(text if len(text) <= 60 else text[:59] + "…")


def _join(problems: list[str]) -> str:
    if len(problems) == 1:
        return f"HaloPSA connection settings: {problems[0]}"
    return "HaloPSA connection settings:\n" + "\n".join(f"  {p}" for p in problems)
