"""Backing up one program to a file and loading it into an empty database."""
