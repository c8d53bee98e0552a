"""Keras 2 ``keras.engine`` paths (``from keras.engine.topology import Layer`` ...)."""

from keras_torch.core.symbolic import KerasTensor, Node
from keras_torch.layers import InputLayer, InputSpec, Layer
from keras_torch.layers.core import Input
from keras_torch.models import Functional, Model, Sequential

Network = Functional

__all__ = ["Functional", "Input", "InputLayer", "InputSpec", "KerasTensor", "Layer", "Model", "Network", "Node",
           "Sequential"]
