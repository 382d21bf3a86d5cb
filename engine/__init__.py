"""The workflow engine: definitions, gates, artifacts and firing triggers.

Pure Python by design: nothing here imports a web framework, a database
driver or a template engine, so every rule can be tested in isolation.
"""
