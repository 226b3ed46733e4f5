"""The layers stay as docs/DESIGN.md draws them: import-linter's contracts (pyproject.toml), the
service using the library through its public face only, no private names across modules."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(p for folder in ("transformer", "service") for p in (ROOT / folder).rglob("*.py"))


def imports(path: Path):
    """(module imported from, [names]) of every ``from X import ...`` of a file, function-level included."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            yield ("." * node.level) + (node.module or ""), [a.name for a in node.names], node.lineno
        elif isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, [], node.lineno


def test_the_sources_are_there():
    assert len(SOURCES) > 80


def test_the_import_contracts_hold(tmp_path):
    from importlinter.cli import lint_imports

    code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert code == 0, "import-linter: a layer contract is broken (run .venv/bin/lint-imports to see which)"


@pytest.mark.parametrize("path", [p for p in SOURCES if p.relative_to(ROOT).parts[0] == "service"],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_the_service_uses_the_library_through_its_face(path):
    wrong = [f"line {line}: {module}" for module, _, line in imports(path)
             if module.startswith("transformer.")]
    assert not wrong, f"{path.name} imports library internals; add the name to transformer/__init__.py: {wrong}"


def test_every_name_of_the_face_exists():
    import transformer

    assert transformer.__all__ and len(transformer.__all__) > 40
    for name in transformer.__all__:
        assert getattr(transformer, name) is not None, name


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_private_name_is_imported_from_another_module(path):
    wrong = [f"line {line}: {name} from {module}" for module, names, line in imports(path)
             for name in names if name.startswith("_") and not name.startswith("__")
             and (module.startswith((".", "transformer", "service")))]
    assert not wrong, f"{path.name} reaches into another module's private names: {wrong}"
