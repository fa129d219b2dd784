"""The reverse proxy's headers, believed only from the proxy's own address.

A request that comes from a configured proxy (`server.proxy` in leafletgen.toml) gets the
client's address from X-Forwarded-For (the nearest address that is not a proxy), its scheme
from X-Forwarded-Proto and its host from X-Forwarded-Host, and may carry the single sign-on
header. From anywhere else those headers are removed before the app sees them: a client cannot
name its own address (and so escape the login lock-out) or sign itself in.
"""

from __future__ import annotations

import ipaddress

from ..store.settings import Settings

FROM_PROXY = "leafletgen.from_proxy"      # in the WSGI environ: True when the proxy sent it
_FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
              "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED")


def environ_key(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


class TrustedProxy:
    """WSGI middleware around the app (see the module's docstring)."""

    def __init__(self, app, settings: Settings):
        self.app = app
        self.settings = settings
        self.private = _FORWARDED + ((environ_key(settings.sso_header),) if settings.sso_header else ())

    def __call__(self, environ, start_response):
        peer = environ.get("REMOTE_ADDR")
        trusted = self.settings.from_proxy(peer)
        environ[FROM_PROXY] = trusted
        if trusted:
            client = self._client(environ.get("HTTP_X_FORWARDED_FOR", ""))
            if client:
                environ["REMOTE_ADDR"] = client
            scheme = _last(environ.get("HTTP_X_FORWARDED_PROTO", "")).lower()
            if scheme in ("http", "https"):
                environ["wsgi.url_scheme"] = scheme
            host = _last(environ.get("HTTP_X_FORWARDED_HOST", ""))
            if host:
                environ["HTTP_HOST"] = host
        else:
            for key in self.private:
                environ.pop(key, None)
        # Either way the app reads no forwarding header itself: what was believed is in the environ.
        for key in _FORWARDED:
            environ.pop(key, None)
        return self.app(environ, start_response)

    def _client(self, forwarded_for: str) -> str | None:
        """The nearest address in X-Forwarded-For that is not one of our proxies."""
        for entry in reversed([part.strip() for part in forwarded_for.split(",") if part.strip()]):
            try:
                address = str(ipaddress.ip_address(entry.strip("[]")))
            except ValueError:
                return None        # not an address: believe nothing further back
            if not self.settings.from_proxy(address):
                return address
        return None


def _last(value: str) -> str:
    return value.split(",")[-1].strip()
