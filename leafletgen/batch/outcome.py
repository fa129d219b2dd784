"""What building one document came to, as the main process records it (light: plain data)."""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field

OUTPUT_KINDS = ("pdf", "html", "thumbnail")


@dataclass(frozen=True)
class IndexEntry:
    leaflet: str
    title: str           # in the document's language
    lang: str
    practice: str        # practice id
    practice_name: str
    variant: str
    bilingual: bool
    pdf: str             # relative to the output folder
    html: str
    thumbnail: str | None = None   # PNG of the first page, relative to the output folder
    outdated: bool = False         # a translation behind the Dutch text: the last complete version
    review: str = ""               # a translation's review: reviewed | unreviewed | outdated ("" in Dutch)
    reviewed_by: str = ""
    reviewed_on: str = ""          # YYYY-MM-DD

    @classmethod
    def from_dict(cls, data: dict) -> "IndexEntry":
        # An entry of an older manifest lacks the newer fields: they keep their defaults.
        return cls(**{name: data.get(name) for name, spec in cls.__dataclass_fields__.items()
                      if name in data or spec.default is MISSING})


@dataclass
class Outcome:
    key: str                                           # the request's key: <practice>/<lang>/<stem>
    ok: bool
    errors: list[str] = field(default_factory=list)    # one line per problem (ok False)
    warnings: list[str] = field(default_factory=list)
    files: dict[str, str | None] = field(default_factory=dict)   # kind → path in the output folder
    sizes: dict[str, int] = field(default_factory=dict)          # kind → bytes written
    entry: dict | None = None                          # the index entry (batch.index.IndexEntry)
    inputs: dict = field(default_factory=dict)         # what it was made from: its bundle's parts
    fit: dict | None = None                            # its copy-fitting setting (typeset.fit_memory)
    seconds: float = 0.0
    pid: int = 0                                       # the worker that built it
    rss_kib: int = 0                                   # that worker's resident memory afterwards
    fatal: bool = False      # the output cannot be written (disk full, no permission): stop the job
    over_limit: bool = False  # over its time or memory limit: the worker that tried it ends

    def manifest_fields(self) -> dict:
        """The outputs as output/manifest.json records them (sizes tell a file touched since)."""
        fields: dict = {kind: self.files.get(kind) for kind in OUTPUT_KINDS}
        fields.update({f"{kind}_size": self.sizes.get(kind) for kind in OUTPUT_KINDS})
        fields.update(entry=self.entry, warnings=self.warnings)
        if self.fit is not None:
            fields["fit"] = self.fit
        return fields


def worker_died(key: str) -> Outcome:
    """A document whose worker process died building it, twice."""
    return Outcome(key, ok=False, errors=[
        f"{key}: the worker process building it died (out of memory, or a crash in a library it "
        "uses); the other documents were built. Build it alone with `build --debug` to see more"])
