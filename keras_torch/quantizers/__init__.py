"""``keras.quantizers``: Keras 3's quantization functions and quantizer objects.

The quantization configs (``Int8QuantizationConfig``, ``GPTQConfig``, ``AWQConfig``...) configure
``model.quantize``, which keras_torch does not implement; they are listed in
``keras_torch.core.omissions``.
"""

from __future__ import annotations

from keras_torch.core import omissions as _omissions
from keras_torch.quantizers.quantizers import AbsMaxQuantizer as AbsMaxQuantizer
from keras_torch.quantizers.quantizers import Quantizer as Quantizer
from keras_torch.quantizers.quantizers import abs_max_quantize as abs_max_quantize
from keras_torch.quantizers.quantizers import (
    abs_max_quantize_grouped_with_zero_point as abs_max_quantize_grouped_with_zero_point,
)
from keras_torch.quantizers.quantizers import compute_float8_amax_history as compute_float8_amax_history
from keras_torch.quantizers.quantizers import compute_float8_scale as compute_float8_scale
from keras_torch.quantizers.quantizers import deserialize as deserialize
from keras_torch.quantizers.quantizers import fake_quant_with_min_max_vars as fake_quant_with_min_max_vars
from keras_torch.quantizers.quantizers import get as get
from keras_torch.quantizers.quantizers import pack_int4 as pack_int4
from keras_torch.quantizers.quantizers import quantize_and_dequantize as quantize_and_dequantize
from keras_torch.quantizers.quantizers import serialize as serialize
from keras_torch.quantizers.quantizers import unpack_int4 as unpack_int4


def __getattr__(name: str):
    raise _omissions.missing_attribute(__name__, name)
