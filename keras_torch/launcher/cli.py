"""``keras-torch`` command line: demo, run, export, convert, inspect.

Errors are one line on stderr, ``keras-torch: error: ...``; the exit status is 2 when the command
line cannot be right (an unknown option, a missing argument, an output that would overwrite the
input or whose extension contradicts its format) and 1 when the command ran and failed (a missing
or unreadable file, a failed export). ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from typing import Any, NoReturn

PROG = "keras-torch"


class UsageError(Exception):
    """The command line cannot be right (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not argparse's usage block
        raise UsageError(f"{message} (see `{self.prog} --help`)")


class _Version(argparse.Action):
    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="print the versions and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        print(_version_line())
        parser.exit()


def _version_line() -> str:
    import platform

    import torch

    from keras_torch.core.version import KERAS_API_VERSION, __version__

    return (f"{PROG} {__version__} (Keras {KERAS_API_VERSION} API, torch {torch.__version__}, "
            f"Python {platform.python_version()})")


def _demo(args: argparse.Namespace) -> int:
    from keras_torch.launcher.demo import run_demo

    run_demo(epochs=args.epochs, out_dir=args.out_dir, verbose=args.verbose)
    return 0


def _run(args: argparse.Namespace) -> int:
    from keras_torch.launcher.runner import run_script

    if args.nproc and args.nproc > 1:
        from keras_torch.launcher.runner import launch_distributed

        return launch_distributed(args.nproc, args.script, args.args)
    code = run_script(args.script, args.args)
    if os.environ.get("TORCHELASTIC_RUN_ID"):  # a torchrun worker (of `run --nproc N` or torchrun itself)
        from keras_torch.launcher.runner import end_worker

        end_worker(code)
    return code


def check_output(command: str, model: str, output: str, extensions: tuple[str, ...], what: str) -> None:
    """Refuse an ``output`` that would overwrite ``model`` or that names another format.

    Raises:
        UsageError: ``output`` is ``model`` itself, or its extension is not one of ``extensions``.
    """
    same = os.path.abspath(output) == os.path.abspath(model) or (
        os.path.exists(output) and os.path.exists(model) and os.path.samefile(output, model))
    if same:
        raise UsageError(f"{command}: refusing to overwrite the input '{model}' with {what}; name the output "
                         f"differently (e.g. '{os.path.splitext(model)[0]}{extensions[0]}')")
    if not output.lower().endswith(extensions):
        raise UsageError(f"{command}: the output is {what}: its name must end with {' or '.join(extensions)} "
                         f"(got '{output}')")


def _export(args: argparse.Namespace) -> int:
    from keras_torch.launcher.export_command import export_file

    check_output("export", args.model, args.output, (".onnx",), "an ONNX file")
    export_file(args.model, args.output, opset=args.opset, fp16=args.fp16, static_batch=args.static_batch)
    return 0


def _convert(args: argparse.Namespace) -> int:
    from keras_torch.launcher.file_commands import convert_to_torch

    check_output("convert", args.model, args.output, (".pt", ".pth"), "a torch state_dict file")
    path = convert_to_torch(args.model, args.output)
    print(f"Converted {args.model} -> {path} (torch state_dict; load it with torch.load)")
    return 0


def _inspect(args: argparse.Namespace) -> int:
    from keras_torch.launcher.file_commands import inspect_file

    inspect_file(args.file)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description="The Keras API on PyTorch.")
    p.add_argument("--version", action=_Version)
    debug = {"action": "store_true", "help": "show the full traceback of an error"}
    p.add_argument("--debug", **debug)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    sub_debug = {**debug, "default": argparse.SUPPRESS}  # (the top-level --debug stays visible)

    d = sub.add_parser("demo", help="train the tutorial CNN on the bundled digits dataset (offline)")
    d.add_argument("--epochs", type=int, default=5, help="training epochs (default: 5)")
    d.add_argument("--out-dir", default="keras_torch_demo",
                   help="folder for the saved .h5 and the exported .onnx (default: keras_torch_demo)")
    d.add_argument("--verbose", type=int, default=1, choices=(0, 1, 2),
                   help="Keras verbosity: 0 silent, 1 progress bar, 2 one line per epoch (default: 1)")
    d.add_argument("--debug", **sub_debug)
    d.set_defaults(fn=_demo)

    r = sub.add_parser("run", help="run an unchanged Keras script on keras_torch")
    r.add_argument("--nproc", type=int, default=0,
                   help="start N processes with torchrun (data-parallel training; default: one process)")
    r.add_argument("script", help="the Keras script (.py) to run")
    r.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed on to the script")
    r.set_defaults(fn=_run)

    e = sub.add_parser("export", help="export a Keras .h5/.keras file to ONNX (checked with onnxruntime)")
    e.add_argument("model", help="the Keras model file (.h5 or .keras)")
    e.add_argument("output", help="the ONNX file to write (.onnx)")
    e.add_argument("--opset", type=int, default=None, help="ONNX opset version (default: the exporter's)")
    e.add_argument("--fp16", action="store_true", help="write float16 weights, inputs and outputs")
    e.add_argument("--static-batch", action="store_true", help="fix the batch dimension at 1 instead of dynamic")
    e.add_argument("--debug", **sub_debug)
    e.set_defaults(fn=_export)

    c = sub.add_parser("convert", help="convert a Keras file to a torch state_dict (.pt)")
    c.add_argument("model", help="the Keras model file (.h5 or .keras)")
    c.add_argument("output", help="the torch file to write (.pt or .pth)")
    c.add_argument("--debug", **sub_debug)
    c.set_defaults(fn=_convert)

    i = sub.add_parser("inspect", help="print the versions, compile state, summary and weights of a Keras file")
    i.add_argument("file", help="a Keras file (.h5, .keras or .weights.h5)")
    i.add_argument("--debug", **sub_debug)
    i.set_defaults(fn=_inspect)
    return p


def _one_line(err: BaseException) -> str:
    from keras_torch.export import ExportError

    text = " ".join(str(err).split()) or type(err).__name__
    if isinstance(err, (OSError, ValueError, ImportError, UsageError, ExportError)):  # messages written for users
        return text
    return f"{type(err).__name__}: {text} (run with --debug for the traceback)"


def _fail(err: BaseException, status: int) -> int:
    print(f"{PROG}: error: {_one_line(err)}", file=sys.stderr)
    return status


def main(argv: list[str] | None = None) -> Any:
    """Run the command line; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as err:
        return _fail(err, 2)
    except SystemExit as exit_:  # --help, --version
        return exit_.code
    try:
        return args.fn(args)
    except UsageError as err:
        return _fail(err, 2)
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # noqa: BLE001 - a failed command is one line unless --debug
        if args.debug:
            traceback.print_exc()
            return 1
        return _fail(err, 1)


if __name__ == "__main__":
    sys.exit(main())
