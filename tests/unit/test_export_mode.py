"""``core.context``: the export mode layers read while a model is traced for an exporter."""

from __future__ import annotations

import threading

import pytest

from keras_torch.core.context import CALL_CONTEXT, export_mode, record_traced_constant


def test_set_for_the_block_and_restored_after_an_error():
    seen = []
    with pytest.raises(KeyError):
        with export_mode("onnx", lambda kind, value: seen.append((kind, value))):
            assert CALL_CONTEXT.export_mode == "onnx"
            record_traced_constant("time_loop", 7)
            raise KeyError("boom")
    assert CALL_CONTEXT.export_mode is None and CALL_CONTEXT.export_recorder is None
    assert seen == [("time_loop", 7)]
    record_traced_constant("time_loop", 8)  # no export: nobody listens
    assert seen == [("time_loop", 7)]


def test_unknown_and_nested_modes_are_refused():
    with pytest.raises(ValueError, match="'tflite'.*'onnx', 'torch'"):
        with export_mode("tflite"):
            pass
    with export_mode("torch"):
        with pytest.raises(RuntimeError, match="'torch'.*already running"):
            with export_mode("onnx"):
                pass
        assert CALL_CONTEXT.export_mode == "torch"


def test_other_threads_do_not_see_it():
    seen = []
    with export_mode("onnx"):
        thread = threading.Thread(target=lambda: seen.append(CALL_CONTEXT.export_mode))
        thread.start()
        thread.join()
    assert seen == [None]
