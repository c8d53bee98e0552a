"""Models (``keras.models``)."""

from keras_torch.models import experimental as experimental
from keras_torch.models.functional import Functional
from keras_torch.models.model import Model
from keras_torch.models.sequential import Sequential
from keras_torch.saving.serialization import model_from_config, model_from_json

__all__ = ["Functional", "Model", "Sequential", "clone_model", "load_model", "model_from_config", "model_from_json",
           "model_from_yaml", "save_model"]


def clone_model(model: Model, input_tensors=None, clone_function=None, **kwargs) -> Model:
    """Creates a new model with the same architecture as ``model`` and freshly initialised weights.

    The clone shares no weights or state with the original (copy them with
    ``clone.set_weights(model.get_weights())``). Works for functional, Sequential and subclassed models
    that implement ``get_config``.

    Args:
        model: The model to clone.
        input_tensors: Optional ``keras.Input`` tensor to build the clone of a Sequential model on.
        clone_function: Optional ``fn(layer) -> layer`` creating each layer of a Sequential clone (default:
            ``type(layer).from_config(layer.get_config())``), e.g. to change layer settings while cloning.
        **kwargs: Accepted for compatibility.

    Returns:
        The new model instance.

    Raises:
        NotImplementedError: ``input_tensors`` or ``clone_function`` with a non-Sequential model.

    Example:

    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> clone = keras.models.clone_model(model)
    >>> clone.output_shape, clone is model
    ((None, 2), False)
    """
    from keras_torch.saving.serialization import deserialize_layer, serialize_layer

    if clone_function is None and input_tensors is None:
        return deserialize_layer(serialize_layer(model))
    if isinstance(model, Sequential):
        fn = clone_function or (lambda layer: type(layer).from_config(layer.get_config()))
        layers = [fn(layer) for layer in model.layers]
        new = Sequential(name=model.name)
        if input_tensors is not None:
            new.add(input_tensors if not isinstance(input_tensors, (list, tuple)) else input_tensors[0])
        elif model._input_layer is not None:
            from keras_torch.layers.core import Input

            new.add(Input(batch_shape=model._input_layer.batch_shape))
        for layer in layers:
            new.add(layer)
        return new
    raise NotImplementedError("clone_model with input_tensors/clone_function is supported for Sequential models.")


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):  # noqa: A002 - Keras name
    """Loads a model saved with ``model.save()`` by Keras or keras_torch.

    Reads Keras 3 ``.keras`` archives and legacy ``.h5`` files (Keras 1/2, tf-keras and Keras 3), converting
    the weights to torch layout. When the file holds a training configuration and ``compile=True``, the model
    comes back compiled, with its optimizer state.

    Args:
        filepath: ``str`` or ``pathlib.Path`` of the ``.keras`` or ``.h5`` file.
        custom_objects: Optional dict mapping names to the custom classes or functions (layers, losses,
            metrics, activations...) the file refers to.
        compile: Whether to compile the model after loading (default ``True``).
        safe_mode: Refuse to deserialize code from the file (``Lambda`` layers' bytecode); set ``False``
            only for trusted files.

    Returns:
        A Keras model instance.

    Example:

    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> path = "model.keras"
    >>> model.save(path)
    >>> loaded = keras.models.load_model(path)
    >>> bool(np.allclose(loaded.predict(np.ones((1, 3)), verbose=0), model.predict(np.ones((1, 3)), verbose=0)))
    True
    """
    from keras_torch.saving import load_model as _load

    return _load(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


def save_model(model, filepath, overwrite=True, **kwargs):
    """Saves ``model`` to ``filepath``; the same as ``model.save(filepath)``.

    Args:
        model: The model to save.
        filepath: Path ending in ``.keras`` (Keras 3 archive) or ``.h5`` (legacy HDF5).
        overwrite: Whether to replace an existing file (default ``True``).
        **kwargs: Format options (see :meth:`keras_torch.Model.save`).

    Returns:
        None.

    Example:

    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> keras.models.save_model(model, "model.h5")
    """
    model.save(filepath, overwrite=overwrite, **kwargs)


def model_from_yaml(yaml_string: str, custom_objects: dict | None = None) -> Model:
    """Removed in tf-keras 2 for security; raises the same ``RuntimeError`` it does.

    Args:
        yaml_string: A YAML model config (not read).
        custom_objects: Not used.

    Returns:
        Never returns.

    Raises:
        RuntimeError: Always; use ``model.to_json()`` and :func:`model_from_json`.

    Example:

    >>> try:
    ...     keras.models.model_from_yaml("")
    ... except RuntimeError:
    ...     print("use model_from_json")
    use model_from_json
    """
    raise RuntimeError("Method `model_from_yaml()` has been removed due to security risk of arbitrary code execution. "
                       "Please use `Model.to_json()` and `model_from_json()` instead.")
