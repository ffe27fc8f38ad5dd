"""Jupyter server for the site's 运行 buttons (`make playground`, sitekit/playground/serve.py).

Safe defaults for a kernel that a web page talks to:

- listens on 127.0.0.1 only, remote access off, no browser, no terminals;
- a fresh random token per run (JUPYTER_TOKEN, set by serve.py; never written to disk or
  into the built site);
- CORS for exactly one origin, the local site (PLAYGROUND_SITE_ORIGIN);
- the Origin check holds for every request: stock jupyter-server skips it for
  token-authenticated requests (so any web page that learned the token could drive the
  kernel, and websockets are not covered by CORS at all). OriginCheckingIdentityProvider
  (sitekit/playground/origin_guard.py) refuses any request whose Origin, or Referer when there is no
  Origin, is neither the server itself nor the site, before authentication;
- idle kernels are shut down (culled).
"""

import os

c = get_config()  # noqa: F821 (provided by jupyter when it loads this file)

site_origin = os.environ["PLAYGROUND_SITE_ORIGIN"]

c.ServerApp.ip = "127.0.0.1"
c.ServerApp.allow_remote_access = False
c.ServerApp.open_browser = False
c.ServerApp.terminals_enabled = False
c.ServerApp.allow_origin = site_origin
c.ServerApp.allow_origin_pat = ""
c.ServerApp.allow_credentials = False
c.ServerApp.allow_root = True
c.ServerApp.root_dir = os.environ.get("PLAYGROUND_ROOT_DIR", os.getcwd())
c.ServerApp.identity_provider_class = "sitekit.playground.origin_guard.OriginCheckingIdentityProvider"
c.IdentityProvider.token = os.environ["JUPYTER_TOKEN"]
# No password login and no token-in-cookie login page: the token is the only way in.
c.PasswordIdentityProvider.allow_password_change = False

c.MappingKernelManager.cull_idle_timeout = 30 * 60
c.MappingKernelManager.cull_interval = 60
c.MappingKernelManager.cull_connected = False
c.MappingKernelManager.cull_busy = False
