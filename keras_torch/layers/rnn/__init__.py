"""Recurrent layers (``keras.layers.LSTM`` & co.); the public names are re-exported by
``keras_torch.layers.recurrent``."""

from keras_torch.layers.rnn.cells import GRUCell, LSTMCell, SimpleRNNCell
from keras_torch.layers.rnn.rnn_layers import GRU, LSTM, RNN, SimpleRNN
from keras_torch.layers.rnn.stacked import StackedRNNCells
from keras_torch.layers.rnn.wrappers import Bidirectional, TimeDistributed

__all__ = [
    "RNN", "SimpleRNN", "LSTM", "GRU", "SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells",
    "Bidirectional", "TimeDistributed",
]
