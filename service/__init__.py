"""The application around the engine: persistence, the service layer, the CLI and the web app."""
