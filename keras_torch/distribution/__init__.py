"""``keras.distribution`` on ``torch.distributed``: data-parallel training, one process per device.

Quick start — the script does not change::

    keras-torch run --nproc 4 train.py          # 4 processes; CUDA: one GPU each (NCCL), else gloo
    torchrun --nproc-per-node 4 train.py        # same thing with torchrun (train.py imports keras_torch)

Inside such a process ``fit``/``evaluate``/``predict`` are data-parallel automatically (any
launcher that sets ``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR``, ``MASTER_PORT`` and ``LOCAL_RANK``
works; ``KERAS_TORCH_DISTRIBUTE=0`` turns the automatic mode off). Explicitly, as in Keras::

    import keras_torch as keras
    keras.distribution.set_distribution(keras.distribution.DataParallel())

Semantics (matching ``tf.distribute`` / Keras 3):

* ``batch_size`` is the **global** batch; each rank trains on its contiguous share of every
  global batch. All ranks draw the same shuffle (seed broadcast from rank 0), so each sample
  is seen exactly once per epoch across ranks. A final partial batch is split the same way
  (a rank with an empty share runs a weight-0 placeholder), and gradients are combined with
  weights ``local_rows / global_rows``: each update equals the single-process update on that
  global batch (for losses that average over samples, the Keras default).
* Weights, buffers and optimizer state are broadcast from rank 0 when ``fit`` starts (after
  ``BackupAndRestore`` restored, so rank 0's backup wins); non-trainable state updated by the
  forward pass (e.g. BatchNorm moving statistics) is re-broadcast from rank 0 at each epoch end.
* Loss and metrics are reduced by summing the metric state variables (totals/counts) over all
  ranks, so every rank gets the same logs and ``History``, equal to single-process training;
  ``EarlyStopping``/``ReduceLROnPlateau`` therefore decide identically everywhere.
* Rank 0 alone prints progress bars and writes files from callbacks (``CSVLogger``,
  ``ModelCheckpoint``, ``BackupAndRestore``, ``TensorBoard``); ``fit`` ends with a barrier so
  those files exist on return. Guard your own ``model.save(...)`` with
  ``if keras.distribution.is_chief():``.
* ``predict`` on arrays splits the samples into contiguous shards and returns **all**
  predictions, in order, on every rank (an all-gather). Generators/datasets are predicted whole
  on every rank. ``evaluate`` returns the global result on every rank.
* Every rank must make the same calls (``fit``/``evaluate``/``predict`` are collective). A rank
  that raises ends the job: its peers fail on the broken connection or, at worst, after the
  collective timeout (``KERAS_TORCH_DIST_TIMEOUT`` seconds, default 600).

Multi-node (torchrun's rendezvous; run the same command on every node)::

    # every node, e.g. 2 nodes x 8 GPUs; HOST = any reachable node (the rendezvous endpoint)
    torchrun --nnodes 2 --nproc-per-node 8 \\
        --rdzv-backend c10d --rdzv-endpoint HOST:29400 --rdzv-id my-job \\
        -m keras_torch run train.py      # or: train.py directly if it imports keras_torch

    # static alternative: --nnodes 2 --node-rank {0,1} --master-addr HOST --master-port 29500

Elastic ranges (``--nnodes 1:4``, ``--max-restarts 3``) restart all workers after a failure;
combine with ``BackupAndRestore`` to resume at the last finished epoch. Set
``NCCL_SOCKET_IFNAME``/``GLOO_SOCKET_IFNAME`` when nodes have several network interfaces.
Without torchrun, call ``initialize(job_addresses="HOST:PORT", num_processes=N, process_id=i)``.

Limitations: one process per device (no single-process multi-GPU); BatchNorm uses per-rank
batch statistics (as Keras without SyncBatchNorm); losses with ``reduction="sum"`` or masked
averaging give per-step gradients that differ slightly from single-process on uneven splits;
a custom ``train_step`` must call the model itself (``self(x)``) once per backward (the DDP
contract; GAN-style steps that only call sub-models are refused with an explanation).

Larger models (weights split between the processes; see :mod:`.model_parallel`)::

    keras.distribution.set_distribution(keras.distribution.FSDP())       # every weight split N ways

    mesh = keras.distribution.DeviceMesh((2, 4), ("batch", "model"))    # 8 processes
    layout_map = keras.distribution.LayoutMap(mesh)
    layout_map["ffn_in/kernel"] = (None, "model")                        # Keras layouts, Keras paths
    keras.distribution.set_distribution(
        keras.distribution.ModelParallel(layout_map=layout_map, batch_dim_name="batch"))

A split weight is a ``DTensor`` (``Shard(d)`` on the axes of its layout, ``Replicate()`` on the
others; Keras dimensions mapped to keras_torch's torch layout), stored split with its gradient
and optimizer slots and gathered layer by layer for compute (FSDP2). Saving a sharded model is
collective: every process calls ``save``, process 0 writes an ordinary file (see
``keras_torch.saving.sharded``).

Modules: ``process_group`` (environment, joining and leaving the group), ``collectives``,
``sharding`` (which rows each process reads), ``ddp`` (gradient synchronization),
``metric_reduction``, ``strategy`` (the points of the training loop a strategy controls, and
``SingleDeviceStrategy``), ``base`` (what the distributions share), ``data_parallel``
(``DataParallel``), ``mesh`` (``DeviceMesh``, devices), ``layout`` (``TensorLayout``,
``LayoutMap``, ``distribute_tensor``), ``weight_layout`` (Keras paths and layouts of weights),
``fsdp`` (sharding a model with FSDP2), ``model_parallel`` (``ModelParallel``, ``FSDP``),
``context`` (the active one).
"""

from __future__ import annotations

from keras_torch.distribution.context import distribution, set_distribution
from keras_torch.distribution.data_parallel import DataParallel
from keras_torch.distribution.layout import LayoutMap, TensorLayout, distribute_tensor
from keras_torch.distribution.mesh import DeviceMesh, get_device_count, list_devices
from keras_torch.distribution.model_parallel import FSDP, ModelParallel
from keras_torch.distribution.process_group import initialize, is_chief, num_processes, process_id

__all__ = [
    "FSDP",
    "DataParallel",
    "DeviceMesh",
    "LayoutMap",
    "ModelParallel",
    "TensorLayout",
    "distribute_tensor",
    "distribution",
    "get_device_count",
    "initialize",
    "is_chief",
    "list_devices",
    "num_processes",
    "process_id",
    "set_distribution",
]
