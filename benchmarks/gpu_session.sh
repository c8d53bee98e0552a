#!/usr/bin/env bash
# One GPU-machine session in one command: the CUDA-marked tests, the recurrent CUDA parity check,
# host-sync / jit_compile / mixed-precision checks, the CUDA benchmarks (seed models and real-sized
# ResNet-50 / Transformer / ResNet50 inference) and, when asked, the whole suite with CUDA as the
# default device. Logs and results go to $OUT (default /tmp/gpu_out). The default sections fit in
# BUDGET seconds (default 570, for a 10-minute command): each section's timeout is capped by what is left.
#
#     OUT=/tmp/gpu_out bash benchmarks/gpu_session.sh [sections...]   # sections: env gpu rnn check bench real suite
set -u
OUT=${OUT:-/tmp/gpu_out}
mkdir -p "$OUT"
cd "$(dirname "$0")/.."
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
PY=${PY:-python3}
sections=${*:-env gpu rnn bench real check}
BUDGET=${BUDGET:-570}
t0=$(date +%s)
stamp() { echo "== $1 ($(($(date +%s) - t0)) s)"; }
cap() {  # cap SECONDS: the timeout for the next section, at most what the budget has left
  local left=$((BUDGET - ($(date +%s) - t0)))
  if [ "$left" -lt "$1" ]; then echo $((left > 5 ? left : 5)); else echo "$1"; fi
}

for s in $sections; do
  case $s in
  env)
    stamp env
    nvidia-smi -L
    $PY -c "import torch, numpy, h5py; print('torch', torch.__version__, torch.cuda.get_device_name(), 'numpy', numpy.__version__)"
    $PY -m pip install -q --no-deps --no-build-isolation -e . >"$OUT/pip.log" 2>&1 || echo "editable install failed (PYTHONPATH is used)"
    ;;
  gpu)
    stamp "gpu-marked tests"
    timeout $(cap 120) $PY -m pytest -m gpu -p no:cacheprovider -q -rs 2>&1 | tee "$OUT/gpu_tests.log" | tail -n 25
    ;;
  rnn)
    stamp "recurrent CUDA parity"
    timeout $(cap 60) $PY tests/layers/data/rnn_gpu_check.py 2>&1 | tail -n 30
    ;;
  check)
    stamp "host syncs, jit_compile, mixed precision"
    timeout $(cap 150) $PY benchmarks/gpu_check.py ${CHECK_KINDS:-} 2>"$OUT/gpu_check.err" | tee "$OUT/gpu_check.log" | grep -v '^JSON'
    tail -n 5 "$OUT/gpu_check.err"
    ;;
  bench)
    stamp "benchmark (CUDA)"
    KERAS_TORCH_DEVICE=cuda timeout $(cap 150) $PY benchmarks/run.py --repeats 3 --out "$OUT/results.json" 2>&1 | tail -n 25
    ;;
  real)
    stamp "real-sized benchmark (CUDA): ResNet-50 batch 32 224x224, Transformer encoder, ResNet50 inference, load_model"
    KERAS_TORCH_DEVICE=cuda timeout $(cap 150) $PY benchmarks/real.py --train-shape 224 --train-batch 32 --rounds 3 \
      --out "$OUT/real_results.json" 2>&1 | tail -n 30
    ;;
  suite)
    stamp "whole suite, CUDA default device"
    timeout $(cap ${SUITE_TIMEOUT:-300}) $PY -m pytest -p no:cacheprovider -q -n 16 -rfE -W ignore::pytest.PytestWarning >"$OUT/suite.log" 2>&1
    grep -E "^(FAILED|ERROR)" "$OUT/suite.log" | cut -c1-220 | head -n 60
    tail -n 3 "$OUT/suite.log"
    ;;
  esac
done
stamp done
