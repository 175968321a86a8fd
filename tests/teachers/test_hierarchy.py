"""The one is-a walk both ontology builders use (HPO terms, SNOMED CT relationships)."""

from clin_distill.teachers.hierarchy import descendants


def test_every_concept_below_the_roots_and_the_roots_themselves():
    children = {"root": ["a", "b"], "a": ["c"], "c": ["d"], "other": ["e"]}
    assert descendants(children, ["root"]) == {"root", "a", "b", "c", "d"}
    assert descendants(children, ["a", "other"]) == {"a", "c", "d", "other", "e"}
    assert descendants(children, ["leaf"]) == {"leaf"}


def test_a_cycle_or_a_concept_with_two_parents_is_walked_once():
    children = {"r": ["x", "y"], "x": ["z"], "y": ["z"], "z": ["r"]}
    assert descendants(children, ["r"]) == {"r", "x", "y", "z"}
