"""gunicorn settings for production: `gunicorn -c deploy/gunicorn.conf.py` (see docs/interfaces.md).

Every process builds its own app and connection pool (no preload: a pool must not be shared
across fork). Settings come from the environment, like the app's own.
"""

import os

wsgi_app = "core:create_app()"
bind = os.environ.get("TOURNAGES_BIND", "127.0.0.1:8000")
# Requests mostly wait on PostGIS: two or three sync workers per core.
workers = int(os.environ.get("TOURNAGES_WORKERS", (os.cpu_count() or 1) * 2 + 1))
# More than one thread per worker makes them gthread workers: a request waiting on PostGIS leaves
# the process free to serve others, in less memory than as many workers.
threads = int(os.environ.get("TOURNAGES_THREADS", 1))
timeout = 30
graceful_timeout = 20
max_requests = 5000  # recycle workers now and then (memory), with jitter so not all at once
max_requests_jitter = 500
accesslog = "-"
# The request id (from the proxy or made by the app) joins access lines with the app's logs.
access_log_format = '%(h)s [%({x-request-id}o)s] "%(r)s" %(s)s %(b)s %(M)sms pid=%(p)s'
