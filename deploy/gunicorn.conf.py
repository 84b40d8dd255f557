"""gunicorn settings for the hub's web processes (`gunicorn -c deploy/gunicorn.conf.py`)."""

import multiprocessing
import os
import shutil
from pathlib import Path

wsgi_app = "hub.wsgi:app"
bind = os.environ.get("HUB_BIND", "127.0.0.1:8000")
# One process per core, eight threads each, every worker with a listening socket of its own
# (SO_REUSEPORT: the kernel spreads new connections over the workers, not whichever is awake
# first). Chosen by `make load` (200 connections, 60 s, three runs each, machine load average
# 14-17 on 2 cores): 4 workers x 4 threads gave p99 29x p50 (median; p50 111 ms, p99 3.2 s,
# 1,640 req/s); 2 x 8 with reuse_port 17.5x (p50 88 ms, p99 1.5 s, 1,790 req/s; a fourth run
# 28x), each worker 49-51 % of the requests. Single runs: 8 x 2 47x (half the workers got no
# connections), 4 x 8 32x, 4 x 4 with reuse_port and keepalive 2 38x, 2 x 8 without
# reuse_port 9.6x but one worker answered 93 %. (Another process of this user could bind the
# port too: the hub runs under a user of its own.)
workers = int(os.environ.get("HUB_WEB_WORKERS", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("HUB_WEB_THREADS", 8))
reuse_port = True
timeout = 60
graceful_timeout = 20
keepalive = 5
# Chosen by `make load` (tests/bench/load_benchmarks.py, which prints each worker's share).
# A keep-alive connection stays with the worker that accepted it, so every worker must be
# accepting when clients (nginx's upstream pool, a load test) connect: the app is loaded once,
# before the fork, so all workers are ready together (booting each after the fork let the first
# one take most connections and hold them); and workers are not recycled after a number of
# requests (a recycled worker restarts cold while its connections move to the others and stay
# there). Measured with 4 workers: one answered 57-97% of the requests before, each 22-28% after.
# HUB_WEB_MAX_REQUESTS turns recycling back on.
preload_app = True
max_requests = int(os.environ.get("HUB_WEB_MAX_REQUESTS", 0))
max_requests_jitter = max_requests // 10
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


def pre_fork(server, worker):  # noqa: ANN001, ARG001 - gunicorn's hook signature
    # The app is loaded here, before the fork: no pooled connection of this process may be
    # copied into a worker.
    from hub.wsgi import app

    app.extensions["hub.db"].dispose()


def post_fork(server, worker):  # noqa: ANN001, ARG001 - gunicorn's hook signature
    # Nothing the app opened before the fork may be shared with the parent: SQLAlchemy's
    # pooled connections (if any) are dropped without closing the parent's sockets. Redis and
    # the hub's own caches check the process id themselves.
    from hub.wsgi import app

    app.extensions["hub.db"].after_fork()


def child_exit(server, worker):  # noqa: ANN001, ARG001 - gunicorn's hook signature
    if _metrics_dir:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
