"""What the linter reports: one :class:`Finding` per problem, made from the catalogue of
codes in :mod:`digest.lint_rules`. A record and its constructor, nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from digest.lint_rules import FINDINGS, Level


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem the linter found in a message."""

    level: Level  # "error" fails `digest lint`; "warning" is advice
    code: str  # short kebab-case id, e.g. "header-date-missing"
    message: str  # one sentence naming the header, element or CSS property at fault


def find(code: str, **fields: object) -> Finding:
    level, template = FINDINGS[code]
    return Finding(level, code, template.format(**fields))
