"""Name, description, family and tag rules (spec §2.5), shared by every operation that takes them."""
from __future__ import annotations

import re
from typing import Optional

from mockecs.wire.errors import EcsError

# 2-128 chars, starts with an ASCII or CJK letter, letters/digits/. : _ - (CJK allowed too)
_NAME = re.compile(r"^[A-Za-z\u4e00-\u9fff][\w.:\-\u4e00-\u9fff]{1,127}$")
_FORBIDDEN_PREFIXES = ("http://", "https://", "acs:", "aliyun")


def valid_name(name: str) -> bool:
    return bool(_NAME.match(name)) and not name.lower().startswith(_FORBIDDEN_PREFIXES)


def check_name(name: Optional[str], code: str = "InvalidImageName.Malformed",
               message: str = "Specified image name is not valid.") -> Optional[str]:
    if name is None:
        return None
    if not valid_name(name):
        raise EcsError(code, message, 400)
    return name


def check_description(text: Optional[str], code: str = "InvalidDescription.Malformed",
                      message: str = "Specified description is not valid.") -> Optional[str]:
    if text is None or text == "":
        return text
    if not 2 <= len(text) <= 256 or text.lower().startswith(("http://", "https://")):
        raise EcsError(code, message, 400)
    return text


def check_family(family: Optional[str]) -> Optional[str]:
    if family is None or family == "":
        return family
    if not valid_name(family):
        raise EcsError("InvalidImageFamily.Malformed", "Specified image family is not valid.", 400)
    return family


def check_tags(tags: list[dict], max_tags: int = 20) -> list[dict]:
    """``[{'key':..,'value':..}]`` -> wire ``[{'TagKey':..,'TagValue':..}]``."""
    if len(tags) > max_tags:
        raise EcsError("InvalidTagCount", "The specified tags count exceeds the limit.", 400)
    out: list[dict] = []
    seen: set[str] = set()
    for tag in tags:
        key, value = tag.get("key"), tag.get("value")
        if key is None or key == "":
            if value:
                raise EcsError("InvalidTagKey.Malformed", "The specified Tag.n.Key is not valid.", 400)
            continue
        if len(key) > 128 or key.lower().startswith(("aliyun", "acs:", "http://", "https://")):
            raise EcsError("InvalidTagKey.Malformed", "The specified Tag.n.Key is not valid.", 400)
        value = value or ""
        if len(value) > 128 or value.lower().startswith(("http://", "https://")):
            raise EcsError("InvalidTagValue.Malformed", "The specified Tag.n.Value is not valid.", 400)
        if key in seen:
            raise EcsError("Duplicate.TagKey", "The Tag.N.Key contain duplicate key.", 400)
        seen.add(key)
        out.append({"TagKey": key, "TagValue": value})
    return out
