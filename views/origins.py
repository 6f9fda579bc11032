"""No look-up of this machine's addresses on the internet when a foreign page knocks.

Asked to open a websocket for a page of another origin (any web page open in a browser on
the network can ask), Streamlit compares that origin with this machine's addresses, and
finds them out by asking the internet: a route towards 8.8.8.8 for the address on the
network, http(s)://checkip.amazonaws.com for the external one, anew each time while it gets
no answer, holding up the server for a second or two. The app never needs them: browsers
reach it at the address it listens on (the same origin), at localhost, or through a proxy
that passes the Host header on. An origin that must be let in goes in
`server.corsAllowedOrigins`.
"""

from __future__ import annotations

from streamlit import net_util


def stop_address_lookups() -> None:
    """Tell Streamlit it already knows this machine's addresses: none (an empty name, which
    no origin has), so it never looks them up and refuses a foreign origin without asking.
    These are private names of streamlit.net_util (1.67); tests/test_outbound.py fails if a
    new Streamlit looks the addresses up again."""
    net_util._internal_ip = ""
    net_util._external_ip = ""
