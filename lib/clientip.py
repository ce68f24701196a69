"""The client's address, from the connection or from a trusted proxy's X-Forwarded-For.

Written once for every feature that rate-limits, bans or counts readers
(comments, the newsletter). A reader can send any X-Forwarded-For they like, so
the header is believed only when the connection itself comes from a proxy in
TRUSTED_PROXIES, and then only up to the first address that is not a trusted proxy.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
logger = logging.getLogger(__name__)


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            logger.error("TRUSTED_PROXIES: %r is not an address or range; ignored", entry)
    return tuple(networks)


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def normalised(value: str) -> str:
    """An address written as client_ip() writes it (IPv4-mapped IPv6 unwrapped), or "" when it is not one."""
    address = _parse(value)
    return str(address) if address is not None else ""


def is_trusted_proxy(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> bool:
    if address is None:
        return False
    return any(address in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request: HttpRequest) -> str:
    """The reader's address as a string ("" when the connection has none).

    X-Forwarded-For is read right to left: each hop was appended by the proxy in
    front of it, so the first address that is not one of our proxies is the
    client. Anything further left was written by the client and is ignored.
    """
    remote = _parse(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return ""
    if not is_trusted_proxy(remote):
        return str(remote)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([part for part in forwarded.split(",") if part.strip()]):
        address = _parse(hop)
        if address is None:
            break  # garbage from here on: trust the last good hop
        remote = address
        if not is_trusted_proxy(address):
            break
    return str(remote)


def address_hash(address: str, *, day=None) -> str:
    """A daily-salted keyed hash of an address: stable for a day, never reversible to the address."""
    day = day or timezone.now().date()
    message = f"{day.isoformat()}|{address}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def in_networks(address: str, networks: list[str]) -> bool:
    """Whether `address` falls in any of `networks` (addresses or CIDR ranges); bad entries are skipped."""
    parsed = _parse(address)
    if parsed is None:
        return False
    for entry in networks:
        try:
            if parsed in ipaddress.ip_network(entry.strip(), strict=False):
                return True
        except ValueError:
            continue
    return False
