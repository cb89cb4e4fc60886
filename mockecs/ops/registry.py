"""The operation registry: each ECS action declared once, with its parameters and a short handler.

    @operation("DeleteImage", S("ImageId", required=True), B("Force", default=False), dry_run=True)
    def delete_image(ctx: Context, image_id: str, force: bool) -> dict: ...

The engine decodes and validates the declared parameters (``MissingParameter`` /
``InvalidParameter``) and calls the handler with typed, snake_case arguments inside one
store transaction; the handler returns the response body without ``RequestId``.

An operation with two dozen optional filters (DescribeImages) declares ``mapping=True`` and takes
them as one dict, ``def describe_images(ctx: Context, a: dict)``: CPython packs keyword arguments
into a ``**a`` dict one by one, which cost a tenth of a small DescribeImages request.
"""
from __future__ import annotations

import importlib
from dataclasses import field
from typing import Any, Callable, Optional

from mockecs.state.store import Transaction
from mockecs.wire.apis import ECS, VPC, Api
from mockecs.wire.params import B, Param, S
from mockecs.wire.records import record
from mockecs.world.context import Context

__all__ = ["Context", "Operation", "REGISTRIES", "REGISTRY", "operation"]

DRY_RUN = ("DryRunOperation", "Request validation has been passed with DryRun flag set.", 400)
# The malformed ClientToken of the operations documenting InvalidClientToken.ValueNotSupported (RunInstances & co.)
BAD_CLIENT_TOKEN = ("InvalidClientToken.ValueNotSupported", "The ClientToken provided is invalid.", 400)
IDEMPOTENCE = ("IdempotenceParamNotMatch",
               "Request uses a client token in a previous request but is not identical to that request.", 400)


@record
class Operation:
    action: str
    params: tuple[Param, ...]
    handler: Callable[..., dict]
    # "required": RegionId must be sent; "optional": resolved when absent (§1.9); "none": not used.
    region: str = "required"
    region_error: tuple = ("InvalidRegionId.NotFound", 404)  # (code, status[, message])
    # Finds the region of the resource a region-less request names (CreateSnapshot's DiskId ...); when it
    # finds one, that region wins over a RegionId the client sent (old SDKs always send their own).
    region_of: Optional[Callable[[Transaction, dict], Optional[str]]] = None
    dry_run: Optional[tuple[str, str, int]] = None
    idempotent: Optional[tuple[str, str, int]] = None
    stateless: bool = False  # reads no store state: answered without a transaction
    mapping: bool = False  # the handler takes its arguments as one dict: handler(ctx, args)
    # Describes and listings: their transaction most likely only reads (a networked store need not
    # prepare for writes until one comes: see mockecs.state.store.expect_reads).
    reads: bool = False
    # A read whose answer is a function of the store, its parameters, the caller and the settings alone: the engine
    # may keep it and answer it again while nothing was written (see Engine._dispatch; never one that read the clock).
    memo: bool = False
    by_name: dict[str, Param] = field(default_factory=dict)  # wire name -> Param
    defaults: dict[str, Any] = field(default_factory=dict)  # snake name -> default value
    required: tuple[Param, ...] = ()
    structs: tuple[Param, ...] = ()


REGISTRY: dict[str, Operation] = {}  # ECS's
# Each API's operations, by its Version (the same action name may be two APIs' own: CreateVpc).
REGISTRIES: dict[str, dict[str, Operation]] = {ECS.version: REGISTRY, VPC.version: {}}
# Actions declared in modules not imported yet, by Version: action -> module (mockecs.ops fills it).
LAZY: dict[str, dict[str, str]] = {ECS.version: {}, VPC.version: {}}


def load(version: str, action: str) -> Optional[Operation]:
    """``action`` of the API ``version``, importing its module if it is one loaded on first use (None: no such
    action is declared)."""
    module = LAZY[version].get(action)
    if module is None:
        return None
    importlib.import_module(module)  # (the import lock makes concurrent first calls wait for one import)
    return REGISTRIES[version].get(action)


def load_all() -> None:
    """Import every module loaded on first use (what lists every operation needs first)."""
    for module in sorted({m for actions in LAZY.values() for m in actions.values()}):
        importlib.import_module(module)


def spelled(version: str, action: str) -> Optional[str]:
    """The declared action of API ``version`` that ``action`` names in another case, or None. The service
    matches action names whatever their case: aliyungo sends ``DescribeUserdata`` (Terraform's old provider read
    every instance's user data so). Only a name no action has exactly comes here: the hot path is unchanged."""
    folded = action.lower()
    return next((name for names in (REGISTRIES[version], LAZY[version]) for name in names
                 if name.lower() == folded), None)


def declared(action: str) -> bool:
    """Whether any API declares ``action`` (loaded or not)."""
    return any(action in ops for ops in REGISTRIES.values()) or any(action in lazy for lazy in LAZY.values())


def operation(action: str, *params: Param, region: str = "required",
              region_error: tuple = ("InvalidRegionId.NotFound", 404),
              region_of: Optional[Callable[[Transaction, dict], Optional[str]]] = None,
              region_missing: Optional[tuple[str, str, int]] = None,
              dry_run: bool | tuple[str, str, int] = False,
              idempotent: bool | tuple[str, str, int] = False, stateless: bool = False,
              mapping: bool = False, api: Api = ECS, token_error: Optional[tuple[str, str, int]] = None,
              memo: bool = False) -> Callable:
    """Declare ``action`` of ``api``; see the module docstring. ``region_missing`` is the (code, message,
    status) an operation documents for a missing RegionId, when not the generic MissingParameter; ``token_error``
    the one it documents for a malformed ClientToken (more than 64 characters or not ASCII)."""
    extra: list[Param] = []
    if region != "none":
        extra.append(S("RegionId", required=region == "required", missing=region_missing))
    if dry_run:
        extra.append(B("DryRun", default=False))
    if idempotent:
        extra.append(S("ClientToken", max=None, check=lambda v: len(v) <= 64 and v.isascii(),
                       error=token_error))

    def register(fn: Callable[..., dict]) -> Callable[..., dict]:
        op = Operation(
            action=action,
            params=tuple(params) + tuple(extra),
            handler=fn,
            region=region,
            region_error=region_error,
            region_of=region_of,
            dry_run=(DRY_RUN if dry_run is True else dry_run) or None,
            idempotent=(IDEMPOTENCE if idempotent is True else idempotent) or None,
            stateless=stateless,
            mapping=mapping,
            reads=action.startswith(("Describe", "List")),
            memo=memo,
        )
        op.by_name = {p.wire: p for p in op.params}
        op.defaults = {p.name: p.default for p in op.params}
        op.required = tuple(p for p in op.params if p.required)
        op.structs = tuple(p for p in op.params if p.kind == "struct")
        if action in REGISTRIES[api.version]:  # (two modules declaring one action: the later would win silently)
            raise ValueError(f"{api.name} action {action} is declared twice")
        REGISTRIES[api.version][action] = op
        return fn

    return register
