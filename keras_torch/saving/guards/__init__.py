"""Checks applied to every file keras_torch reads, so a hostile or damaged file fails cleanly.

Every reader in :mod:`keras_torch.saving` goes through these helpers. They turn the ways a file
can be malformed or malicious into a ``ValueError`` that names the file and the problem, *before*
anything expensive or dangerous happens:

* **HDF5**: the whole link tree is walked once on open. Soft links, external links, external
  datasets (raw data in another file) and virtual datasets are refused: Keras never writes
  them and they can make a reader touch other files. The walk is bounded in object count and
  depth (hard-link cycles cannot loop). Datasets are checked before they are read: numeric
  dtype, the shape the model expects (so a layer never reads more than it will keep), and a
  "shape bomb" guard (declared size vs. bytes stored) where no shape is expected.
* **Attributes and JSON**: only string or numeric attributes are read (a damaged vlen type made
  h5py/HDF5 segfault); attributes whose declared size exceeds what the file can hold are refused
  before h5py allocates them. For variable-length strings, the attribute message is parsed from
  the object header first: declared lengths beyond the file (HDF5 allocates them before failing)
  and global heap collections that would make HDF5 loop forever are refused (both found by
  fuzzing). JSON is size-capped, and nesting deeper than :data:`~keras_torch.saving.guards.limits.MAX_JSON_DEPTH` is refused (no
  ``RecursionError``).
* **Zip (.keras)**: members are read in memory (large weights are streamed into a private
  temporary directory), never extracted by their stored name. Archives with absolute or
  ``..`` member names, duplicate names, encrypted members or members that decompress more
  than :data:`~.limits.ZIP_MAX_EXPANSION` times their stored size (above :data:`~.limits.ZIP_BOMB_FLOOR_BYTES`)
  are refused.
* **Allocation budget**: while a model is rebuilt from a file's config, torch allocations are
  counted; a config declaring more tensor memory than the file could plausibly hold weights for
  (``max(LOAD_BUDGET_FLOOR_BYTES, LOAD_BUDGET_FACTOR * file size)``) is refused before the
  allocation is made. Override with ``KERAS_TORCH_LOAD_MEMORY_LIMIT`` (bytes; ``0`` disables).

Modules: :mod:`.limits` (every limit), :mod:`.files`, :mod:`.json_config`, :mod:`.hdf5` (with the raw
byte checks of :mod:`.hdf5_raw`), :mod:`.zip_archive` and :mod:`.budget`.
"""
