"""Google's own contracts for the stand-in: the discovery documents of Sheets v4 and Drive v3.

`google-api-python-client` (a dev dependency) ships the discovery documents
Google publishes for every API. Every request the stand-in receives is matched
to its method there and checked as Google checks it (path, parameter names,
types, enums and repetition, body fields and their types, the `fields` mask),
and every JSON answer the stand-in gives is checked against the method's
response schema. A request Google would refuse gets Google's 400; anything wrong
on either side is also kept in VIOLATIONS, which the test suite asserts empty
after every test: the stand-in cannot drift from Google's schema unnoticed.
"""

from __future__ import annotations

import importlib.resources
import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

VIOLATIONS: list[str] = []
"""Every request or answer that broke Google's contract, as text; the suite fails on the first."""

DOCUMENTS = {"sheets": "sheets.v4.json", "drive": "drive.v3.json"}


@cache
def document(api: str) -> dict:
    path = importlib.resources.files("googleapiclient") / "discovery_cache" / "documents" / DOCUMENTS[api]
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Method:
    api: str
    id: str
    http_method: str
    pattern: re.Pattern[str]
    spec: dict

    @property
    def parameters(self) -> dict[str, dict]:
        return {**document(self.api)["parameters"], **self.spec.get("parameters", {})}

    @property
    def scopes(self) -> frozenset[str]:
        return frozenset(self.spec.get("scopes", ()))


def _methods(resource: dict) -> list[dict]:
    found = list(resource.get("methods", {}).values())
    for child in resource.get("resources", {}).values():
        found += _methods(child)
    return found


def _pattern(api: str, flat: str) -> re.Pattern[str]:
    prefix = "/" + document(api)["servicePath"]
    regex = re.sub(r"\\\{(?:\\\+)?(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(flat))
    return re.compile("^" + re.escape(prefix) + regex + "$")


@cache
def methods() -> tuple[Method, ...]:
    found = []
    for api in DOCUMENTS:
        for spec in _methods(document(api)):
            flat = spec.get("flatPath", spec["path"])
            found.append(Method(api, spec["id"], spec["httpMethod"], _pattern(api, flat), spec))
    return tuple(found)


def method_for(http_method: str, path: str) -> Method | None:
    """The discovery method a request is for (the most specific path first: ':batchGet' before '{range}')."""
    hits = [m for m in methods() if m.http_method == http_method and m.pattern.match(path)]
    hits.sort(key=lambda m: (m.pattern.pattern.count("(?P<"), -len(m.pattern.pattern)))
    return hits[0] if hits else None


# -- values against schemas -----------------------------------------------------------------------


def _schema(api: str, ref: dict) -> dict:
    return document(api)["schemas"][ref["$ref"]] if "$ref" in ref else ref


def check_value(api: str, spec: dict, value: Any, where: str) -> list[str]:
    """What is wrong with `value` against a discovery schema (unknown fields, wrong types), as Google says it."""
    spec = _schema(api, spec)
    kind = spec.get("type")
    if kind == "object" or "properties" in spec:
        if not isinstance(value, dict):
            return [f"{where}: expected an object"]
        problems = []
        properties = spec.get("properties", {})
        extra = spec.get("additionalProperties")
        for key, inner in value.items():
            if key in properties:
                problems += check_value(api, properties[key], inner, f"{where}.{key}")
            elif extra is not None:
                problems += check_value(api, extra, inner, f"{where}.{key}")
            else:
                problems.append(f"Unknown name \"{key}\" at '{where}': Cannot find field.")
        return problems
    if kind == "array":
        if not isinstance(value, list):
            return [f"{where}: expected a list"]
        return [
            p for i, item in enumerate(value) for p in check_value(api, spec.get("items", {}), item, f"{where}[{i}]")
        ]
    if kind == "string":
        if spec.get("format") in ("int64", "uint64") and isinstance(value, int) and not isinstance(value, bool):
            return []
        if not isinstance(value, str):
            return [f"{where}: expected a string, got {type(value).__name__}"]
        if "enum" in spec and value not in spec["enum"]:
            return [f'{where}: invalid value "{value}"']
        return []
    if kind == "integer":
        ok = (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, str) and value.lstrip("-").isdigit()
        )
        return [] if ok else [f"{where}: expected an integer, got {value!r}"]
    if kind == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return [] if ok else [f"{where}: expected a number, got {value!r}"]
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{where}: expected a boolean, got {value!r}"]
    return []  # "any"


def check_query(method: Method, query: list[tuple[str, str]]) -> list[str]:
    """Parameter names, types, enums and repetition of a request's query string."""
    problems: list[str] = []
    declared = method.parameters
    seen: dict[str, int] = {}
    for name, value in query:
        seen[name] = seen.get(name, 0) + 1
        spec = declared.get(name)
        if spec is None or spec.get("location") == "path":
            problems.append(f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query parameter.')
            continue
        kind = spec.get("type")
        if kind == "boolean" and value.lower() not in ("true", "false"):
            problems.append(f"Invalid value at '{name}' (TYPE_BOOL), \"{value}\"")
        elif kind == "integer" and not value.lstrip("-").isdigit():
            problems.append(f"Invalid value at '{name}' (TYPE_INT32), \"{value}\"")
        elif "enum" in spec and value not in spec["enum"]:
            problems.append(f"Invalid value at '{name}', \"{value}\"")
    for name, count in seen.items():
        if count > 1 and name in declared and not declared[name].get("repeated"):
            problems.append(f"Parameter {name} given {count} times but is not repeated")
    for name, spec in declared.items():
        if spec.get("required") and spec.get("location") == "query" and name not in seen:
            problems.append(f"Required parameter {name} is missing")
    return problems


# -- field masks ----------------------------------------------------------------------------------


def parse_mask(text: str) -> dict[str, Any]:
    """A `fields` mask ("a,b(c,d/e)", "sheets.properties") as a tree: {"a": {}, "b": {"c": {}, "d": {"e": {}}}};
    an empty node means all of it."""
    position = 0

    def selection() -> dict[str, Any]:
        nonlocal position
        tree: dict[str, Any] = {}
        while position < len(text):
            start = position
            while position < len(text) and text[position] not in ",()":
                position += 1
            node = tree
            for part in re.split(r"[/.]", text[start:position].strip()):
                if part:
                    node = node.setdefault(part, {})
            if position < len(text) and text[position] == "(":
                position += 1
                _merge(node, selection())
                position += 1  # the closing parenthesis
            if position < len(text) and text[position] == ")":
                return tree
            position += 1  # a comma
        return tree

    return selection()


def _merge(into: dict[str, Any], other: dict[str, Any]) -> None:
    for key, inner in other.items():
        _merge(into.setdefault(key, {}), inner)


def check_mask(api: str, spec: dict, mask: dict[str, Any], where: str = "") -> list[str]:
    """Fields a mask names that the response schema does not have (Google: 400 Invalid field selection)."""
    spec = _schema(api, spec)
    if spec.get("type") == "array":
        return check_mask(api, spec.get("items", {}), mask, where)
    properties = spec.get("properties", {})
    problems = []
    for name, inner in mask.items():
        if name == "*":
            continue
        if name not in properties:
            if spec.get("additionalProperties") is None:
                problems.append(f"Invalid field selection {where + name}")
            continue
        if inner:
            problems += check_mask(api, properties[name], inner, f"{where}{name}.")
    return problems


def apply_mask(value: Any, mask: dict[str, Any]) -> Any:
    """The parts of an answer a mask asks for ({} keeps everything)."""
    if not mask or "*" in mask:
        return value
    if isinstance(value, list):
        return [apply_mask(item, mask) for item in value]
    if not isinstance(value, dict):
        return value
    return {key: apply_mask(inner, mask[key]) for key, inner in value.items() if key in mask}


def record(problem: str) -> None:
    VIOLATIONS.append(problem)
