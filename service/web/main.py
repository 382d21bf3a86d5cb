"""The ASGI application object that `improve serve` and uvicorn load."""

from service.web.app import create_app

app = create_app()
