import spacy
from spacy.tokens import Span

from clin_distill.teachers.abbreviations import best_long_form, find_abbreviations


def test_best_long_form_schwartz_hearst():
    text = "patients with adenomatous polyposis coli"
    assert text[best_long_form("APC", text) :] == "adenomatous polyposis coli"
    assert best_long_form("XYZ", "heart failure") is None
    text = "endoscopy.\nEndoscopic ultrasound-guided fine-needle aspiration"
    assert text[best_long_form("EUS-FNA", text) :] == "Endoscopic ultrasound-guided fine-needle aspiration"


def test_a_long_form_after_a_line_break_starts_at_its_first_word():
    nlp = _nlp([{"label": "DISEASE", "pattern": "polyposis coli"}])
    doc = nlp("He had colitis.\nAdenomatous polyposis coli (APC) was found.")
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Adenomatous polyposis coli", "DISEASE"),
        ("APC", "DISEASE"),
    ]


def _nlp(patterns, **cfg):
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns(patterns)
    nlp.add_pipe("clin_distill_abbreviations", config=cfg)
    return nlp


def test_defined_short_form_and_later_mentions_take_the_label():
    nlp = _nlp([{"label": "DISEASE", "pattern": "polyposis coli"}])
    doc = nlp("Germline adenomatous polyposis coli (APC) is rare. APC patients and APC carriers.")
    ents = [(e.text, e.label_) for e in doc.ents]
    assert ents == [
        ("adenomatous polyposis coli", "DISEASE"),
        ("APC", "DISEASE"),
        ("APC", "DISEASE"),
        ("APC", "DISEASE"),
    ]
    assert len(find_abbreviations(doc)) == 1


def test_expansion_can_be_switched_off_and_unlabelled_long_forms_do_nothing():
    nlp = _nlp([{"label": "DISEASE", "pattern": "polyposis coli"}], expand_long_form=False)
    doc = nlp("Germline adenomatous polyposis coli (APC) is rare.")
    assert [e.text for e in doc.ents] == ["polyposis coli", "APC"]
    doc = nlp("The quick brown fox (QBF) jumps.")
    assert list(doc.ents) == []


def test_undefined_acronym_matches_entity_initials():
    nlp = _nlp([{"label": "DISEASE", "pattern": "adrenoleukodystrophy"}])
    doc = nlp("X-linked adrenoleukodystrophy is frequent. ALD is due to mutations.")
    assert [(e.text, e.label_) for e in doc.ents] == [("adrenoleukodystrophy", "DISEASE"), ("ALD", "DISEASE")]
    nlp = _nlp([{"label": "DISEASE", "pattern": "adrenoleukodystrophy"}], match_undefined=False)
    assert [e.text for e in nlp("adrenoleukodystrophy and ALD").ents] == ["adrenoleukodystrophy"]


def test_undefined_acronym_needs_word_initials_in_order_and_an_unknown_acronym():
    from clin_distill.teachers.abbreviations import initials_in_order

    assert initials_in_order("ALD", "adrenoleukodystrophy")
    assert initials_in_order("CHF", "congestive heart failure")
    assert not initials_in_order("G6PD", "G6PD deficiency")
    assert not initials_in_order("CT", "cystic tumor and fibrosis")
    assert not initials_in_order("CHF", "heart congestive failure")
    nlp = spacy.blank("en")
    nlp.add_pipe("clin_distill_abbreviations")
    nlp.initialize()
    nlp.get_pipe("clin_distill_abbreviations").initialize(known=["CT"])
    doc = nlp.make_doc("Congestive heart failure and a cystic tumor. CHF worsened; CT showed it.")
    doc.ents = [Span(doc, 0, 3, label="DISEASE"), Span(doc, 5, 7, label="DISEASE")]
    doc = nlp.get_pipe("clin_distill_abbreviations")(doc)
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Congestive heart failure", "DISEASE"),
        ("cystic tumor", "DISEASE"),
        ("CHF", "DISEASE"),
    ]


def test_known_abbreviations_round_trip_to_disk(tmp_path):
    nlp = spacy.blank("en")
    pipe = nlp.add_pipe("clin_distill_abbreviations")
    pipe.initialize(known=["CT", "MRI"])
    nlp.to_disk(tmp_path / "p")
    assert spacy.load(tmp_path / "p").get_pipe("clin_distill_abbreviations").known == {"CT", "MRI"}
