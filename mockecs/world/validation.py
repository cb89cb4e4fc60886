"""Name, description, family and tag rules (spec §2.5), shared by every operation that takes them."""
from __future__ import annotations

import base64
import binascii
import math
import re
from typing import Any, Optional

from mockecs.wire.errors import EcsError, error_kind

# 2-128 chars, starts with an ASCII or CJK letter, letters/digits/. : _ - (CJK allowed too)
_NAME = re.compile(r"^[^\W\d_][\w.:\-]{1,127}$")  # and starts_with_letter()
_FORBIDDEN_PREFIXES = ("http://", "https://", "acs:", "aliyun")


def starts_with_letter(name: str) -> bool:
    r"""An ASCII letter or a CJK ideograph (U+4E00-U+9FFF) first, as the names of images, key pairs, security
    groups, VPCs ... must. Their regexes take any letter first (``[^\W\d_]``) and this narrows it: a regex class
    holding the CJK range costs ~1.5 ms to compile, paid at import by every user (``\w`` already takes every
    CJK ideograph, so the rest of a name needs no range)."""
    first = name[:1]
    return "A" <= first <= "Z" or "a" <= first <= "z" or "\u4e00" <= first <= "\u9fff"


def valid_name(name: str) -> bool:
    return starts_with_letter(name) and bool(_NAME.match(name)) and not name.lower().startswith(_FORBIDDEN_PREFIXES)


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


# -- instance settings: InstanceName, HostName, Password, UserData (RunInstances, CreateInstance,
# ModifyInstanceAttribute document the same rules) ----------------------------------------------
_INSTANCE_NAME = re.compile(r"^[^\W\d_][\w.:\-]{1,127}$")
_HOST_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?!-))*(?<!-)$")
_WINDOWS_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?!-)){0,13}[A-Za-z0-9]$")
PASSWORD_SPECIALS = "()`~!@#$%^&*-_+=|{}[]:;'<>,.?/"
USER_DATA_MAX = 32 * 1024  # bytes before Base64 encoding


def valid_instance_name(name: str) -> bool:
    """2-128 characters, starting with a letter (Unicode letters too); letters, digits, ``. : _ -``."""
    return bool(_INSTANCE_NAME.match(name)) and not name.lower().startswith(("http://", "https://"))


def valid_description(text: str) -> bool:
    return 2 <= len(text) <= 256 and not text.lower().startswith(("http://", "https://"))


def valid_host_name(name: str, windows: bool) -> bool:
    """Windows: 2-15 letters, digits, single hyphens inside, not all digits. Others: 2-64 characters of
    dot-separated labels of letters, digits and single hyphens inside."""
    if windows:
        return bool(_WINDOWS_HOST.match(name)) and not name.isdigit()
    return 2 <= len(name) <= 64 and all(_HOST_LABEL.match(label) for label in name.split("."))


def valid_password(password: str, windows: bool) -> bool:
    """8-30 characters of letters, digits and the documented specials, from three of the four classes."""
    if not 8 <= len(password) <= 30 or (windows and password.startswith("/")):
        return False
    if any(not (c.isascii() and (c.isalnum() or c in PASSWORD_SPECIALS)) for c in password):
        return False
    classes = (any(c.islower() for c in password), any(c.isupper() for c in password),
               any(c.isdigit() for c in password), any(c in PASSWORD_SPECIALS for c in password))
    return sum(classes) >= 3


def user_data_problem(text: str) -> Optional[str]:
    """``"base64"`` when UserData is not Base64, ``"size"`` when it decodes to more than 32 KiB, else None."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return "base64"
    return "size" if len(raw) > USER_DATA_MAX else None


BAD_INSTANCE_NAME = error_kind("InvalidInstanceName.Malformed", 'The specified parameter "InstanceName" is not valid.')
BAD_DESCRIPTION = error_kind("InvalidDescription.Malformed", 'The specified parameter "Description" is not valid.')
BAD_HOST_NAME = error_kind("InvalidHostName.Malformed", 'The specified parameter "HostName" is not valid.')
BAD_PASSWORD = error_kind("InvalidPassword.Malformed", 'The specified parameter "Password" is not valid.')
PASSWORD_MISMATCH = error_kind("InvalidPasswordParam.Mismatch",
                               "The input password should be null when passwdInherit is true.")
USER_DATA_TOO_BIG = error_kind("InvalidUserData.SizeExceeded", 'The specified parameter "UserData" exceeds the size.')
# Each action documents its own status (and ModifyInstanceAttribute its own message) for bad Base64.
USER_DATA_NOT_BASE64 = {
    "RunInstances": error_kind("InvalidUserData.Base64FormatInvalid", "The specified UserData is not valid.", 400),
    "CreateInstance": error_kind("InvalidUserData.Base64FormatInvalid", "The specified UserData is not valid.", 403),
    "ModifyInstanceAttribute": error_kind("InvalidUserData.Base64FormatInvalid", "The specified UserData is not valid",
                                          403),
}


def check_instance_settings(action: str, windows: bool, instance_name: Optional[str] = None,
                            description: Optional[str] = None, host_name: Optional[str] = None,
                            password: Optional[str] = None, user_data: Optional[str] = None) -> None:
    """The documented rules of an instance's name, description, host name, password and user data."""
    if instance_name and not valid_instance_name(instance_name):
        raise BAD_INSTANCE_NAME
    if description and not valid_description(description):
        raise BAD_DESCRIPTION
    if host_name and not valid_host_name(host_name, windows):
        raise BAD_HOST_NAME
    if password and not valid_password(password, windows):
        raise BAD_PASSWORD
    if user_data:
        problem = user_data_problem(user_data)
        if problem == "base64":
            raise USER_DATA_NOT_BASE64[action]
        if problem == "size":
            raise USER_DATA_TOO_BIG


# -- test-control inputs (fault injection, lifecycle, clock): a ValueError naming the field -------------
def check_number(value: Any, name: str, low: float, high: float, whole: bool = False) -> Any:
    """``value`` if it is a (whole) number in [low, high]; NaN, infinities and booleans are not numbers."""
    if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)) \
            or not math.isfinite(value) or not low <= value <= high:
        kind = "a whole number" if whole else "a number"
        raise ValueError(f"{name} must be {kind} from {low:g} to {high:g}, not {str(value)[:40]!r}")
    return value


def check_text(value: Any, name: str, optional: bool = True) -> Optional[str]:
    if (value is None and optional) or isinstance(value, str):
        return value
    raise ValueError(f"{name} must be a string{' or null' if optional else ''}, not {str(value)[:40]!r}")
