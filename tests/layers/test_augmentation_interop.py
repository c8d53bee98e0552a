"""A keras_torch ``.keras`` file with every Keras 3 augmentation layer loads in real Keras 3 and predicts
the same (the layers are the identity in ``predict``; AutoContrast, CLAHE, Resizing and CenterCrop
apply). Runs the reference interpreter (``/opt/kref/bin/python`` or ``$KERAS_REF_PYTHON``) in a
subprocess; skipped without it.
"""

from __future__ import annotations

import json
import os
import subprocess

import numpy as np
import pytest

import keras_torch as keras
from keras_torch import layers as L

pytestmark = pytest.mark.interop

REF = os.environ.get("KERAS_REF_PYTHON", "/opt/kref/bin/python")

SCRIPT = r"""
import json, os, sys, warnings
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ["CUDA_VISIBLE_DEVICES"] = ""
warnings.filterwarnings("ignore")
import numpy as np
import keras
model = keras.saving.load_model(sys.argv[1])
x = np.load(sys.argv[2])
np.save(sys.argv[3], model.predict(x, verbose=0))
print(json.dumps([type(layer).__name__ for layer in model.layers]))
"""


def _model():
    return keras.Sequential([
        keras.Input((16, 16, 3)), L.ContrastLimitedAdaptiveHistogramEqualization(), L.AutoContrast(),
        L.RandomFlip(seed=1), L.RandomRotation(0.1, fill_mode="constant"), L.RandomZoom(0.1, 0.2),
        L.RandomTranslation(0.1, 0.1), L.RandomShear(0.2, 0.1), L.RandomPerspective(), L.RandomElasticTransform(),
        L.RandomCrop(16, 16, seed=4), L.RandomBrightness(0.2), L.RandomContrast(0.2), L.RandomHue(0.2),
        L.RandomSaturation(0.3), L.RandomGrayscale(), L.RandomColorDegeneration(0.3),
        L.RandomColorJitter(brightness_factor=0.1, saturation_factor=0.2), L.RandomInvert(),
        L.RandomPosterization(4), L.Solarization(0.2, 0.3), L.RandomSharpness(0.3), L.RandomGaussianBlur(),
        L.RandomErasing(), L.CutMix(), L.MixUp(), L.RandAugment(), L.AugMix(), L.Resizing(18, 18),
        L.CenterCrop(16, 16), L.Conv2D(3, 3), L.GlobalAveragePooling2D(), L.Dense(2),
    ])


@pytest.mark.skipif(not os.path.exists(REF), reason="no reference Keras interpreter")
def test_keras_loads_our_augmentation_model(tmp_path):
    model = _model()
    x = np.random.default_rng(0).uniform(0, 255, (4, 16, 16, 3)).astype("float32")
    ours = model.predict(x, verbose=0)
    model.save(tmp_path / "aug.keras")
    np.save(tmp_path / "x.npy", x)
    proc = subprocess.run([REF, "-c", SCRIPT, str(tmp_path / "aug.keras"), str(tmp_path / "x.npy"),
                           str(tmp_path / "y.npy")], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    names = json.loads(proc.stdout.strip().splitlines()[-1])
    assert names == [type(layer).__name__ for layer in model.layers]
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), ours, rtol=1e-4, atol=1e-4)
