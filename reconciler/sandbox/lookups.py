"""The `*_name` fields HaloPSA computes from an id, and the small tables the sandbox uses.

HaloPSA fills `client_top_level_name` from `client_top_level`, `item_group_name` from
`item_group`, and so on, by looking the id up in its own tables (top levels, item groups)
or the package's (tax codes, accounts). The sandbox cannot know a real instance's tables:
it has a small fixed one per kind, which a seed's `lookups:` mapping extends, and answers
"Unknown (<id>)" for an id it does not know. Pure data.
"""

from __future__ import annotations

from collections.abc import Mapping

TOP_LEVEL = "top_level"
ITEM_GROUP = "item_group"
TAX_CODE = "tax_code"
ACCOUNT = "account"
ITEM = "item"
TRACKING = "tracking_category"
DIVISION = "division"
CUSTOMER = "customer"
CUSTOM_FIELD = "custom_field"

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
)

_TOP = {
    "client_top_level_name": ("client_top_level", TOP_LEVEL),
    "supplier_top_level_name": ("supplier_top_level", TOP_LEVEL),
}
_GROUP = {"item_group_name": ("item_group", ITEM_GROUP)}

# type -> read-only name field -> (the field holding the id, the table it is looked up in)
NAME_SOURCES: Mapping[str, Mapping[str, tuple[str, str]]] = {
    "xero": {
        **_TOP,
        **_GROUP,
        "category_1_name": ("category_1_id", TRACKING),
        "category_2_name": ("category_2_id", TRACKING),
    },
    "quickbooks": {
        **_TOP,
        "default_tax_code_name": ("default_tax_code_id", TAX_CODE),
        "zero_tax_rate_name": ("zero_tax_rate_id", TAX_CODE),
        "inventory_item_group_name": ("inventory_item_group", ITEM_GROUP),
        "non_inventory_item_group_name": ("non_inventory_item_group", ITEM_GROUP),
        "service_item_group_name": ("service_item_group", ITEM_GROUP),
        "default_invoice_item_name": ("default_invoice_item", ITEM),
        "default_order_item_name": ("default_order_item", ITEM),
        "invoice_custom_po_name": ("invoice_custom_po_id", CUSTOM_FIELD),
        "custom_po_suppliers_order_reference_name": (
            "custom_po_suppliers_order_reference_id",
            CUSTOM_FIELD,
        ),
        "default_order_account_name": ("default_order_account_id", ACCOUNT),
        "default_sales_account_name": ("default_sales_account_id", ACCOUNT),
        "default_expense_account_name": ("default_expense_account_id", ACCOUNT),
        "default_asset_account_name": ("default_asset_account_id", ACCOUNT),
        "default_deferred_code_name": ("default_deferred_code_id", ACCOUNT),
    },
    "sage_business_cloud": {
        "client_top_level_name": ("clienttoplevel", TOP_LEVEL),
        "item_group_name": ("itemgroup", ITEM_GROUP),
    },
    "myob": {
        "client_top_level_name": ("clienttoplevel", TOP_LEVEL),
        "supplier_top_level_name": ("suppliertoplevel", TOP_LEVEL),
        "item_group_name": ("defaultitemgroup", ITEM_GROUP),
        "defaulttaxcodename": ("defaulttaxcodeid", TAX_CODE),
        "defaultsalesaccountname": ("defaultsalesaccountid", ACCOUNT),
        "defaultexpenseaccountname": ("defaultexpenseaccountid", ACCOUNT),
    },
    "kashflow": {
        **_TOP,
        **_GROUP,
        "client_item_tax_name": ("client_item_tax", TAX_CODE),
        "client_service_tax_name": ("client_service_tax", TAX_CODE),
        "client_contract_tax_name": ("client_contract_tax", TAX_CODE),
    },
    "fortnox": {"client_top_level_name": ("client_top_level", TOP_LEVEL), **_GROUP},
    "exact": {
        "client_top_level_name": ("clienttoplevel", TOP_LEVEL),
        "item_group_name": ("itemgroup", ITEM_GROUP),
        "division_name": ("division", DIVISION),
    },
    "business_central": {
        "client_top_level_name": ("client_top_level", TOP_LEVEL),
        "item_default_group_name": ("item_default_group", ITEM_GROUP),
        "default_sales_account_name": ("default_sales_account", ACCOUNT),
        "default_purchase_account_name": ("default_purchase_account", ACCOUNT),
        "default_invoice_item_name": ("default_invoice_item", ITEM),
        "default_po_item_name": ("default_po_item", ITEM),
    },
    "avalara": {
        **_TOP,
        "default_customer_name": ("defaultcustomercode", CUSTOMER),
    },
}

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
}


def name_of(kind: str, value: object, tables: Mapping[str, Mapping[str, str]]) -> str | None:
    """The display name for `value` in table `kind`; None for no value, else "Unknown (v)"."""
    if value is None or value == "":
        return None
    key = str(value)
    found = tables.get(kind, {}).get(key)
    if found is None:
        found = DEFAULT_LOOKUPS.get(kind, {}).get(key)
    return found if found is not None else f"Unknown ({key})"
