"""The definitions and content this process serves, and pinning instances to exact bodies."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from engine.content import ContentPack, load_content
from engine.definitions import Definition, load_directory, parse, validate
from engine.errors import DefinitionError
from engine.workflow import Workflow, compile_workflow
from service.errors import InvalidRequest
from service.settings import get_settings
from service.store.models import StoredDefinition


class Catalog:
    """Loaded once per process: the content pack and every current definition."""

    def __init__(self, content: ContentPack, definitions: dict[str, Definition]) -> None:
        self.content = content
        self.definitions = definitions
        self._pinned: dict[str, Workflow] = {}
        self._lock = threading.Lock()

    def definition(self, name: str) -> Definition:
        try:
            return self.definitions[name]
        except KeyError:
            known = ", ".join(sorted(self.definitions))
            raise InvalidRequest(f"there is no workflow named {name!r} (known: {known})") from None

    def condition_definition(self, condition: str) -> Definition:
        definition = self.definitions.get(condition)
        if definition is None or definition.kind != "cycle":
            known = ", ".join(self.content.condition_slugs)
            raise InvalidRequest(f"unknown condition {condition!r}; choose one of: {known}")
        return definition

    def current_workflow(self, name: str) -> Workflow:
        return compile_workflow(self.definition(name), self.content)

    def pinned_workflow(self, digest: str, load: Callable[[], StoredDefinition]) -> Workflow:
        """The workflow for a stored body, exactly as it was when instances were pinned to it.

        Stored bodies never change, so each is read (`load`) and compiled once per process.
        """
        with self._lock:
            workflow = self._pinned.get(digest)
        if workflow is None:
            stored = load()
            source = f"stored definition {stored.name} v{stored.version}"
            definition = validate(parse(stored.body, source), self.content, source)
            workflow = compile_workflow(definition, self.content)
            with self._lock:
                self._pinned[digest] = workflow
        return workflow


def pin(session: Session, definition: Definition) -> StoredDefinition:
    """The stored copy of this exact definition body, storing it on first use.

    A body that differs from what is stored under the same name and version is
    refused: an edited definition must say so by bumping its version.
    """
    query = select(StoredDefinition).where(
        StoredDefinition.name == definition.name, StoredDefinition.version == definition.version
    )
    stored = session.exec(query).first()
    if stored is None:
        candidate = StoredDefinition(
            name=definition.name,
            version=definition.version,
            digest=definition.digest,
            body=definition.body(),
        )
        try:
            with session.begin_nested():
                session.add(candidate)
        except IntegrityError:  # someone stored it a moment ago
            stored = session.exec(query).one()
        else:
            return candidate
    if stored.digest != definition.digest:
        raise DefinitionError(
            definition.name,
            f"version {definition.version} is already in use with a different body; "
            "bump `version` in its file so cycles under way keep the old one",
        )
    return stored


_first_load = threading.Lock()


def get_catalog() -> Catalog:
    """The process's catalog: a burst of first requests waits for one load, not one each."""
    with _first_load:
        return _load_catalog()


@cache
def _load_catalog() -> Catalog:
    settings = get_settings()
    content = load_content(settings.content_dir)
    return Catalog(content, load_directory(settings.workflows_dir, content))
