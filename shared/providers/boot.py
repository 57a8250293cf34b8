"""Imported first by the process entry points: green the standard library before anything else loads."""
import warnings

warnings.filterwarnings("ignore", message="Eventlet is deprecated", category=DeprecationWarning)
warnings.filterwarnings("ignore", category=DeprecationWarning, module="eventlet")

import eventlet  # noqa: E402

eventlet.monkey_patch()

from psycogreen.eventlet import patch_psycopg  # noqa: E402

patch_psycopg()
