"""The package version, at the bottom so that any module may read it (``keras_torch.__version__``
re-exports it; the ONNX exporter stamps it as the producer version)."""

__version__ = "0.1.0"
