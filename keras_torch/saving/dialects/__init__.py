"""Config dialects: what Keras 1, Keras 2 / tf-keras and Keras 3 write, and what keras_torch writes for them.

Every quirk of another Keras version's configs is handled here, before a config reaches a layer's
``from_config`` (which is a plain ``cls(**config)``):

* reading: :func:`.keras2.upgrade_model_config` upgrades a config read from a file according to
  the Keras version that wrote it (Keras 1 names in :mod:`.keras1`, Keras 2 node indices in
  :mod:`.nodes`); :func:`.keras3.normalize_entries` then removes constructor keys keras_torch's
  layers do not take, for every layer entry of the tree (``deserialize_layer`` applies it);
* writing: :func:`.legacy_writer.legacy_model_config` writes the Keras 2 dialect of legacy ``.h5``
  files, restricted to the keys tf-keras accepts (:mod:`.tfkeras_keys`);
* training state: tf-keras optimizer and compile settings, optimizer weight order (:mod:`.tfkeras`).
"""
