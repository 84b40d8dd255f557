"""gunicorn settings for the hub's web processes (`gunicorn -c deploy/gunicorn.conf.py`)."""

import multiprocessing
import os
import shutil
from pathlib import Path

wsgi_app = "hub.wsgi:app"
bind = os.environ.get("HUB_BIND", "127.0.0.1:8000")
# Two processes per core is gunicorn's rule of thumb; the hub's requests are short and I/O-light.
workers = int(os.environ.get("HUB_WEB_WORKERS", multiprocessing.cpu_count() * 2))
worker_class = "gthread"
threads = int(os.environ.get("HUB_WEB_THREADS", 4))
timeout = 60
graceful_timeout = 20
keepalive = 5
max_requests = 5000  # recycle workers now and then; jitter keeps them from all going at once
max_requests_jitter = 500
# The proxy in front terminates TLS and sets X-Forwarded-*; trust only it. The hub reads the
# same setting (hub/proxies.py) for the client's address; unset, no peer is believed.
forwarded_allow_ips = os.environ.get("HUB_TRUSTED_PROXIES", "")
# The longest request line gunicorn reads (its maximum). The hub answers URLs over 2048
# characters with its own JSON 414; only lines past this limit get gunicorn's HTML page.
limit_request_line = 8190
accesslog = None  # the hub writes its own structured access log
errorlog = "-"
loglevel = "info"
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def on_starting(server):  # noqa: ANN001, ARG001 - gunicorn's hook signature
    # prometheus_client's multiprocess mode needs an empty directory at every start.
    if _metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)
        Path(_metrics_dir).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):  # noqa: ANN001, ARG001 - gunicorn's hook signature
    if _metrics_dir:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
