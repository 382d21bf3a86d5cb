"""Feedback on the team page: comment threads under each document, and a coach's sign-off."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from factories import action_timeline, fire, purpose_map, save, theory_of_action
from fastapi.testclient import TestClient
from httpx import Response
from page_factories import form_token, new_cycle, new_person, new_team, signed_in
from page_html import PageStructure
from sqlalchemy import Engine

from service.feedback import set_signoff_triggers, signoffs, thread
from service.store.database import unit_of_work
from service.web.pages.feedback_view import FeedbackPanel, SignOffOffer

SIGNOFF_WAIT = "A coach must sign off the {title} as it stands now (revision {n}); {last}."


@dataclass(frozen=True)
class Planned:
    """A team whose cycle stands in `how` with both plans written once (revision 1)."""

    team_id: int
    program_id: int
    cycle_id: int


def planned(db: Engine, *, signoff_on: tuple[str, ...] = ("launch_test",)) -> Planned:
    """Both plans written; the program asks a coach's sign-off on `signoff_on`."""
    team = new_team(db)
    cycle_id = new_cycle(db, team.team_id, "vision-and-strategy")
    save(db, cycle_id, "theory_of_action", theory_of_action())
    fire(db, cycle_id, "start_planning")
    save(db, cycle_id, "purpose_map", purpose_map())
    save(db, cycle_id, "action_timeline", action_timeline())
    with unit_of_work(db) as session:
        set_signoff_triggers(session=session, program_id=team.program_id, triggers=signoff_on)
    return Planned(team.team_id, team.program_id, cycle_id)


def feedback(page: Response, kind: str) -> FeedbackPanel:
    assert page.status_code == 200, page.text
    assert page.template.name == "team.html"
    panel: FeedbackPanel = page.context["feedback"][kind]
    return panel


def comment_on(
    client: TestClient, team_id: int, cycle_id: int, kind: str, body: str, **extra: str
) -> Response:
    """Post a comment (or a reply, with parent_id) on the revision the page shows."""
    page = client.get(f"/teams/{team_id}")
    revision = feedback(page, kind).revision
    return client.post(
        f"/cycles/{cycle_id}/artifacts/{kind}/comments",
        data={"csrf_token": page.context["csrf_token"], "body": body, "revision": str(revision)}
        | extra,
        follow_redirects=False,
    )


def sign_off_on(client: TestClient, team_id: int, cycle_id: int, kind: str) -> Response:
    """Press the first "Sign off revision N" button the page offers under `kind`."""
    page = client.get(f"/teams/{team_id}")
    offer = feedback(page, kind).wanted[0]
    return client.post(
        f"/cycles/{cycle_id}/artifacts/{kind}/signoffs",
        data={
            "csrf_token": page.context["csrf_token"],
            "revision": str(offer.revision),
            "trigger": offer.trigger,
        },
        follow_redirects=False,
    )


def launch_test_button(page: Response) -> tuple[bool, tuple[str, ...]]:
    button = next(t for t in page.context["cycle"].triggers if t.name == "launch_test")
    return button.enabled, button.blocked_by


def test_a_member_comments_on_the_current_revision_and_the_coach_replies_beneath(
    client: TestClient, web_db: Engine
) -> None:
    team = planned(web_db, signoff_on=())
    member = new_person(web_db, name="Ana Reyes", member_of=(team.team_id,))
    coach = new_person(web_db, name="Chris Coach", coach_of=(team.team_id,))

    signed_in(client, member)
    first = comment_on(client, team.team_id, team.cycle_id, "purpose_map", "Is 3 groups enough?")
    signed_in(client, coach)
    parent = feedback(client.get(f"/teams/{team.team_id}"), "purpose_map").thread[0].id
    reply = comment_on(
        client,
        team.team_id,
        team.cycle_id,
        "purpose_map",
        "Yes, for a first test.",
        parent_id=str(parent),
    )

    assert first.status_code == reply.status_code == 303
    assert first.headers["location"] == f"/teams/{team.team_id}#feedback-purpose_map"
    page = client.get(reply.headers["location"])
    assert page.context["flash"].message == (
        "Your reply on revision 1 of the purpose map was added."
    )
    panel = feedback(page, "purpose_map")
    assert (panel.count, panel.revision, panel.comment_action) == (
        2,
        1,
        f"/cycles/{team.cycle_id}/artifacts/purpose_map/comments",
    )
    [comment] = panel.thread
    assert (comment.author, comment.body, comment.revision) == (
        "Ana Reyes",
        "Is 3 groups enough?",
        1,
    )
    [answer] = comment.replies
    assert (answer.author, answer.body, answer.replies) == (
        "Chris Coach",
        "Yes, for a first test.",
        (),
    )
    assert 'class="replies"' in page.text
    assert 'for="reply-' in page.text


def test_the_thread_is_oldest_first_and_names_the_revision_each_comment_was_about(
    client: TestClient, web_db: Engine
) -> None:
    team = planned(web_db, signoff_on=())
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))
    comment_on(client, team.team_id, team.cycle_id, "purpose_map", "First thoughts.")
    save(web_db, team.cycle_id, "purpose_map", {**purpose_map(), "vision": "Planning together."})
    comment_on(client, team.team_id, team.cycle_id, "purpose_map", "Better now.")

    panel = feedback(client.get(f"/teams/{team.team_id}"), "purpose_map")

    assert [(c.body, c.revision) for c in panel.thread] == [
        ("First thoughts.", 1),
        ("Better now.", 2),
    ]
    assert panel.revision == 2


def test_a_blank_comment_comes_back_refused_beside_the_document(
    client: TestClient, web_db: Engine
) -> None:
    team = planned(web_db, signoff_on=())
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))

    response = comment_on(client, team.team_id, team.cycle_id, "action_timeline", "   ")

    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert page.context["flash"].kind == "refused"
    panel = feedback(page, "action_timeline")
    assert panel.refused == ("The comment is blank.",)
    assert panel.count == 0
    assert 'id="refused-feedback-action_timeline"' in page.text
    # The other document's section carries no refusal of this form.
    assert feedback(page, "purpose_map").refused == ()


def test_a_coach_sees_sign_off_buttons_only_for_what_the_next_step_waits_on(
    client: TestClient, web_db: Engine
) -> None:
    team = planned(web_db)
    signed_in(client, new_person(web_db, coach_of=(team.team_id,)))

    page = client.get(f"/teams/{team.team_id}")

    offer = SignOffOffer("launch_test", "Launch test", 1)
    for kind in ("purpose_map", "action_timeline"):
        panel = feedback(page, kind)
        assert panel.wanted == (offer,)
        assert panel.signoff_action == f"/cycles/{team.cycle_id}/artifacts/{kind}/signoffs"
    assert page.text.count(">Sign off revision 1</button>") == 2
    assert "You can comment on its documents and" in page.text
    enabled, blocked_by = launch_test_button(page)
    assert not enabled
    assert blocked_by == tuple(
        SIGNOFF_WAIT.format(title=title, n=1, last="it has no sign-off yet")
        for title in ("purpose map", "action timeline")
    )


def test_a_coach_signs_off_and_the_team_sees_it_and_its_step_open(
    client: TestClient, web_db: Engine
) -> None:
    team = planned(web_db)
    member = new_person(web_db, member_of=(team.team_id,))
    signed_in(client, new_person(web_db, name="Chris Coach", coach_of=(team.team_id,)))

    first = sign_off_on(client, team.team_id, team.cycle_id, "purpose_map")
    halfway = client.get(first.headers["location"])
    second = sign_off_on(client, team.team_id, team.cycle_id, "action_timeline")
    signed_in(client, member)
    page = client.get(f"/teams/{team.team_id}")

    assert first.status_code == second.status_code == 303
    assert halfway.context["flash"].message == "Signed off revision 1 of the purpose map."
    assert launch_test_button(halfway) == (
        False,
        (SIGNOFF_WAIT.format(title="action timeline", n=1, last="it has no sign-off yet"),),
    )
    assert launch_test_button(page) == (True, ())
    for kind in ("purpose_map", "action_timeline"):
        panel = feedback(page, kind)
        [signed] = panel.signed
        assert (signed.coach, signed.revision, signed.step, signed.current) == (
            "Chris Coach",
            1,
            "Launch test",
            True,
        )
        assert (panel.wanted, panel.signoff_action) == ((), None)
    assert "Signed off by Chris Coach (revision 1)" in page.text
    assert 'id="blocked-launch_test"' not in page.text


def test_a_member_sees_what_waits_for_the_coach_but_cannot_sign_off(
    client: TestClient, web_db: Engine
) -> None:
    team = planned(web_db)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))
    page = client.get(f"/teams/{team.team_id}")

    response = client.post(
        f"/cycles/{team.cycle_id}/artifacts/purpose_map/signoffs",
        data={"csrf_token": page.context["csrf_token"], "revision": "1", "trigger": "launch_test"},
    )

    panel = feedback(page, "purpose_map")
    assert panel.signoff_action is None
    assert panel.wanted == (SignOffOffer("launch_test", "Launch test", 1),)
    assert "waits for a coach to sign off revision 1 of the purpose map" in page.text
    assert "/signoffs" not in page.text
    assert (response.status_code, response.template.name) == (403, "error.html")
    assert "coach" in response.context["message"]
    with unit_of_work(web_db, write=False) as session:
        assert signoffs(session=session, instance_id=team.cycle_id) == []


def test_a_sign_off_of_a_revision_replaced_meanwhile_is_refused_with_the_reason(
    client: TestClient, web_db: Engine
) -> None:
    team = planned(web_db)
    signed_in(client, new_person(web_db, coach_of=(team.team_id,)))
    token = form_token(client, team.team_id)
    save(web_db, team.cycle_id, "purpose_map", {**purpose_map(), "vision": "Planning together."})

    response = client.post(
        f"/cycles/{team.cycle_id}/artifacts/purpose_map/signoffs",
        data={"csrf_token": token, "revision": "1", "trigger": "launch_test"},
        follow_redirects=False,
    )

    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert page.context["flash"].message == "The sign-off was not recorded."
    panel = feedback(page, "purpose_map")
    assert panel.refused == (
        "Revision 1 of the purpose map is no longer current (it is at revision 2); "
        "sign off the artifact as it stands now.",
    )
    assert panel.wanted == (SignOffOffer("launch_test", "Launch test", 2),)
    assert panel.signed == ()


def test_a_sign_off_outdated_by_an_edit_is_shown_as_no_longer_counting(
    client: TestClient, web_db: Engine
) -> None:
    team = planned(web_db)
    signed_in(client, new_person(web_db, name="Chris Coach", coach_of=(team.team_id,)))
    sign_off_on(client, team.team_id, team.cycle_id, "purpose_map")
    save(web_db, team.cycle_id, "purpose_map", {**purpose_map(), "vision": "Planning together."})

    page = client.get(f"/teams/{team.team_id}")

    panel = feedback(page, "purpose_map")
    [signed] = panel.signed
    assert (signed.revision, signed.current) == (1, False)
    assert panel.wanted == (SignOffOffer("launch_test", "Launch test", 2),)
    assert "so that sign-off no longer counts" in page.text


def test_without_a_program_sign_off_nobody_is_offered_one(
    client: TestClient, web_db: Engine
) -> None:
    team = planned(web_db, signoff_on=())
    signed_in(client, new_person(web_db, coach_of=(team.team_id,)))

    page = client.get(f"/teams/{team.team_id}")

    assert all(panel.wanted == () for panel in page.context["feedback"].values())
    assert launch_test_button(page) == (True, ())


def test_a_document_with_no_saved_revision_has_no_thread_yet(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    new_cycle(web_db, team.team_id)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))

    page = client.get(f"/teams/{team.team_id}")

    assert page.context["feedback"] == {}
    assert 'class="feedback"' not in page.text


@pytest.mark.parametrize("path", ["comments", "signoffs"])
def test_a_stranger_is_told_the_cycle_does_not_exist(
    client: TestClient, web_db: Engine, path: str
) -> None:
    team, own = planned(web_db), new_team(web_db)
    signed_in(client, new_person(web_db, coach_of=(own.team_id,)))

    response = client.post(
        f"/cycles/{team.cycle_id}/artifacts/purpose_map/{path}",
        data={
            "csrf_token": form_token(client, own.team_id),
            "body": "Hello",
            "revision": "1",
            "trigger": "launch_test",
        },
    )

    assert (response.status_code, response.template.name) == (404, "error.html")


@pytest.mark.parametrize("path", ["comments", "signoffs"])
def test_feedback_without_the_sessions_token_is_refused_and_writes_nothing(
    client: TestClient, web_db: Engine, path: str
) -> None:
    team = planned(web_db)
    signed_in(client, new_person(web_db, coach_of=(team.team_id,)))

    response = client.post(
        f"/cycles/{team.cycle_id}/artifacts/purpose_map/{path}",
        data={"csrf_token": "0" * 64, "body": "Hello", "revision": "1", "trigger": "launch_test"},
    )

    assert (response.status_code, response.template.name) == (403, "error.html")
    with unit_of_work(web_db, write=False) as session:
        assert thread(session=session, instance_id=team.cycle_id, kind="purpose_map") == []
        assert signoffs(session=session, instance_id=team.cycle_id) == []


def test_the_page_with_threads_and_reply_forms_labels_every_field_and_keeps_heading_order(
    client: TestClient, web_db: Engine
) -> None:
    team = planned(web_db)
    signed_in(client, new_person(web_db, coach_of=(team.team_id,)))
    comment_on(client, team.team_id, team.cycle_id, "purpose_map", "A first comment.")

    structure = PageStructure(client.get(f"/teams/{team.team_id}").text)

    assert structure.unlabelled_controls() == []
    assert structure.skipped_heading_levels() == []
    assert {"comment-purpose_map", "comment-action_timeline"} <= set(structure.control_ids)
