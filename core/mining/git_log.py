"""Provides the history of a clone as two frames from one ``git log``: commits, and file changes with blob ids.

One subprocess prints every commit with ``--raw --no-renames --no-abbrev``: each changed path
comes with its old and new mode and blob id, read from trees only, so a blob-less clone
downloads nothing (docs/method.md §8.2). Merges are diffed against their first parent
(``--diff-merges=first-parent``), which is what drift's first-parent events need; the
commits table keeps ``files`` empty for merges, as before. Parsing is vectorised polars
string work over the whole output.

Author dates are read as Unix times (``%at``), hence exact in UTC whatever the zone recorded.
Text is kept without loss: git re-encodes messages that declare an encoding to UTF-8, and a
field that is still not UTF-8 (old commits that declare nothing) is read as Latin-1, byte for
byte, instead of being replaced by U+FFFD.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import polars as pl

from core.mining import failures as st
from core.mining.failures import SourceFailure

# NUL cannot occur in a printed commit message, so it delimits records safely; within the
# header, fields are split at \x1f and the message is the last field, so it may hold anything.
LOG_FORMAT: Final = "--format=%x00%H%x1f%P%x1f%an%x1f%at%x1f%B%x00"
LOG_OPTIONS: Final = (
    "--raw",
    "--no-renames",  # rename detection would read blobs (a download per blob in a partial clone)
    "--no-abbrev",
    "--diff-merges=first-parent",
    "--root",
    "--encoding=UTF-8",
    "--no-color",
    "--no-show-signature",  # log.showSignature would print gpg output into the records
    LOG_FORMAT,
)

# Drift reads ids and dates only (its order is the log's): the same records, other fields empty.
EVENTS_FORMAT: Final = "--format=%x00%H%x1f%x1f%x1f%at%x1f%x00"

FILE_CHANGES_SCHEMA: Final[dict[str, pl.DataType]] = {
    "platform": pl.String(),
    "repo": pl.String(),
    "sha": pl.String(),
    "path": pl.String(),
    "status": pl.String(),  # git's letter: A, M, D, T
    "old_mode": pl.String(),  # octal text (100644, 100755, 120000, 160000); null when absent
    "new_mode": pl.String(),
    "old_blob": pl.String(),  # full blob id; null when absent (an addition's old side)
    "new_blob": pl.String(),
}

# One raw diff line: ":<old mode> <new mode> <old id> <new id> <status>[score]\t<path>".
_RAW_LINE = r"^:(\d{6}) (\d{6}) ([0-9a-f]{40,64}) ([0-9a-f]{40,64}) ([A-Z])\d*\t(.*)$"
_SEPARATORS = "\x00\x1f\n\t"
_ABSENT_MODE = "000000"


@dataclass(frozen=True)
class History:
    """What one ``git log`` run says: the commits and the files each one changed."""

    commits: pl.DataFrame  # cache commits schema
    changes: pl.DataFrame  # FILE_CHANGES_SCHEMA


def read_log(
    path: Path,
    *,
    since: str | None = None,
    first_parent: bool = False,
    messages: bool = True,
    timeout: float = 3600.0,
) -> bytes:
    """Return the raw ``git log`` of the clone's HEAD (only commits after ``since`` when given).

    Args:
        path: A git repository (bare clone or working repository).
        since: A commit already read: only commits reachable from HEAD but not from it.
        first_parent: Follow only first parents (drift's events) instead of every commit.
        messages: Print parents, authors and messages (False: ids and dates only, for drift).
        timeout: Seconds before git is killed.

    Raises:
        SourceFailure: git failed (a damaged clone, or not a repository).
    """
    import git

    repo = git.Repo(path)
    # Paths with non-ASCII characters are printed as they are, not C-quoted.
    repo.git.set_persistent_git_options(c="core.quotePath=false")
    try:
        revision = f"{since}..HEAD" if since else "HEAD"
        options = LOG_OPTIONS if messages else (*LOG_OPTIONS[:-1], EVENTS_FORMAT)
        extra = ("--first-parent",) if first_parent else ()
        out: bytes = repo.git.log(*options, *extra, revision, "--", stdout_as_string=False, kill_after_timeout=timeout)
    except git.GitCommandError as exc:
        stderr = exc.stderr if isinstance(exc.stderr, str) else str(exc.stderr)
        raise SourceFailure(
            st.ERROR,
            f"git log failed in {path.name}: {stderr.strip()[:200]}",
            "remove the clone directory in the cache and sync again",
        ) from None
    finally:
        repo.close()
    return out


def decode_lossless(raw: bytes) -> str:
    r"""Decode git output as UTF-8, reading any field that is not UTF-8 as Latin-1 (no byte lost).

    A field is the text between two separators (NUL, \\x1f, newline, tab), so one bad author
    name or message line does not change its neighbours. Valid output takes the fast path.
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = raw.decode("utf-8", "surrogateescape")
    pieces: list[str] = []
    done = 0
    # One iteration per run of undecodable bytes: rare, and the scan itself is linear.
    for match in re.finditer("[\udc80-\udcff]+", text):
        if match.start() < done:
            continue  # inside a field already re-read
        start = max(text.rfind(sep, done, match.start()) for sep in _SEPARATORS) + 1
        start = max(start, done)
        ends = [i for i in (text.find(sep, match.end()) for sep in _SEPARATORS) if i >= 0]
        end = min(ends) if ends else len(text)
        pieces.append(text[done:start])
        pieces.append(text[start:end].encode("utf-8", "surrogateescape").decode("latin-1"))
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


def _unquote_path(quoted: str) -> str:
    r"""Undo git's C-quoting of a path (``"a\tb"``, octal escapes for control bytes)."""
    body = quoted[1:-1] if len(quoted) >= 2 and quoted.startswith('"') and quoted.endswith('"') else quoted
    out = bytearray()
    simple = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in simple:
                out.append(simple[nxt])
                i += 2
                continue
            if body[i + 1 : i + 4].isdigit():
                out.append(int(body[i + 1 : i + 4], 8) & 0xFF)
                i += 4
                continue
        out.extend(char.encode("utf-8", "surrogateescape"))
        i += 1
    return decode_lossless(bytes(out))


def _records(raw: bytes) -> pl.DataFrame:
    """Split the output into one row per commit: header ``h`` and raw body ``f``."""
    parts = decode_lossless(raw).split("\x00")
    heads, bodies = parts[1::2], parts[2::2]
    return pl.DataFrame({"h": heads, "f": bodies[: len(heads)] + [""] * (len(heads) - len(bodies))})


def _split_raw_lines(lines: pl.DataFrame) -> pl.DataFrame:
    """Split ``line`` (raw diff lines) into modes, blobs, status and path.

    With ``--no-renames`` every line has the same layout, so fixed-width slices do it (several
    times faster than a regular expression over 300k lines); a line that does not fit (a
    status with a score, which only renames and copies carry) goes through the expression.
    """
    first = lines["line"].head(1).to_list()
    fields = first[0].split(" ") if first else []
    hex_len = len(fields[2]) if len(fields) > 2 else 40  # 40 (SHA-1) or 64 (SHA-256) for the whole repository
    status_at = 15 + 2 * hex_len + 2
    fits = (pl.col("line").str.slice(status_at + 1, 1) == "\t") & (pl.col("line").str.slice(0, 1) == ":")
    fixed = lines.filter(fits).select(
        "sha",
        pl.col("line").str.slice(1, 6).alias("old_mode"),
        pl.col("line").str.slice(8, 6).alias("new_mode"),
        pl.col("line").str.slice(15, hex_len).alias("old_blob"),
        pl.col("line").str.slice(16 + hex_len, hex_len).alias("new_blob"),
        pl.col("line").str.slice(status_at, 1).alias("status"),
        pl.col("line").str.slice(status_at + 2).alias("path"),
    )
    others = lines.filter(~fits)
    if others.is_empty():
        return fixed
    parts = others.select("sha", pl.col("line").str.extract_groups(_RAW_LINE).alias("p")).unnest("p")
    parts.columns = ["sha", "old_mode", "new_mode", "old_blob", "new_blob", "status", "path"]
    # Keep git's order: the rare odd lines go back to where they were.
    order = lines.with_row_index("_i").select("_i", fits.alias("_fits"))
    return (
        pl.concat(
            [
                fixed.with_columns(order.filter(pl.col("_fits"))["_i"].alias("_i")),
                parts.with_columns(order.filter(~pl.col("_fits"))["_i"].alias("_i")),
            ]
        )
        .sort("_i")
        .drop("_i")
    )


def _changes(records: pl.DataFrame, *, platform: str, repo: str) -> pl.DataFrame:
    """Return the file changes of every record, in git's order (vectorised)."""
    lines = (
        records.select(
            pl.col("h").str.splitn("\x1f", 2).struct.field("field_0").alias("sha"),
            pl.col("f").str.strip_chars("\n").str.split("\n").alias("line"),
        )
        .explode("line")
        .filter(pl.col("line").str.starts_with(":"))
    )
    frame = _split_raw_lines(lines)
    quoted = pl.col("path").str.starts_with('"')
    if frame.select(quoted.any()).item():
        frame = frame.with_columns(
            pl.when(quoted)
            .then(pl.col("path").map_elements(_unquote_path, return_dtype=pl.String))
            .otherwise(pl.col("path"))
            .alias("path")
        )

    def absent(mode: str, value: str) -> pl.Expr:
        return pl.when(pl.col(mode) != _ABSENT_MODE).then(pl.col(value))

    return frame.filter(pl.col("path").is_not_null()).select(
        pl.lit(platform).alias("platform"),
        pl.lit(repo).alias("repo"),
        "sha",
        "path",
        "status",
        absent("old_mode", "old_mode").alias("old_mode"),
        absent("new_mode", "new_mode").alias("new_mode"),
        absent("old_mode", "old_blob").alias("old_blob"),
        absent("new_mode", "new_blob").alias("new_blob"),
    )


def parse_history(raw: bytes, *, family: str, repo: str, platform: str = "github", source: str = "sync") -> History:
    """Parse ``read_log`` output into the commits frame and the file-changes frame (vectorised).

    Args:
        raw: The bytes git printed with ``LOG_OPTIONS``.
        family: Family id for every commit row.
        repo: ``owner/name`` for every row.
        platform: ``github`` or ``huggingface``.
        source: The commits' ``source`` column.

    Returns:
        Commits newest first as git printed them (``files`` as ``S:path`` joined by ``|``, empty
        for merges; ``parents`` space-separated), and their file changes (merges: against the
        first parent).
    """
    from cache.schema import TABLES

    records = _records(raw)
    if records.is_empty():
        return History(pl.DataFrame(schema=TABLES["commits"]), pl.DataFrame(schema=FILE_CHANGES_SCHEMA))
    changes = _changes(records, platform=platform, repo=repo)
    files = changes.group_by("sha", maintain_order=True).agg(
        pl.concat_str("status", pl.lit(":"), "path").str.join("|").alias("files")
    )
    fields = pl.col("h").str.splitn("\x1f", 5)
    message = fields.struct.field("field_4").str.strip_chars_end()
    parents = fields.struct.field("field_1")
    commits = (
        records.select(
            pl.lit(family).alias("family"),
            pl.lit(platform).alias("platform"),
            pl.lit(repo).alias("repo"),
            fields.struct.field("field_0").alias("sha"),
            pl.from_epoch(fields.struct.field("field_3").cast(pl.Int64, strict=False), time_unit="s")
            .dt.cast_time_unit("us")
            .dt.replace_time_zone("UTC")
            .alias("authored_at"),
            fields.struct.field("field_2").alias("author"),
            message.str.extract(r"^([^\n]*)", 1).fill_null("").alias("title"),
            message.alias("message"),
            parents.alias("parents"),
            pl.lit(source).alias("source"),
        )
        .join(files, on="sha", how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col("parents").str.contains(" "))
            .then(pl.lit(""))  # a merge: its first-parent diff is in ``changes``, not in ``files``
            .otherwise(pl.col("files").fill_null(""))
            .alias("files")
        )
        .select(list(TABLES["commits"]))
    )
    return History(commits, changes)


def parse_log(raw: bytes, *, family: str, repo: str, platform: str = "github", source: str = "sync") -> pl.DataFrame:
    """Return only the commits frame of ``parse_history`` (the cache's commits schema)."""
    return parse_history(raw, family=family, repo=repo, platform=platform, source=source).commits
