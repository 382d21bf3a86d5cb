"""Surveys and outcomes: instruments, importing responses, scoring, and program outcomes."""
