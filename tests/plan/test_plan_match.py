"""Matching config records to live records: by id, else by exact identity; one-to-one."""

from __future__ import annotations

import pytest
from plan_factories import cfg, plan_of, rec

from reconciler.config.model import Ensure
from reconciler.errors import PlanError
from reconciler.plan.match import match_records
from reconciler.registry import spec

XERO = spec("xero")


def test_matches_by_identity_exactly() -> None:
    live = [{"id": 1, "name": "Acme NZ"}, {"id": 2, "name": "acme nz"}, {"id": 3, "name": "Other"}]
    result = match_records(XERO, [rec("xero", "Acme NZ")], live)
    assert result.problems == ()
    assert result.matches[0].live is live[0]
    assert result.unmatched == (live[1], live[2])


def test_myob_matches_by_company_id() -> None:
    live = [{"id": 4, "company_id": "ACME-1"}]
    r = rec("myob", "ACME-1", {"company_id": "ACME-1"})
    assert match_records(spec("myob"), [r], live).matches[0].live is live[0]


def test_id_wins_over_identity_so_a_record_can_be_renamed() -> None:
    live = [{"id": 7, "name": "Old name"}]
    result = match_records(XERO, [rec("xero", "New name", id=7)], live)
    assert result.matches[0].live is live[0]
    assert result.unmatched == ()


def test_no_live_record_means_none() -> None:
    result = match_records(XERO, [rec("xero", "Acme")], [])
    assert result.matches[0].live is None
    assert result.problems == ()


def test_ambiguous_live_records_name_both() -> None:
    live = [{"id": 3, "name": "Acme NZ"}, {"id": 7, "name": "Acme NZ"}]
    result = match_records(XERO, [rec("xero", "Acme NZ", line=4)], live)
    assert result.problems == (
        "c.yaml:4:3: xero/Acme NZ: ambiguous: xero/Acme NZ matches live records #3 and #7 "
        '(all have name "Acme NZ"); state `id` to pick one',
    )


def test_two_config_records_with_one_identity() -> None:
    result = match_records(XERO, [rec("xero", "Acme", line=2), rec("xero", "Acme", line=9)], [])
    assert result.problems == (
        'c.yaml:9:3: xero/Acme: configured twice (name "Acme" also at c.yaml:2:3)',
    )


def test_two_config_records_matching_one_live_record() -> None:
    live = [{"id": 3, "name": "Acme"}]
    records = [rec("xero", "Acme", line=2), rec("xero", None, {}, id=3, line=8)]
    result = match_records(XERO, records, live)
    assert result.problems == (
        "c.yaml:8:3: xero/#3: matches live record #3, which xero/Acme (c.yaml:2:3) also matches",
    )


def test_duplicate_ids_in_configuration() -> None:
    live = [{"id": 3, "name": "Acme"}]
    records = [rec("xero", None, {}, id=3, line=2), rec("xero", "B", id=3, line=5)]
    problems = match_records(XERO, records, live).problems
    assert (
        problems[0]
        == "c.yaml:5:3: xero/B: id 3 is configured twice (also by xero/#3 at c.yaml:2:3)"
    )


def test_unknown_id_is_a_problem_unless_absent() -> None:
    present = match_records(XERO, [rec("xero", "Acme", id=12, line=3)], [])
    assert present.problems == (
        "c.yaml:3:3: xero/Acme: no live xero record has id 12 "
        "(HaloPSA assigns ids: remove `id` to create the record)",
    )
    absent = match_records(XERO, [rec("xero", "Acme", id=12, ensure=Ensure.ABSENT)], [])
    assert absent.problems == ()
    assert absent.matches[0].live is None


def test_build_plan_reports_every_problem_of_every_type() -> None:
    config = cfg(rec("xero", "A", line=1), rec("xero", "A", line=2), rec("quickbooks", "Q", line=3))
    live = {"quickbooks": [{"id": 1, "name": "Q"}, {"id": 2, "name": "Q"}]}
    with pytest.raises(PlanError) as caught:
        plan_of(config, live)
    assert str(caught.value) == (
        "2 problems matching the configuration to HaloPSA\n"
        '  c.yaml:2:3: xero/A: configured twice (name "A" also at c.yaml:1:3)\n'
        "  c.yaml:3:3: quickbooks/Q: ambiguous: quickbooks/Q matches live records #1 and #2 "
        '(all have name "Q"); state `id` to pick one'
    )
    assert len(caught.value.problems) == 2
