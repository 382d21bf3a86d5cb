"""The HTTP layer: a JSON API under /api and server-rendered pages. Thin by design."""
