"""The `*_name` fields HaloPSA computes from an id, and the small tables the sandbox uses.

HaloPSA fills `client_top_level_name` from `client_top_level`, `item_group_name` from
`item_group`, and so on, by looking the id up in its own tables (top levels, item groups,
clients, suppliers) or the package's (tax codes, accounts, items). Which field is named
from which table is the schemas' `x-halo-lookup` keyword, read here, never restated. The
sandbox cannot know a real instance's tables: it has a small fixed one per kind, which a
seed's `lookups:` mapping extends, serves them as lists (app.py) and answers
"Unknown (<id>)" for an id it does not know. Pure data.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from reconciler.registry import Lookup, spec

TOP_LEVEL = "top_level"
ITEM_GROUP = "item_group"
TAX_CODE = "tax_code"
ACCOUNT = "account"
ITEM = "item"
TRACKING = "tracking_category"
DIVISION = "division"
CUSTOMER = "customer"
CUSTOM_FIELD = "custom_field"
CLIENT = "client"
SUPPLIER = "supplier"

KINDS: tuple[str, ...] = (
    TOP_LEVEL,
    ITEM_GROUP,
    TAX_CODE,
    ACCOUNT,
    ITEM,
    TRACKING,
    DIVISION,
    CUSTOMER,
    CUSTOM_FIELD,
    CLIENT,
    SUPPLIER,
)


# The `{package}` of GET /IntegrationData/Get/{package} the sandbox answers.
PACKAGES: tuple[str, ...] = (
    "Xero",
    "QuickBooksOnline",
    "SageBusinessCloud",
    "MYOB",
    "Kashflow",
    "Fortnox",
    "Exact",
    "BusinessCentral",
    "Avalara",
)

# HaloPSA's own lists, by path; the package's lists are named by their `datatype` query.
_HALO_TABLES: Mapping[str, str] = {
    "/TopLevel": TOP_LEVEL,
    "/ItemGroup": ITEM_GROUP,
    "/Client": CLIENT,
    "/Supplier": SUPPLIER,
}


def table_of(lookup: Lookup) -> str:
    """The sandbox table a schema's `x-halo-lookup` reads: a Halo list, or a package datatype."""
    kind = _HALO_TABLES.get(lookup.source)
    return kind if kind is not None else dict(lookup.query).get("datatype", "")


@cache
def name_sources(key: str) -> Mapping[str, tuple[str, str]]:
    """Read-only name field -> (the field holding the id, its table), from the schema."""
    out: dict[str, tuple[str, str]] = {}
    for name, fs in spec(key).fields.items():
        lk = fs.lookup
        if lk is not None and lk.name is not None and lk.field is None:
            out[lk.name] = (name, table_of(lk))
    return out


# Keys are strings: ids are looked up by their text, so 200 and "200" find the same row.
DEFAULT_LOOKUPS: Mapping[str, Mapping[str, str]] = {
    TOP_LEVEL: {"1": "Customers", "2": "Suppliers", "3": "Partners", "4": "Internal"},
    ITEM_GROUP: {"1": "Services", "2": "Hardware", "3": "Software", "4": "Subscriptions"},
    TAX_CODE: {
        "1": "GST on Income",
        "2": "GST Free Income",
        "3": "Tax Exempt",
        "4": "Standard Rate 20%",
        "5": "Zero Rated",
    },
    ACCOUNT: {
        "200": "Sales",
        "260": "Other Revenue",
        "310": "Cost of Goods Sold",
        "400": "Advertising",
        "4000": "Sales - Services",
        "5000": "Purchases",
    },
    ITEM: {"1": "Labour", "2": "Hardware", "SERVICES": "Professional services"},
    TRACKING: {},
    DIVISION: {"1": "Main division", "2": "Second division"},
    CUSTOMER: {"CASH": "Cash customer"},
    CUSTOM_FIELD: {},
    CLIENT: {"1": "Acme Corporation", "2": "Fabrikam Inc", "3": "Northwind Traders"},
    SUPPLIER: {"1": "Ingram Micro", "2": "Dell Technologies"},
}


def rows_of(kind: str, tables: Mapping[str, Mapping[str, str]]) -> list[tuple[str, str]]:
    """Every (id, name) of table `kind`: the defaults overlaid by the seed's, in id order."""
    merged = {**DEFAULT_LOOKUPS.get(kind, {}), **tables.get(kind, {})}
    return sorted(merged.items(), key=lambda kv: (not kv[0].isdigit(), len(kv[0]), kv[0]))


def name_of(kind: str, value: object, tables: Mapping[str, Mapping[str, str]]) -> str | None:
    """The display name for `value` in table `kind`; None for no value, else "Unknown (v)"."""
    if value is None or value == "":
        return None
    key = str(value)
    found = tables.get(kind, {}).get(key)
    if found is None:
        found = DEFAULT_LOOKUPS.get(kind, {}).get(key)
    return found if found is not None else f"Unknown ({key})"
