import spacy

from clin_distill.teachers.variants import derive_vocabulary

TERMS = [
    "breast cancer",
    "ovarian cancer",
    "lung cancer",
    "colon cancer",
    "hereditary ataxia",
    "hereditary neuropathy",
    "gaucher disease",
    "fabry disease",
    "iron deficiency",
]


def _nlp(**cfg):
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", name="ontology_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns([{"label": "DISEASE", "pattern": t} for t in TERMS])
    config = {"n_head_nouns": 3, "min_modifier_terms": 2, **cfg}
    nlp.add_pipe("clin_distill_span_variants", config=config)
    return nlp


def test_vocabulary_is_derived_from_terms():
    vocab = derive_vocabulary(TERMS, n_heads=2, min_modifier_terms=2)
    assert vocab.heads == {"cancer", "disease"}
    assert vocab.modifiers == {"hereditary"}


def test_coordination_modifier_and_gene_head_rules():
    nlp = _nlp()
    doc = nlp(
        "Women with breast and ovarian cancer, or hereditary lung cancer, and C9 disease or HPT-JT cancer."
    )
    assert [e.text for e in doc.ents] == [
        "breast and ovarian cancer",
        "hereditary lung cancer",
        "C9 disease",
        "HPT-JT cancer",
    ]


def test_rules_can_be_switched_off():
    nlp = _nlp(coordination=False, modifiers=False, gene_heads=False)
    doc = nlp("Women with breast and ovarian cancer, or hereditary lung cancer, and C9 disease.")
    assert [e.text for e in doc.ents] == ["ovarian cancer", "lung cancer"]


def test_coordinated_terms_are_split_into_their_own_mentions():
    def build(split):
        nlp = spacy.blank("en")
        ruler = nlp.add_pipe("entity_ruler", name="ontology_ruler", config={"phrase_matcher_attr": "LOWER"})
        ruler.add_patterns(
            [
                {"label": "SYMPTOM", "pattern": "nausea and vomiting"},
                {"label": "SYMPTOM", "pattern": "nausea"},
                {"label": "SYMPTOM", "pattern": "vomiting"},
                {"label": "MEDICATION", "pattern": "amoxicillin and clavulanic acid"},
                {"label": "MEDICATION", "pattern": "amoxicillin"},
                {"label": "DISEASE", "pattern": "fever and chills"},
                {"label": "SYMPTOM", "pattern": "fever"},
            ]
        )
        nlp.add_pipe("clin_distill_span_variants", config={"split_coordinated": split})
        return nlp

    text = "Nausea and vomiting after amoxicillin and clavulanic acid; fever and chills."
    assert [(e.text, e.label_) for e in build(True)(text).ents] == [
        ("Nausea", "SYMPTOM"),
        ("vomiting", "SYMPTOM"),
        ("amoxicillin and clavulanic acid", "MEDICATION"),  # "clavulanic acid" is no term
        ("fever and chills", "DISEASE"),  # "chills" is no term
    ]
    assert [e.text for e in build(False)(text).ents][0] == "Nausea and vomiting"
