"""A catalog as Babel's reader, which the build uses, reads it, compared with the entries the
catalog checks judged (po_syntax): any difference is the catalog's error, with its line."""

from __future__ import annotations

import io

from ..errors import Message, Problem, shorten
from .po_syntax import Entry


def babel_differences(text: str, entries: list[Entry], file: str) -> list[Problem]:
    """Where Babel's reader, which the build uses, reads another catalog than the one checked here:
    a message only one of the two has, another translation, another fuzzy flag. Empty when the
    two agree, so every check below judges exactly what the build will be handed."""
    from babel.messages.pofile import PoFileError, read_po

    def problem(message: str, line: int | None) -> Problem:
        return Problem(file, Message("po_syntax", f"Babel, which the build uses, reads this catalog "
                                                  f"differently: {message}"), line=line)

    try:
        catalog = read_po(io.BytesIO(text.encode("utf-8")), abort_invalid=True)
    except PoFileError as exc:
        return [problem(str(exc.args[0] if exc.args else exc), (exc.lineno or 0) + 1)]
    except (ValueError, LookupError) as exc:
        return [problem(str(exc), None)]
    ours = {(entry.msgctxt, entry.msgid if entry.msgid_plural is None
             else (entry.msgid, entry.msgid_plural)): entry for entry in entries}
    found = []
    for message in catalog:
        if not message.id and message.context is None:
            continue            # the header: Babel makes its own from the fields (checked before)
        entry = ours.pop((message.context, message.id), None)
        difference = _difference(message, entry)
        if difference:
            found.append(problem(*difference))
    found += [problem(f"{shorten(entry.msgid or '')!r} is not a message there (obsolete or part "
                      "of another)", entry.line)
              for (context, msgid), entry in ours.items() if msgid or context is not None]
    return found


def _difference(message, entry: Entry | None) -> tuple[str, int | None] | None:
    """How Babel's `message` differs from the checked `entry` (None: it does not), and the line."""
    shown = shorten(message.id if isinstance(message.id, str) else message.id[0])
    if entry is None:
        return f"it has a message {shown!r} this check does not see", message.lineno
    strings = [message.string] if isinstance(message.string, str) else list(message.string)
    slots = [-1] if entry.msgid_plural is None else list(range(max(len(strings), len(entry.msgstr))))
    if [entry.msgstr.get(slot, "") for slot in slots] != strings:
        return f"the translation of {shown!r} is another text", entry.msgstr_line
    if message.fuzzy != entry.fuzzy:
        return f"{shown!r} is {'' if message.fuzzy else 'not '}fuzzy there", entry.line
    return None
