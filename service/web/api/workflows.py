"""Workflow definitions and their diagrams, as this server runs them today."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from service.catalog import get_catalog
from service.errors import InvalidRequest
from service.web.deps import CurrentCaller
from service.web.errors import documented
from service.web.schemas import DiagramOut, WorkflowOut

router = APIRouter(prefix="/api/workflows", tags=["workflows"], responses=documented(401, 404, 422))


@router.get("", response_model=list[WorkflowOut])
def list_workflows(_: CurrentCaller) -> list[WorkflowOut]:
    return [
        WorkflowOut(
            name=d.name,
            version=d.version,
            kind=d.kind,
            title=d.title,
            condition=d.condition,
            digest=d.digest,
        )
        for d in get_catalog().definitions.values()
    ]


@router.get("/{name}")
def get_workflow(name: str, _: CurrentCaller) -> dict[str, Any]:
    """The resolved definition body, with the artifact schemas it uses."""
    catalog = get_catalog()
    workflow = catalog.current_workflow(name)
    return {
        **workflow.definition.body(),
        "digest": workflow.definition.digest,
        "artifacts": {
            kind: catalog.content.artifacts[kind].model_dump() for kind in workflow.artifact_kinds
        },
    }


@router.get("/{name}/diagram", response_model=DiagramOut)
def get_diagram(name: str, _: CurrentCaller, highlight: str | None = None) -> DiagramOut:
    workflow = get_catalog().current_workflow(name)
    states = {s.name for s in workflow.definition.states}
    if highlight is not None and highlight not in states:
        raise InvalidRequest(f"highlight must be one of {sorted(states)}")
    return DiagramOut(
        workflow=name,
        version=workflow.definition.version,
        highlight=highlight,
        mermaid=workflow.mermaid(highlight),
    )
