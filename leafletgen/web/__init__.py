"""The staff web app: `python generate.py serve` (Flask, served by waitress).

    app.create_app(project)      the WSGI application
    serve.run(project, host, …)  run it on waitress

Documents are rendered through the one render path in warm worker processes (workers.py) and
cached by their input digest (documents.py, document_cache.py); pages are server-rendered Jinja2
in Dutch or the browser's language.
Nothing here is imported by the other commands: Flask is loaded only by `serve`.
"""


def create_app(*args, **kwargs):
    from .app import create_app as make

    return make(*args, **kwargs)
