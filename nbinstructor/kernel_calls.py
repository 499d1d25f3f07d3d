"""Plain data between the grader and a student's kernel, and the kernel's side of a call.

The grader runs every graded test cell in its own process (:mod:`nbinstructor.verdicts`);
a student's function is called in the kernel and what it returns crosses as
*plain data*: None, booleans, numbers, strings, NumPy arrays and scalars of
numbers or strings, and lists, tuples and dicts of those. Anything else (an
object that says it equals everything, a function, an ndarray subclass's
behaviour) does not cross. :func:`encode` and :func:`decode` are the one codec
of both sides: the grader imports this module, and sends its source to the
kernel, which runs it as a module of its own (the sandbox does not show the
kernel ``nbinstructor``). What the kernel sends is read by :func:`decode`
only: JSON, and arrays through ``numpy.load(allow_pickle=False)``.

This file needs only the standard library and NumPy.
"""

from __future__ import annotations

import base64
import builtins
import io
import json
import warnings

import numpy as np

MIME = "application/x-nbgrade-result+json"
PROMPT = "\x00nbgrade-callback\x00"  # the kernel asks the grader to run a function
MAX_DEPTH = 40
MAX_MESSAGE = 1 << 26  # 64 MiB: a reply larger than this is refused


class NotPlain(TypeError):
    """A value that is not plain data (the message says what it was)."""


def describe(value) -> str:
    kind = type(value)
    return f"a {kind.__module__}.{kind.__qualname__}" if kind.__module__ != "builtins" \
        else f"a {kind.__qualname__}"


def _npy(array: np.ndarray) -> str:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return base64.b64encode(buffer.getvalue()).decode()


def encode(value, ref=None, depth: int = 0):
    """``value`` as JSON-ready plain data; ``ref(value)`` encodes what is not (or raises)."""
    if depth > MAX_DEPTH:
        raise NotPlain("data nested more than 40 levels deep")
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return {"t": "float", "v": repr(value)}  # repr: nan and inf survive JSON
    if kind is complex:
        return {"t": "complex", "v": [repr(value.real), repr(value.imag)]}
    if isinstance(value, np.generic) and value.dtype.kind in "biufcUS":
        return {"t": "scalar", "npy": _npy(np.asarray(value))}
    if isinstance(value, np.ndarray) and value.dtype.kind in "biufcUS":
        return {"t": "array", "npy": _npy(np.array(value, order="C", copy=True).view(np.ndarray))}
    if kind in (list, tuple):
        return {"t": kind.__name__, "v": [encode(v, ref, depth + 1) for v in value]}
    if kind is dict:
        items = []
        for k, v in value.items():
            if type(k) not in (str, int, bool) and k is not None:
                raise NotPlain(f"a dict with {describe(k)} as a key")
            items.append([k, encode(v, ref, depth + 1)])
        return {"t": "dict", "v": items}
    if isinstance(value, np.random.Generator):
        return {"t": "rng", "bit_generator": type(value.bit_generator).__name__,
                "state": value.bit_generator.state}
    if ref is not None:
        return ref(value)
    raise NotPlain(describe(value))


def _load_npy(text: str) -> np.ndarray:
    array = np.load(io.BytesIO(base64.b64decode(text, validate=True)), allow_pickle=False)
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "biufcUS":
        raise NotPlain("an array of something other than numbers or strings")
    return array


BIT_GENERATORS = ("PCG64", "PCG64DXSM", "Philox", "SFC64", "MT19937")


def decode(data, resolve=None, depth: int = 0):
    """The value :func:`encode` made; ``resolve(tagged)`` for the tags it does not know."""
    if depth > MAX_DEPTH:
        raise NotPlain("data nested more than 40 levels deep")
    if data is None or type(data) in (bool, int, str):
        return data
    if type(data) is not dict or "t" not in data:
        raise NotPlain(f"unreadable data ({describe(data)})")
    tag = data["t"]
    if tag == "float":
        return float(data["v"])
    if tag == "complex":
        return complex(float(data["v"][0]), float(data["v"][1]))
    if tag == "scalar":
        return _load_npy(data["npy"])[()]
    if tag == "array":
        return _load_npy(data["npy"])
    if tag in ("list", "tuple"):
        items = [decode(v, resolve, depth + 1) for v in data["v"]]
        return items if tag == "list" else tuple(items)
    if tag == "dict":
        out = {}
        for k, v in data["v"]:
            if type(k) not in (str, int, bool) and k is not None:
                raise NotPlain("a dict key that is not plain")
            out[k] = decode(v, resolve, depth + 1)
        return out
    if tag == "rng":
        if data["bit_generator"] not in BIT_GENERATORS:
            raise NotPlain(f"an unknown bit generator {data['bit_generator']!r}")
        bits = getattr(np.random, data["bit_generator"])()
        bits.state = data["state"]
        return np.random.Generator(bits)
    if resolve is not None:
        return resolve(data)
    raise NotPlain(f"unknown data (tag {tag!r})")


def load(text: str):
    """JSON from the other side, refused when larger than :data:`MAX_MESSAGE`."""
    if len(text) > MAX_MESSAGE:
        raise NotPlain(f"a reply of {len(text)} characters")
    return json.loads(text)


def mutable(value) -> bool:
    """Arguments whose state after the call goes back to the caller."""
    return isinstance(value, (list, dict, np.ndarray, np.random.Generator))


def _builtin_exception(name) -> type[Exception] | None:
    found = getattr(builtins, name, None) if isinstance(name, str) and name.isidentifier() \
        else None
    return found if isinstance(found, type) and issubclass(found, Exception) else None


def exception_class(name: str, base: str = "Exception") -> type[Exception]:
    """The built-in exception of that name, else a new class of that name below the
    built-in ``base`` (a student's ``class LengthError(ValueError)`` is still a
    ValueError); never anything but an Exception."""
    found = _builtin_exception(name)
    if found is not None:
        return found
    safe = name if name.isidentifier() else "Error"
    return type(safe, (_builtin_exception(base) or Exception,), {"__module__": "student"})


def raised(exc: BaseException) -> list[str]:
    """[name, message, the nearest built-in exception class it derives from]."""
    base = next((k.__name__ for k in type(exc).__mro__
                 if _builtin_exception(k.__name__) is k), "Exception")
    return [type(exc).__name__, str(exc)[:4000], base]


# ------------------------------------------------------------ the kernel's side


def _namespace() -> dict:
    import sys

    return vars(sys.modules["__main__"])


def _show(result: dict) -> None:
    from IPython.display import display

    display({MIME: result}, raw=True)


def _callback(number: int, name: str):
    """A function of the grader's, called from the kernel: it asks over stdin."""

    def call(*args, **kwargs):
        request = {"id": number, "args": [encode(a) for a in args],
                   "kwargs": {k: encode(v) for k, v in kwargs.items()}}
        reply = load(builtins.input(PROMPT + json.dumps(request)))
        if "raised" in reply:
            kind, message, base = (list(reply["raised"]) + ["Exception"])[:3]
            raise exception_class(kind, base)(message)
        return decode(reply["value"])

    call.__name__ = call.__qualname__ = name
    return call


def _resolve(data):
    if data["t"] == "callback":
        return _callback(int(data["id"]), str(data.get("name", "callback")))
    if data["t"] == "kernel":
        return _namespace()[data["name"]]
    raise NotPlain(f"unknown data (tag {data['t']!r})")


def call(request_text: str) -> None:
    """Call the kernel's function ``name`` with the grader's arguments; show the result."""
    request = json.loads(request_text)
    result: dict = {}
    try:
        function = _namespace()[request["name"]]
        args = [decode(a, _resolve) for a in request["args"]]
        kwargs = {k: decode(v, _resolve) for k, v in request["kwargs"].items()}
    except KeyError:
        result["raised"] = ["NameError", f"name {request['name']!r} is not defined"]
        _show(result)
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = function(*args, **kwargs)
        except BaseException as exc:  # noqa: B036 - everything the student's code raised
            result["raised"] = raised(exc)
    result["warnings"] = [[w.category.__name__, str(w.message)[:500]] for w in caught[:20]]
    if "raised" not in result:
        try:
            result["value"] = encode(value)
        except NotPlain as exc:
            result["not_plain"] = str(exc)
        except Exception as exc:  # an object that breaks while being read
            result["not_plain"] = f"{describe(value)} that could not be read ({exc})"
    after = {}
    for i, arg in enumerate(args):
        if mutable(arg):
            try:
                after[str(i)] = encode(arg)
            except Exception:  # noqa: S112 - an argument the function filled with non-data
                continue
    result["after"] = after
    _show(result)


def look_up(names_text: str) -> None:
    """What each name is in the kernel: a module, something to call, plain data, other."""
    import types

    ns = _namespace()
    found = {}
    for name in json.loads(names_text):
        if name not in ns:
            continue
        value = ns[name]
        if isinstance(value, types.ModuleType):
            found[name] = {"kind": "module", "module": str(getattr(value, "__name__", ""))}
        elif callable(value) and not isinstance(value, np.ndarray):
            found[name] = {"kind": "callable", "module": str(getattr(value, "__module__", ""))}
        else:
            try:
                found[name] = {"kind": "data", "value": encode(value)}
            except Exception:  # noqa: S112 - not plain: the tests cannot use it
                continue
    _show({"found": found})


def assign(values_text: str) -> None:
    """Bind names the grader's test cell bound, so that later cells see them."""
    ns = _namespace()
    for name, data in json.loads(values_text).items():
        ns[name] = decode(data)
    _show({"value": None})


_SAVED: list[dict] = []  # what each stand-in replaced, innermost last
_MISSING = "\x00missing\x00"


def stand_in(specs_text: str) -> None:
    """Bind the course's functions (sent as source) in place of the student's.

    Each is compiled in the namespace of its own course module as the kernel
    sees it, and bound in ``__main__`` until :func:`stand_back`.
    """
    import importlib

    ns, saved = _namespace(), {}
    try:
        for name, spec in json.loads(specs_text).items():
            home = dict(vars(importlib.import_module(spec["module"])))
            exec(compile(spec["source"], f"<the course's {name}>", "exec"), home)  # noqa: S102
            saved[name] = ns.get(name, _MISSING)
            ns[name] = home[spec["function"]]
    except Exception as exc:  # noqa: BLE001 - reported to the grader, which fails the test
        _restore(ns, saved)
        _show({"raised": raised(exc)})
        return
    _SAVED.append(saved)
    _show({"value": None})


def stand_back(_: str = "") -> None:
    """Give the student's own functions back (undo the last :func:`stand_in`)."""
    if _SAVED:
        _restore(_namespace(), _SAVED.pop())
    _show({"value": None})


def _restore(ns: dict, saved: dict) -> None:
    for name, value in saved.items():
        if isinstance(value, str) and value == _MISSING:
            ns.pop(name, None)
        else:
            ns[name] = value
