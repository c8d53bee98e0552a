"""The first check on any path a loader opens: it must be a regular file."""

from __future__ import annotations

import os
import stat


def check_regular_file(path: str) -> int:
    """Size of ``path``; ``ValueError`` unless it is a regular file (FIFOs/devices would hang or never end)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise FileNotFoundError(f"No such file or directory: '{path}'.") from None
    if not stat.S_ISREG(st.st_mode):
        raise ValueError(f"'{path}' is not a regular file (it is a device, FIFO or socket); refusing to read it "
                         "as a Keras file.")
    return st.st_size
