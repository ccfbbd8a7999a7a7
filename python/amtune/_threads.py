"""Waiting for a background thread that Ctrl-C can stop."""

from __future__ import annotations

import threading


def join_or_stop(thread: threading.Thread, stop: threading.Event, poll: float = 0.2) -> None:
    """Block until ``thread`` ends. Ctrl-C sets ``stop`` (the thread's cue to end what it runs),
    waits for the thread to end, then re-raises ``KeyboardInterrupt``. The short joins keep the
    main thread responsive to signals.

    >>> stop = threading.Event()
    >>> t = threading.Thread(target=stop.wait, args=(5.0,))
    >>> t.start()
    >>> stop.set()
    >>> join_or_stop(t, stop)
    >>> t.is_alive()
    False
    """
    try:
        while thread.is_alive():
            thread.join(poll)
    except KeyboardInterrupt:
        stop.set()
        thread.join()
        raise
