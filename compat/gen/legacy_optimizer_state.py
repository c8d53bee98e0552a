"""tf-keras 2.21 ``.h5`` files holding the state of its legacy Nadam and Ftrl optimizers.

Run: ``/opt/kref/bin/python compat/generate_fixtures.py legacy_optimizer_state`` (writes
``compat/fixtures/legacy_optimizer_state/``): for each optimizer a small compiled MLP trained two steps
and saved as ``<name>.h5`` by tf-keras (whose ``.h5`` loader builds the legacy optimizers: Nadam with
its ``momentum_cache`` after ``iter``, Ftrl with both slots of one variable before the next), and
``<name>.npz`` with the optimizer's variables as tf-keras holds them (``opt_<i>``, named
``opt_names``), its ``iterations``, and the inputs and predictions of the saved model.
"""

from __future__ import annotations

import os
import pathlib

import numpy as np

os.environ["TF_USE_LEGACY_KERAS"] = "1"

SEED = 7
OPTIMIZERS = {"nadam": ("Nadam", {"learning_rate": 0.01}), "ftrl": ("Ftrl", {"learning_rate": 0.05})}


def generate(out: pathlib.Path) -> None:
    import tf_keras as K

    out.mkdir(parents=True, exist_ok=True)
    for name, (cls, kwargs) in OPTIMIZERS.items():
        K.utils.set_random_seed(SEED)
        rng = np.random.default_rng(SEED)
        inputs = K.Input((5,))
        hidden = K.layers.Dense(6, activation="relu", name="hidden")(inputs)
        model = K.Model(inputs, K.layers.Dense(3, name="out")(hidden))
        model.compile(optimizer=getattr(K.optimizers.legacy, cls)(**kwargs), loss="mse")
        x = rng.normal(size=(8, 5)).astype("float32")
        y = rng.normal(size=(8, 3)).astype("float32")
        model.train_on_batch(x, y)
        model.train_on_batch(x, y)
        model.save(out / f"{name}.h5")
        variables = model.optimizer.variables()
        np.savez(out / f"{name}.npz", x=x, y=model.predict(x, verbose=0),
                 iterations=np.asarray(int(model.optimizer.iterations)),
                 opt_names=np.asarray([v.name for v in variables]),
                 **{f"opt_{i}": np.asarray(v) for i, v in enumerate(variables)})
