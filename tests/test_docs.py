"""The ``python`` blocks of the docs run as written: each block is a test module of its own, run by pytest in a
subprocess with nothing but the installed plugin (docs/pytest.md, docs/decorator.md)."""
from __future__ import annotations

import os
import re
import textwrap

import pytest

DOCS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs")
_BLOCK = re.compile(r"^( *)```python\n(.*?)^\1```", re.MULTILINE | re.DOTALL)


def blocks(page: str) -> list[str]:
    with open(os.path.join(DOCS, page), encoding="utf-8") as fh:
        return [textwrap.dedent(match.group(2)) for match in _BLOCK.finditer(fh.read())]


@pytest.mark.parametrize("page", ["pytest.md", "decorator.md"])
def test_doc_snippets_run(page, pytester, monkeypatch):
    root = os.path.dirname(DOCS)  # this checkout's mockecs, whatever the installed one is
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
    found = blocks(page)
    assert found, f"no python blocks in {page}"
    for number, code in enumerate(found, 1):
        pytester.makepyfile(**{f"test_{page.split('.')[0]}_block_{number}": code})
    result = pytester.runpytest_subprocess("-v", "-p", "no:cacheprovider", "-p", "no:randomly")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0 and outcomes.get("errors", 0) == 0, result.stdout.str()[-4000:]
    for number in range(1, len(found) + 1):  # every block holds a test that ran and passed
        result.stdout.re_match_lines([rf".*_block_{number}\.py::\S+ PASSED.*"], consecutive=False)
