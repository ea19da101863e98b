"""Address guard: URL forms, IP notations, non-public ranges, the connection-level check."""

from __future__ import annotations

import ipaddress
import socket
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows import netguard
from flows.netguard import AddressPolicy, BadUrl, BlockedAddress, check_url, parse_ip_literal

DEFAULT = AddressPolicy()


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("0x7F000001", "127.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("0xa9.0xfe.0xa9.0xfe", "169.254.169.254"),
        ("2852039166", "169.254.169.254"),
        ("[::1]", "::1"),
        ("[::ffff:127.0.0.1]", "::ffff:7f00:1"),
        ("[0:0:0:0:0:ffff:7f00:0001]", "::ffff:7f00:1"),
        ("8.8.8.8", "8.8.8.8"),
    ],
)
def test_literal_ip_notations_parse_canonically(host: str, address: str) -> None:
    assert parse_ip_literal(host) == ipaddress.ip_address(address)


@pytest.mark.parametrize("host", ["example.com", "a.1b", "localhost", "xn--bcher-kva.de"])
def test_host_names_are_not_literals(host: str) -> None:
    assert parse_ip_literal(host) is None


@pytest.mark.parametrize(
    "host", ["256.1.1.1", "1.2.3.4.5", "08.1.1.1", "0x100.1.1.1", "1.16777216"]
)
def test_malformed_numeric_hosts_are_bad_urls(host: str) -> None:
    with pytest.raises(BadUrl):
        check_url(f"http://{host}/", DEFAULT)


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "2130706433",
        "0177.0.0.1",
        "127.1",
        "0x7f.1",
        "017700000001",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "100.64.0.1",
        "100.127.255.254",
        "169.254.169.254",
        "169.254.1.1",
        "0.0.0.0",
        "0.1.2.3",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "198.18.0.1",
        "192.0.2.1",
        "[::1]",
        "[::]",
        "[::ffff:127.0.0.1]",
        "[::ffff:a9fe:a9fe]",
        "[::127.0.0.1]",
        "[::ffff:0:10.0.0.1]",
        "[2002:7f00:1::]",
        "[2002:a9fe:a9fe::1]",
        "[64:ff9b::a9fe:a9fe]",
        "[64:ff9b::10.0.0.1]",
        "[64:ff9b:1::1]",
        "[fd00:ec2::254]",
        "[fc00::1]",
        "[fe80::1]",
        "[fe80::1%25eth0]",
        "[fec0::1]",
        "[ff02::1]",
        "[2001:db8::1]",
        "[2001:0:4136:e378:8000:63bf:3fff:fdd2]",
        "[100::1]",
    ],
)
def test_non_public_addresses_are_blocked_by_default(host: str) -> None:
    with pytest.raises(BlockedAddress):
        check_url(f"http://{host}/", DEFAULT)


@pytest.mark.parametrize(
    "host",
    [
        "8.8.8.8",
        "0x8.0x8.0x8.0x8",
        "134744072",
        "[2606:4700:4700::1111]",
        "[::ffff:8.8.8.8]",
        "[64:ff9b::8.8.8.8]",
        "[2002:808:808::1]",
    ],
)
def test_public_addresses_pass(host: str) -> None:
    assert check_url(f"https://{host}/a", DEFAULT).ip is not None


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/a",
        "file:///etc/passwd",
        "gopher://example.com/",
        "javascript:alert(1)",
        "//example.com/a",
        "example.com/a",
        "http:///a",
        "http://user:pass@example.com/",
        "http://user@example.com/",
        "http://example.com:99999/",
        "http://[::1/",
    ],
)
def test_bad_urls(url: str) -> None:
    with pytest.raises(BadUrl):
        check_url(url, DEFAULT)


def test_allow_private_still_refuses_metadata_and_unspecified() -> None:
    lax = AddressPolicy(allow_private=True)
    assert check_url("http://10.1.2.3/", lax).ip is not None
    assert check_url("http://[::1]/", lax).ip is not None
    for host in (
        "169.254.169.254",
        "0.0.0.0",
        "[fd00:ec2::254]",
        "[::ffff:a9fe:a9fe]",
        "224.0.0.1",
    ):
        with pytest.raises(BlockedAddress):
            check_url(f"http://{host}/", lax)


def test_allowed_networks_open_exactly_the_listed_ranges() -> None:
    policy = AddressPolicy.from_settings(False, "127.0.0.2/32, ::1/128")
    assert check_url("http://127.0.0.2:8000/", policy).ip is not None
    assert check_url("http://[::1]:8000/", policy).ip is not None
    assert check_url("http://[::ffff:127.0.0.2]/", policy).ip is not None
    for host in ("127.0.0.1", "10.0.0.1", "169.254.169.254"):
        with pytest.raises(BlockedAddress):
            check_url(f"http://{host}/", policy)


def test_resolution_refuses_a_name_with_any_refused_address() -> None:
    with pytest.raises(BlockedAddress):
        netguard.resolve_checked("localhost", 80, DEFAULT)


def test_resolution_returns_vetted_addresses_to_connect_to() -> None:
    policy = AddressPolicy.from_settings(False, "127.0.0.0/8,::1/128")
    pairs = netguard.resolve_checked("localhost", 8080, policy)
    assert ("127.0.0.1", 8080) in pairs or ("::1", 8080) in pairs


def test_unresolvable_name_is_a_resolution_failure() -> None:
    with pytest.raises(netguard.ResolutionFailed):
        netguard.resolve_checked("no-such-host.invalid", 80, DEFAULT)


def test_embedded_ipv4_forms_are_unwrapped() -> None:
    found = {
        str(a)
        for h in ("::ffff:1.2.3.4", "::1.2.3.4", "2002:102:304::", "64:ff9b::1.2.3.4")
        for a in netguard.to_embedded_ipv4(ipaddress.IPv6Address(h))
    }
    assert found == {"1.2.3.4"}


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_every_ipv4_notation_names_the_same_address(n: int) -> None:
    addr = ipaddress.IPv4Address(n)
    octets = addr.packed
    spellings = [
        str(n),
        hex(n),
        "0" + oct(n)[2:],
        ".".join(f"0{b:o}" for b in octets),
        ".".join(hex(b) for b in octets),
        f"{octets[0]}.{int.from_bytes(octets[1:], 'big')}",
        f"{octets[0]}.{octets[1]}.{int.from_bytes(octets[2:], 'big')}",
    ]
    for spelling in spellings:
        assert netguard.parse_ipv4_literal(spelling) == addr, spelling


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_ipv6_wrappings_get_the_verdict_of_the_ipv4_inside(n: int) -> None:
    v4 = ipaddress.IPv4Address(n)
    expected = netguard.refusal_reason(v4, DEFAULT) is None
    for wrapped in (f"::ffff:{v4}", f"64:ff9b::{v4}"):
        allowed = netguard.refusal_reason(ipaddress.IPv6Address(wrapped), DEFAULT) is None
        assert allowed == expected, wrapped
    six_to_four = ipaddress.IPv6Address((0x2002 << 112) | (n << 80) | 1)
    if not expected:
        assert netguard.refusal_reason(six_to_four, DEFAULT) is not None


def _counting_dns(
    monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str] | socket.gaierror]
) -> list[str]:
    """Resolve the given names as told (an error is raised); returns the lookups made."""
    calls: list[str] = []

    def getaddrinfo(host: str, port: int, *args: object, **kwargs: object) -> object:
        calls.append(host)
        answer = answers[host]
        if isinstance(answer, socket.gaierror):
            raise answer
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in answer]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return calls


def test_resolutions_look_a_name_up_once_per_run(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting_dns(monkeypatch, {"news.test": ["127.0.0.2"]})
    cache = netguard.Resolutions(AddressPolicy.from_settings(False, "127.0.0.2/32"))
    assert cache.resolve("news.test", 80) == [("127.0.0.2", 80)]
    assert cache.resolve("NEWS.test", 80) == [("127.0.0.2", 80)]
    assert calls == ["news.test"]


def test_resolutions_refuse_like_resolve_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    _counting_dns(monkeypatch, {"mixed.test": ["127.0.0.2", "169.254.169.254"]})
    cache = netguard.Resolutions(AddressPolicy.from_settings(False, "127.0.0.2/32"))
    with pytest.raises(BlockedAddress):
        cache.resolve("mixed.test", 80)


def test_resolutions_vet_a_cached_answer_again_before_use() -> None:
    cache = netguard.Resolutions(DEFAULT)
    # However a refused address got into the cache, it is not handed out.
    cache._cache[("sneaky.test", 80)] = (time.monotonic(), [("169.254.169.254", 80)])
    with pytest.raises(BlockedAddress):
        cache.resolve("sneaky.test", 80)


def test_resolutions_do_not_cache_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    answers: dict[str, list[str] | socket.gaierror] = {
        "flaky.test": socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
    }
    calls = _counting_dns(monkeypatch, answers)
    cache = netguard.Resolutions(AddressPolicy.from_settings(False, "127.0.0.2/32"))
    with pytest.raises(netguard.ResolutionFailed) as failed:
        cache.resolve("flaky.test", 80)
    assert failed.value.transient
    answers["flaky.test"] = ["127.0.0.2"]
    assert cache.resolve("flaky.test", 80) == [("127.0.0.2", 80)]
    assert calls == ["flaky.test", "flaky.test"]


def test_resolutions_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting_dns(monkeypatch, {"news.test": ["127.0.0.2"]})
    cache = netguard.Resolutions(AddressPolicy.from_settings(False, "127.0.0.2/32"), max_age_s=0)
    cache.resolve("news.test", 80)
    cache.resolve("news.test", 80)
    assert calls == ["news.test", "news.test"]


def test_pool_classes_refuse_resolutions_of_another_policy() -> None:
    with pytest.raises(ValueError):
        netguard.to_pool_classes(DEFAULT, netguard.Resolutions(AddressPolicy(allow_private=True)))
