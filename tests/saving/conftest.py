import pytest


@pytest.fixture
def keras():
    import keras_torch

    return keras_torch
