"""Tutorial section 8.4 (custom layer), used inside a model."""

import numpy as np

# ---- tutorial code, unchanged ----
from tensorflow.keras.layers import Layer

class CustomLayer(Layer):
    def __init__(self):
        super(CustomLayer, self).__init__()

    def call(self, inputs):
        # 实现自定义层的逻辑
        return inputs
# ---- end of tutorial code ----

from tensorflow import keras

model = keras.Sequential([keras.Input((4,)), CustomLayer(), keras.layers.Dense(2)])
out = model.predict(np.ones((3, 4), "float32"), verbose=0)
assert out.shape == (3, 2)
print("custom layer output shape:", out.shape)
