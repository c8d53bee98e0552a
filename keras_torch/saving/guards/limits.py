"""The limits every reader of :mod:`keras_torch.saving` enforces (one place, so tests and users can tune them)."""

from __future__ import annotations

from keras_torch.core.budget import MEMORY_LIMIT_ENV, mib  # noqa: F401 - the limits' public names

MAX_CONFIG_BYTES = 64 << 20  # config.json / model_config / training_config
MAX_METADATA_BYTES = 1 << 20  # metadata.json
MAX_JSON_DEPTH = 100  # real configs nest ~7 levels per model level
MAX_H5_OBJECTS = 200_000  # links visited when checking an HDF5 file
MAX_H5_DEPTH = 64
H5_BOMB_FLOOR_BYTES = 1 << 31  # 2 GiB: datasets above it must store >= 1/1000 of their size
H5_MAX_EXPANSION = 1000
H5_HEAP_WALK_FACTOR = 4  # work to check all global heaps, in file sizes (real files need at most 2)
H5_HEAP_WALK_SLACK_BYTES = 1 << 20
ZIP_BOMB_FLOOR_BYTES = 1 << 28  # 256 MiB (Keras: 4 GiB in memory, 256 MiB when extracting)
ZIP_MAX_EXPANSION = 100
ZIP_MAX_MEMBER_BYTES = 1 << 40  # 1 TiB: anything above is a corrupted header
ZIP_IN_MEMORY_BYTES = 1 << 30  # weights above 1 GiB are streamed to a private temp file
LOAD_BUDGET_FLOOR_BYTES = 1 << 31  # 2 GiB
LOAD_BUDGET_FACTOR = 16

NUMERIC_KINDS = "biuf"  # numpy dtype kinds Keras weights and numeric attributes may have

