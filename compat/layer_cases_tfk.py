"""Parity cases for tf-keras 2 layers that Keras 3 dropped (``LocallyConnected1D/2D``, ``ThresholdedReLU``).

Same conventions as :mod:`compat.layer_cases`, but the reference module is ``tf_keras`` (2.21): the
generator ``compat/gen/layers_extra.py`` builds each case with it and writes
``compat/fixtures/layers_extra/<name>.npz``; ``tests/test_parity_layers_extra.py`` replays them with
keras_torch. The builders only use API both libraries share.
"""

from __future__ import annotations

from compat.layer_cases import Case, f, seq

CASES: list[Case] = []


def case(name, inputs, atol=1e-5, rtol=1e-4):
    def deco(build):
        CASES.append(Case(name, build, inputs, atol=atol, rtol=rtol))
        return build

    return deco


@case("tfk_lc1d_impl1_strides", f(2, 9, 2))
def _(k):
    return seq(k, (9, 2), k.layers.LocallyConnected1D(3, 3, strides=2, implementation=1))


@case("tfk_lc1d_impl2_same_channels_first", f(2, 3, 8))
def _(k):
    return seq(k, (3, 8), k.layers.LocallyConnected1D(2, 4, padding="same", data_format="channels_first",
                                                      implementation=2))


@case("tfk_lc1d_impl3_same_relu", f(2, 7, 2))
def _(k):
    return seq(k, (7, 2), k.layers.LocallyConnected1D(3, 3, padding="same", activation="relu", implementation=3))


@case("tfk_lc2d_impl1_channels_first", f(2, 2, 6, 5))
def _(k):
    return seq(k, (2, 6, 5), k.layers.LocallyConnected2D(3, (2, 3), strides=(2, 1), data_format="channels_first",
                                                         implementation=1))


@case("tfk_lc2d_impl2_same", f(2, 5, 4, 2))
def _(k):
    return seq(k, (5, 4, 2), k.layers.LocallyConnected2D(2, 3, padding="same", implementation=2))


@case("tfk_lc2d_impl3_strides_same_channels_first", f(2, 2, 5, 6))
def _(k):
    return seq(k, (2, 5, 6), k.layers.LocallyConnected2D(2, (3, 2), strides=2, padding="same",
                                                         data_format="channels_first", implementation=3))


@case("tfk_lc2d_impl1_no_bias", f(2, 5, 5, 3))
def _(k):
    return seq(k, (5, 5, 3), k.layers.LocallyConnected2D(4, 2, use_bias=False, implementation=1), k.layers.Flatten(),
               k.layers.Dense(2))


@case("tfk_thresholded_relu", f(2, 4, 5, scale=2.0))
def _(k):
    return seq(k, (4, 5), k.layers.Dense(3), k.layers.ThresholdedReLU(theta=0.3))


CASES_BY_NAME = {c.name: c for c in CASES}
assert len(CASES_BY_NAME) == len(CASES), "duplicate case names"
