"""Tutorial section 4.3 (LSTM) with the typo fixed.

The relu LSTM over 100 steps trains slowly in any framework; this example checks that it runs.
"""

from _data import sequence_data

x_train, y_train, x_test, y_test = sequence_data()

# ---- tutorial code, unchanged ----
import tensorflow as tf
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import LSTM, Dense

# 创建一个循环神经网络
model = Sequential()
model.add(LSTM(units=64, activation='relu', input_shape=(100, 1)))
model.add(Dense(units=10, activation='softmax'))

# 编译模型
model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])

# 训练模型
model.fit(x_train, y_train, epochs=10, batch_size=32)
# ---- end of tutorial code ----

print('loss after training:', model.evaluate(x_test, y_test, verbose=0)[0])
