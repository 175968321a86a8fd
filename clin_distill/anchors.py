"""The paper's numbers we compare against (arXiv 2501.00031), from the one place they are recorded:
the versioned resource ``clin_distill/resources/paper_anchors.v1.json`` (F1 per label and system,
speed and cost ratios of the distilled student against each LLM teacher, and where they come from)."""

from __future__ import annotations

import json
from importlib import resources

ANCHORS_RESOURCE = "paper_anchors.v1.json"


def load_anchors() -> dict:
    """The paper's anchor numbers (versioned resource shipped with the library)."""
    text = (resources.files("clin_distill") / "resources" / ANCHORS_RESOURCE).read_text(encoding="utf8")
    return json.loads(text)
