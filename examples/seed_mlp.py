"""Tutorial section 4.1 (MLP), run with `keras-torch run examples/seed_mlp.py`."""

from _data import mlp_data

x_train, y_train, x_test, y_test = mlp_data()

# ---- tutorial code, unchanged ----
import tensorflow as tf
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Dense

# 创建一个简单的神经网络
model = Sequential()
model.add(Dense(units=64, activation='relu', input_dim=100))
model.add(Dense(units=10, activation='softmax'))

# 编译模型
model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])

# 训练模型
model.fit(x_train, y_train, epochs=10, batch_size=32)
# ---- end of tutorial code ----

loss, acc = model.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy: {acc:.4f}")
