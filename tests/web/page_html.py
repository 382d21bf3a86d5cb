"""Reading a rendered page's structure back, for the accessibility checks."""

from __future__ import annotations

from html.parser import HTMLParser

CONTROLS = {"input", "select", "textarea"}


class PageStructure(HTMLParser):
    """The heading levels in order, the ids of visible form controls, and what labels name."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.control_ids: list[str | None] = []
        self.label_targets: set[str] = set()
        self.lang: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.lang = found.get("lang")
        elif len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.headings.append(int(tag[1]))
        elif tag == "label" and found.get("for"):
            self.label_targets.add(found["for"] or "")
        elif tag in CONTROLS and found.get("type") != "hidden":
            self.control_ids.append(found.get("id"))

    def unlabelled_controls(self) -> list[str | None]:
        return [i for i in self.control_ids if i is None or i not in self.label_targets]

    def skipped_heading_levels(self) -> list[tuple[int, int]]:
        """Each place a heading goes more than one level deeper than the one before it."""
        pairs = zip([0, *self.headings], self.headings, strict=False)
        return [(before, after) for before, after in pairs if after > before + 1]
