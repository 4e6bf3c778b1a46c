"""Provides Section and setting(): typed, documented, strictly checked settings without a validation library.

Settings are read by every command, so building them must cost next to nothing: a section is a
plain dataclass whose fields are declared with ``setting(doc=..., default=..., ge=..., check=...)``.
Values are converted and checked on construction and on assignment (a string from an
environment variable becomes an int, ``"maybe"`` is not a bool), unknown keys are errors that
name the setting, and the class keeps the few method names the code base already calls
(``model_validate``, ``model_copy``, ``model_dump``, ``model_fields_set``).

This module is written without ``from __future__ import annotations`` on purpose: field types
must be real objects at class creation, not strings to evaluate later.
"""

import dataclasses
import datetime as dt
import json
import types
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar, Literal, Self, Union, dataclass_transform, get_args, get_origin

Check = Callable[[Any], None]  # raises ValueError with a message when a value is not acceptable


class SettingError(ValueError):
    """A value that cannot be used for a setting; ``path`` names it (``["hub", "timeout"]``)."""

    def __init__(self, path: list[str | int], message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.path else self.message

    @property
    def where(self) -> str:
        """The dotted name of the setting (``watchlist[0].model`` for list items)."""
        text = ""
        for part in self.path:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
        return text


class Secret:
    """A token: printed as stars, read only through ``get_secret_value()``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        """Return the token itself."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    def __str__(self) -> str:
        return "**********"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def setting(
    *,
    doc: str = "",
    default: Any = dataclasses.MISSING,
    default_factory: Callable[[], Any] | Any = dataclasses.MISSING,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    check: Check | None = None,
) -> Any:
    """Declare a setting: one documenting sentence, its default, bounds and an extra check.

    Keyword arguments only: type checkers read ``default`` and ``default_factory`` by name.

    Args:
        doc: What the setting does; the example config file and the README quote it.
        default: The default value (use ``default_factory`` for lists and dicts).
        default_factory: Builds a mutable default.
        ge: Smallest allowed number.
        le: Largest allowed number.
        gt: Numbers must be greater than this.
        check: Raises ValueError with a message for values the type allows but the setting does not.
    """
    metadata = {"doc": doc, "ge": ge, "le": le, "gt": gt, "check": check}
    return dataclasses.field(default=default, default_factory=default_factory, metadata=metadata)


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


def _kind(value: Any) -> str:
    return {str: "text", bool: "true/false", int: "a whole number", float: "a number"}.get(type(value), "a table")


def _convert(tp: Any, value: Any, path: list[str | int]) -> Any:
    """Return ``value`` as type ``tp`` (strings from the environment are parsed), or raise SettingError."""
    origin = get_origin(tp)
    if origin in (types.UnionType, Union):
        options = [t for t in get_args(tp) if t is not type(None)]
        if value is None or (value == "" and options[0] is not str):
            return None
        return _convert(options[0], value, path)
    if origin is Literal:
        choices = get_args(tp)
        if value not in choices:
            raise SettingError(path, f"{value!r} is not one of: {', '.join(map(str, choices))}")
        return value
    if origin is list:
        (item,) = get_args(tp)
        if isinstance(value, str):
            value = _parse_list(value, path)
        if not isinstance(value, list | tuple):
            raise SettingError(path, f"expected a list, got {_kind(value)}")
        return [_convert(item, v, [*path, i]) for i, v in enumerate(value)]
    if origin is dict:
        if isinstance(value, str):
            value = _parse_json(value, path, dict)
        if not isinstance(value, Mapping):
            raise SettingError(path, f"expected a table of key = value, got {_kind(value)}")
        _, item = get_args(tp)
        return {str(k): _convert(item, v, [*path, str(k)]) for k, v in value.items()}
    if isinstance(tp, type) and issubclass(tp, Section):
        if isinstance(value, tp):
            return value
        if not isinstance(value, Mapping):
            raise SettingError(path, f"expected a table, got {_kind(value)}")
        return tp.model_validate(value, path)
    return _scalar(tp, value, path)


def _scalar(tp: Any, value: Any, path: list[str | int]) -> Any:
    if tp is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise SettingError(path, f"{value!r} is not true or false (use 1/0, true/false, yes/no or on/off)")
    if tp is int:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
            return int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise SettingError(path, f"{value!r} is not a whole number")
        return value
    if tp is float:
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                raise SettingError(path, f"{value!r} is not a number") from None
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise SettingError(path, f"{value!r} is not a number")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise SettingError(path, f"expected text in quotes, got {_kind(value)}")
        return value
    if tp is Path:
        if isinstance(value, Path):
            return value
        if not isinstance(value, str):
            raise SettingError(path, f"expected a path in quotes, got {_kind(value)}")
        return Path(value)
    if tp is dt.date:
        if isinstance(value, dt.datetime):
            raise SettingError(path, f"expected a day (YYYY-MM-DD), got a time {value.isoformat()}")
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise SettingError(path, f"{value!r} is not a day (YYYY-MM-DD)") from None
    if tp is Secret:
        if isinstance(value, Secret):
            return value
        if not isinstance(value, str):
            raise SettingError(path, "expected the token in quotes")
        return Secret(value)
    raise TypeError(f"setting {'.'.join(map(str, path))} has an unsupported type {tp!r}")


def _parse_json(text: str, path: list[str | int], kind: type) -> Any:
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, kind):
        shape = 'a JSON object like {"a": "b"}' if kind is dict else "a JSON list"
        raise SettingError(path, f"{text[:60]!r} is not {shape}")
    return value


def _parse_list(text: str, path: list[str | int]) -> Any:
    if text.strip().startswith("["):
        return _parse_json(text, path, list)
    return [part.strip() for part in text.split(",") if part.strip()]


def _bounds(field: dataclasses.Field[Any], value: Any, path: list[str | int]) -> None:
    meta = field.metadata
    if isinstance(value, int | float) and not isinstance(value, bool):
        if meta.get("ge") is not None and value < meta["ge"]:
            raise SettingError(path, f"{value} is below the minimum {meta['ge']:g}")
        if meta.get("le") is not None and value > meta["le"]:
            raise SettingError(path, f"{value} is above the maximum {meta['le']:g}")
        if meta.get("gt") is not None and value <= meta["gt"]:
            raise SettingError(path, f"{value} must be greater than {meta['gt']:g}")
    check = meta.get("check")
    if check is not None and value is not None:
        try:
            check(value)
        except ValueError as exc:
            raise SettingError(path, str(exc)) from None


@dataclass_transform(field_specifiers=(setting, dataclasses.field), kw_only_default=True)
class Section:
    """A group of settings; subclasses are dataclasses whose fields are declared with ``setting()``."""

    _fields: ClassVar[dict[str, dataclasses.Field[Any]]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclasses.dataclass(kw_only=True)(cls)
        cls._fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]

    def __setattr__(self, name: str, value: Any) -> None:
        field = self._fields.get(name)
        if field is not None:
            value = _convert(field.type, value, [name])
            _bounds(field, value, [name])
        object.__setattr__(self, name, value)

    @classmethod
    def model_validate(cls, data: Mapping[str, Any], path: list[str | int] | None = None) -> Self:
        """Return the section built from ``data`` (a TOML table, environment strings, flags).

        Raises:
            SettingError: An unknown key, or a value that cannot be used; ``path`` names it.
        """
        path = path or []
        unknown = [k for k in data if k not in cls._fields]
        if unknown:
            import difflib

            close = difflib.get_close_matches(str(unknown[0]), list(cls._fields), n=1)
            hint = f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(cls._fields)})"
            raise SettingError([*path, str(unknown[0])], f"unknown setting{hint}")
        try:
            section = cls(**data)
        except SettingError as exc:
            exc.path = [*path, *exc.path]
            raise
        object.__setattr__(section, "_given", frozenset(data))
        return section

    def model_copy(self, *, update: Mapping[str, Any] | None = None) -> Self:
        """Return a copy with ``update`` applied (converted and checked like any other value)."""
        changed: Self = dataclasses.replace(self, **(update or {}))  # type: ignore[type-var]  # a dataclass at runtime
        object.__setattr__(changed, "_given", self.model_fields_set | frozenset(update or {}))
        return changed

    def model_dump(self) -> dict[str, Any]:
        """Return the settings as nested plain values (tokens stay Secret)."""
        out: dict[str, Any] = {}
        for name in self._fields:
            value = getattr(self, name)
            if isinstance(value, Section):
                value = value.model_dump()
            elif isinstance(value, list):
                value = [v.model_dump() if isinstance(v, Section) else v for v in value]
            elif isinstance(value, dict):
                value = dict(value)
            out[name] = value
        return out

    @property
    def model_fields_set(self) -> frozenset[str]:
        """The settings given explicitly (by the file, the environment or a flag), not defaulted."""
        given: frozenset[str] | None = self.__dict__.get("_given")
        if given is not None:
            return given
        defaults = type(self)()
        return frozenset(n for n in self._fields if getattr(self, n) != getattr(defaults, n))

    @classmethod
    def settings_fields(cls) -> list[dataclasses.Field[Any]]:
        """The declared settings, in order (for the example config and the docs)."""
        return list(cls._fields.values())


def field_doc(field: dataclasses.Field[Any]) -> str:
    """Return the documenting sentence of a setting."""
    return str(field.metadata.get("doc", ""))


def literal_choices(tp: Any) -> tuple[str, ...]:
    """Return the allowed values of a ``Literal[...]`` setting type (empty for other types)."""
    return tuple(get_args(tp)) if get_origin(tp) is Literal else ()
