"""Flask extensions shared by every package, initialised by the app factory."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()
# Counts per client address (the real one behind a proxy: see PROXY_COUNT). The store is
# RATELIMIT_STORAGE_URI: memory:// counts per process, several processes need a shared one.
limiter = Limiter(key_func=get_remote_address)
