import pytest
import torch


@pytest.fixture(autouse=True)
def _native_cpu_rnn_kernels():
    """torch's oneDNN CPU RNN kernels cost ~0.1 s per call on small inputs (primitive setup); the
    native kernels give the same float32 results and keep this suite fast."""
    prev = torch._C._get_mkldnn_enabled()
    torch._C._set_mkldnn_enabled(False)
    yield
    torch._C._set_mkldnn_enabled(prev)
