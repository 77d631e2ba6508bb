"""The join planner: a path is scanned when it has few statements per focus node, looked
up otherwise or for a focus set restricted to some graphs; each class set and path is
counted once; a forced mode is obeyed; an unknown mode is refused. (That both forms give
the same results is tested on every shape fixture in ``test_shacl_sparql.py``.)"""
from __future__ import annotations

import pytest

from qkg.shacl_plan import SCAN_RATIO, Planner

P, C = "http://example.org/p", "http://example.org/C"


class Counts:
    """A store's answers to the planner's count patterns, with the patterns asked."""

    def __init__(self, instances: int, statements: int):
        self.instances, self.statements, self.asked = instances, statements, []

    def __call__(self, pattern: str) -> int:
        self.asked.append(pattern)
        return self.instances if "VALUES ?t" in pattern else self.statements


@pytest.mark.parametrize("instances,statements,scans", [
    (1000, 1000, True), (1000, SCAN_RATIO * 1000, True), (1000, SCAN_RATIO * 1000 + 1, False), (0, 10, False)])
def test_a_path_is_scanned_when_it_has_few_statements_per_focus_node(instances, statements, scans):
    plan = Planner(Counts(instances, statements))
    assert plan.scans(plan.focus_size({C}, 0, [], []), P) is scans


def test_a_restricted_focus_set_and_a_node_shape_are_looked_up():
    plan = Planner(Counts(10**6, 1))
    assert plan.scans(None, P) is False  # restricted to some graphs: few focus nodes
    assert plan.scans(10**6, None) is False  # no path to scan


def test_the_focus_size_adds_every_kind_of_target():
    plan = Planner(Counts(instances=7, statements=3))
    assert plan.focus_size({C}, 2, [P], [P + "2"]) == 7 + 2 + 3 + 3


def test_each_pattern_is_counted_once():
    counts = Counts(100, 100)
    plan = Planner(counts)
    for _ in range(3):
        plan.scans(plan.focus_size({C}, 0, [], []), P)
    assert len(counts.asked) == len(set(counts.asked)) == 2


@pytest.mark.parametrize("mode,scans", [("scan", True), ("lookup", False)])
def test_a_forced_mode_is_obeyed(mode, scans):
    counts = Counts(1, 10**6)
    assert Planner(counts, mode).scans(1, P) is scans
    assert counts.asked == []


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="join plan 'hash'"):
        Planner(Counts(1, 1), "hash")


def test_statements_are_a_sub_select_of_their_own():
    assert Planner.statements("?x", P, "?v") == f"{{ SELECT ?x ?v WHERE {{ ?x <{P}> ?v . }} }}"
    assert Planner.statements("?x", P, "?v", "isIRI(?v)").endswith("?x <http://example.org/p> ?v . FILTER(isIRI(?v)) } }")
