"""Walking the caller's structures without recursion: copy, check and serialize.

Message lists come from agent code, and agent code shares objects: the same
block dict at two positions, one message appended twice. ``copy.deepcopy``
keeps that sharing (its memo maps one source object to one copy), so writing a
compressed string into one position would change the other. ``copy_tree``
copies every dict and list position by position, so each position of the
input becomes an object of its own in the output.

Everything here is iterative: a structure nested a thousand levels deep (a
message extra, a tool input, retrieval-tool arguments) is walked without a
``RecursionError``. ``json.dumps`` recurses in C, so ``dumps`` tries it first
and only falls back to its own loop for input deeper than the interpreter's
recursion limit.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

__all__ = ["copy_tree", "dumps", "json_problem"]


def copy_tree(value: Any) -> Any:
    """A copy in which every dict and list is new and no two positions share an object.

    Dicts keep their own class when it is a plain ``dict`` subclass that copies
    by item; anything that is not a dict or list is deep-copied on its own (a
    fresh memo each time, so leaves are not shared either).
    """
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(value, root, 0)]
    while stack:
        source, parent, key = stack.pop()
        if type(source) is dict:
            made: Any = {}
            parent[key] = made
            for k, v in source.items():
                made[k] = None
                stack.append((v, made, k))
        elif type(source) is list:
            made = [None] * len(source)
            parent[key] = made
            for i, v in enumerate(source):
                stack.append((v, made, i))
        elif isinstance(source, (str, int, float, bool, type(None))):
            parent[key] = source
        else:
            parent[key] = copy.deepcopy(source)
    return root[0]


def json_problem(value: Any, max_depth: int | None = None) -> str | None:
    """Why ``value`` would not survive a JSON round trip unchanged, or None when it would.

    Keys must be strings; values str, int, float, bool, None, list or dict
    (a tuple would come back as a list, a set or bytes cannot be sent at all).
    """
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, where, depth = stack.pop()
        if max_depth is not None and depth > max_depth:
            return f"nesting deeper than {max_depth} levels at {where or 'the top'}"
        if isinstance(item, Mapping):
            for k, v in item.items():
                if not isinstance(k, str):
                    return f"a key of type {type(k).__name__} ({k!r}) at {where or 'the top'}; JSON keys are strings"
                stack.append((v, f"{where}.{k}", depth + 1))
        elif isinstance(item, list):
            for i, v in enumerate(item):
                stack.append((v, f"{where}[{i}]", depth + 1))
        elif isinstance(item, float):
            if item != item or item in (float("inf"), float("-inf")):
                return f"a non-finite float at {where or 'the top'}; JSON has no NaN or infinity"
        elif not isinstance(item, (str, int, bool, type(None))):
            return f"a {type(item).__name__} at {where or 'the top'}; JSON holds str, number, bool, null, list, dict"
    return None


def dumps(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, default=str)``, at any depth."""
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except RecursionError:
        return _dumps_iterative(value)


def _dumps_iterative(value: Any) -> str:
    out: list[str] = []
    # a stack of either values to encode or literal text to emit
    stack: list[tuple[bool, Any]] = [(True, value)]
    while stack:
        is_value, item = stack.pop()
        if not is_value:
            out.append(item)
            continue
        if isinstance(item, Mapping):
            parts: list[tuple[bool, Any]] = [(False, "{")]
            for n, (k, v) in enumerate(item.items()):
                if n:
                    parts.append((False, ", "))
                parts.append((False, json.dumps(str(k), ensure_ascii=False) + ": "))
                parts.append((True, v))
            parts.append((False, "}"))
            stack.extend(reversed(parts))
        elif isinstance(item, (list, tuple)):
            parts = [(False, "[")]
            for n, v in enumerate(item):
                if n:
                    parts.append((False, ", "))
                parts.append((True, v))
            parts.append((False, "]"))
            stack.extend(reversed(parts))
        else:
            out.append(json.dumps(item, ensure_ascii=False, default=str))
    return "".join(out)
