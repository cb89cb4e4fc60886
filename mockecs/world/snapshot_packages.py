"""OSS storage packages bought for snapshots (DescribeSnapshotPackage): mockecs sells none, so an account has those a
test adds with :func:`add` (records of kind ``snapshot_package``, per account and region)."""
from __future__ import annotations

from typing import Any, Optional

from mockecs.world import ids, resources

KIND = "snapshot_package"
DAY = 86400
resources.ORDER[KIND] = lambda record: resources.time_key(record.get("_created", 0.0))  # purchase order [GUESS]


def add(engine: Any, region: str, init_capacity: int, display_name: str = "", days: int = 365,
        account: Optional[str] = None) -> str:
    """Give ``account`` (default: the default account) a package of ``init_capacity`` (GiB) in ``region`` for
    ``days`` from now on the mock clock; returns its id (not answered: the API shows none)."""
    account = account or engine.accounts.default_account_id
    now = engine.clock.now()
    package_id = "sp-pkg-" + ids.source().token_hex(8)
    with engine.store.transaction() as txn:
        resources.put(txn, KIND, {"_id": package_id, "DisplayName": display_name, "InitCapacity": int(init_capacity),
                                  "StartTime": resources.iso(now), "EndTime": resources.iso(now + days * DAY),
                                  "_owner": account, "_region": region, "_created": now})
    return package_id
