"""Random requests against a live node: whatever arrives, the answer is a problem document
or a success, never a 500, and nothing commits."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tonomy.node.client import NodeClient
from tonomy.testing.node_process import NodeProcess

pytestmark = pytest.mark.timeout(180)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
segments = st.text(alphabet=st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters="/?#%\\"), max_size=40)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def http(running_node: NodeProcess) -> Iterator[httpx.Client]:
    with NodeClient(running_node.url) as c:
        start = c.head().height
    with httpx.Client(base_url=running_node.url, timeout=30) as client:
        yield client
    with NodeClient(running_node.url) as c:
        for height in range(start + 1, c.head().height + 1):
            assert c.block(height).transaction_ids == []


def _checked(response: httpx.Response) -> None:
    assert response.status_code < 500, (response.request.url, response.status_code, response.text)
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
        doc: dict[str, Any] = response.json()
        assert isinstance(doc["code"], str) and doc["status"] == response.status_code


@FUZZ
@given(body=json_values)
def test_submit_any_json(http: httpx.Client, body: Any) -> None:
    _checked(http.post("/v1/transactions", json=body))


@FUZZ
@given(raw=st.binary(max_size=600), encoding=st.sampled_from(["base64", "hex"]))
def test_submit_any_bytes(http: httpx.Client, raw: bytes, encoding: str) -> None:
    text = base64.b64encode(raw).decode() if encoding == "base64" else raw.hex()
    _checked(http.post("/v1/transactions", json={"transaction": text, "encoding": encoding}))


@FUZZ
@given(
    route=st.sampled_from(["/v1/transactions/{}", "/v1/transactions/{}/wait", "/v1/blocks/{}", "/v1/state/{}/00", "/v1/state/tonomy/{}"]),
    segment=segments,
    timeout=st.text(max_size=8),
)
def test_get_any_path(http: httpx.Client, route: str, segment: str, timeout: str) -> None:
    if not segment.strip(" ."):
        return  # "", "." and ".." change the route itself; covered by the hostile tests
    _checked(http.get(route.format(segment), params={"timeout": timeout or "0", "height": timeout}))


@FUZZ
@given(plugin=segments, name=segments, params=json_values)
def test_query_anything(http: httpx.Client, plugin: str, name: str, params: Any) -> None:
    if not plugin.strip(" .") or not name.strip(" ."):
        return
    _checked(http.post(f"/v1/query/{plugin}/{name}", json=params))


@FUZZ
@given(value=json_values)
def test_encode_any_json(http: httpx.Client, value: Any) -> None:
    response = http.post("/v1/codec/encode", json={"value": value})
    _checked(response)
    if response.status_code == 200:
        from tonomy.plugin import decode_record

        decode_record(bytes.fromhex(response.json()["encoded"]))  # what it answers is canonical
