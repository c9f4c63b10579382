"""Tonomy marketplace: DAOs publish, version, approve and revoke apps (plugins).

Found through the ``marketplace`` entry point of the ``tonomy`` group. Its handlers
import only ``tonomy.plugin``; the DAO plugin is reached through its public query. The
README beside this package is its specification; ``publish`` (releasing from a client)
and ``install`` (a node fetching and installing an approved release) are client-side
modules the handlers never import.
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import ActionRegistrar, ActionSpec, ParameterRegistrar, ParameterSpec, PluginInfo, QueryRegistrar, QuerySpec, hookimpl

from tonomy_marketplace import artifacts, releases, reviews

NAME = "marketplace"
VERSION = "0.1.0"


@hookimpl
def tonomy_plugin_info() -> PluginInfo:
    return PluginInfo(name=NAME, version=VERSION, protocol_min=1, protocol_max=1, description="App registry: DAO-published, network-approved apps")


@hookimpl
def tonomy_register_actions(register: ActionRegistrar) -> None:
    register(ActionSpec("register_app", releases.register_app, releases.REGISTER, "Register an app under its publisher DAO (authority: the DAO)"))
    register(ActionSpec("release", releases.release, releases.RELEASE, "Release a version: artifact hash, manifest, protocol range (authority: the DAO)"))
    register(ActionSpec("approve", releases.approve, releases.APPROVE, "Approve a pending release to activate at a height (authority: the network)"))
    register(ActionSpec("revoke", releases.revoke, releases.REVOKE, "Disable a release from a height (authority: the DAO or the network)"))
    register(ActionSpec("attach_review", reviews.attach_review, reviews.ATTACH, "Attach a review or audit credential (authority: reviewer)"))
    register(ActionSpec("upload_begin", artifacts.upload_begin, artifacts.BEGIN, "Announce an artifact by hash and size (authority: uploader)"))
    register(ActionSpec("upload_chunk", artifacts.upload_chunk, artifacts.CHUNK, "Store one chunk of an announced artifact (authority: uploader)"))
    register(ActionSpec("upload_seal", artifacts.upload_seal, artifacts.SEAL, "Check the hash of a complete upload and seal it (authority: uploader)"))
    register(ActionSpec("upload_abort", artifacts.upload_abort, artifacts.SEAL, "Drop an unsealed upload and free its quota (authority: uploader)"))


@hookimpl
def tonomy_register_queries(register: QueryRegistrar) -> None:
    register(QuerySpec("app", releases.query_app, releases.APP_ONLY, "An app: publisher, description, latest version"))
    register(QuerySpec("apps", releases.query_apps, releases.LIST, "Apps in name order"))
    register(QuerySpec("release", releases.query_release, releases.RELEASE_ONLY, "One release with its status and manifest"))
    register(QuerySpec("releases", releases.query_releases, releases.APP_ONLY, "Every release of an app, oldest first"))
    register(QuerySpec("capabilities", releases.query_capabilities, releases.APP_ONLY, "The capability windows the engine enforces"))
    register(QuerySpec("reviews", reviews.query_reviews, reviews.LIST, "Review and audit credentials of a release"))
    register(QuerySpec("artifact", artifacts.query_artifact, artifacts.HASH_ONLY, "An artifact's size, chunks and seal"))
    register(QuerySpec("chunk", artifacts.query_chunk, artifacts.CHUNK_QUERY, "One chunk of a sealed artifact"))
    register(QuerySpec("quota", artifacts.query_quota, artifacts.ACCOUNT_ONLY, "Bytes an account stores against its quota"))


@hookimpl
def tonomy_register_parameters(register: ParameterRegistrar) -> None:
    register(ParameterSpec("max_artifact_bytes", int, 512 * 1024, "Largest artifact (app package) the network stores, in bytes.", 1, 16 * 1024 * 1024))
    register(ParameterSpec("upload_quota_bytes", int, 4 * 1024 * 1024, "Bytes of artifacts one account may store or have announced.", 0, 1 << 32))


@hookimpl
def tonomy_register_cli_commands(register: Any) -> None:
    from tonomy_marketplace.cli import market_cli  # click only when the CLI asks

    register(market_cli)
