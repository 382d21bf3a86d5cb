"""Names other tools depend on, which the tests hold the code to."""

CYCLE_TRIGGERS = [
    "start_planning",
    "launch_test",
    "start_review",
    "conclude_review",
    "revisit",
    "move_on",
    "step_back",
]
"""Every condition's triggers, in the order the shared shape defines them."""
