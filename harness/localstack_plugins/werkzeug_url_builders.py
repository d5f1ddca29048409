"""werkzeug's URL builders of a routing rule made when a URL is first built with it, not when the rule is bound
(inside LocalStack; issue 13).

werkzeug 3.1's `Rule.compile`, run each time a rule is bound to a map, builds the rule's matching regex and also
writes, parses (`ast`) and compiles two Python functions that build URLs from it (`url_for`). LocalStack binds many
rules: every Router.add copies its whole map and binds each rule again (rolo's `_clone_map_with_rules`), each REST
service gets a map of its operations on first use, and moto a map of each service's URLs. It matches requests with
them and never builds a URL, yet the builders were ~13 % of the engine's boot CPU and ~11 % of provisioning the
Cruddur stack (interleaved A/B, median of 4: boot 1.69 -> 1.47 s, provisioning 2.72 -> 2.43 s).
Here `Rule._compile_builder` answers a stand-in that compiles werkzeug's own builder on its first call, keeps it on
the rule (where `compile` put it) and calls it: a URL built with a rule is the same, and matching is not touched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def compile_builders_on_first_build(rule_class: type) -> None:
    """From now on, rules of `rule_class` (werkzeug's `Rule`, or a subclass) compile their URL builders when first used."""
    if getattr(rule_class.__dict__.get("_compile_builder"), "deferred", False):
        return
    compile_builder = rule_class._compile_builder

    def _compile_builder(self: Any, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        attribute = "_build_unknown" if append_unknown else "_build"  # where Rule.compile keeps each builder

        def build_on_first_use(rule: Any, *args: Any, **kwargs: Any) -> tuple[str, str]:
            builder = compile_builder(rule, append_unknown).__get__(rule, None)
            setattr(rule, attribute, builder)
            return builder(*args, **kwargs)

        return build_on_first_use

    _compile_builder.deferred = True
    rule_class._compile_builder = _compile_builder
