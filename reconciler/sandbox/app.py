"""The sandbox application: one HTTP request in, one reply (or a dropped connection) out.

Behaves like HaloPSA for the token endpoint, the nine integration endpoints and the
sync error log (`/api/IntegrationError`, error_log.py): bearer
tokens that expire, the documented list filters, get by id, POST of an array (create and
partial update, all-or-nothing), DELETE; plus the faults `Faults` decides. Pure: no
sockets (server.py is the socket adapter), time and sleep are injected. Error messages
never contain a request's values, so a secret sent by mistake is not echoed.
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

from reconciler.registry import BY_KEY, TYPES, spec
from reconciler.sandbox import error_log
from reconciler.sandbox.answers import list_answer, shown_record
from reconciler.sandbox.faults import NO_FAULT, Fault, FaultKind, Faults, parse_rate_limit
from reconciler.sandbox.log import LogEntry, RequestLog, mask_form, mask_records
from reconciler.sandbox.lookups import CLIENT, ITEM_GROUP, PACKAGES, SUPPLIER, TOP_LEVEL
from reconciler.sandbox.records import model_name, status_fields
from reconciler.sandbox.store import PostRefused, Store

TOKEN_PATH = "/auth/token"
Where = Literal["api", "token"]
_BY_PATH = {t.path: t.key for t in TYPES}
_JSON = (("Content-Type", "application/json; charset=utf-8"),)
# What GET /api/InstanceInfo answers (the fields clients read, api/README §9a).
INSTANCE_INFO = {"dbid": "sandbox", "app_version": "sandbox", "database_version": "sandbox"}
_NO_ROUTE = "No HTTP resource was found that matches the request URI '{}'."
# Lookup lists beside the nine: path segment -> (sandbox table, the wrapper's list key;
# "" for a bare array). /Client and /Supplier page like HaloPSA's ({record_count, clients}).
_LISTS = {
    "TopLevel": (TOP_LEVEL, ""),
    "ItemGroup": (ITEM_GROUP, ""),
    "Client": (CLIENT, "clients"),
    "Supplier": (SUPPLIER, "suppliers"),
}
_FILTER_FIELDS = (("tenantid", "tenant_id"), ("companyid", "company_id"), ("division", "division"))


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    target: str  # path and query, as on the request line
    headers: Mapping[str, str]  # names lower-cased
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    drop: bool = False  # close the connection without sending anything


DROPPED = Reply(0, drop=True)


def _json(status: int, doc: Any, *extra: tuple[str, str]) -> Reply:
    # Compact, as HaloPSA's own API answers (and half the bytes of a list of null fields).
    body = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()
    return Reply(status, body, (*_JSON, *extra))


def _error(status: int, message: str, class_name: str | None = None) -> Reply:
    doc = {"ClassName": class_name, "Message": message} if class_name else {"Message": message}
    return _json(status, doc)


class App:
    """The request -> reply function, with the state it needs (tokens, store, faults)."""

    def __init__(
        self,
        store: Store,
        faults: Faults,
        log: RequestLog,
        client_id: str,
        client_secret: str,
        *,
        tenant: str | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        on_request: Callable[[LogEntry], None] | None = None,
    ) -> None:
        self.store, self.faults, self.log = store, faults, log
        self.client_id, self.client_secret, self.tenant = client_id, client_secret, tenant
        self._clock, self._sleep, self._on_request = clock, sleep, on_request
        self._tokens: dict[str, float] = {}  # access token -> expiry (epoch seconds)
        self._tokens_lock = threading.Lock()
        # Lookup path ("/TopLevel", "/IntegrationData/Get/Xero") -> "missing" (404) or "odd"
        # (an answer of a shape no list has): how tests play an instance that lacks them.
        self.lookup_answers: dict[str, str] = {}

    def expire_tokens(self) -> None:
        """Make every token issued so far expired (the next /api request gets 401)."""
        with self._tokens_lock:
            self._tokens.clear()

    def handle(self, req: Request) -> Reply:
        url = urlsplit(req.target)
        path, query = url.path, dict(parse_qsl(url.query, keep_blank_values=True))
        where: Where | None = None
        if path == TOKEN_PATH:
            where = "token"
        elif path.startswith("/api/"):
            where = "api"
        if self.faults.latency_ms:
            self._sleep(self.faults.latency_ms / 1000)
        fault = self.faults.decide(req.method, where, self._clock()) if where else NO_FAULT
        if fault.kind is FaultKind.DROP:
            reply = DROPPED
        elif fault.kind is FaultKind.STATUS:
            reply = self._fault_reply(fault, where)
        elif where == "token":
            reply = self._token(req, query)
        elif where == "api":
            reply = self._api(req, path[len("/api") :], query)
        else:
            reply = _error(404, _NO_ROUTE.format(path))
        if fault.kind is FaultKind.COMMIT_DROP:
            reply = DROPPED
        entry = LogEntry(
            req.method,
            path,
            query,
            self._log_body(req, path, where),
            None if reply.drop else reply.status,
            fault.label,
        )
        self.log.add(entry)
        if self._on_request is not None:
            self._on_request(entry)
        return reply

    # -- the token endpoint --------------------------------------------------------------

    def _token(self, req: Request, query: Mapping[str, str]) -> Reply:
        if req.method != "POST":
            return _json(405, {"error": "invalid_request"})
        form = _form(req.body)
        if form.get("grant_type") != "client_credentials":
            return _json(400, {"error": "unsupported_grant_type"})
        ok_id = hmac.compare_digest(form.get("client_id", "").encode(), self.client_id.encode())
        ok_secret = hmac.compare_digest(
            form.get("client_secret", "").encode(), self.client_secret.encode()
        )
        if not (ok_id and ok_secret):
            return _json(401, {"error": "invalid_client"})
        if self.tenant is not None:
            # Which HaloPSA reads is unverified (api/README §9.1): accept either place.
            asked = query.get("tenant") or form.get("tenant") or ""
            if asked.lower() != self.tenant.lower():
                return _json(
                    401, {"error": "invalid_client", "error_description": "unknown tenant"}
                )
        ttl = int(self.faults.token_ttl)
        token = secrets.token_urlsafe(32)
        now = self._clock()
        with self._tokens_lock:
            self._tokens = {t: e for t, e in self._tokens.items() if e > now}
            self._tokens[token] = now + ttl
        scope = form.get("scope") or "all"
        doc = {"access_token": token, "token_type": "Bearer", "expires_in": ttl, "scope": scope}
        return _json(200, doc, ("Cache-Control", "no-store"))

    def _authorized(self, req: Request) -> bool:
        scheme, _, token = req.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return False
        with self._tokens_lock:
            expiry = self._tokens.get(token.strip())
        return expiry is not None and expiry > self._clock()

    # -- the nine endpoints --------------------------------------------------------------

    def _api(self, req: Request, rest: str, query: Mapping[str, str]) -> Reply:
        if not self._authorized(req):
            return _unauthorized()
        if rest == "/InstanceInfo" and req.method == "GET":
            return _json(200, INSTANCE_INFO)
        base, _, tail = rest.partition("/")[2].partition("/")
        if req.method == "GET" and (base in _LISTS or base == "IntegrationData"):
            return self._lookup(base, tail, query)
        if base == "IntegrationError" and not tail:
            return self._error_log(req, query)
        key = _BY_PATH.get("/" + base)
        if key is None or "/" in tail:
            return _error(404, _NO_ROUTE.format(f"/api{rest}"))
        if not tail:
            if req.method == "GET":
                return self._list(key, query)
            if req.method == "POST":
                return self._post(key, req.body)
            return _not_allowed(req.method)
        if not tail.isdigit():
            return _error(404, _NO_ROUTE.format(f"/api{rest}"))
        rid = int(tail)
        if req.method == "GET":
            found = self.store.get(key, rid)
            if found is None:
                return _missing(key, rid)
            detailed = query.get("includedetails", "").lower() == "true"
            return _json(200, self._shown(key, found, detailed=detailed))
        if req.method == "DELETE":
            return Reply(200) if self.store.remove(key, rid) else _missing(key, rid)
        return _not_allowed(req.method)

    def _list(self, key: str, query: Mapping[str, str]) -> Reply:
        # ASP.NET binds query parameters case-insensitively; unknown ones are ignored.
        q = {k.lower(): v for k, v in query.items() if v != ""}
        rtype = BY_KEY[key]
        items = self.store.list(key)
        flags: dict[str, bool] = {}
        for name in ("connectedonly", "includeenabled", "includedisabled"):
            if name in rtype.filters and name in q:
                if q[name].lower() not in ("true", "false"):
                    return _error(400, f"The request is invalid: {name} must be true or false.")
                flags[name] = q[name].lower() == "true"
        if flags.get("connectedonly"):
            auth = status_fields(spec(key))[0]
            items = [r for r in items if auth is not None and r.get(auth) is True]
        for param, field in (
            ("tenantid", "tenant_id"),
            ("companyid", "company_id"),
            ("division", "division"),
        ):
            # A filter whose field the model lacks (Sage and Kashflow tenantid) is ignored.
            if param in rtype.filters and param in q and field in spec(key).fields:
                items = [r for r in items if r.get(field) is not None and str(r[field]) == q[param]]
        if "includeenabled" in flags or "includedisabled" in flags:
            on, off = flags.get("includeenabled", False), flags.get("includedisabled", False)
            items = [r for r in items if (on if r.get("enabled") is True else off)]
        shown = [self._shown(key, r, detailed=False) for r in items]
        return _json(200, list_answer(key, shown, self.faults.list_shape, q))

    def _lookup(self, base: str, tail: str, query: Mapping[str, str]) -> Reply:
        """HaloPSA's own lists (paged like /Client) and the package's lists (a bare array)."""
        q = {k.lower(): v for k, v in query.items()}
        if base == "IntegrationData":
            verb, _, package = tail.partition("/")
            if verb != "Get" or package not in PACKAGES:
                return _error(404, _NO_ROUTE.format(f"/api/{base}/{tail}"))
            path, kind = f"/{base}/{tail}", q.get("datatype", "")
        elif tail:
            return _error(404, _NO_ROUTE.format(f"/api/{base}/{tail}"))
        else:
            path, kind = f"/{base}", _LISTS[base][0]
        odd = self.lookup_answers.get(path)
        if odd == "missing":
            return _error(404, _NO_ROUTE.format(f"/api{path}"))
        if odd == "odd":
            return _json(200, {"status": "ok", "message": "nothing here"})
        table = self.store.lookup_rows(kind)
        plural = _LISTS.get(base, ("", ""))[1]
        if not plural:
            return _json(200, _lookup_json(table))  # TopLevel, ItemGroup, the package: arrays
        size, page = 50, 1  # HaloPSA's default page for an API agent
        if q.get("pageinate", "").lower() == "true":
            try:
                size = max(1, int(q.get("page_size", "50")))
                page = max(1, int(q.get("page_no", "1")))
            except ValueError:
                return _error(400, "The request is invalid: page_size and page_no are integers.")
        chunk = _lookup_json(table[(page - 1) * size : page * size])
        doc = {"page_no": page, "page_size": size, "record_count": len(table), plural: chunk}
        return _json(200, doc)

    def _error_log(self, req: Request, query: Mapping[str, str]) -> Reply:
        rows = self.store.integration_errors()
        if rows is None:  # an instance without the endpoint
            return _error(404, _NO_ROUTE.format("/api/IntegrationError"))
        if req.method != "GET":
            return _not_allowed(req.method)
        return _json(200, error_log.page(rows, query, self._clock()))

    def _post(self, key: str, body: bytes) -> Reply:
        if not body.strip():
            return _invalid(
                [f"the body is empty: expected a JSON array of {model_name(key)} records"]
            )
        try:
            doc = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return _invalid(["the body is not valid JSON"])
        try:
            saved = self.store.post(key, doc)
        except PostRefused as exc:
            return _invalid(exc.issues)
        answer = self.faults.post_answer
        if answer == "empty":
            return Reply(200)
        shown = [self._shown(key, r, detailed=True) for r in saved]
        return _json(200, shown[-1] if answer == "object" and shown else shown)

    def _shown(self, key: str, record: Mapping[str, Any], *, detailed: bool) -> Any:
        """A record as this sandbox answers it (summary rows, extra fields)."""
        summary = self.faults.list_rows == "summary" and not detailed
        if not summary and not self.faults.extra_fields:
            return record
        return shown_record(key, record, summary=summary, extra=self.faults.extra_fields)

    # -- faults and the log --------------------------------------------------------------

    def _fault_reply(self, fault: Fault, where: Where | None) -> Reply:
        status = fault.status or 500
        if status == 429:
            limit = self.faults.rate_limit or "300/300"
            count, seconds = parse_rate_limit(limit)
            window = f"{int(seconds // 60)} minute" if seconds % 60 == 0 else f"{seconds:g} second"
            text = f"Rate Limit Reached - {count} Requests per rolling {window} window"
            headers: tuple[tuple[str, str], ...] = (
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Retry-After", str(fault.retry_after or 1)),
            )
            return Reply(429, text.encode(), headers)
        if status == 401:
            return _json(401, {"error": "invalid_client"}) if where == "token" else _unauthorized()
        if status in (502, 503):
            title = "502 Bad Gateway" if status == 502 else "503 Service Unavailable"
            html = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
            headers = (("Content-Type", "text/html; charset=utf-8"),)
            if fault.retry_after is not None:
                headers += (("Retry-After", str(fault.retry_after)),)
            return Reply(status, html.encode(), headers)
        if status == 500:
            return _error(500, "An error has occurred.")
        return _error(status, f"Simulated HTTP {status} (sandbox fault injection).")

    def _log_body(self, req: Request, path: str, where: str | None) -> Any:
        if not req.body:
            return None
        if where == "token":
            return mask_form(_form(req.body))
        key = _BY_PATH.get("/" + path[len("/api/") :]) if where == "api" else None
        if key is None:
            return f"<{len(req.body)} bytes>"  # unknown shape: nothing we could mask
        try:
            doc = json.loads(req.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return f"<not valid JSON, {len(req.body)} bytes>"
        return mask_records(doc, spec(key).fields)


def _lookup_json(rows: list[tuple[str, str]]) -> list[dict[str, object]]:
    return [{"id": int(i) if i.isdigit() else i, "name": n} for i, n in rows]


def _form(body: bytes) -> dict[str, str]:
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


def _unauthorized() -> Reply:
    doc = {"Message": "Authorization has been denied for this request."}
    return _json(401, doc, ("WWW-Authenticate", 'Bearer error="invalid_token"'))


def _not_allowed(method: str) -> Reply:
    return _error(405, f"The requested resource does not support http method '{method}'.")


def _missing(key: str, rid: int) -> Reply:
    return _error(404, f"{model_name(key)} {rid} not found", "NotFoundException")


def _invalid(issues: list[str]) -> Reply:
    doc = {"ClassName": "ValidationException", "Message": "; ".join(issues), "errors": issues}
    return _json(400, doc)
