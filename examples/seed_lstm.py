"""Tutorial section 4.3 (LSTM) exactly as written, including its typo `categorial_crossentropy`.

Real Keras rejects the typo, and so does keras_torch, with a one-line error that points at the
compile line and suggests `categorical_crossentropy` (see seed_lstm_fixed.py for the fixed run).
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
model.compile(optimizer='adam', loss='categorial_crossentropy', metrics=['accuracy'])

# 训练模型
model.fit(x_train, y_train, epochs=10, batch_size=32)
# ---- end of tutorial code ----
