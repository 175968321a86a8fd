"""The clin_distill modules a script imports, directly or through other clin_distill modules."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = "clin_distill"


def module_file(module: str) -> Path | None:
    """The source file of a clin_distill module (a package's ``__init__.py``), if it exists."""
    base = REPO / Path(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported(path: Path, module: str) -> set[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            found.add(target)
            found |= {f"{target}.{alias.name}" for alias in node.names}
    return {name for name in found if name.split(".")[0] == PACKAGE and module_file(name)}


def closure(script: Path) -> set[Path]:
    """Every clin_distill source file ``script`` imports, transitively (parent packages included)."""
    seen: dict[str, Path] = {}
    todo = list(_imported(script, "__main__"))
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        path = module_file(module)
        seen[module] = path
        parents = [".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 1)]
        todo += [p for p in parents if p not in seen] + list(_imported(path, module))
    return set(seen.values())
