"""Field access for API Gateway v2 documents, which arrive with boto3 names or wire (camelCase) names."""

from __future__ import annotations

from typing import Any


def wire(document: dict[str, Any], name: str, default: Any = None) -> Any:
    """A field by its boto3 name (`RouteKey`) or its wire name (`routeKey`)."""
    if name in document:
        return document[name]
    return document.get(name[0].lower() + name[1:], default)
