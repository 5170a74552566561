"""Read a CloudFormation template locally: YAML with its short tags, conditions, simple values.

Enough of CloudFormation's evaluation to know, before anything is created, which resources a
set of parameters yields and what sizes they have (the cost estimate): ``Condition``s built from
``Fn::Equals/Not/And/Or``, and property values that are literals, parameter ``Ref``s or
``Fn::If``. Anything else (``Fn::GetAtt``, ``Fn::Sub`` …) resolves to None: known only to AWS.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def load(text: str) -> dict[str, Any]:
    """The template as plain data: ``!Ref X`` → ``{"Ref": "X"}``, ``!GetAtt A.B`` → ``["A", "B"]``."""
    import yaml

    loader_class: Any = type("Loader", (yaml.SafeLoader,), {})

    def tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
        name = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if suffix == "GetAtt":
                value = str(value).split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {name: value}

    loader_class.add_multi_constructor("!", tag)
    data = yaml.load(text, Loader=loader_class)  # noqa: S506 - a SafeLoader subclass
    if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict):
        raise ValueError("not a CloudFormation template (no Resources)")
    return data


_NO_VALUE = {"Ref": "AWS::NoValue"}


def _is_function(key: str) -> bool:
    return key == "Ref" or key.startswith("Fn::")


class Evaluation:
    """A template under given parameter values (the template's defaults fill the rest)."""

    def __init__(self, template: Mapping[str, Any], parameters: Mapping[str, str], region: str) -> None:
        self.template = template
        self.values: dict[str, Any] = {
            name: spec.get("Default") for name, spec in (template.get("Parameters") or {}).items()
        }
        self.values.update(parameters)
        self.values["AWS::Region"] = region
        self._conditions: dict[str, bool] = {}

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            spec = (self.template.get("Conditions") or {})[name]
            self._conditions[name] = bool(self._truth(spec))
        return self._conditions[name]

    def _truth(self, node: Any) -> bool:
        if isinstance(node, dict) and len(node) == 1:
            ((fn, args),) = node.items()
            if fn == "Fn::Equals":
                left, right = (self.value(a) for a in args)
                return str(left) == str(right)
            if fn == "Fn::Not":
                return not self._truth(args[0])
            if fn == "Fn::And":
                return all(self._truth(a) for a in args)
            if fn == "Fn::Or":
                return any(self._truth(a) for a in args)
            if fn == "Condition":
                return self.condition(str(args))
        raise ValueError(f"unsupported condition: {node!r}")

    def value(self, node: Any) -> Any:
        """A literal, a parameter's value, or an ``Fn::If`` branch; None when only AWS knows it."""
        if isinstance(node, dict) and len(node) == 1 and _is_function(next(iter(node))):
            ((fn, args),) = node.items()
            if fn == "Ref":
                return self.values.get(str(args))
            if fn == "Fn::If":
                name, then, otherwise = args
                return self.value(then if self.condition(str(name)) else otherwise)
            return None
        if isinstance(node, list):
            return [self.value(item) for item in node]
        return node

    def choose(self, node: Any) -> Any:
        """``node`` with every ``Fn::If`` replaced by its branch (``Ref``s and the rest kept)."""
        if isinstance(node, dict):
            if set(node) == {"Fn::If"}:
                name, then, otherwise = node["Fn::If"]
                return self.choose(then if self.condition(str(name)) else otherwise)
            chosen = {k: self.choose(v) for k, v in node.items()}
            return {k: v for k, v in chosen.items() if v != _NO_VALUE}
        if isinstance(node, list):
            return [item for item in (self.choose(i) for i in node) if item != _NO_VALUE]
        return node

    def resources(self) -> dict[str, dict[str, Any]]:
        """The resources these parameters create (their ``Condition`` holds), by logical id."""
        out: dict[str, dict[str, Any]] = {}
        for logical_id, resource in self.template["Resources"].items():
            condition = resource.get("Condition")
            if condition is None or self.condition(str(condition)):
                out[logical_id] = resource
        return out

    def prop(self, resource: Mapping[str, Any], *path: str) -> Any:
        """A (nested) property's value, or None."""
        node: Any = resource.get("Properties") or {}
        for key in path:
            node = self.value(node)
            if not isinstance(node, dict):
                return None
            node = node.get(key)
        return self.value(node)


__all__ = ["Evaluation", "load"]
