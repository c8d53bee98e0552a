"""Recurrent layers and wrappers (implemented in :mod:`keras_torch.layers.rnn`)."""

from keras_torch.layers.rnn import (
    GRU,
    LSTM,
    RNN,
    Bidirectional,
    GRUCell,
    LSTMCell,
    SimpleRNN,
    SimpleRNNCell,
    StackedRNNCells,
    TimeDistributed,
)

__all__ = [
    "RNN", "SimpleRNN", "LSTM", "GRU", "SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells",
    "Bidirectional", "TimeDistributed",
]
