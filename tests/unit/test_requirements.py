"""Every third-party module the project imports is a pinned, direct requirement."""
from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions

from conftest import ROOT

REQUIREMENT = re.compile(r"^([A-Za-z0-9_.-]+)==[0-9][^\s#]*(\s+#.*)?$")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements() -> dict[str, str]:
    pinned = {}
    for file in ("requirements.txt", "requirements-test.txt"):
        for line in (ROOT / file).read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                match = REQUIREMENT.match(line.strip())
                assert match, f"{file}: not pinned with ==: {line!r}"
                pinned[_normal(match[1])] = file
    return pinned


def _test_files():
    return [p for p in ROOT.glob("tests/**/*.py") if "node_modules" not in p.parts]


def python_sources():
    for path in [*ROOT.glob("csam_reporting/**/*.py"), *_test_files(), *ROOT.glob("benchmarks/*.py"), *ROOT.glob("tools/*.py")]:
        yield path, path.read_text(encoding="utf-8")
    for chapter in ROOT.glob("chapters/*.md"):
        cells = re.findall(r"```\{code-cell\}[^\n]*\n(.*?)```", chapter.read_text(encoding="utf-8"), re.S)
        code = "\n".join("\n".join(l for l in cell.splitlines() if not l.startswith(":")) for cell in cells)
        yield chapter, code


def test_every_requirement_is_pinned_and_constrained():
    pinned = requirements()
    constraints = {_normal(l.split("==")[0]) for l in (ROOT / "constraints.txt").read_text().splitlines() if "==" in l}
    assert set(pinned) <= constraints, set(pinned) - constraints


def test_every_third_party_import_is_a_direct_requirement():
    pinned, owners, local = requirements(), packages_distributions(), {"csam_reporting", *(p.stem for p in _test_files())}
    missing = []
    for path, code in python_sources():
        for node in ast.walk(ast.parse(code)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else []
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in local:
                    continue
                if not any(_normal(d) in pinned for d in owners.get(top, [top])):
                    missing.append(f"{path.relative_to(ROOT)}: {top}")
    assert missing == [], missing
