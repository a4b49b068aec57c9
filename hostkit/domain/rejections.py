"""Rejections: why a command was refused, with a stable code and a human message."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rejection:
    code: str
    message: str


def reject(code: str, message: str) -> Rejection:
    return Rejection(code, message)
