"""The state diagram drawn as SVG on the server: boxes in order, arrows forward, one highlight."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from service.web.diagram_svg import state_diagram_svg

SVG = "{http://www.w3.org/2000/svg}"
CYCLE_STATES = ["why", "how", "implement", "review", "decide", "closed"]
CYCLE_TRANSITIONS = [
    ("start_planning", "why", "how"),
    ("launch_test", "how", "implement"),
    ("start_review", "implement", "review"),
    ("conclude_review", "review", "decide"),
    ("revisit", "decide", "why"),
    ("move_on", "decide", "closed"),
    ("step_back", "how", "why"),
    ("step_back", "decide", "review"),
]


def _child(element: ET.Element, tag: str) -> ET.Element:
    found = element.find(f"{SVG}{tag}")
    assert found is not None, f"no <{tag}> in <{element.tag}>"
    return found


def _boxes(root: ET.Element) -> list[ET.Element]:
    return root.findall(f"{SVG}g")


def _arrows(root: ET.Element) -> dict[str, str]:
    """Each arrow's transition names and its path."""
    return {
        _child(arrow, "title").text or "": arrow.get("d", "")
        for arrow in root.findall(f"{SVG}path[@class='transition']")
    }


def _cycle_diagram(current: str | None) -> ET.Element:
    svg = state_diagram_svg(
        title="A cycle", states=CYCLE_STATES, transitions=CYCLE_TRANSITIONS, current=current
    )
    return ET.fromstring(svg)


def test_every_state_is_a_box_in_order_and_only_the_current_one_is_highlighted() -> None:
    root = _cycle_diagram("review")

    boxes = _boxes(root)
    assert [_child(g, "text").text for g in boxes] == [
        "Why",
        "How",
        "Implement",
        "Review",
        "Decide",
        "Closed",
    ]
    lefts = [float(_child(g, "rect").get("x", "0")) for g in boxes]
    assert lefts == sorted(lefts)
    [current] = [g for g in boxes if g.get("class") == "state current"]
    assert _child(current, "text").text == "Review"
    assert _child(current, "text").get("font-weight") == "bold"
    assert _child(root, "title").text == "A cycle: now in Review"


def test_arrows_are_drawn_for_forward_transitions_only() -> None:
    assert list(_arrows(_cycle_diagram("why"))) == [
        "start_planning",
        "launch_test",
        "start_review",
        "conclude_review",
        "move_on",
    ]


def test_a_transition_that_skips_states_arcs_over_them() -> None:
    root = ET.fromstring(
        state_diagram_svg(
            title="Onboarding",
            states=["overview", "self_assessment", "choose", "ready"],
            transitions=[("skip", "overview", "choose"), ("finish", "choose", "ready")],
            current=None,
        )
    )

    arrows = _arrows(root)
    assert " Q" in arrows["skip"]
    assert " L" in arrows["finish"]
    assert all(g.get("class") == "state" for g in _boxes(root))


def test_text_in_the_diagram_is_escaped() -> None:
    svg = state_diagram_svg(
        title="<script>alert(1)</script>", states=["a", "b"], transitions=[], current="a"
    )

    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
