"""The URL guard admits only globally routable unicast addresses, unless an admin allowed the
host."""

from __future__ import annotations

import ipaddress

import pytest

from connectors.urlguard import UrlPolicy, UrlRefused, check_url, forbidden_reason, resolve_checked

#: Addresses no connector may resolve to, each with why: every one is either not routable on the
#: internet, not unicast, or reaches somewhere else than it says.
NOT_GLOBAL_UNICAST = [
    ("fec0::1", "site-local"),                      # deprecated site-local (RFC 3879)
    ("feff:ffff::1", "site-local"),                 # the top of fec0::/10
    ("fc00::1", "private"),                         # unique local
    ("fe80::1", "link-local"),
    ("ff02::1", "multicast"),
    ("::", "unspecified"),
    ("::1", "loopback"),
    ("::7f00:1", "not-global-unicast"),             # IPv4-compatible (deprecated)
    ("64:ff9b::7f00:1", "not-global-unicast"),      # NAT64 to 127.0.0.1
    ("64:ff9b:1::a00:1", "not-global-unicast"),     # local-use NAT64
    ("100::1", "not-global-unicast"),               # discard-only
    ("3fff::1", "documentation"),                   # RFC 9637
    ("2001:db8::1", "documentation"),
    ("2001::1", "ietf-protocol"),                   # Teredo
    ("2001:20::1", "ietf-protocol"),                # ORCHIDv2
    ("5f00::1", "not-global-unicast"),              # SRv6 SIDs
    ("2002:7f00:1::1", "loopback"),                 # 6to4 of 127.0.0.1
    ("::ffff:169.254.169.254", "link-local"),
    ("192.0.0.8", "ietf-protocol"),                 # IPv4 dummy address
    ("192.0.0.170", "ietf-protocol"),
    ("192.88.99.1", "6to4-relay"),                  # deprecated 6to4 relay anycast
    ("100.64.0.1", "shared"),                       # carrier-grade NAT
    ("198.18.0.1", "benchmarking"),
    ("198.51.100.1", "documentation"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "broadcast"),
    ("0.1.2.3", "this-network"),
]


@pytest.mark.parametrize(("address", "kind"), NOT_GLOBAL_UNICAST)
def test_addresses_that_are_not_global_unicast_are_refused(address: str, kind: str) -> None:
    assert forbidden_reason(ipaddress.ip_address(address)) is not None
    policy = UrlPolicy(resolver=lambda host, port: [address])
    with pytest.raises(UrlRefused) as info:
        resolve_checked(check_url("https://connector.example.org/", policy), policy)
    assert info.value.code == "forbidden_address"


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2a00:1450:4009:81f::200e",
                                     "2620:fe::fe", "2606:4700::1111"])
def test_global_unicast_addresses_are_admitted(address: str) -> None:
    assert forbidden_reason(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(("address", "_kind"), NOT_GLOBAL_UNICAST[:3])
def test_a_host_an_admin_allowed_is_admitted_whatever_its_address(address: str,
                                                                 _kind: str) -> None:
    policy = UrlPolicy(resolver=lambda host, port: [address],
                       allowed_hosts=frozenset({"connector.example.org"}))
    target = check_url("https://connector.example.org/", policy)
    assert resolve_checked(target, policy) == address


def test_an_allowed_host_and_port_exempts_that_port_only() -> None:
    policy = UrlPolicy(allow_http=True, resolver=lambda host, port: ["10.0.0.7"],
                       allowed_hosts=frozenset({"Connector.Example.ORG.:8443"}))
    assert resolve_checked(check_url("https://connector.example.org:8443/", policy),
                           policy) == "10.0.0.7"
    for url in ("https://connector.example.org/", "http://connector.example.org:8444/",
                "http://connector.example.org:22/"):
        with pytest.raises(UrlRefused) as info:
            resolve_checked(check_url(url, policy), policy)
        assert info.value.code == "forbidden_address"


def test_an_allowed_ipv6_literal_names_its_port_in_brackets() -> None:
    policy = UrlPolicy(allow_http=True, allowed_hosts=frozenset({"[::1]:8080"}))
    assert resolve_checked(check_url("http://[::1]:8080/", policy), policy) == "::1"
    with pytest.raises(UrlRefused):
        resolve_checked(check_url("http://[::1]:8081/", policy), policy)
