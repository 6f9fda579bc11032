"""Who may reach the app (DESIGN.md section 9, "Who may reach the app").

- A deployment signs people in: `MATURITY_AUTH=oidc` (or an `[auth]` section in the
  secrets: Streamlit's `st.login`) or `MATURITY_AUTH=header` behind a trusted proxy. The
  proxy proves itself with a secret it adds to every request (`MATURITY_PROXY_SECRET`, sent
  as X-Maturity-Proxy-Secret); without that secret configured header mode serves nothing,
  and a request without it (one that went around the proxy) is nobody, whatever user header
  it carries.
- Without a sign-in the app is in local mode. It listens on this machine only
  (`.streamlit/config.toml` sets `server.address = "127.0.0.1"`), and the person at the
  machine is the administrator; demo data adds the "sign in as" picker for trying roles.
- Local mode opened to a network (`--server.address` the machine's address, or 0.0.0.0, to
  run a workshop on people's phones): only workshop participation is reachable without a
  secret. The administrator's way in is a link with a random token, printed in the console
  when the app is first opened; the token is then kept in the browser session and taken
  out of the address.
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
from typing import Any

import streamlit as st

LOOPBACK = ("127.", "localhost", "::1")
PROXY_SECRET_HEADER = "X-Maturity-Proxy-Secret"
MIN_PROXY_SECRET = 16  # characters
TOKEN_PARAM = "token"
TOKEN_OK = "_admin_token_ok"  # session: this browser session has shown the console's token
log = logging.getLogger("maturity")


def mode() -> str:
    """How people are signed in: "header", "oidc" or "local". `MATURITY_AUTH` decides; unset,
    an `[auth]` section in the secrets means OpenID Connect, and nothing means local mode
    ("demo", the old name of local mode, is still understood)."""
    configured = os.environ.get("MATURITY_AUTH", "").strip().lower()
    if configured in ("header", "oidc"):
        return configured
    if not configured and _auth_in_secrets():
        return "oidc"
    if configured not in ("", "local", "demo"):
        log.warning("MATURITY_AUTH=%r is not header, oidc or local: local mode", configured)
    return "local"


def header_mode_ready() -> bool:
    """Whether header mode knows how to tell its proxy from anyone else."""
    return len(os.environ.get("MATURITY_PROXY_SECRET", "")) >= MIN_PROXY_SECRET


def header_user(headers: Any) -> str | None:
    """The user the proxy names, when the request carries the proxy's secret exactly once and
    exactly one user header (`headers`: Streamlit's request headers, with get_all)."""
    secret = os.environ.get("MATURITY_PROXY_SECRET", "")
    proofs = headers.get_all(PROXY_SECRET_HEADER)
    if len(secret) < MIN_PROXY_SECRET or len(proofs) != 1:
        return None
    if not hmac.compare_digest(proofs[0].encode(), secret.encode()):
        return None
    users = headers.get_all(os.environ.get("MATURITY_AUTH_HEADER", "X-Forwarded-User"))
    if len(users) != 1 or not users[0].strip():
        return None  # two user headers: one of them did not come from the proxy
    return users[0].strip()


def _auth_in_secrets() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises rather than answer no
        return False


def this_machine_only(address: str | None = None) -> bool:
    """Whether the server listens on a loopback address only (its `server.address`)."""
    bound = (address if address is not None else st.get_option("server.address")) or ""
    return bound.strip("[]").startswith(LOOPBACK)


def admin_token() -> str:
    """The process's administrator token, printed in the console the first time it is asked for."""
    return _token(int(st.get_option("server.port") or 8501))


@st.cache_resource(show_spinner=False)
def _token(port: int) -> str:
    token = secrets.token_urlsafe(24)
    link = f"http://<this machine's address>:{port}/?{TOKEN_PARAM}={token}"
    print(
        "\nThe app is open to the network without a sign-in: only workshop participation is"
        f"\nreachable. The administrator's way in (keep it secret):\n\n  {link}\n",
        flush=True,
    )
    log.warning("open to the network without a sign-in; the administrator's link is in the console")
    return token


def local_access() -> bool:
    """In local mode: whether this browser session may act as the person at the machine
    (always on a loopback-only server; on a network, once it has shown the token)."""
    if this_machine_only():
        return True
    expected = admin_token()
    if st.session_state.get(TOKEN_OK):
        return True
    given = st.query_params.get(TOKEN_PARAM)
    if given is not None:
        del st.query_params[TOKEN_PARAM]  # out of the address bar, the history and screenshots
        if hmac.compare_digest(given.encode(), expected.encode()):
            st.session_state[TOKEN_OK] = True
            return True
    return False
