"""The entity labels every teacher, corpus and student shares."""

MEDICATION = "MEDICATION"
DISEASE = "DISEASE"
SYMPTOM = "SYMPTOM"
LABELS: tuple[str, ...] = (MEDICATION, DISEASE, SYMPTOM)
