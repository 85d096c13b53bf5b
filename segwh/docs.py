"""Generated parts of the documentation, kept between markers in README.md."""

from __future__ import annotations

from segwh.targets import PROJECT_DIR

README_PATH = PROJECT_DIR / "README.md"
SOURCES_PATH = PROJECT_DIR / "models" / "staging" / "_raw__sources.yml"


def replace_section(text: str, name: str, body: str) -> str:
    """Replace what stands between <!-- BEGIN name --> and <!-- END name --> in `text`."""
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    if begin not in text or end not in text:
        raise ValueError(f"README.md has no {begin} ... {end} markers")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{body}{end}{tail}"
