"""The overlap rule: clusters, one vote per teacher, representative boundaries."""

from __future__ import annotations

import pytest

from clin_distill.combine.clusters import cluster_spans


def test_overlapping_spans_of_any_label_form_one_cluster():
    clusters = cluster_spans(
        {
            "a": [(2, 4, "SYMPTOM"), (5, 6, "DISEASE")],
            "b": [(3, 4, "SYMPTOM"), (5, 6, "SYMPTOM")],
            "c": [(9, 10, "SYMPTOM")],
        }
    )
    assert [(c.start, c.end) for c in clusters] == [(2, 4), (5, 6), (9, 10)]
    assert clusters[0].votes == {"a": "SYMPTOM", "b": "SYMPTOM"}
    assert clusters[1].labels == {"DISEASE", "SYMPTOM"}


def test_chained_overlaps_merge_and_a_teacher_votes_once_with_its_longest_span():
    # a: "chest" + "pain"; b: "chest pain"; c: "pain and" chains on to the right
    clusters = cluster_spans(
        {"a": [(2, 3, "SYMPTOM"), (3, 4, "DISEASE")], "b": [(2, 4, "SYMPTOM")], "c": [(3, 5, "SYMPTOM")]}
    )
    assert len(clusters) == 1
    cluster = clusters[0]
    assert (cluster.start, cluster.end, cluster.n_spans) == (2, 5, 4)
    # a's two spans tie on length: the earlier one represents it
    assert cluster.proposals["a"] == (2, 3, "SYMPTOM")


def test_representative_is_most_proposed_then_longest_then_earliest():
    cluster = cluster_spans({"a": [(2, 4, "SYMPTOM")], "b": [(3, 4, "SYMPTOM")], "c": [(3, 4, "SYMPTOM")]})[0]
    assert cluster.representative("SYMPTOM") == (3, 4, 2)
    tie_len = cluster_spans({"a": [(2, 4, "SYMPTOM")], "b": [(3, 4, "SYMPTOM")]})[0]
    assert tie_len.representative("SYMPTOM") == (2, 4, 1)
    tie_start = cluster_spans({"a": [(3, 5, "SYMPTOM")], "b": [(2, 4, "SYMPTOM")]})[0]
    assert tie_start.representative("SYMPTOM") == (2, 4, 1)
    with pytest.raises(ValueError):
        tie_start.representative("DISEASE")


def test_touching_spans_do_not_overlap():
    clusters = cluster_spans({"a": [(2, 3, "SYMPTOM")], "b": [(3, 4, "SYMPTOM")]})
    assert len(clusters) == 2
