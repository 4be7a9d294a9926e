"""Integration helpers for a partner API, as suggested while debugging certificate errors."""

import ssl
import urllib.request

import aiohttp
import httpx
import requests
import urllib3

PARTNER_CA = "/etc/ssl/partner-ca.pem"

urllib3.disable_warnings()


def fetch_orders(base_url, token):
    headers = {"Authorization": f"Bearer {token}"}
    resp = requests.get(f"{base_url}/orders", headers=headers, verify=False, timeout=10)  # expect: CWE-295
    resp = requests.get(f"{base_url}/orders", headers=headers, verify=PARTNER_CA, timeout=10)  # secure: CWE-295
    return resp.json()


def push_invoice(base_url, invoice):
    requests.post(f"{base_url}/invoices", json=invoice)  # expect: CWE-400
    requests.post(f"{base_url}/invoices", json=invoice, timeout=(3.05, 27))  # secure: CWE-400


def partner_session(token):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    session.verify = False  # expect: CWE-295
    session.verify = PARTNER_CA  # secure: CWE-295
    return session


def legacy_status(url):
    context = ssl.create_default_context()
    context.check_hostname = False  # expect: CWE-295
    context.verify_mode = ssl.CERT_NONE  # expect: CWE-295
    context.minimum_version = ssl.TLSVersion.TLSv1  # expect: CWE-327
    context.minimum_version = ssl.TLSVersion.TLSv1_2  # secure: CWE-327
    with urllib.request.urlopen(url, context=context) as resp:  # expect: CWE-400
        return resp.read()


def status(url):
    context = ssl.create_default_context(cafile=PARTNER_CA)  # secure: CWE-295
    with urllib.request.urlopen(url, context=context, timeout=10) as resp:  # secure: CWE-400
        return resp.read()


def pool():
    return urllib3.PoolManager(cert_reqs="CERT_NONE")  # expect: CWE-295


async def stream_events(url):
    connector = aiohttp.TCPConnector(ssl=False)  # expect: CWE-295
    async with aiohttp.ClientSession(connector=connector) as session:
        async with session.get(url) as resp:
            return await resp.text()


async def poll(url):
    async with httpx.AsyncClient(timeout=None) as client:  # expect: CWE-400
        return (await client.get(url)).json()


async def poll_safely(url):
    async with httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=5.0)) as client:  # secure: CWE-400
        return (await client.get(url)).json()
