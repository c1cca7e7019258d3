"""Reading YAML and JSON input safely: size, encoding, nesting and alias-expansion limits.

Every failure becomes an InputError naming the file; nothing here ever raises anything else
for bad input.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
import stat
from decimal import Decimal
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator

import yaml

from recommender.domain.errors import InputError

MAX_BYTES = 10 * 1024 * 1024  # a requirements, catalog or rules file
# A batch on stdin is spooled to a temporary file and decided in chunks, never held in memory: it is
# bounded line by line (MAX_LINE) and, as a whole, by what a temporary file may reasonably take.
MAX_BATCH_BYTES = 1024 * 1024 * 1024
MAX_LINE = 1024 * 1024  # one line of a batch on stdin
MAX_DEPTH = 40
MAX_NODES = 200_000

MAX_NUMBER_DIGITS = 40  # longer numerals stay text, and the number parser refuses them with the field path

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"


class _Loader(_SafeLoader):
    """Safe loading with YAML 1.2 core numbers: `10` and `-3` are integers, `2.5` and `1e6` floats,
    and nothing else is a number. `010` (octal in YAML 1.1), `0x10`, `1:30` (sexagesimal 90 in 1.1),
    `1_000`, `.inf` and `.nan` stay text, which numeric fields refuse with the field path."""

    def construct_document(self, node):
        """The document built depth first: a node inside its own value (`a: &x [1, *x]`) is refused
        with PyYAML's own error, where breadth first would build data that contains itself, which
        nothing reading it could walk to the end of. (Depth first is also a third faster.)"""
        try:
            return self.construct_object(node, deep=True)
        finally:
            self.constructed_objects, self.recursive_objects, self.deep_construct = {}, {}, False


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_INT, _FLOAT)]
    for first, resolvers in _SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_INT, re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$", re.ASCII), list("-+0123456789"))
_Loader.add_implicit_resolver(
    _FLOAT, re.compile(r"^[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]+(?:[eE][-+]?[0-9]+)?|[eE][-+]?[0-9]+)$", re.ASCII),
    list("-+0123456789"))


def _construct_int(loader, node) -> Any:
    text = loader.construct_scalar(node)
    return text if len(text) > MAX_NUMBER_DIGITS else int(text)


def _construct_float(loader, node) -> Any:
    """A float when it is one in a sane range; else the text (`1e400`, `1e-999999999`, 60 digits)."""
    text = loader.construct_scalar(node)
    mantissa, _, exponent = text.lower().partition("e")
    if len(mantissa) > MAX_NUMBER_DIGITS + 2 or len(exponent.lstrip("+-")) > 4:
        return text
    exact = Decimal(text)
    return text if exact and abs(exact.adjusted()) > 300 else float(text)


def _or_refused(construct, what: str):
    """CONSTRUCT, refusing with the line a scalar it cannot read: `!!int 5x`, `!!bool maybe`, the date
    `2026-13-45` (PyYAML's constructors raise plain ValueErrors and KeyErrors for these)."""
    def constructed(loader, node) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, ArithmeticError, KeyError):
            raise yaml.constructor.ConstructorError(None, None, f"{node.value!r} is not {what}",
                                                    node.start_mark) from None
    return constructed


_Loader.add_constructor(_INT, _or_refused(_construct_int, "an integer"))
_Loader.add_constructor(_FLOAT, _or_refused(_construct_float, "a number"))
_Loader.add_constructor("tag:yaml.org,2002:bool", _or_refused(yaml.constructor.SafeConstructor.construct_yaml_bool,
                                                             "true or false"))
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _or_refused(
    yaml.constructor.SafeConstructor.construct_yaml_timestamp, "a real date or time"))


def read_text(path: str | os.PathLike, label: str | None = None, max_bytes: int = MAX_BYTES) -> str:
    """The file's text, or an InputError saying plainly why it cannot be used."""
    return _read(path, label, max_bytes)[1]


def _read(path: str | os.PathLike, label: str | None = None, max_bytes: int = MAX_BYTES) -> tuple[bytes, str]:
    """(the file's bytes, its text)."""
    label = label or printable(path)
    if str(path) == "-":
        raise InputError("reading from stdin is not supported here", file=label)
    with open_regular(path, label) as fh:
        try:
            raw = fh.read(max_bytes + 1)
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", file=label) from None
    return raw, decode(raw, label, max_bytes)


def printable(path: str | os.PathLike) -> str:
    """A file name as text that can be printed and stored: undecodable bytes become \\xNN escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


_KINDS = ((stat.S_ISDIR, "is a directory, expected a file"), (stat.S_ISFIFO, "is a FIFO (named pipe), expected a file"),
          (stat.S_ISCHR, "is a device, expected a file"), (stat.S_ISBLK, "is a device, expected a file"),
          (stat.S_ISSOCK, "is a socket, expected a file"))


@contextmanager
def open_regular(path: str | os.PathLike, label: str | None = None) -> Iterator[IO[bytes]]:
    """PATH opened for reading if it is a regular file. FIFOs, devices and directories are refused at
    once: the open does not block (O_NONBLOCK) and the check is on what was opened (fstat)."""
    label = label or printable(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputError("file not found", file=label) from None
    except PermissionError:
        raise InputError("cannot read: permission denied", file=label) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=label) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise InputError(next((text for test, text in _KINDS if test(mode)), "not a regular file"), file=label)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        stream = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with stream:
        yield stream


def bounded_lines(stream, limit: int, label: str, total: int | None = None) -> Iterator:
    """The lines of STREAM, none read past LIMIT bytes (a line longer is refused), at most TOTAL in all."""
    seen = 0
    number = 0
    while True:
        raw = stream.readline(limit + 2)
        if not raw:
            return
        number += 1
        seen += len(raw)
        if len(raw.rstrip(b"\r\n" if isinstance(raw, bytes) else "\r\n")) > limit:
            raise InputError(f"line {number}: too long (over {limit:,} bytes)", file=label)
        if total is not None and seen > total:
            raise InputError(f"too large (over {total:,} bytes)", file=label)
        yield raw


def read_directory(directory: Path, what: str, option: str, suffixes: tuple[str, ...]) -> tuple[str, list, str]:
    """(label, [(path, text)] in name order, content sha256) for the files of a catalog or rules directory."""
    label = str(directory)
    if not directory.exists():
        raise InputError(f"{what} directory not found", file=label)
    if not directory.is_dir():
        raise InputError(f"is not a directory ({option} takes a directory of YAML files)", file=label)
    # Not only regular files: a FIFO or device named *.yaml is refused by read_text, never skipped silently.
    paths = sorted(p for p in directory.iterdir() if p.suffix in suffixes and not p.is_dir())
    if not paths:
        raise InputError(f"no {what} files (*.yaml) in this directory", file=label)
    texts, digest = [], hashlib.sha256()
    for path in paths:
        raw, text = _read(path)
        texts.append((path, text))
        # content_sha256(texts), from the bytes read: a text read as UTF-8 is its bytes less any BOM
        utf8 = memoryview(raw)[len(codecs.BOM_UTF8):] if raw.startswith(codecs.BOM_UTF8) else raw
        digest.update(path.name.encode() + b"\0")
        digest.update(utf8)
        digest.update(b"\0")
    return label, texts, digest.hexdigest()


def content_sha256(named_texts) -> str:
    """The sha256 of files' names and contents, in name order: what decisions record."""
    digest = hashlib.sha256()
    for path, text in named_texts:
        digest.update(Path(path).name.encode() + b"\0" + str(text).encode() + b"\0")
    return digest.hexdigest()


def decode(raw: bytes, label: str, max_bytes: int = MAX_BYTES) -> str:
    if len(raw) > max_bytes:
        raise InputError(f"too large (over {max_bytes:,} bytes)", file=label)
    if b"\x00" in raw:
        raise InputError("binary data (NUL bytes), expected YAML or JSON text", file=label)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})", file=label
        ) from None


def parse(text: str, label: str, json_text: bool = False) -> Any:
    """YAML, or JSON for a .json file (or when told); `None` for an empty document."""
    if json_text or label.endswith(".json"):
        return _parse_json(text, label)
    return _parse_yaml(text, label)


def load(path: str | os.PathLike, label: str | None = None) -> Any:
    label = label or printable(path)
    return parse(read_text(path, label), label)


def _parse_json(text: str, label: str) -> Any:
    if not text.strip():
        return None
    try:
        return _valid_unicode(json.loads(text, parse_float=str, parse_int=_json_int, parse_constant=_reject_constant,
                                         object_pairs_hook=_unique_keys), label, text)
    except json.JSONDecodeError as exc:
        raise InputError(f"line {exc.lineno}, column {exc.colno}: {exc.msg}", file=label) from None
    except ValueError as exc:
        raise InputError(str(exc), file=label) from None
    except RecursionError:
        raise InputError(f"nested deeper than {MAX_DEPTH} levels", file=label) from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _json_int(text: str) -> Any:
    return text if len(text) > MAX_NUMBER_DIGITS else int(text)


def _unique_keys(pairs: list) -> dict:
    seen: dict = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"duplicate key {key!r}")
        seen[key] = value
    return seen


def _valid_unicode(data: Any, label: str, text: str) -> Any:
    """DATA, if every text in it is valid Unicode (JSON's \\ud800 escapes can make lone surrogates).

    Only an escape in TEXT (what DATA was parsed from) or a surrogate already in it can make one:
    without either there is nothing to walk (a large catalog's walk took longer than parsing it)."""
    if "\\" not in text and _encodes(text):
        return data
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise InputError(f"text {item[:40]!r} is not valid Unicode ({exc.reason}, a lone \\u escape)",
                                 file=label) from None
    return data


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _parse_yaml(text: str, label: str) -> Any:
    try:
        data = _read_checked(text, label)
        if data is _NOT_PLAIN:
            data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
        return _valid_unicode(data, label, text)
    except InputError:
        raise
    except yaml.MarkedYAMLError as exc:
        raise InputError(_yaml_message(exc), file=label) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", file=label) from None
    except RecursionError:
        raise InputError(f"nested deeper than {MAX_DEPTH} levels", file=label) from None


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    problem = exc.problem or exc.context
    if problem == "second occurrence" and exc.context_mark:  # "found duplicate anchor; first occurrence"
        problem = f"an anchor given twice (first on line {exc.context_mark.line + 1})"
    return f"{where}invalid YAML: {_PLAINLY.get(problem, problem)}"


_PLAINLY = {"found unconstructable recursive node": "an anchor used inside its own value (data that would contain itself)"}


_NOT_PLAIN = object()  # what _read_checked gives for a document PyYAML's loader must build
# A plain scalar's tag → how it is built; any other tag (a merge key `<<`, `!!binary`, ...) goes to PyYAML's loader.
_BUILT_HERE = {tag: _Loader.yaml_constructors[tag] for tag in (
    "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", _INT, _FLOAT, "tag:yaml.org,2002:timestamp")}
_STR = "tag:yaml.org,2002:str"
# A plain scalar starting with none of these is text whatever follows: no implicit resolver is tried.
_RESOLVED_FIRST = frozenset(_Loader.yaml_implicit_resolvers) if None not in _Loader.yaml_implicit_resolvers else None


def _read_checked(text: str, label: str) -> Any:
    """The document, read once from the parser's events: deep nesting, alias bombs and duplicate keys
    are refused before anything else is built, and a plain document (one, of untagged scalars, no
    merge keys or collections as keys: every catalog and rules file) is built on the way, as PyYAML's
    loader builds it: scalars resolved and constructed the same, an alias the very value of its
    anchor. Any other document is checked to its end and gives _NOT_PLAIN: PyYAML's loader then
    builds it, or refuses it with its own words.

    Counts the nodes each anchor expands to, so a file of a few lines that would expand to billions
    of nodes is refused at once; tracks each mapping's keys, because PyYAML silently keeps the last
    of two equal keys. (One loop, its names local: a large catalog has a million events.)
    """
    open_nodes: list[list] = []  # [anchor, expanded node count, keys seen (mappings) or None, children, built, key]
    expanded: dict[str, int] = {}
    anchored: dict[str, Any] = {}  # what each anchor's node was built as; _NOT_PLAIN while it is open
    total = documents = 0
    root: list = []  # the document's value, once built
    building = True
    scalar, alias, mapping_start, sequence_start, document_start = (
        yaml.ScalarEvent, yaml.AliasEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent, yaml.DocumentStartEvent)
    ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    loader = _Loader(text)
    try:
        while True:
            event = loader.get_event()
            if event is None:
                break
            kind = type(event)
            if kind is scalar:
                if open_nodes:
                    _check_key(event, open_nodes[-1], label)
                anchor, size = event.anchor, 1
                if building:
                    value = _scalar(loader, event)
                    building = (value is not _NOT_PLAIN and _attach(open_nodes, root, value)
                                and _anchor(anchored, anchor, value))
            elif kind is mapping_start or kind is sequence_start:  # as a key, not checked: only text keys are
                container = {} if kind is mapping_start else []
                if building:
                    building = (event.tag is None and _attach(open_nodes, root, container)
                                and _anchor(anchored, event.anchor, _NOT_PLAIN))
                open_nodes.append([event.anchor, 1, set() if kind is mapping_start else None, 0, container, None])
                if len(open_nodes) > MAX_DEPTH:
                    raise InputError(f"nested deeper than {MAX_DEPTH} levels", file=label)
                continue
            elif kind in ends:
                anchor, size, _, _, container, _ = open_nodes.pop()
                if anchor:
                    anchored[anchor] = container
            elif kind is alias:
                anchor, size = None, expanded.get(event.anchor, 1)
                if building:  # an alias to an anchor still open (data inside itself) or to none: PyYAML refuses
                    value = anchored.get(event.anchor, _NOT_PLAIN)
                    building = value is not _NOT_PLAIN and _attach(open_nodes, root, value)
            else:
                if kind is document_start:
                    documents += 1
                    building = building and documents == 1  # several: PyYAML's loader refuses them
                continue
            if anchor:
                expanded[anchor] = size
            if open_nodes:
                parent = open_nodes[-1]
                parent[1] += size
                parent[3] += 1
            else:
                total += size
            if size > MAX_NODES or total > MAX_NODES:
                raise InputError(
                    f"expands to over {MAX_NODES:,} values through YAML aliases (an alias bomb?)",
                    file=label,
                )
    finally:
        loader.dispose()
    if not building:
        return _NOT_PLAIN
    return root[0] if root else None


def _anchor(anchored: dict, anchor: str | None, value: Any) -> bool:
    """VALUE kept under ANCHOR; False for an anchor given twice, which PyYAML refuses."""
    if anchor is None:
        return True
    if anchor in anchored:
        return False
    anchored[anchor] = value
    return True


def _scalar(loader, event) -> Any:
    """A scalar event's value as PyYAML's loader builds it, or _NOT_PLAIN (tagged, a merge key, one it
    cannot read: `2026-13-45`)."""
    if event.tag is not None:
        return _NOT_PLAIN
    value = event.value
    plain = event.implicit[0]
    if not plain or (_RESOLVED_FIRST is not None and value and value[0] not in _RESOLVED_FIRST):
        return value
    tag = loader.resolve(yaml.ScalarNode, value, event.implicit)
    if tag == _STR:
        return value
    construct = _BUILT_HERE.get(tag)
    if construct is None:
        return _NOT_PLAIN
    try:
        return construct(loader, yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, event.style))
    except yaml.constructor.ConstructorError:  # refused by PyYAML's loader, after the whole shape is checked
        return _NOT_PLAIN


def _attach(open_nodes: list, root: list, value: Any) -> bool:
    """VALUE put in the collection open around it (a key kept until its value comes), or in ROOT; False
    for a collection as a mapping's key, which only PyYAML's loader builds (and refuses)."""
    if not open_nodes:
        root.append(value)
        return True
    parent = open_nodes[-1]
    if parent[2] is None:
        parent[4].append(value)
    elif parent[3] % 2:
        parent[4][parent[5]] = value
    elif isinstance(value, (dict, list)):
        return False
    else:
        parent[5] = value
    return True


def _check_key(event, parent: list, label: str) -> None:
    """A scalar that is a key of its PARENT mapping: refused when the mapping has it already."""
    keys, children = parent[2], parent[3]
    if keys is None or children % 2:
        return  # not in a mapping, or a value
    if event.value in keys and event.value != "<<":
        raise InputError(f"line {event.start_mark.line + 1}: duplicate key {event.value!r}", file=label)
    keys.add(event.value)
