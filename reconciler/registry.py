"""The resource types as data: one line per HaloPSA endpoint, the rest is its JSON Schema.

Adding a tenth integration means adding `schemas/<key>.schema.json` and one line to
`TYPES`; a contract test keeps this list, the schema files and config.schema.json in step.
Schemas are read lazily (only the types a run refers to) and cached for the process.
Which JSON type a value is, and whether it fits a field, is jsontypes.py's.
Pure: reads packaged schema files, no network.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ResourceType:
    """One HaloPSA endpoint: config key, API path and its documented list filters."""

    key: str
    path: str
    filters: tuple[str, ...] = ()
    # Query parameters plan sends on the list GET. Kashflow's defaults are unknown, so both
    # enabled and disabled records are asked for (../shared/api/README.md §2).
    list_params: Mapping[str, str] = field(default_factory=dict)


TYPES: tuple[ResourceType, ...] = (
    ResourceType("xero", "/XeroDetails", ("connectedonly", "tenantid")),
    ResourceType("quickbooks", "/QuickBooksDetails", ("companyid", "connectedonly")),
    ResourceType("sage_business_cloud", "/SageBusinessCloudDetails", ("connectedonly", "tenantid")),
    ResourceType("myob", "/MYOBdetails"),
    ResourceType(
        "kashflow",
        "/KashflowDetails",
        ("includedisabled", "includeenabled", "tenantid"),
        {"includeenabled": "true", "includedisabled": "true"},
    ),
    ResourceType("fortnox", "/FortnoxDetails"),
    ResourceType("exact", "/ExactDetails", ("connectedonly", "division")),
    ResourceType("business_central", "/BusinessCentralDetails", ("companyid", "connectedonly")),
    ResourceType("avalara", "/AvalaraDetails"),
)

BY_KEY: Mapping[str, ResourceType] = {t.key: t for t in TYPES}
KEYS: tuple[str, ...] = tuple(t.key for t in TYPES)
ORDER: Mapping[str, int] = {k: i for i, k in enumerate(KEYS)}


def schema_dir() -> Path:
    """Where the schemas are: inside the installed package, or the checkout's schemas/."""
    packaged = Path(__file__).parent / "schemas"
    if packaged.is_dir():
        return packaged
    return Path(__file__).parent.parent / "schemas"


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The JSON document `schemas/<name>.schema.json` (cached; do not mutate)."""
    with (schema_dir() / f"{name}.schema.json").open(encoding="utf-8") as fh:
        doc: dict[str, Any] = json.load(fh)
    return doc


HALO_SOURCES: tuple[str, ...] = ("/TopLevel", "/ItemGroup", "/Client", "/Supplier")


@dataclass(frozen=True, slots=True)
class Lookup:
    """Where the name of an id field's value comes from (the schema keyword `x-halo-lookup`).

    `source` is one of HaloPSA's own lists (HALO_SOURCES) or the accounting package's
    `/IntegrationData/Get/{package}` with `query`; `name` is the read-only companion field
    HaloPSA fills with the name (None when the model has none). On an array of mapping
    rows, `field` is the row field holding the id (`halo_id`) and `name` the row's.
    """

    source: str
    query: tuple[tuple[str, str], ...] = ()
    name: str | None = None
    field: str | None = None

    @property
    def halo_side(self) -> bool:
        """Is the source one of HaloPSA's own lists (a missing id is an error, not a warning)?"""
        return self.source in HALO_SOURCES

    @property
    def label(self) -> str:
        """How messages name the source: `/TopLevel`, `/IntegrationData/Get/Xero?datatype=item`."""
        query = "&".join(f"{k}={v}" for k, v in self.query)
        return f"{self.source}?{query}" if query else self.source

    @property
    def key(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        """One list per key is read per run, whichever fields share it."""
        return (self.source, self.query)


def _lookup(raw: Mapping[str, Any] | None) -> Lookup | None:
    if raw is None:
        return None
    query = tuple(sorted((str(k), str(v)) for k, v in raw.get("query", {}).items()))
    return Lookup(raw["source"], query, raw.get("name"), raw.get("field"))


@dataclass(frozen=True, slots=True)
class ElementSpec:
    """The element type of an array of mapping objects (e.g. client_mappings rows)."""

    name: str
    identity: tuple[str, ...]
    fields: Mapping[str, FieldSpec]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a type, as its schema describes it."""

    name: str
    json_types: frozenset[str]  # "string", "integer", "boolean", "array", "object"
    nullable: bool
    description: str
    order: int
    read_only: bool = False
    write_only: bool = False
    trigger: bool = False
    comma_list: bool = False
    date_time: bool = False
    impact: str | None = None
    health: str | None = None
    newer: bool = False
    element: ElementSpec | None = None  # set for arrays of mapping objects
    max_length: int | None = None
    enum: tuple[object, ...] | None = None
    lookup: Lookup | None = None  # x-halo-lookup: the field holds an id of something named
    int_format: str | None = None  # "int32" or "int64": the range an integer must be in

    @property
    def configurable(self) -> bool:
        """May a configuration state this field? (`id` is handled apart, as the key.)"""
        return not (self.read_only or self.trigger) and self.name != "id"


@dataclass(frozen=True, slots=True)
class TypeSpec:
    """A resource type with its parsed schema: the one view every layer reads."""

    type: ResourceType
    title: str
    identity: str
    fields: Mapping[str, FieldSpec]  # in schema (HaloPSA) order

    @property
    def key(self) -> str:
        return self.type.key

    @property
    def path(self) -> str:
        return self.type.path

    def configurable(self) -> tuple[str, ...]:
        return tuple(n for n, f in self.fields.items() if f.configurable)


def _types_of(prop: Mapping[str, Any]) -> tuple[frozenset[str], bool]:
    if "anyOf" in prop:
        kinds = {"object" if "$ref" in p else p["type"] for p in prop["anyOf"]}
    else:
        raw = prop.get("type", "object")
        kinds = set(raw) if isinstance(raw, list) else {raw}
    nullable = "null" in kinds
    return frozenset(kinds - {"null"}), nullable


def _element(defs: Mapping[str, Any], ref: str) -> ElementSpec | None:
    name = ref.rsplit("/", 1)[1]
    d = defs[name]
    ident = d.get("x-halo-element-identity")
    if ident is None:
        return None
    return ElementSpec(name, tuple(ident), _fields(d["properties"], defs))


def _fields(props: Mapping[str, Any], defs: Mapping[str, Any]) -> dict[str, FieldSpec]:
    out: dict[str, FieldSpec] = {}
    for i, (name, p) in enumerate(props.items()):
        kinds, nullable = _types_of(p)
        element = None
        items = p.get("items")
        # Read-only arrays are never compared, so their rows need no spec (and
        # ExternalLink_List.child_links would recurse into itself).
        if items and "$ref" in items and not p.get("readOnly"):
            element = _element(defs, items["$ref"])
        lookup = _lookup(p.get("x-halo-lookup"))
        if element is not None and lookup is not None and lookup.field is not None:
            # The row field holding the id (halo_id) names what this array maps: clients
            # in client_mappings, suppliers in supplier_mappings. The row spec says so.
            row = element.fields[lookup.field]
            rows = {**element.fields, lookup.field: replace(row, lookup=lookup)}
            element = replace(element, fields=rows)
        out[name] = FieldSpec(
            name=name,
            json_types=kinds,
            nullable=nullable,
            description=p.get("description", ""),
            order=i,
            read_only=bool(p.get("readOnly")),
            write_only=bool(p.get("writeOnly")),
            trigger=bool(p.get("x-halo-trigger")),
            comma_list=p.get("x-halo-list") == "comma-separated",
            date_time=p.get("format") == "date-time",
            impact=p.get("x-halo-impact"),
            health=p.get("x-halo-health"),
            newer=bool(p.get("x-halo-newer")),
            element=element,
            max_length=p.get("maxLength"),
            enum=tuple(p["enum"]) if "enum" in p else None,
            lookup=lookup,
            int_format=p["format"] if p.get("format") in ("int32", "int64") else None,
        )
    return out


@cache
def spec(key: str) -> TypeSpec:
    """The parsed schema of the type with config key `key` (KeyError if unknown)."""
    rtype = BY_KEY[key]
    doc = load_schema(key)
    defs = doc.get("$defs", {})
    return TypeSpec(
        type=rtype,
        title=doc["title"],
        identity=doc["x-halo-identity"],
        fields=_fields(doc["properties"], defs),
    )


@cache
def mapping_arrays(key: str) -> tuple[str, ...]:
    """The type's arrays of mapping rows (client_mappings …): a list row may lack them,
    HaloPSA filling them only on `GET /X/{id}?includedetails=true` (SPEC §11)."""
    return tuple(n for n, f in spec(key).fields.items() if f.element is not None)


def per_fields(
    build: Callable[[Mapping[str, FieldSpec]], T],
) -> Callable[[Mapping[str, FieldSpec]], T]:
    """`build(fields)` worked out once per field map, for code that runs per record.

    A type's (or row's) field map is made once per process (spec() is cached), so its
    identity is the key: a dict cannot be hashed, and comparing maps would cost what the
    cache saves. The map is kept beside its result, so a recycled id() cannot match.
    """
    known: dict[int, tuple[Mapping[str, FieldSpec], T]] = {}

    def cached(fields: Mapping[str, FieldSpec]) -> T:
        hit = known.get(id(fields))
        if hit is not None and hit[0] is fields:
            return hit[1]
        value = build(fields)
        known[id(fields)] = (fields, value)
        return value

    return cached
