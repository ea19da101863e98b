"""HTTPS through the pinned connection: SNI and certificate checks still use the host name."""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from flows.fetch import fetch_one
from tests.servers import LocalServer, fast_settings

pytest.importorskip("cryptography")
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

HTML = "<html><body><p>secure</p></body></html>"


@dataclass
class Pki:
    ca_pem: Path
    tmp: Path
    ca_key: ec.EllipticCurvePrivateKey
    ca_cert: x509.Certificate


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    tmp = tmp_path_factory.mktemp("pki")
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("quelle test CA"))
        .issuer_name(_name("quelle test CA"))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    ca_pem = tmp / "ca.pem"
    ca_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return Pki(ca_pem, tmp, key, cert)


def _server_context(pki: Pki, names: list[str], seen_sni: list[str | None]) -> ssl.SSLContext:
    """A server context with a CA-signed certificate for `names`, logging the SNI it gets."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(names[0]))
        .issuer_name(pki.ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
        .sign(pki.ca_key, hashes.SHA256())
    )
    cert_pem = pki.tmp / f"{names[0]}.pem"
    key_pem = pki.tmp / f"{names[0]}.key"
    cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert_pem, key_pem)
    ctx.sni_callback = lambda _sock, name, _ctx: seen_sni.append(name)
    return ctx


@pytest.fixture()
def https_localhost(pki: Pki) -> Iterator[tuple[LocalServer, list[str | None]]]:
    sni: list[str | None] = []
    with LocalServer("127.0.0.1", tls=_server_context(pki, ["localhost"], sni)) as srv:
        srv.route("/a", HTML)
        yield srv, sni


def _settings(pki: Pki) -> object:
    return fast_settings(allowed_networks="127.0.0.0/8,::1/128", ca_bundle=str(pki.ca_pem))


def test_https_by_name_connects_to_the_vetted_ip_with_sni_and_verification(
    pki: Pki, https_localhost: tuple[LocalServer, list[str | None]]
) -> None:
    srv, sni = https_localhost
    r = fetch_one(f"https://localhost:{srv.port}/a", _settings(pki))  # type: ignore[arg-type]
    assert r.outcome == "ok", r.attempts
    assert r.page is not None and r.page.body == HTML.encode()
    assert r.attempts[0].address == "127.0.0.1"
    assert "localhost" in sni
    assert {s.headers["host"] for s in srv.seen()} == {f"localhost:{srv.port}"}


def test_certificate_for_another_name_is_a_tls_failure(pki: Pki) -> None:
    sni: list[str | None] = []
    with LocalServer("127.0.0.1", tls=_server_context(pki, ["other.example"], sni)) as srv:
        srv.route("/a", HTML)
        r = fetch_one(f"https://localhost:{srv.port}/a", _settings(pki))  # type: ignore[arg-type]
        # robots.txt fails on TLS first: unreachable, so the page is not requested either
        assert r.outcome == "tls"
        assert "robots.txt unreachable (tls" in (r.attempts[0].error or "")
        assert srv.seen() == []


def test_untrusted_certificate_is_a_tls_failure(
    https_localhost: tuple[LocalServer, list[str | None]],
) -> None:
    srv, _ = https_localhost
    settings = fast_settings(allowed_networks="127.0.0.0/8,::1/128")  # certifi: CA unknown
    r = fetch_one(f"https://localhost:{srv.port}/a", settings)
    assert r.outcome == "tls" and r.page is None


def test_ca_bundle_variables_do_not_widen_trust(
    pki: Pki,
    https_localhost: tuple[LocalServer, list[str | None]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    srv, _ = https_localhost
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.setenv(name, str(pki.ca_pem))
    settings = fast_settings(allowed_networks="127.0.0.0/8,::1/128")  # certifi only
    r = fetch_one(f"https://localhost:{srv.port}/a", settings)
    assert r.outcome == "tls" and r.page is None
