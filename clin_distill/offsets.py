"""Spans as plain tuples, named by what their offsets count (defined once, used everywhere)."""

# (start_char, end_char, label): characters of the doc's text, end exclusive (scoring, LLM grounding)
CharSpan = tuple[int, int, str]
# (start, end, label): token indices of the doc, end exclusive (teacher votes, the combination)
TokenSpan = tuple[int, int, str]
