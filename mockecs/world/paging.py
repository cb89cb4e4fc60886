"""Pagination (spec §1.8): PageNumber/PageSize, and opaque NextToken/MaxResults tokens."""
from __future__ import annotations

import hashlib
import re
from typing import Optional, Sequence, TypeVar

from mockecs.wire.errors import error_kind
from mockecs.wire.params import I

T = TypeVar("T")
BAD_TOKEN = error_kind("Invalid.NextToken", "The specified NextToken is not valid.", 403)
_TOKEN = re.compile(r"[0-9a-f]{32}")
# PageNumber/PageSize as most Describe* operations declare them (default 1/10, at most 100 a page).
PAGE_NUMBER = I("PageNumber", default=1, min=1)
PAGE_SIZE = I("PageSize", default=10, min=1, max=100)
# PageNumber where the API metadata declares an int32: a larger number is refused, not read as an empty page.
PAGE_NUMBER_INT32 = I("PageNumber", default=1, min=1, max=2**31 - 1)


def token(offset: int) -> str:
    """An opaque 32-hex token (like the documented examples); the digest makes forged offsets invalid."""
    head = f"{offset:08x}"
    return head + hashlib.sha256(f"mockecs-page:{head}".encode()).hexdigest()[:24]


def offset(next_token: Optional[str], total: Optional[int] = None) -> int:
    """Where a page starts: 0 without a token; ``Invalid.NextToken`` for a token we did not issue."""
    if not next_token:
        return 0
    if not _TOKEN.fullmatch(next_token) or token(int(next_token[:8], 16)) != next_token:
        raise BAD_TOKEN
    start = int(next_token[:8], 16)
    if total is not None and start > total:
        raise BAD_TOKEN
    return start


def by_token(items: Sequence[T], size: int, next_token: Optional[str]) -> tuple[Sequence[T], str]:
    """One page of ``items`` and the token of the next one (``""`` on the last page)."""
    start = offset(next_token, len(items))
    end = start + size
    return items[start:end], token(end) if end < len(items) else ""


def by_number(items: Sequence[T], page_number: int, page_size: int) -> Sequence[T]:
    """Page ``page_number`` (from 1); a page past the end is empty."""
    start = (page_number - 1) * page_size
    return items[start:start + page_size]
