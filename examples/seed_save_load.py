"""Tutorial section 8.3 (save and load .h5)."""

import numpy as np
from tensorflow import keras

model = keras.Sequential([keras.Input((100,)), keras.layers.Dense(64, activation="relu"),
                          keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
x = np.random.rand(8, 100).astype("float32")

# ---- tutorial code, unchanged ----
# 保存模型
model.save('my_model.h5')

# 加载模型
from tensorflow.keras.models import load_model
model = load_model('my_model.h5')
# ---- end of tutorial code ----

print("reloaded model predicts:", model.predict(x, verbose=0).shape)
