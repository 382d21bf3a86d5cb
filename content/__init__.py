"""The default content pack: guide text, rubrics and artifact schemas, as YAML."""

from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent
