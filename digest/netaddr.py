"""Whether an IP address is on the public internet: the check that keeps fetches a
feed's content or an editor names (pictures, "add by URL") out of private networks.

Job: :func:`is_public`. A module of its own (:mod:`digest.web.fetch_guard` and
:mod:`digest.images` use it) so that `digest build`, which hosts pictures, loads neither
the web package nor the fetcher (Flask, httpx: 0.15 s) when it has none to fetch.
Must not: resolve names or connect.
"""

from __future__ import annotations

import ipaddress

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_public(address: str) -> bool:
    """Whether an IP address is on the public internet (not loopback, private,
    link-local, site-local, multicast, reserved, unspecified or shared, nor one of those wrapped
    in an IPv6 address)."""
    try:
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(
            address.split("%", 1)[0]
        )
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if inner is None and ip in _NAT64:
            inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if inner is not None:
            ip = inner
    return bool(
        ip.is_global
        and not (
            ip.is_multicast
            or ip.is_reserved
            or ip.is_loopback
            or ip.is_link_local
            or ip.is_private
            or ip.is_unspecified
            # fec0::/10, site-local: deprecated, still routed inside some networks
            or (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local)
        )
    )


def is_loopback_host(host: str) -> bool:
    """Whether `host` (a name or an address, IPv6 in brackets or not, without a port)
    is this machine's loopback: `localhost` and its subdomains, 127.0.0.0/8, ::1.
    Browsers treat those as secure origins even over plain HTTP (they keep a Secure
    cookie there); any other host over plain HTTP is not."""
    name = host.strip().strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name.split("%", 1)[0]).is_loopback
    except ValueError:
        return False
