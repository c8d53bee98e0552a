"""``keras-torch`` command line: demo, run, export, convert, inspect."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def _demo(args: argparse.Namespace) -> int:
    from keras_torch.launcher.demo import run_demo

    run_demo(epochs=args.epochs, out_dir=args.out_dir, verbose=args.verbose)
    return 0


def _run(args: argparse.Namespace) -> int:
    from keras_torch.launcher.runner import run_script

    if args.nproc and args.nproc > 1:
        from keras_torch.launcher.runner import launch_distributed

        return launch_distributed(args.nproc, args.script, args.args)
    return run_script(args.script, args.args)


def _export(args: argparse.Namespace) -> int:
    from keras_torch.launcher.export_command import export_file

    export_file(args.model, args.output, opset=args.opset, fp16=args.fp16, static_batch=args.static_batch)
    return 0


def _convert(args: argparse.Namespace) -> int:
    from keras_torch.launcher.file_commands import convert_to_torch

    convert_to_torch(args.model, args.output)
    return 0


def _inspect(args: argparse.Namespace) -> int:
    from keras_torch.launcher.file_commands import inspect_file

    inspect_file(args.file)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="keras-torch", description="The Keras API on PyTorch.")
    sub = p.add_subparsers(dest="command", required=True)
    d = sub.add_parser("demo", help="train the tutorial CNN on the bundled digits dataset (offline)")
    d.add_argument("--epochs", type=int, default=5)
    d.add_argument("--out-dir", default="keras_torch_demo", help="where the .h5 / .onnx files go")
    d.add_argument("--verbose", type=int, default=1)
    d.set_defaults(fn=_demo)
    r = sub.add_parser("run", help="run an unchanged Keras script on keras_torch")
    r.add_argument("--nproc", type=int, default=0, help="launch N processes with torchrun")
    r.add_argument("script")
    r.add_argument("args", nargs=argparse.REMAINDER)
    r.set_defaults(fn=_run)
    e = sub.add_parser("export", help="export a Keras .h5/.keras file to ONNX")
    e.add_argument("model")
    e.add_argument("output")
    e.add_argument("--opset", type=int, default=None)
    e.add_argument("--fp16", action="store_true")
    e.add_argument("--static-batch", action="store_true")
    e.set_defaults(fn=_export)
    c = sub.add_parser("convert", help="convert a Keras file to a torch state_dict (.pt)")
    c.add_argument("model")
    c.add_argument("output")
    c.set_defaults(fn=_convert)
    i = sub.add_parser("inspect", help="print the summary and layer table of a Keras file")
    i.add_argument("file")
    i.set_defaults(fn=_inspect)
    return p


def main(argv: list[str] | None = None) -> Any:
    args = build_parser().parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
