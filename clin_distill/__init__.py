"""clin-distill: distil LLM and ontology teachers into a small clinical NER model."""

from .labels import LABELS

__version__ = "0.1.0"
__all__ = ["LABELS", "__version__"]
