"""Flask sessions kept in the database (store/sessions.py): the cookie holds only a random token.

Signing in renews the token (`sign_in`), so a token an attacker planted before is worth nothing
after; signing out (`end`) deletes the row, so a copied cookie stops working on every server.
The cookie is HttpOnly, SameSite=Lax, and Secure whenever the request came over https.
"""

from __future__ import annotations

from flask import request
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from ..store import sessions
from ..store.database import Store

ACCOUNT = "account"          # the session's key for the signed-in account's id
_serializer = TaggedJSONSerializer()


class StoredSession(CallbackDict, SessionMixin):
    def __init__(self, initial=None, token: str | None = None):
        def changed(self):
            self.modified = True
        super().__init__(initial, changed)
        self.token = token
        self.modified = False
        self.renew = False           # a new token at the next save (signing in)
        self.ended = False           # deleted at the next save (signing out)

    @property
    def account_id(self) -> int | None:
        value = self.get(ACCOUNT)
        return value if isinstance(value, int) else None


def sign_in(session: StoredSession, account_id: int) -> None:
    session.clear()
    session[ACCOUNT] = account_id
    session.permanent = True
    session.renew = True
    session.ended = False


def end(session: StoredSession) -> None:
    session.clear()
    session.ended = True


class StoredSessionInterface(SessionInterface):
    def __init__(self, store: Store):
        self.store = store

    def open_session(self, app, request_):
        token = request_.cookies.get(self.get_cookie_name(app))
        found = sessions.load(self.store, token) if token else None
        if found is None:
            return StoredSession()
        data, account_id = found
        try:
            values = _serializer.loads(data)
        except ValueError:
            values = {}
        if account_id is None:
            values.pop(ACCOUNT, None)      # an account only through a sign-in that renewed the token
        return StoredSession(values, token)

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def save_session(self, app, session: StoredSession, response) -> None:
        name = self.get_cookie_name(app)
        domain, path = self.get_cookie_domain(app), self.get_cookie_path(app)
        if session.ended or (not session and session.modified):
            if session.token:
                sessions.end(self.store, session.token)
            if session.token or session.ended:
                response.delete_cookie(name, domain=domain, path=path, secure=self.get_cookie_secure(app),
                                       httponly=True, samesite=self.get_cookie_samesite(app))
            return
        if not session or not (session.modified or session.renew):
            return
        token = sessions.save(self.store, session.token, _serializer.dumps(dict(session)),
                              session.account_id, renew=session.renew or session.token is None)
        if token is None:           # ended while this request ran: stays ended
            response.delete_cookie(name, domain=domain, path=path, secure=self.get_cookie_secure(app),
                                   httponly=True, samesite=self.get_cookie_samesite(app))
            return
        lifetime = sessions.SIGNED_IN if session.account_id else sessions.ANONYMOUS
        response.set_cookie(name, token, max_age=int(lifetime.total_seconds()), domain=domain, path=path,
                            secure=self.get_cookie_secure(app), httponly=True,
                            samesite=self.get_cookie_samesite(app))
        response.vary.add("Cookie")
