"""The call context: per-thread facts about the layer call tree that is running now.

Layers read it (training flag); the trainer and ``add_loss`` use its generation counter to tell
one top-level call from the next.
"""

from __future__ import annotations

import threading


class CallContext(threading.local):
    """State of the current (outermost) layer call on this thread.

    Attributes:
        training: The ``training`` flag of the enclosing call (``None`` outside any call).
        depth: How many ``Layer.__call__`` frames are active.
        generation: Incremented at each top-level call; losses added in an older generation are stale.
        add_loss_generation: Generation of the last ``add_loss()`` call (any layer).
    """

    def __init__(self) -> None:
        self.training: bool | None = None
        self.depth = 0
        self.generation = 0
        self.add_loss_generation = -1


CALL_CONTEXT = CallContext()
