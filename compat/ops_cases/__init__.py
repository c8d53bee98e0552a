"""Op cases shared by ``compat/gen/ops.py`` (real Keras) and ``tests/ops`` (keras_torch)."""

from compat.ops_cases._base import A, Case, make_bank, symbolic_inputs
from compat.ops_cases.dtype_cases import (
    BINARY,
    CREATION,
    DTYPES,
    ERROR_CASES,
    SCALAR_BINARY,
    SCALARS,
    UNARY,
    dtype_table,
)
from compat.ops_cases.nn_cases import CASES as NN_CASES
from compat.ops_cases.numpy_cases import CASES as NUMPY_CASES
from compat.ops_cases.other_cases import CASES as OTHER_CASES

CASES: list[Case] = NUMPY_CASES + NN_CASES + OTHER_CASES
CASES_BY_ID = {c.id: c for c in CASES}

__all__ = ["A", "BINARY", "CASES", "CASES_BY_ID", "CREATION", "DTYPES", "ERROR_CASES", "SCALARS", "SCALAR_BINARY",
           "UNARY", "Case", "dtype_table", "make_bank", "symbolic_inputs"]
