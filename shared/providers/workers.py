"""Running one Nameko worker and waiting for its outcome, for entrypoints that decide what follows.

HTTP requests run in a pool of their own (the web server's), so slow or numerous clients never take the
workers that handle events; and a request that waited past its deadline is refused there, not processed.
"""
from __future__ import annotations

import time
from functools import partial

from eventlet.event import Event as GreenEvent
from eventlet.greenpool import GreenPool
from nameko.containers import WorkerContext
from nameko.exceptions import ContainerBeingKilled


class RequestExpired(Exception):
    """The request waited longer than its client could: it is refused, not processed."""


def run_worker(entrypoint, args: tuple, kwargs: dict, pool: GreenPool | None = None,
               expires_at: float | None = None) -> tuple[object, tuple | None]:
    """Run a worker for `entrypoint` (in `pool`, else the container's) and wait; returns (result, exc_info)."""
    done = GreenEvent()
    if pool is None:
        entrypoint.container.spawn_worker(entrypoint, args, kwargs, handle_result=partial(_deliver, done))
    else:
        _spawn_in(pool, entrypoint, args, kwargs, partial(_deliver, done), expires_at)
    return done.wait()


def _spawn_in(pool: GreenPool, entrypoint, args, kwargs, handle_result, expires_at: float | None) -> None:
    """Nameko's `spawn_worker`, in another pool: the container still injects, tracks and tears down the worker."""
    container = entrypoint.container
    if container._being_killed:
        raise ContainerBeingKilled()
    worker_ctx = WorkerContext(container, container.service_cls(), entrypoint, args, kwargs)
    thread = pool.spawn(_run_unless_expired, container, worker_ctx, handle_result, expires_at)
    thread.link(container._handle_worker_thread_exited, worker_ctx)
    container._worker_threads[worker_ctx] = thread


def _run_unless_expired(container, worker_ctx, handle_result, expires_at: float | None) -> None:
    if expires_at is not None and time.monotonic() > expires_at:
        expired = RequestExpired("the request waited past its deadline before a worker was free")
        handle_result(worker_ctx, None, (RequestExpired, expired, None))
        return
    container._run_worker(worker_ctx, handle_result)


def _deliver(done: GreenEvent, worker_ctx, result, exc_info):
    done.send((result, exc_info))
    return result, exc_info


def workers_of(container, entrypoint) -> list:
    """The running worker threads of one entrypoint (to wait for them when it stops)."""
    return [thread for ctx, thread in list(container._worker_threads.items()) if ctx.entrypoint is entrypoint]
