"""Running one Nameko worker and waiting for its outcome, for entrypoints that decide what follows."""
from __future__ import annotations

from functools import partial

from eventlet.event import Event as GreenEvent


def run_worker(entrypoint, args: tuple, kwargs: dict) -> tuple[object, tuple | None]:
    """Spawn a worker for `entrypoint` and wait; returns (result, exc_info) as Nameko reports them."""
    done = GreenEvent()
    entrypoint.container.spawn_worker(entrypoint, args, kwargs, handle_result=partial(_deliver, done))
    return done.wait()


def _deliver(done: GreenEvent, worker_ctx, result, exc_info):
    done.send((result, exc_info))
    return result, exc_info
