"""An identity provider that makes the Origin check hold for every request.

jupyter-server's default identity provider answers `should_check_origin()` with "no" for
requests that carry the token, and its REST Origin check lives only in APIHandler.prepare
and in the XSRF check (which token requests skip). Here the check runs first, in get_user
(which JupyterHandler.prepare calls for every page, API and websocket handler), and refuses:

- a request whose Origin header is neither this server's own host nor the configured
  allow_origin (the local site), token or not;
- a request without Origin whose Referer comes from such a foreign page.

Requests without Origin and Referer (curl, scripts, the kernel client in tests) still need
the token, as usual.
"""

from __future__ import annotations

from urllib.parse import urlparse

from jupyter_server.auth.identity import PasswordIdentityProvider
from tornado import web


def origin_allowed(handler: web.RequestHandler) -> bool:
    headers = handler.request.headers
    host = headers.get("Host", "")
    allowed = handler.settings.get("allow_origin", "")
    origin = headers.get("Origin")
    if origin is None:
        referer = headers.get("Referer")
        if not referer:
            return True
        parsed = urlparse(referer)
        origin = f"{parsed.scheme}://{parsed.netloc}"
    origin = origin.lower()
    if origin == "null":
        return False
    if urlparse(origin).netloc == host.lower():
        return True
    return bool(allowed) and allowed != "*" and origin == allowed.lower()


class OriginCheckingIdentityProvider(PasswordIdentityProvider):
    def should_check_origin(self, handler: web.RequestHandler) -> bool:
        # Never skip jupyter-server's own Origin checks, token or not.
        return True

    async def get_user(self, handler: web.RequestHandler):
        if handler.request.method != "OPTIONS" and not origin_allowed(handler):
            handler.log.warning(
                "playground: refusing %s %s from foreign origin %s",
                handler.request.method,
                handler.request.path,
                handler.request.headers.get("Origin") or handler.request.headers.get("Referer"),
            )
            raise web.HTTPError(403, "origin not allowed")
        return await super().get_user(handler)
