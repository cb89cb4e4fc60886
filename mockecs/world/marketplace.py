"""Alibaba Cloud Marketplace: products, per-account subscriptions, launch checks (spec §2.7).

A Marketplace image is a catalog entry with ``ImageOwnerAlias=marketplace`` and a
``ProductCode``; its product facts are internal keys of that entry: ``_price_per_hour``
(the image fee, see :mod:`mockecs.world.pricing`), ``_charge_types`` (``PostPaid``/``PrePaid``)
and ``_delisted`` (the sale has ended). Custom images made from it inherit the
``ProductCode`` and are billed and checked as the product.

Subscriptions are per account and live in the store (kind ``subscription``, id
``f"{account}|{product_code}"``), so ``engine.reset()`` forgets them. ECS has no API to
subscribe (that is the Marketplace's own console/API), so tests do it from Python::

    from mockecs.world import marketplace
    marketplace.subscribe(mock.engine, "1234567890123456", "cmjj028279")
    marketplace.unsubscribe(mock.engine, "1234567890123456", "cmjj028279")

``DescribeImages`` reports ``IsSubscribed`` from this state; RunInstances / CreateInstance /
ReplaceSystemDisk refuse an unsubscribed product with 403 ``ImageNotSubscribed`` and a
delisted one with 403 ``ImageRemovedInMarket`` (:func:`mockecs.world.launch.image_for_launch`);
DescribePrice prices it (:mod:`mockecs.world.pricing`).
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from mockecs.wire.errors import EcsError
from mockecs.world.context import Context

KIND = "subscription"

NOT_SUBSCRIBED = ("ImageNotSubscribed", "The specified image has not be subscribed.", 403)
REMOVED = ("ImageRemovedInMarket",
           "The specified market image is not available, Or the specified user defined image includes product "
           "code because it is based on an image subscribed from marketplace, and that image in marketplace "
           "includeing exact the same product code has been removed.", 403)
SALE_ENDED = ("IncorrectImageStatus",
              "The specified image is an Alibaba Cloud Marketplace image. The sale of this image has ended. "
              "For more information, contact the image service provider.", 400)
BAD_CHARGE_TYPE = ("InvalidChargeType.MarketImage", "The specified chargeType of marketplace image is invalid.", 403)


def subscription_id(account_id: str, product_code: str) -> str:
    return f"{account_id}|{product_code}"


def product(engine: Any, product_code: Optional[str]) -> Optional[Mapping[str, Any]]:
    """The catalog's Marketplace image selling ``product_code`` (None if no such product)."""
    if not product_code:
        return None
    image_id = engine.catalog.by_product.get(product_code)
    image = engine.catalog.get(image_id) if image_id else None
    return image if image is not None and image.get("ImageOwnerAlias") == "marketplace" else None


def _check_product(engine: Any, product_code: str) -> None:
    if product(engine, product_code) is None:
        raise ValueError(f"no Marketplace image in the catalog has ProductCode {product_code!r}")


def subscribe(engine: Any, account_id: str, product_code: str) -> None:
    """Accept ``product_code``'s terms for ``account_id`` (idempotent). Unknown products raise ValueError."""
    _check_product(engine, product_code)
    account_id = str(account_id)
    with engine.store.transaction() as txn:
        txn.put(KIND, subscription_id(account_id, product_code),
                {"AccountId": account_id, "ProductCode": product_code, "_owner": account_id,
                 "SubscribedTime": engine.clock.now()},
                [("owner", account_id)])


def unsubscribe(engine: Any, account_id: str, product_code: str) -> None:
    """Drop the subscription (a no-op when there is none)."""
    with engine.store.transaction() as txn:
        if txn.get(KIND, subscription_id(str(account_id), product_code)) is not None:
            txn.delete(KIND, subscription_id(str(account_id), product_code))


def is_subscribed(engine: Any, account_id: str, product_code: str) -> bool:
    with engine.store.transaction() as txn:
        return txn.get(KIND, subscription_id(str(account_id), product_code)) is not None


def subscriptions(engine: Any, account_id: str) -> list[str]:
    """The product codes ``account_id`` is subscribed to, sorted."""
    with engine.store.transaction() as txn:
        return sorted(txn.get(KIND, i)["ProductCode"] for i in txn.ids(KIND, ("owner", str(account_id))))


# -- checks inside a request (ctx.txn: the request's own transaction) ---------------------
def check_sale(ctx: Context, image: Mapping[str, Any], for_price: bool = False) -> None:
    """Refuse an image whose Marketplace product is no longer sold.

    The Marketplace image itself delisted: ``IncorrectImageStatus`` for DescribePrice (its
    documented "sale has ended" answer) and ``ImageRemovedInMarket`` for launches; a custom
    image carrying the ProductCode of a delisted (or vanished) product: ``ImageRemovedInMarket``.
    """
    code = image.get("ProductCode")
    if not code:
        return
    sold = product(ctx.engine, code)
    if sold is None or sold.get("_delisted"):
        if for_price and image.get("ImageOwnerAlias") == "marketplace" and "_region" not in image:
            raise EcsError(*SALE_ENDED)
        raise EcsError(*REMOVED)
