"""Golden renders of a plan whose changed ids all have names (SPEC §13, issue 15
acceptance 1): top level, item group, tax code, account, item and mapping rows' clients,
before and after, in the money block too. Regenerate with UPDATE_GOLDEN=1 and review."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest

from reconciler.config.model import ConfigRecord, Configuration, Mark
from reconciler.names.annotate import annotate
from reconciler.names.tables import NameTable
from reconciler.plan import Instance, Plan, build_plan
from reconciler.registry import Lookup
from reconciler.render import render_plan

GOLDEN = Path(__file__).parent / "golden"
QBO = "/IntegrationData/Get/QuickBooksOnline"
TABLES: dict[str, dict[object, str]] = {
    "/TopLevel": {12: "Managed Services", 14: "Projects"},
    "/ItemGroup": {1: "Services", 2: "Hardware"},
    "/Client": {18: "Contoso Ltd", 21: "Fabrikam Inc", 30: "Woodgrove Bank"},
    f"{QBO}?datatype=tax_code": {3: "Tax Exempt", 5: "GST on Income"},
    f"{QBO}?datatype=account": {200: "Sales", 4000: "Sales - Services"},
    f"{QBO}?datatype=item": {1: "Labour", 2: "Hardware"},
    "/IntegrationData/Get/Xero?datatype=item": {"SERVICES": "Professional services"},
}


def _table(lookup: Lookup) -> NameTable | None:
    rows = [{"id": k, "name": v} for k, v in TABLES.get(lookup.label, {}).items()]
    return NameTable.from_rows(lookup.label, rows)


def _config() -> Configuration:
    mark = Mark("halo.yaml", 2, 5)
    return Configuration(
        records=(
            ConfigRecord(
                "xero",
                "Acme NZ",
                None,
                {"name": "Acme NZ", "client_top_level": 12, "default_item_code": "SERVICES"},
                mark,
            ),
            ConfigRecord(
                "quickbooks",
                "Acme US",
                None,
                {
                    "name": "Acme US",
                    "client_top_level": 14,
                    "service_item_group": 2,
                    "default_tax_code_id": 5,
                    "default_sales_account_id": 4000,
                    "default_invoice_item": 2,
                },
                mark,
            ),
            ConfigRecord(
                "sage_business_cloud",
                "Sage UK",
                None,
                {
                    "name": "Sage UK",
                    "client_mappings": [
                        {"halo_id": 18, "third_party_id": "C00030", "third_party_type": "customer"},
                        {"halo_id": 30, "third_party_id": "C00040"},
                    ],
                },
                mark,
            ),
        )
    )


def _live() -> dict[str, list[dict[str, Any]]]:
    return {
        "quickbooks": [
            {
                "id": 1,
                "name": "Acme US",
                "client_top_level": 12,
                "client_top_level_name": "Managed Services",
                "service_item_group": 1,
                "service_item_group_name": "Services",
                "default_tax_code_id": 3,
                "default_tax_code_name": "Tax Exempt",
                "default_sales_account_id": 200,
                "default_sales_account_name": "Sales",
                "default_invoice_item": 1,
                "default_invoice_item_name": "Labour",
            }
        ],
        "sage_business_cloud": [
            {
                "id": 5,
                "name": "Sage UK",
                "client_mappings": [
                    {"id": 1, "halo_id": 18, "third_party_id": "C00030", "third_party_type": None},
                    {"id": 2, "halo_id": 21, "third_party_id": "C00031"},
                ],
            }
        ],
    }


def named_plan() -> Plan:
    config = _config()
    live = _live()
    plan = build_plan(config, live, instance=Instance("https://acme.halopsa.com"))
    named, found = annotate(plan, config, live, _table)
    assert found.issues == [] and found.warnings == []
    return named


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("text", "plan-names.txt"), ("markdown", "plan-names.md"), ("json", "plan-names.json")],
)
def test_golden_names(fmt: str, name: str) -> None:
    buf = io.StringIO()
    render_plan(named_plan(), buf, format=fmt, full_plan_hint="the plan-json artifact")
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(buf.getvalue(), encoding="utf-8", newline="")
    expected = path.read_text(encoding="utf-8")
    assert buf.getvalue() == expected, f"{name} differs; rerun with UPDATE_GOLDEN=1 and review"
