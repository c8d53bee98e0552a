"""``keras.utils.FeatureSpace``: one-step preprocessing and encoding of structured (tabular) features.

A port of Keras 3's FeatureSpace onto keras_torch's layers: each feature has a preprocessor
(``Normalization``, ``Discretization``, ``IntegerLookup``, ``StringLookup``, ``Hashing``,
``Rescaling``...), crosses are ``HashedCrossing`` s, ``"one_hot"`` features are multi-hot encoded
by ``CategoryEncoding`` and everything is concatenated (or returned as a dict) in sorted name
order, as Keras does. :meth:`FeatureSpace.adapt` takes a dict of arrays/lists (or an iterable of
such dict batches) instead of a ``tf.data.Dataset``; it reads scalar features in batches of 32,
as Keras's ``dataset.batch(32)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import torch

from keras_torch.core import naming, registry
from keras_torch.core.symbolic import KerasTensor
from keras_torch.layers.base import Layer
from keras_torch.layers.categorical import CategoryEncoding, Discretization, HashedCrossing, Hashing
from keras_torch.layers.core import Identity, Input
from keras_torch.layers.index_lookup import IntegerLookup, StringLookup
from keras_torch.layers.merging import Concatenate
from keras_torch.layers.preprocessing import Normalization, Rescaling
from keras_torch.layers.text_vectorization import TextVectorization

__all__ = ["Cross", "Feature", "FeatureSpace"]

_MODULE = "keras.src.layers.preprocessing.feature_space"


def _serialize(obj: Any) -> Any:
    """Keras 3's config entry of a layer / Feature / Cross (what ``serialize_keras_object`` writes)."""
    if isinstance(obj, (Feature, Cross)):
        return {"module": _MODULE, "class_name": type(obj).__name__, "config": obj.get_config(),
                "registered_name": type(obj).__name__}
    return {"module": "keras.layers", "class_name": type(obj).__name__, "config": obj.get_config(),
            "registered_name": None}


def _deserialize(entry: dict[str, Any]) -> Any:
    name = entry.get("class_name")
    if name in ("Feature", "Cross"):
        return {"Feature": Feature, "Cross": Cross}[name].from_config(entry.get("config") or {})
    cls = registry.get("layers", entry.get("registered_name") or name, what="preprocessor layer")
    return cls.from_config(dict(entry.get("config") or {}))


class Cross:
    """A crossing of categorical features (hashed into ``crossing_dim`` bins)."""

    def __init__(self, feature_names: Iterable[str], crossing_dim: int, output_mode: str = "one_hot") -> None:
        if output_mode not in {"int", "one_hot"}:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of {'int', 'one_hot'}. "
                             f"Received: output_mode={output_mode}")
        self.feature_names = tuple(feature_names)
        self.crossing_dim = crossing_dim
        self.output_mode = output_mode

    @property
    def name(self) -> str:
        return "_X_".join(self.feature_names)

    def get_config(self) -> dict[str, Any]:
        return {"feature_names": self.feature_names, "crossing_dim": self.crossing_dim,
                "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Cross:
        return cls(**config)


class Feature:
    """One input feature: its dtype, preprocessor layer and output mode (``"int"``, ``"one_hot"``, ``"float"``)."""

    def __init__(self, dtype: str, preprocessor: Any, output_mode: str) -> None:
        if output_mode not in {"int", "one_hot", "float"}:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of {'int', 'one_hot', 'float'}. "
                             f"Received: output_mode={output_mode}")
        self.dtype = dtype
        self.preprocessor = _deserialize(preprocessor) if isinstance(preprocessor, dict) else preprocessor
        self.output_mode = output_mode

    def get_config(self) -> dict[str, Any]:
        return {"dtype": self.dtype, "preprocessor": _serialize(self.preprocessor), "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Feature:
        return cls(**config)


def _as_array(x: Any) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    if hasattr(x, "numpy") and callable(x.numpy):
        x = x.numpy()
    arr = np.asarray(x)
    if arr.dtype.kind == "S":
        arr = arr.astype(object)
    return arr


class FeatureSpace(Layer):
    """Preprocess and encode a dict of structured features in one step (``keras.utils.FeatureSpace``).

    Args:
        features: ``{name: Feature or type name}``; type names: ``"float"``, ``"float_rescaled"``,
            ``"float_normalized"``, ``"float_discretized"``, ``"integer_categorical"``,
            ``"integer_hashed"``, ``"string_categorical"``, ``"string_hashed"``.
        output_mode: ``"concat"`` (one float tensor) or ``"dict"``.
        crosses: Feature-name tuples (or :class:`Cross` objects) to cross.
        crossing_dim: Bins of each cross.
        hashing_dim: Bins of the ``*_hashed`` features.
        num_discretization_bins: Bins of ``"float_discretized"`` features.
        name: Layer name.

    Input shape:
        A dict ``{feature_name: values}``; each value is a batch ``(batch,)`` (or ``(batch, 1)``) of
        numbers or strings, or a single unbatched sample.

    Output shape:
        With ``output_mode="concat"``, one float tensor ``(batch, total_encoded_size)``; with ``"dict"``,
        ``{feature_name: encoded tensor}``.
    """

    _takes_strings = True

    # ------------------------------------------------------------------ feature constructors
    @classmethod
    def cross(cls, feature_names: Iterable[str], crossing_dim: int, output_mode: str = "one_hot") -> Cross:
        return Cross(feature_names, crossing_dim, output_mode=output_mode)

    @classmethod
    def feature(cls, dtype: str, preprocessor: Any, output_mode: str) -> Feature:
        return Feature(dtype, preprocessor, output_mode)

    @classmethod
    def float(cls, name: str | None = None) -> Feature:
        name = name or naming.uniquify("float")
        return Feature("float32", Identity(name=f"{name}_preprocessor"), "float")

    @classmethod
    def float_rescaled(cls, scale: float = 1.0, offset: float = 0.0, name: str | None = None) -> Feature:
        name = name or naming.uniquify("float_rescaled")
        return Feature("float32", Rescaling(scale=scale, offset=offset, name=f"{name}_preprocessor"), "float")

    @classmethod
    def float_normalized(cls, name: str | None = None) -> Feature:
        name = name or naming.uniquify("float_normalized")
        return Feature("float32", Normalization(axis=-1, name=f"{name}_preprocessor"), "float")

    @classmethod
    def float_discretized(cls, num_bins: int, bin_boundaries: Any = None, output_mode: str = "one_hot",
                          name: str | None = None) -> Feature:
        name = name or naming.uniquify("float_discretized")
        layer = Discretization(num_bins=num_bins, bin_boundaries=bin_boundaries, name=f"{name}_preprocessor")
        return Feature("float32", layer, output_mode)

    @classmethod
    def integer_categorical(cls, max_tokens: int | None = None, num_oov_indices: int = 1,
                            output_mode: str = "one_hot", name: str | None = None) -> Feature:
        name = name or naming.uniquify("integer_categorical")
        layer = IntegerLookup(name=f"{name}_preprocessor", max_tokens=max_tokens, num_oov_indices=num_oov_indices)
        return Feature("int32", layer, output_mode)

    @classmethod
    def string_categorical(cls, max_tokens: int | None = None, num_oov_indices: int = 1,
                           output_mode: str = "one_hot", name: str | None = None) -> Feature:
        name = name or naming.uniquify("string_categorical")
        layer = StringLookup(name=f"{name}_preprocessor", max_tokens=max_tokens, num_oov_indices=num_oov_indices)
        return Feature("string", layer, output_mode)

    @classmethod
    def string_hashed(cls, num_bins: int, output_mode: str = "one_hot", name: str | None = None) -> Feature:
        name = name or naming.uniquify("string_hashed")
        return Feature("string", Hashing(name=f"{name}_preprocessor", num_bins=num_bins), output_mode)

    @classmethod
    def integer_hashed(cls, num_bins: int, output_mode: str = "one_hot", name: str | None = None) -> Feature:
        name = name or naming.uniquify("integer_hashed")
        return Feature("int32", Hashing(name=f"{name}_preprocessor", num_bins=num_bins), output_mode)

    # ------------------------------------------------------------------ construction
    def __init__(self, features: dict[str, Any], output_mode: str = "concat", crosses: Any = None,
                 crossing_dim: int = 32, hashing_dim: int = 32, num_discretization_bins: int = 32,
                 name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        if not features:
            raise ValueError("The `features` argument cannot be None or empty.")
        self.crossing_dim = crossing_dim
        self.hashing_dim = hashing_dim
        self.num_discretization_bins = num_discretization_bins
        self.features = {n: self._standardize_feature(n, v) for n, v in features.items()}
        self.crosses: list[Cross] = []
        for cross in crosses or ():
            if isinstance(cross, dict):
                cross = _deserialize(cross)
            if not isinstance(cross, Cross):
                if not crossing_dim:
                    raise ValueError("When specifying `crosses`, the argument `crossing_dim` (dimensionality of the "
                                     "crossing space) should be specified as well.")
                if any(key not in features for key in cross):
                    raise ValueError("All features referenced in the `crosses` argument should be present in the "
                                     f"`features` dict. Received unknown features: {cross}")
                cross = Cross(cross, crossing_dim=crossing_dim)
            self.crosses.append(cross)
        self.crosses_by_name = {c.name: c for c in self.crosses}
        if output_mode not in {"dict", "concat"}:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of {'dict', 'concat'}. "
                             f"Received: output_mode={output_mode}")
        self.output_mode = output_mode
        self.inputs = {n: Input(shape=(1,), dtype=f.dtype, name=n) for n, f in self.features.items()}
        self.preprocessors = {n: f.preprocessor for n, f in self.features.items()}
        self.crossers = {c.name: HashedCrossing(c.crossing_dim, name=c.name) for c in self.crosses}
        self.one_hot_encoders: dict[str, CategoryEncoding] = {}
        self.encoded_features: Any = None
        self.concat: Concatenate | None = None
        self._is_adapted = False
        self._sublayers_built = False

    def _standardize_feature(self, name: str, feature: Any) -> Feature:
        if isinstance(feature, Feature):
            return feature
        if isinstance(feature, dict):
            return _deserialize(feature)
        makers = {"float": lambda: self.float(name=name), "float_normalized": lambda: self.float_normalized(name=name),
                  "float_rescaled": lambda: self.float_rescaled(name=name),
                  "float_discretized": lambda: self.float_discretized(name=name,
                                                                      num_bins=self.num_discretization_bins),
                  "integer_categorical": lambda: self.integer_categorical(name=name),
                  "string_categorical": lambda: self.string_categorical(name=name),
                  "integer_hashed": lambda: self.integer_hashed(self.hashing_dim, name=name),
                  "string_hashed": lambda: self.string_hashed(self.hashing_dim, name=name)}
        if feature not in makers:
            raise ValueError(f"Invalid feature type: {feature}{registry.did_you_mean(str(feature), list(makers))}")
        return makers[feature]()

    # ------------------------------------------------------------------ adapt
    def _adaptable(self) -> list[str]:
        names = []
        for name in self.features:
            pre = self.preprocessors[name]
            if isinstance(pre, Normalization) and pre.input_mean is not None:
                continue
            if isinstance(pre, TextVectorization) and pre._has_input_vocabulary:
                continue
            if hasattr(pre, "adapt"):
                names.append(name)
        return names

    def adapt(self, dataset: Any) -> None:
        """Adapt every adaptable preprocessor to its feature.

        Args:
            dataset: A dict ``{name: array or list}`` (one row per sample), or an iterable of such
                dicts (batches; ``(features, labels)`` items give the features).
        """
        if isinstance(dataset, dict):
            columns = {k: _as_array(v) for k, v in dataset.items()}
            feeds = {n: self._row_batches(columns[n]) for n in self._adaptable()}
        elif hasattr(dataset, "__iter__") or hasattr(dataset, "_keras_iter"):
            batches = list(dataset._keras_iter() if hasattr(dataset, "_keras_iter") else dataset)
            batches = [b[0] if isinstance(b, tuple) else b for b in batches]
            feeds = {n: [self._column(_as_array(b[n])) for b in batches] for n in self._adaptable()}
        else:
            raise ValueError("`adapt()` can only be called on a dict of arrays/lists or an iterable of such dicts. "
                             f"Received instead: {dataset} (of type {type(dataset)})")
        for name, batches in feeds.items():
            self.preprocessors[name].adapt(iter(batches))
        self._is_adapted = True
        self.get_encoded_features()
        self.built = True
        self._sublayers_built = True

    @staticmethod
    def _column(x: np.ndarray) -> np.ndarray:
        return x[..., None] if x.ndim in (0, 1) else x

    def _row_batches(self, column: np.ndarray) -> list[np.ndarray]:
        """The rows of one column as Keras's ``from_tensor_slices`` (+ ``batch(32)`` for scalars) yields them."""
        if column.ndim == 1:
            return [column[i:i + 32][:, None] for i in range(0, len(column), 32)]
        return [self._column(row) for row in column]

    # ------------------------------------------------------------------ graph
    def get_inputs(self) -> dict[str, KerasTensor]:
        """The symbolic inputs (one ``(None, 1)`` Input per feature), for a model built on the encoded features."""
        self._check_if_built()
        return self.inputs

    def get_encoded_features(self) -> Any:
        """The encoded features of :meth:`get_inputs` (symbolic): one tensor (concat) or a dict."""
        self._check_if_adapted()
        if self.encoded_features is None:
            preprocessed = self._preprocess_features(self.inputs)
            self.encoded_features = self._merge_features(preprocessed, self._cross_features(preprocessed))
        return self.encoded_features

    def _preprocess_features(self, features: dict[str, Any]) -> dict[str, Any]:
        return {name: self.preprocessors[name](features[name]) for name in features}

    def _cross_features(self, features: dict[str, Any]) -> dict[str, Any]:
        return {c.name: self.crossers[c.name]([features[n] for n in c.feature_names]) for c in self.crosses}

    def _cardinality(self, name: str) -> int | None:
        pre = self.preprocessors[name] if name in self.preprocessors else self.crossers[name]
        if isinstance(pre, (IntegerLookup, StringLookup)):
            return pre.vocabulary_size()
        if isinstance(pre, CategoryEncoding):
            return pre.num_tokens
        if isinstance(pre, (Discretization, HashedCrossing, Hashing)):
            return pre.num_bins
        raise ValueError(f"Feature '{name}' has `output_mode='one_hot'`. However it isn't a standard feature and the "
                         "dimensionality of its output space is not known, thus it cannot be one-hot encoded. Try "
                         "using `output_mode='int'`.")

    def _merge_features(self, preprocessed: dict[str, Any], crossed: dict[str, Any]) -> Any:
        names = sorted(preprocessed) + sorted(crossed)
        values = {**preprocessed, **crossed}
        specs = {**self.features, **self.crosses_by_name}
        out: dict[str, Any] = {}
        for name in names:
            feature = values[name]
            if not self._sublayers_built and specs[name].output_mode == "one_hot":
                dtype = str(feature.dtype).replace("torch.", "")
                if not dtype.startswith("int"):
                    raise ValueError(f"Feature '{name}' has `output_mode='one_hot'`. Thus its preprocessor should "
                                     f"return an integer dtype. Instead it returns a {dtype} dtype.")
                cardinality = self._cardinality(name)
                if cardinality is not None:
                    self.one_hot_encoders[name] = CategoryEncoding(num_tokens=cardinality, output_mode="multi_hot")
            encoder = self.one_hot_encoders.get(name)
            if encoder is not None:
                feature = encoder(feature)
            dtype = str(feature.dtype).replace("torch.", "")
            if self.output_mode == "concat" and (dtype.startswith("int") or dtype == "string"):
                raise ValueError(f"Cannot concatenate features because feature '{name}' has not been encoded (it has "
                                 f"dtype {dtype}). Consider using `output_mode='dict'`.")
            out[name] = feature
        if self.output_mode == "dict":
            return out
        if self.concat is None:
            self.concat = Concatenate(axis=-1)
        return self.concat([out[n] for n in names])

    def _check_if_adapted(self) -> None:
        if not self._is_adapted:
            if self._adaptable():
                raise ValueError("You need to call `.adapt(dataset)` on the FeatureSpace before you can start using "
                                 "it.")
            self._is_adapted = True

    def _check_if_built(self) -> None:
        if not self._sublayers_built:
            self._check_if_adapted()
            self.get_encoded_features()
            self._sublayers_built = True

    # ------------------------------------------------------------------ call
    def __call__(self, data: dict[str, Any]) -> Any:
        """Encode a dict of feature values (a batch, or one sample of scalars)."""
        self._check_if_built()
        if not isinstance(data, dict):
            raise ValueError(f"A FeatureSpace can only be called with a dict. Received: data={data} "
                             f"(of type {type(data)}")
        arrays = {k: _as_array(v) for k, v in data.items()}
        rebatched = any(a.ndim == 0 for a in arrays.values())
        arrays = {k: a.reshape(1, 1) if a.ndim == 0 else self._column(a) for k, a in arrays.items()}
        prepared = {k: torch.from_numpy(a) if a.dtype.kind in "fiub" else a for k, a in arrays.items()}
        preprocessed = self._preprocess_features(prepared)
        merged = self._merge_features(preprocessed, self._cross_features(preprocessed))
        if rebatched:
            if self.output_mode == "concat":
                if merged.shape[0] != 1:
                    raise ValueError(f"Expected rebatched data to have batch size 1. Received: shape={merged.shape}")
                return merged.squeeze(0)
            return {k: v.squeeze(0) if v.ndim == 2 and v.shape[0] == 1 else v for k, v in merged.items()}
        return merged

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict[str, Any]:
        return {"features": {n: _serialize(f) for n, f in self.features.items()}, "output_mode": self.output_mode,
                "crosses": [_serialize(c) for c in self.crosses], "crossing_dim": self.crossing_dim,
                "hashing_dim": self.hashing_dim, "num_discretization_bins": self.num_discretization_bins}

    def get_build_config(self) -> dict[str, Any]:
        return {n: f.preprocessor.get_build_config() for n, f in self.features.items()}

    def build_from_config(self, config: dict[str, Any] | None) -> None:
        for name, cfg in (config or {}).items():
            pre = self.features[name].preprocessor
            if not pre.built:
                pre.build_from_config(cfg)
        self._is_adapted = True
