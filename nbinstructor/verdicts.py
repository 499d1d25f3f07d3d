"""Verdicts out of the student's reach: graded test cells run in the grader's process.

nbgrader's autograde runs every cell of a notebook in one kernel, the tests
with the answers, so an answer cell can patch NumPy, ``nbutils.checks`` or a
builtin, rebind a name a test uses, or hand the test an object that equals
everything. :class:`GradeOutside` is nbgrader's ``Execute`` preprocessor with
one change: a graded test cell is not sent to the kernel. The grader runs it
in its own namespace, with the real NumPy and ``nbutils``; each name the test
reads from the notebook is looked up in the kernel once (a function becomes a
:class:`Proxy`, data is copied), and each call of a student's function runs in
the kernel (sandboxed) and returns plain data only (:mod:`nbinstructor.kernel_calls`).
The cell's outputs (the checks' messages, or the error) are written as the
kernel would have, so nbgrader scores them as before: a cell that raises
scores 0.

Names a locked cell of the notebook binds by ``import`` or ``def`` are bound
from the grader's own run of those statements, never from the kernel, and so
are the functions an earlier test cell defined. What the student's code printed
during a test is shown under a line that says so.
"""

from __future__ import annotations

import ast
import asyncio
import builtins
import contextlib
import importlib
import inspect
import io
import json
import sys
import textwrap
import time
import types
import warnings
from pathlib import Path

import numpy as np
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute

from nbutils.checks import RECORD_MIME, CheckFailed

from . import kernel_calls as kc_codec
from .kernel_calls import NotPlain, decode, encode

# the grader imports these for a name the kernel says is a module; others stay unbound
MODULES = ("numpy", "math", "nbutils", "itertools", "functools", "collections", "statistics")
DISPLAY_ONLY = ("matplotlib", "IPython", "ipywidgets", "nbutils.plots", "nbutils.widgets",
                "nbutils.live", "nbutils.palette")
PRINTED = "[printed by your code while the test called {name}]"
PRINTED_CAP = 20_000  # characters of a call's printing kept


class KernelCallError(RuntimeError):
    """The kernel did not answer a call (it died, timed out, or broke the call)."""


class ReturnedNonData(TypeError):
    """A student's function returned something that is not plain data."""


def _allowed(module: str, among=MODULES) -> bool:
    return any(module == m or module.startswith(m + ".") for m in among)


class KernelCalls:
    """The grader's line to one kernel: calls its functions, reads and binds its names."""

    def __init__(self, connection_info: dict, deadline_seconds: float):
        import zmq
        from jupyter_client import BlockingKernelClient

        self.context = zmq.Context()
        self.context.setsockopt(zmq.MAXMSGSIZE, kc_codec.MAX_MESSAGE)
        self.client = BlockingKernelClient(context=self.context)
        self.client.load_connection_info(connection_info)
        self.client.start_channels()
        self.seconds = deadline_seconds
        self.deadline = time.monotonic() + deadline_seconds
        self.stuck: str | None = None  # why calls stopped being answered
        self.died = False
        self.callbacks: list = []
        self.client.wait_for_ready(timeout=60)
        source = Path(kc_codec.__file__).read_text()
        install = ("import sys as _s, types as _t\n"
                   "_m = _t.ModuleType('_nbgrade_calls')\n"
                   "exec(compile(SRC, '<nbgrade calls>', 'exec'), _m.__dict__)\n"
                   "_s.modules['_nbgrade_calls'] = _m\n"
                   "_m._show({'value': None})\n")
        code = f"exec({install!r}, {{'SRC': {source!r}}})"
        for _ in range(10):  # the first messages can be lost while iopub subscribes
            reply, _printed = self._execute(code, timeout=5, quiet=True)
            if reply is not None:
                return
        raise KernelCallError("the kernel did not answer the grader")

    def new_cell(self, seconds: float | None) -> None:
        self.deadline = time.monotonic() + (seconds or self.seconds)
        self.callbacks = []

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.stop_channels()
        with contextlib.suppress(Exception):
            self.context.destroy(linger=0)

    # ------------------------------------------------------------ messages

    def _execute(self, code: str, timeout: float | None = None, quiet: bool = False,
                 name: str = "") -> tuple[dict | None, str]:
        """Run ``code``; (the reply it showed, the text it printed)."""
        import zmq

        if self.stuck:
            raise KernelCallError(self.stuck)
        client = self.client
        msg_id = client.execute(code, silent=False, store_history=False, allow_stdin=True)
        deadline = self.deadline if timeout is None else time.monotonic() + timeout
        poller = zmq.Poller()
        poller.register(client.iopub_channel.socket, zmq.POLLIN)
        poller.register(client.stdin_channel.socket, zmq.POLLIN)
        reply, printed, error, size = None, [], None, 0
        last_beat = time.monotonic()
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                if quiet:
                    return None, ""
                self.stuck = (f"the test's call of {name} did not finish in time "
                              f"({self.seconds:g} s for the cell)")
                raise KernelCallError(self.stuck)
            poller.poll(int(min(left, 1.0) * 1000))
            while client.stdin_channel.msg_ready():
                self._answer(client.stdin_channel.get_msg(timeout=0), msg_id)
            if not client.iopub_channel.msg_ready():
                if time.monotonic() - last_beat > 2:
                    last_beat = time.monotonic()
                    if not client.is_alive():
                        self.died = True
                        self.stuck = f"the kernel died while the test called {name}"
                        raise KernelCallError(self.stuck)
                continue
            msg = client.iopub_channel.get_msg(timeout=0)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "display_data" and kc_codec.MIME in content.get("data", {}):
                reply = content["data"][kc_codec.MIME]
            elif kind == "stream":
                text = str(content.get("text", ""))
                if size < PRINTED_CAP:
                    printed.append(text[:PRINTED_CAP - size])
                size += len(text)
            elif kind == "error":
                error = (content.get("ename", "Error"), content.get("evalue", ""))
            elif kind == "status" and content.get("execution_state") == "idle":
                break
        if error is not None and reply is None and not quiet:
            raise KernelCallError(f"the kernel could not run the test's call of {name}: "
                                  f"{error[0]}: {error[1]}")
        if reply is not None and not isinstance(reply, dict):
            raise KernelCallError("the kernel sent an unreadable reply")
        if size > PRINTED_CAP:
            printed.append(f"\n... ({size - PRINTED_CAP:,} more characters not shown)")
        return reply, "".join(printed)

    def _answer(self, msg: dict, parent: str) -> None:
        """The kernel asked for input: a call of a grader function, or the student's input()."""
        prompt = msg["content"].get("prompt", "")
        if msg["parent_header"].get("msg_id") != parent or not prompt.startswith(
                kc_codec.PROMPT):
            self.client.input("")
            return
        try:
            request = kc_codec.load(prompt[len(kc_codec.PROMPT):])
            function = self.callbacks[int(request["id"])]
            args = [decode(a) for a in request["args"]]
            kwargs = {str(k): decode(v) for k, v in request["kwargs"].items()}
            answer = {"value": encode(function(*args, **kwargs), self._ref)}
        except Exception as exc:  # the grader's function failed on what the kernel sent
            answer = {"raised": kc_codec.raised(exc)}
        self.client.input(json.dumps(answer))

    def _ref(self, value):
        """Encode what is not plain data: a proxy by its name, a function as a callback."""
        if isinstance(value, Proxy) and value._calls is self:
            return {"t": "kernel", "name": value._name}
        if callable(value):
            self.callbacks.append(value)
            return {"t": "callback", "id": len(self.callbacks) - 1,
                    "name": str(getattr(value, "__name__", "function"))}
        raise NotPlain(kc_codec.describe(value))

    # ------------------------------------------------------------ requests

    def call(self, name: str, args: tuple, kwargs: dict):
        request = json.dumps({"name": name, "args": [encode(a, self._ref) for a in args],
                              "kwargs": {k: encode(v, self._ref) for k, v in kwargs.items()}})
        reply, printed = self._execute(
            f"__import__('_nbgrade_calls').call({request!r})", name=name)
        if printed:
            print(PRINTED.format(name=name))
            print(printed.rstrip("\n"))
        if reply is None:
            raise KernelCallError(f"the kernel gave no result for the test's call of {name}")
        for index, data in (reply.get("after") or {}).items():
            with contextlib.suppress(Exception):
                _update(args[int(index)], decode(data))
        for category, message in reply.get("warnings") or []:
            kind = getattr(builtins, str(category), None)
            if not (isinstance(kind, type) and issubclass(kind, Warning)):
                kind = UserWarning
            warnings.warn(str(message), kind, stacklevel=3)
        if "raised" in reply:
            kind, message, base = (list(reply["raised"]) + ["Exception"])[:3]
            raise kc_codec.exception_class(str(kind), str(base))(str(message))
        if "not_plain" in reply:
            raise ReturnedNonData(
                f"it returned {reply['not_plain']}, which the grader cannot read: return "
                "numbers, NumPy arrays, strings, or lists, tuples and dicts of them")
        try:
            return decode(reply.get("value"))
        except (NotPlain, ValueError, KeyError, TypeError) as exc:
            raise ReturnedNonData(f"its result could not be read ({exc})") from None

    def stand_in(self, references: dict) -> None:
        """Bind the course's functions in the kernel in place of the student's."""
        specs = {}
        for name, function in references.items():
            function = inspect.unwrap(function)
            try:
                source = _source_with_helpers(function)
            except (OSError, TypeError) as exc:
                raise KernelCallError(f"the course's {name} could not be put in place of "
                                      f"yours: its source cannot be read ({exc})") from None
            specs[name] = {"module": function.__module__, "function": function.__name__,
                           "source": source}
        reply, _ = self._execute(
            f"__import__('_nbgrade_calls').stand_in({json.dumps(specs)!r})", name="stand-in")
        if reply is None or "raised" in reply:
            why = (reply or {}).get("raised", ["", "no reply"])[1]
            raise KernelCallError(f"the course's {', '.join(references)} could not be put "
                                  f"in place of yours in the kernel ({why})")

    def stand_back(self) -> None:
        self._execute("__import__('_nbgrade_calls').stand_back()", name="stand-back")

    def look_up(self, names: list[str]) -> dict:
        reply, _ = self._execute(
            f"__import__('_nbgrade_calls').look_up({json.dumps(names)!r})", name="look-up")
        found = (reply or {}).get("found")
        return found if isinstance(found, dict) else {}

    def assign(self, values: dict) -> None:
        if values:
            self._execute(f"__import__('_nbgrade_calls').assign({json.dumps(values)!r})",
                          name="assign")


def _update(old, new) -> None:
    """Give ``old`` the state ``new`` has (what the call did to an argument)."""
    if isinstance(old, np.ndarray) and isinstance(new, np.ndarray):
        if old.shape == new.shape and old.flags.writeable:
            np.copyto(old, new, casting="unsafe")
    elif isinstance(old, dict) and isinstance(new, dict):
        for key in [k for k in old if k not in new]:
            del old[key]
        for key, value in new.items():
            if key in old and type(old[key]) is type(value) and isinstance(
                    value, (np.ndarray, dict, list)):
                _update(old[key], value)
            else:
                old[key] = value
    elif isinstance(old, list) and isinstance(new, list):
        old[:] = new
    elif isinstance(old, np.random.Generator) and isinstance(new, np.random.Generator):
        old.bit_generator.state = new.bit_generator.state


class Proxy:
    """A student's function, as the grader's test code sees it: each call runs in the kernel."""

    def __init__(self, calls: KernelCalls, name: str, module: str = ""):
        self._calls, self._name = calls, name
        self.__name__ = self.__qualname__ = name
        self.__module__ = module or "__main__"

    def __call__(self, *args, **kwargs):
        return self._calls.call(self._name, args, kwargs)

    def __repr__(self) -> str:
        return f"<function {self._name}>"

    @contextlib.contextmanager
    def standing_in(self, references: dict):
        """The course's functions in place of the student's, in the kernel (checks.standing_in)."""
        self._calls.stand_in(references)
        try:
            yield
        finally:
            self._calls.stand_back()


def _source_with_helpers(function) -> str:
    """The source of a course function and of every function of its module it calls
    (helpers first): the kernel's copies of those may be switched off for grading."""
    if not inspect.isfunction(function):
        raise TypeError(f"{function!r} is not a function written in Python")
    module = sys.modules.get(function.__module__)
    order: list = []

    def visit(fn):
        if fn in order:
            return
        order.append(fn)  # placed now, so a recursive call ends here
        for name in sorted(names_read(fn.__code__)):
            helper = getattr(module, name, None)
            if inspect.isfunction(helper) and helper.__module__ == function.__module__:
                visit(inspect.unwrap(helper))

    visit(function)
    return "\n\n".join(textwrap.dedent(inspect.getsource(fn)) for fn in reversed(order))


def names_read(code: types.CodeType) -> set[str]:
    """Every name the code (and the functions and lambdas inside it) could read."""
    names = set(code.co_names) | set(code.co_freevars)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= names_read(const)
    return names


def _without_magics(source: str) -> str:
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


class GradeOutside(Execute):
    """nbgrader's ``Execute``, with graded test cells run in the grader (module docstring)."""

    def preprocess(self, nb, resources=None, km=None):
        self._calls: KernelCalls | None = None
        self._ns: dict = {"__name__": "__main__", "__builtins__": builtins}
        self._trusted: set[str] = set()
        try:
            return super().preprocess(nb, resources, km=km)
        finally:
            if self._calls is not None:
                self._calls.close()

    async def async_execute_cell(self, cell, cell_index, execution_count=None,
                                 store_history=True):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not cell.source.strip():
            return await super().async_execute_cell(cell, cell_index, execution_count,
                                                    store_history)
        if meta.get("grade") and not meta.get("solution"):
            from nbclient.util import run_hook

            await run_hook(self.on_cell_execute, cell=cell, cell_index=cell_index)
            # a thread of its own, without this context (to_thread's copy would hand
            # the kernel client's run_sync this running loop)
            await asyncio.get_running_loop().run_in_executor(None, self._test_cell, cell)
            if self._calls is not None and self._calls.died:
                from nbclient.exceptions import DeadKernelError

                # as when a kernel dies in a cell it runs: nbgrader stops, and the
                # grader's CellTracker names this (locked) test cell
                raise DeadKernelError(self._calls.stuck)
            if self._calls is not None and self._calls.stuck:
                await self._unstick()
            return cell
        done = await super().async_execute_cell(cell, cell_index, execution_count,
                                                store_history)
        if meta.get("locked"):
            self._bind_trusted(cell.source)
        return done

    # nbclient binds its synchronous execute_cell to its own coroutine: bind ours
    from nbclient.util import run_sync as _run_sync

    execute_cell = _run_sync(async_execute_cell)
    del _run_sync

    async def _unstick(self) -> None:
        """After a call that never returned: interrupt the kernel and let the rest run."""
        from jupyter_core.utils import ensure_async

        with contextlib.suppress(Exception):
            await ensure_async(self.km.interrupt_kernel())
        calls = self._calls
        why = calls.stuck
        calls.stuck = None
        reply, _ = calls._execute("__import__('_nbgrade_calls')._show({'value': None})",
                                  timeout=10, quiet=True)
        if reply is None:  # it ignores interrupts: as nbgrader does, give up on the notebook
            from nbclient.exceptions import DeadKernelError

            calls.died = True
            with contextlib.suppress(Exception):
                await ensure_async(self.km.shutdown_kernel(now=True))
            raise DeadKernelError(f"{why}, and the kernel did not stop when interrupted")

    def _bind_trusted(self, source: str) -> None:
        """Run a locked cell's imports and defs in the grader: names no answer can replace."""
        try:
            tree = ast.parse(_without_magics(source))
        except SyntaxError:
            return
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                    [a.name for a in node.names]
                if any(_allowed(m, DISPLAY_ONLY) for m in modules):
                    continue
            elif not isinstance(node, ast.FunctionDef):
                continue
            before = dict(self._ns)
            try:
                exec(compile(ast.Module([node], []), "<locked cell>", "exec"), self._ns)
            except Exception:  # noqa: S112 - the kernel's run of the cell says what failed
                continue
            self._trusted |= {k for k, v in self._ns.items() if before.get(k, self) is not v}

    def _connect(self) -> KernelCalls:
        if self._calls is None:
            self._calls = KernelCalls(self.km.get_connection_info(), self.timeout or 600)
        return self._calls

    def _bind_from_kernel(self, calls: KernelCalls, code: types.CodeType) -> None:
        wanted = sorted(n for n in names_read(code)
                        if n not in self._trusted and not hasattr(builtins, n)
                        and not n.startswith("__"))
        for name, info in calls.look_up(wanted).items():
            if not isinstance(info, dict):
                continue
            kind = info.get("kind")
            if kind == "module" and _allowed(str(info.get("module", ""))):
                with contextlib.suppress(Exception):
                    self._ns[name] = importlib.import_module(str(info["module"]))
            elif kind == "callable":
                self._ns[name] = Proxy(calls, name, str(info.get("module", "")))
            elif kind == "data":
                with contextlib.suppress(Exception):
                    self._ns[name] = decode(info.get("value"))

    def _test_cell(self, cell) -> None:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "?")
        out, error = io.StringIO(), None
        try:
            code = compile(_without_magics(cell.source), f"<test {grade_id}>", "exec")
            calls = self._connect()
            calls.new_cell(self.timeout)
            self._bind_from_kernel(calls, code)
            before = {k: id(v) for k, v in self._ns.items()}
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                exec(code, self._ns)
        except Exception as exc:  # a failed check, or a test the kernel could not answer
            error = exc
        else:
            self._hand_back(calls, before)
        outputs = []
        if out.getvalue():
            outputs.append(NotebookNode(output_type="stream", name="stdout",
                                        text=out.getvalue()))
        if error is not None:
            ename, evalue = type(error).__name__, str(error)
            outputs.append(NotebookNode(output_type="error", ename=ename, evalue=evalue,
                                        traceback=[f"{ename}: {evalue}"]))
            record = getattr(error, "record", None)  # a failed check's kind, as data
            if isinstance(error, CheckFailed) and isinstance(record, dict):
                outputs.append(NotebookNode(output_type="display_data", metadata={},
                                            data={RECORD_MIME: record}))
        cell.outputs = outputs

    def _hand_back(self, calls: KernelCalls, before: dict) -> None:
        """Bind in the kernel the plain data the test cell bound (later cells may read it);
        what is not data (the test's own functions) stays the grader's, and trusted."""
        values = {}
        for name, value in self._ns.items():
            if before.get(name) == id(value) or name.startswith("_"):
                continue
            if isinstance(value, (types.ModuleType, Proxy)):
                continue
            try:
                values[name] = encode(value)
            except NotPlain:
                self._trusted.add(name)
        with contextlib.suppress(Exception):
            calls.assign(values)


# ------------------------------------------------ the references, switched off

# the course's own functions that compute an exercise's answer, by exercise name
# (nbutils module, function); in a grading sandbox for a notebook, those of its
# exercises raise instead (see switched_off_copy)
REFERENCES = {
    # sigmoid computes through sigmoid_array, which is the same function for float arrays
    "sigmoid": [("activations", "sigmoid"), ("activations", "sigmoid_array")],
    "feedforward": [("network", "feedforward")],
    "feedforward_batch": [("network", "feedforward_batch")],
    "mse_loss": [("losses", "mse_loss")],
    "sigmoid_prime": [("activations", "sigmoid_prime")],
    # backprop runs gradients.STEPS through chain_rule: chain_rule(STEPS, ...) is backprop
    "backprop": [("gradients", "backprop"), ("gradients", "chain_rule")],
    "backprop_fixed": [("gradients", "backprop"), ("gradients", "chain_rule")],
    # the hints' table of forward, backward and central differences holds the answer too
    "numeric_gradient": [("gradients", "numeric_gradient"),
                         ("gradient_checks", "_differences")],
    "sgd_step": [("training", "sgd_step")],
    "train": [("training", "train")],
    "forward": [("mlp", "forward")],
    "backward": [("mlp", "backward")],
    # train_xor is init_params then descend, which trains from any start (train_many
    # calls descend, so it is off with it)
    "train_xor": [("mlp", "train_xor"), ("mlp", "descend")],
}
SWITCHED_OFF = ("while grading, the course's own nbutils.{module}.{function} is switched "
                "off: it computes the answer to this notebook's exercise {exercise}, which "
                "an answer must work out itself, not call")


def exercises(source_notebook: Path) -> list[str]:
    """The functions a source notebook's answer cells define."""
    import nbformat

    names = []
    for cell in nbformat.read(source_notebook, as_version=4).cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
            with contextlib.suppress(SyntaxError):
                names += [n.name for n in ast.parse(_without_magics(cell.source)).body
                          if isinstance(n, ast.FunctionDef)]
    return names


def _switch_off(source: str, functions: dict[str, str], module: str) -> str:
    """The module's source with each function's body replaced by a raise."""
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in functions:
            message = SWITCHED_OFF.format(module=module, function=node.name,
                                          exercise=functions[node.name])
            node.body = ast.parse(f"raise ReferenceSwitchedOff({message!r})").body
    tree.body.append(ast.parse("class ReferenceSwitchedOff(RuntimeError):\n"
                               "    '''A reference answer, not available while grading.'''"
                               ).body[0])
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


def switched_off_copy(package: Path, exercise_names: list[str], dest: Path) -> Path:
    """A copy of ``nbutils`` (at ``package``) in ``dest`` whose reference answers to
    these exercises raise ReferenceSwitchedOff; built once (its own content is its key)."""
    import compileall
    import hashlib
    import shutil

    by_module: dict[str, dict[str, str]] = {}
    for exercise in exercise_names:
        for module, function in REFERENCES.get(exercise, []):
            by_module.setdefault(module, {}).setdefault(function, exercise)
    files = sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts)
    digest = hashlib.sha256(json.dumps(sorted(by_module.items())).encode())
    for path in files:
        digest.update(path.read_bytes())
    target = dest / digest.hexdigest()[:16] / package.name
    if target.exists():
        return target
    staging = target.parent.with_name(target.parent.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    for path in files:
        out = staging / package.name / path.relative_to(package)
        out.parent.mkdir(parents=True, exist_ok=True)
        module = path.relative_to(package).with_suffix("").as_posix().replace("/", ".")
        text = path.read_text()
        if module in by_module:
            text = _switch_off(text, by_module[module], module)
        out.write_text(text)
    for path in package.rglob("*"):  # data files the package reads
        if path.is_file() and path.suffix not in (".py", ".pyc") \
                and "__pycache__" not in path.parts:
            out = staging / package.name / path.relative_to(package)
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, out)
    compileall.compile_dir(str(staging), quiet=2)
    staging.chmod(0o755)
    for path in staging.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    staging.rename(target.parent)
    return target
