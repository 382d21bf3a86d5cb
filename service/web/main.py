"""The ASGI application object that `improve serve` and uvicorn load.

Loading it checks the settings first: in production a missing or placeholder secret key
stops the server here, with a message saying what to set (see service.settings.Settings).
"""

from service.web.app import create_app
from service.web.serving import settings_or_exit

settings_or_exit()
app = create_app()
