"""The service's error answers.

An :class:`EcsError` raised anywhere inside the engine becomes the ECS error body
(``RequestId``, ``HostId``, ``Code``, ``Message``, ``Recommend``) with its HTTP status.
"""
from __future__ import annotations


class EcsError(Exception):
    """An error the real service would answer with."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def error_kind(code: str, message: str, status: int = 400) -> type[EcsError]:
    """A named error to raise as ``raise NOT_FOUND``: raising a class makes a fresh instance every time.

    A module-level *instance* raised again and again chains every request's frames onto its one
    traceback and context, so memory grew with each error answer (and kept whole engines alive).
    ``code``, ``message`` and ``status`` stay readable on the class.
    """

    def __init__(self: EcsError) -> None:
        EcsError.__init__(self, code, message, status)

    return type(code.replace(".", "_"), (EcsError,),
                {"__init__": __init__, "code": code, "message": message, "status": status})


def missing_parameter(name: str) -> EcsError:
    return EcsError(
        "MissingParameter",
        f'The input parameter "{name}" that is mandatory for processing this request is not supplied.',
        400,
    )


def invalid_parameter(name: str, code: str = "InvalidParameter", status: int = 400) -> EcsError:
    return EcsError(code, f'The specified parameter "{name}" is not valid.', status)


def not_implemented(action: str, product: str = "ecs") -> EcsError:
    # An ECS-shaped answer (not a Python exception inside the SDK) for actions mockecs lacks.
    return EcsError(
        "InvalidAction.NotImplemented",
        f"mockecs does not implement the action {action!r} yet." if product == "ecs" else
        f"mockecs does not implement the {product} API's action {action!r} yet.",
        400,
    )


ACTION_NOT_FOUND = ("InvalidAction.NotFound", "Specified api is not found, please check your url and method.", 404)
