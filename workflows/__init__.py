"""Workflow definitions as data: one per condition, plus onboarding and program phases."""

from pathlib import Path

WORKFLOWS_DIR = Path(__file__).resolve().parent
