"""Media are processed after the mutation that made them, as Shopify documents: UPLOADED in its answer, then
PROCESSING for some reads and seconds, then READY — or FAILED for a seeded share, which a new source retries."""

from __future__ import annotations

import pytest

from emulators.shopify import EmulatorConfig, FaultConfig

CREATE = """mutation($src: String!) { fileCreate(files: [{originalSource: $src, alt: "A"}]) {
    files { id fileStatus } userErrors { message } } }"""
READ = """query($id: ID!) { node(id: $id) { ... on MediaImage { status image { url } } } }"""
REPLACE = """mutation($f: [FileUpdateInput!]!) { fileUpdate(files: $f) { files { fileStatus } userErrors { code } } }"""


def create(gql, n: int = 0) -> str:
    body = gql(CREATE, {"src": f"https://cdn.example.com/{n}.jpg"})["data"]["fileCreate"]["files"][0]
    assert body["fileStatus"] == "UPLOADED"
    return body["id"]


def status(gql, media_id: str) -> str:
    return gql(READ, {"id": media_id})["data"]["node"]["status"]


@pytest.fixture
def config() -> EmulatorConfig:
    return EmulatorConfig(record_dir=None, media_processing_reads=0, media_processing_seconds=5)


def test_a_media_is_processing_until_its_seconds_have_passed_and_has_no_image_meanwhile(gql, clock):
    media = create(gql)
    assert gql(READ, {"id": media})["data"]["node"] == {"status": "PROCESSING", "image": None}
    clock.advance(5)
    assert status(gql, media) == "READY"
    assert gql(READ, {"id": media})["data"]["node"]["image"]["url"] == "https://cdn.example.com/0.jpg"


def test_a_failed_media_stays_failed_and_a_new_source_is_processed_again(gql, emulator, clock):
    emulator.set_faults(media_failed=1.0)
    media = create(gql)
    clock.advance(5)
    assert [status(gql, media), status(gql, media)] == ["FAILED", "FAILED"]

    emulator.set_faults(media_failed=0.0)
    replaced = gql(REPLACE, {"f": [{"id": media, "originalSource": "https://cdn.example.com/again.jpg"}]})
    assert replaced["data"]["fileUpdate"]["files"] == [{"fileStatus": "UPLOADED"}]
    assert status(gql, media) == "PROCESSING"
    clock.advance(5)
    assert status(gql, media) == "READY"


def test_the_failing_share_is_seeded_so_the_same_seed_fails_the_same_media(gql, emulator, clock):
    def outcomes(seed: int) -> list[str]:
        emulator.set_faults(FaultConfig(seed=seed, media_failed=0.5))
        emulator.state.reset()
        made = [create(gql, n) for n in range(12)]
        clock.advance(5)
        return [status(gql, m) for m in made]

    first = outcomes(3)
    assert set(first) == {"READY", "FAILED"}
    assert outcomes(3) == first
