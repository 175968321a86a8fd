"""Is-a hierarchies of the ontologies (HPO's ``is_a``, SNOMED CT's 116680003 relationships): every
concept at or below some roots."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def descendants(children: Mapping[str, Iterable[str]], roots: Iterable[str]) -> set[str]:
    """``roots`` and every concept reachable from them through ``children`` (parent → children)."""
    seen = set(roots)
    stack = list(seen)
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen
