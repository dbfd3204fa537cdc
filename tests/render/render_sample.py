"""A representative plan for the golden renders: every action, a list field's element
additions and removals (comma-separated and mapping rows), money fields, a sensitive
change, write-only fields, refusals (protect, prevent_destroy), max_deletes exceeded, an
acknowledged difference, freeze windows (one active, one coming), warnings and unmanaged
records."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from reconciler.config.model import (
    Acknowledgement,
    ConfigRecord,
    Configuration,
    Ensure,
    Mark,
    Settings,
)
from reconciler.freeze import FreezeWindow
from reconciler.plan import (
    Action,
    ElementChange,
    ElementOp,
    FieldChange,
    Instance,
    Plan,
    ResourceChange,
    build_plan,
)
from reconciler.sensitive import Sensitive

CANARY = "CANARY-9f3b2a7c-secret"
CANARY_ID = "CANARY-9f3b2a7c-client-id"
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
INSTANCE = Instance("https://acme.halopsa.com", "acme")


def secret() -> Sensitive:
    return Sensitive(CANARY, "${XERO_CLIENT_SECRET}")


def sample_config() -> Configuration:
    xero = "config/xero.yaml"
    records = (
        ConfigRecord(
            type="xero",
            identity="Acme NZ",
            id=None,
            fields={
                "name": "Acme NZ",
                "tenant_id": "6f1e2c1a-0000-4000-8000-000000000001",
                "enablesync": True,
                "default_item_code": "SERVICES",
                "client_id": Sensitive(CANARY_ID, "${XERO_CLIENT_ID}"),
                "new_client_secret": secret(),
                "sync_entities": "invoices,clients",
            },
            mark=Mark(xero, 2, 5),
            prevent_destroy=True,
        ),
        ConfigRecord(
            type="xero",
            identity="Acme AU",
            id=None,
            fields={
                "name": "Acme AU",
                "tenant_id": "6f1e2c1a-0000-4000-8000-000000000002",
                "enablesync": True,
                "default_item_code": "SERVICES",
                "new_client_secret": secret(),
            },
            mark=Mark(xero, 14, 5),
        ),
        ConfigRecord(
            type="xero",
            identity="Old tenant",
            id=None,
            fields={"name": "Old tenant"},
            mark=Mark(xero, 21, 5),
            ensure=Ensure.ABSENT,
        ),
        ConfigRecord(
            type="quickbooks",
            identity="Acme US",
            id=None,
            fields={
                "name": "Acme US",
                "sync_entities": "invoices, payments",
                "close_period_date": "2024-01-31T00:00:00Z",
                "default_tax_code_id": 4,
            },
            mark=Mark("config/quickbooks.yaml", 2, 5),
        ),
        ConfigRecord(
            type="sage_business_cloud",
            identity="Sage UK",
            id=None,
            fields={
                "name": "Sage UK",
                "defaultitemcode": "SRV-01",
                "client_mappings": [
                    {"halo_id": 12, "third_party_id": "C-001", "third_party_type": "customer"},
                    {"halo_id": 14, "third_party_id": "C-003"},
                ],
            },
            mark=Mark("config/sage.yaml", 2, 5),
        ),
    )
    settings = Settings(
        prune=frozenset({"xero"}),
        max_deletes=1,
        protect=("xero/Stray",),
        acknowledge=(
            Acknowledgement(
                "sage_business_cloud/Sage UK",
                ("defaultitemcode",),
                "item codes renamed during the Sage migration",
                date(2024, 6, 30),
            ),
        ),
        freeze=(
            FreezeWindow(
                "quarter-end close",
                start=datetime(2024, 6, 5, tzinfo=UTC),
                end=datetime(2024, 6, 8, tzinfo=UTC),
            ),
            FreezeWindow("month-end close", days_of_month=(-1, 1, 2)),
        ),
    )
    return Configuration(records=records, settings=settings, files=(xero,))


def sample_live() -> dict[str, list[dict[str, Any]]]:
    return {
        "xero": [
            {
                "id": 3,
                "name": "Acme NZ",
                "tenant_id": "6f1e2c1a-0000-4000-8000-000000000001",
                "tenant_name": "Acme Ltd",
                "enablesync": False,
                "default_item_code": "SALES",
                "client_id": "old-client-id",
                "new_client_secret": None,
                "sync_entities": "clients,payments",
                "authorized": False,
                "token_expiry": "2024-05-30T08:00:00",
                "_warning": None,
                "some_future_field": "ignored",
            },
            {"id": 7, "name": "Old tenant", "enablesync": True},
            {"id": 9, "name": "Stray", "enablesync": False},
        ],
        "quickbooks": [
            {
                "id": 1,
                "name": "Acme US",
                "sync_entities": "payments,invoices",
                "close_period_date": "2024-01-31T00:00:00.0000000",
                "default_tax_code_id": 4.0,
                "authorized": True,
                "_warning": "",
            },
            {"id": 2, "name": "Legacy QBO", "authorized": True},
        ],
        "sage_business_cloud": [
            {
                "id": 5,
                "name": "Sage UK",
                "defaultitemcode": "SRV-02",
                "isauthorized": True,
                "_warning": "Token refresh failed",
                "client_mappings": [
                    {
                        "id": 100,
                        "halo_id": 12,
                        "third_party_id": "C-001",
                        "third_party_type": "supplier",
                        "third_party_desc": "Contoso",
                        "date_created": "2024-01-01T00:00:00",
                    },
                    {"id": 101, "halo_id": 13, "third_party_id": "C-002", "third_party_type": None},
                ],
            }
        ],
    }


def sample_plan() -> Plan:
    return build_plan(sample_config(), sample_live(), instance=INSTANCE, now=NOW)


def huge_plan(records: int = 400) -> Plan:
    """Updates of `records` records with 60 new mapping rows each: too long for a comment."""
    changes = []
    for i in range(records):
        rows = tuple(
            ElementChange(ElementOp.ADD, f"halo_id={j}", {"halo_id": j, "third_party_id": f"C-{j}"})
            for j in range(60)
        )
        field = FieldChange("client_mappings", None, [], elements=rows)
        money = FieldChange("defaultitemcode", "A", "B", impact="money")
        changes.append(
            ResourceChange(
                f"sage_business_cloud/S{i:03}",
                "sage_business_cloud",
                f"S{i:03}",
                i,
                Action.UPDATE,
                (money, field),
            )
        )
    return Plan(INSTANCE, tuple(changes))
