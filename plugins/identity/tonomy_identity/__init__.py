"""Tonomy identity plugin: private usernames, did:tonomy, social recovery, login with Tonomy.

The README beside this package is its specification. Hook implementations only here;
each concept lives in its own module:

* :mod:`~tonomy_identity.usernames` — salted username hashes, unique, mapped to accounts;
* :mod:`~tonomy_identity.records` — X25519 key-agreement keys and service endpoints;
* :mod:`~tonomy_identity.did` — ``did:tonomy`` documents from proven state;
* :mod:`~tonomy_identity.recovery` — M-of-N guardians, delay, cancel, lock;
* :mod:`~tonomy_identity.apps`, :mod:`~tonomy_identity.sessions`,
  :mod:`~tonomy_identity.login` — Login with Tonomy (chain side and client side);
* :mod:`~tonomy_identity.credentials` — revocation status lists, governance-accredited
  issuers, the offline identity verifier (docs/credentials.md);
* :mod:`~tonomy_identity.personhood` — one verified person, one vote (strategy
  ``identity.person``).
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import (
    ActionRegistrar,
    ActionSpec,
    ParameterRegistrar,
    ParameterSpec,
    PluginInfo,
    QueryRegistrar,
    QuerySpec,
    VotingStrategyRegistrar,
    hookimpl,
)

from tonomy.plugin.verifiers import VerifierRegistrar
from tonomy_identity import app_usage, apps, personhood, recovery, records, sessions, usernames, wallet_queries
from tonomy_identity.credentials import issuers, status

NAME = "identity"
VERSION = "0.1.0"


@hookimpl
def tonomy_plugin_info() -> PluginInfo:
    return PluginInfo(
        name=NAME,
        version=VERSION,
        protocol_min=1,
        protocol_max=1,
        description="Private usernames, did:tonomy, social recovery, login with Tonomy",
    )


@hookimpl
def tonomy_register_actions(register: ActionRegistrar) -> None:
    for name, handler, schema, description in (
        ("register_username", usernames.register_username, usernames.REGISTER_SCHEMA, "Map a salted username hash to the account"),
        ("release_username", usernames.release_username, usernames.RELEASE_SCHEMA, "Give up the account's username"),
        ("set_key_agreement", records.set_key_agreement, records.SET_KEY_SCHEMA, "Add or replace an X25519 key-agreement key"),
        ("remove_key_agreement", records.remove_key_agreement, records.REMOVE_SCHEMA, "Remove a key-agreement key"),
        ("set_service", records.set_service, records.SET_SERVICE_SCHEMA, "Add or replace a service endpoint"),
        ("remove_service", records.remove_service, records.REMOVE_SCHEMA, "Remove a service endpoint"),
        ("set_guardians", recovery.set_guardians, recovery.SET_GUARDIANS_SCHEMA, "Configure M-of-N recovery guardians"),
        ("remove_guardians", recovery.remove_guardians, recovery.ACCOUNT_SCHEMA, "Turn social recovery off"),
        ("request_recovery", recovery.request_recovery, recovery.REQUEST_SCHEMA, "A guardian starts a recovery"),
        ("approve_recovery", recovery.approve_recovery, recovery.BY_ID_SCHEMA, "A guardian approves the recovery in progress"),
        ("lock_recovery", recovery.lock_recovery, recovery.BY_ID_SCHEMA, "A guardian blocks the recovery for a while"),
        ("cancel_recovery", recovery.cancel_recovery, recovery.ACCOUNT_SCHEMA, "The owner cancels a recovery"),
        ("execute_recovery", recovery.execute_recovery, recovery.ACCOUNT_SCHEMA, "Replace owner and active after the delay"),
        ("register_app", apps.register_app, apps.REGISTER_APP_SCHEMA, "Register an app for Login with Tonomy"),
        ("update_app", apps.update_app, apps.UPDATE_APP_SCHEMA, "The owner changes an app's name, description, logo, origins or redirect URIs"),
        ("rotate_app_key", apps.rotate_app_key, apps.ROTATE_KEY_SCHEMA, "The owner replaces an app's login request key"),
        ("set_login_settings", apps.set_login_settings, apps.LOGIN_SETTINGS_SCHEMA, "The owner sets what an app may request at login"),
        ("transfer_app", apps.transfer_app, apps.TRANSFER_SCHEMA, "The owner hands an app to a new owner (both sign)"),
        ("login", sessions.login, sessions.LOGIN_SCHEMA, "Consent to an app's login request"),
        ("revoke_session", sessions.revoke_session, sessions.REVOKE_SCHEMA, "Revoke an app session"),
        ("session_call", sessions.session_call, sessions.CALL_SCHEMA, "An app acts for the user within its session"),
        ("create_status_list", status.create_status_list, status.CREATE_SCHEMA, "An issuer creates a revocation status list"),
        ("set_status", status.set_status, status.SET_SCHEMA, "An issuer revokes or reinstates a credential"),
        ("register_person", personhood.register_person, personhood.REGISTER_SCHEMA, "Register the account as one verified person"),
        ("leave_person", personhood.leave_person, personhood.ACCOUNT_SCHEMA, "End the account's person registration"),
        ("prune_person", personhood.prune_person, personhood.ACCOUNT_SCHEMA, "End a registration whose credential no longer holds"),
    ):
        register(ActionSpec(name, handler, schema, description=description))


@hookimpl
def tonomy_register_queries(register: QueryRegistrar) -> None:
    register(QuerySpec("username", usernames.lookup_username, usernames.LOOKUP_SCHEMA, description="Account of a username hash"))
    register(QuerySpec("record", records.query_record, records.RECORD_QUERY_SCHEMA, description="An account's identity record"))
    register(QuerySpec("recovery", recovery.query_recovery, recovery.ACCOUNT_SCHEMA, description="Guardians and pending recovery"))
    register(QuerySpec("app", apps.query_app, apps.APP_QUERY_SCHEMA, description="A registered app"))
    register(QuerySpec("app_origins", apps.query_app_origins, apps.ORIGINS_QUERY_SCHEMA,
                       description="Every registered app origin (the node allows these cross-origin)"))
    register(QuerySpec("apps_of", apps.query_apps_of, apps.APPS_OF_SCHEMA, description="The apps an account owns"))
    register(QuerySpec("app_usage", app_usage.query_app_usage, app_usage.USAGE_QUERY_SCHEMA,
                       description="An app's logins, transactions and active users"))
    register(QuerySpec("session", sessions.query_session, sessions.SESSION_QUERY_SCHEMA, description="A login session"))
    register(QuerySpec("status_list", status.query_status_list, status.QUERY_SCHEMA, description="An issuer's revocation status list"))
    register(QuerySpec("trusted_issuers", issuers.query_trusted_issuers, issuers.QUERY_SCHEMA, description="Issuers accredited by governance"))
    # What the Tonomy ID pages ask for (they have no BLAKE3 and no codec; keys stay in the browser).
    for name, handler, schema, description in (
        ("username_hash", wallet_queries.query_username_hash, wallet_queries.USERNAME_HASH_SCHEMA,
         "A username's salted hash and the account it maps to"),
        ("login_consent", wallet_queries.query_login_consent, wallet_queries.CONSENT_SCHEMA,
         "Check a login request for the wallet and say who asks for what"),
        ("login_response_digest", wallet_queries.query_login_response_digest, wallet_queries.RESPONSE_DIGEST_SCHEMA,
         "The digest a user signs to answer a login request"),
        ("login_response", wallet_queries.query_login_response, wallet_queries.RESPONSE_SCHEMA,
         "The encoded login response, once its signature verifies"),
    ):
        register(QuerySpec(name, handler, schema, description=description))
    register(QuerySpec("person", personhood.query_person, personhood.ACCOUNT_SCHEMA, description="An account's person registration"))
    register(QuerySpec("person_challenge", personhood.query_person_challenge, personhood.ACCOUNT_SCHEMA,
                       description="The challenge and domain of the account's next personhood presentation"))
    register(QuerySpec("person_power", personhood.query_person_power, personhood.AT_SCHEMA,
                       description="1 if the account was a registered person at the end of block height"))
    register(QuerySpec("persons_at", personhood.query_persons_at, personhood.HEIGHT_SCHEMA, description="Registered persons at a height"))


@hookimpl
def tonomy_voting_strategies(register: VotingStrategyRegistrar) -> None:
    register(personhood.PERSON_STRATEGY)


@hookimpl
def tonomy_identity_verifiers(register: VerifierRegistrar) -> None:
    import os
    from pathlib import Path

    from tonomy_identity.credentials.reviewer import ReviewerVerifier

    root = os.environ.get("TONOMY_REVIEW_DIR") or str(Path.home() / ".tonomy" / "identity-review")
    register(ReviewerVerifier(root))  # the folder is created on first use, not here


@hookimpl
def tonomy_web_pages(register: Any) -> None:
    from pathlib import Path

    from tonomy.plugin import WebPage

    register(WebPage("index.html", "Tonomy ID: your identity, devices, guardians and app sessions", "Tonomy ID",
                     Path(__file__).parent / "web"))


@hookimpl
def tonomy_register_cli_commands(register: Any) -> None:
    from tonomy_identity.credentials.cli import identity_group

    register(identity_group)


@hookimpl
def tonomy_register_parameters(register: ParameterRegistrar) -> None:
    register(ParameterSpec("min_recovery_delay_s", int, recovery.DEFAULT_MIN_DELAY_S,
                           "Shortest recovery delay an account may configure (seconds)",
                           minimum=recovery.MIN_DELAY_S, maximum=recovery.MAX_DELAY_S))
    register(ParameterSpec("recovery_lock_s", int, recovery.DEFAULT_LOCK_S,
                           "How long one guardian's lock blocks a recovery (seconds)", minimum=3600, maximum=90 * 86400))
    register(ParameterSpec(issuers.PARAMETER, str, "",
                           "Accounts accredited to issue credentials (comma-separated, sorted)",
                           minimum=0, maximum=issuers.MAX_LENGTH))
