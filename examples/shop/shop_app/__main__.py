"""Run the example shop against a devnet: ``python -m shop_app --devnet .tonomy/devnet``.

On first run it creates the app account (paid for by a devnet demo account), keeps
the app's key in ``--data`` (0600) and registers the app (origin, redirect URI, request
key) on chain; later runs reuse both. Then it serves the shop with uvicorn.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import uvicorn

from tonomy.chain.genesis import Genesis
from tonomy.node.keys import KeyPair, read_key_file, write_key_file
from tonomy.sdk import Client

from shop_app.app import ShopConfig, create_app


def _app_key(data_dir: Path, account: str) -> tuple[KeyPair, bool]:
    path = data_dir / f"{account}.key"
    if path.exists():
        return read_key_file(path), False
    data_dir.mkdir(parents=True, exist_ok=True)
    key = KeyPair.generate(account)
    write_key_file(path, key)
    return key, True


def _ensure_registered(client: Client, devnet: Path, creator: str, account: str, origin: str, key: KeyPair) -> None:
    """Register the app unless the chain already holds exactly this registration (proven)."""
    from tonomy_identity.layout import app_key

    record = client.record("identity", app_key(account))
    if record is not None and record["origin"] == origin and record["request_key"] == key.public_key:
        return
    from tonomy.sdk.apps import register_app

    creator_seed = read_key_file(devnet / "keys" / f"{creator}.key").seed
    register_app(
        client,
        creator=creator,
        creator_seed=creator_seed,
        account=account,
        name="Example shop",
        origin=origin,
        redirect_uris=[origin + "/login/done"],
        key=key,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m shop_app", description=__doc__)
    parser.add_argument("--node", default="http://127.0.0.1:8640", help="the node's API URL")
    parser.add_argument("--devnet", type=Path, default=Path(".tonomy/devnet"), help="the devnet folder (genesis, keys)")
    parser.add_argument("--creator", default="alice", help="the demo account that pays for the app account")
    parser.add_argument("--account", default="shop", help="the app's account name")
    parser.add_argument("--port", type=int, default=8650)
    parser.add_argument("--data", type=Path, default=Path(".tonomy/shop"), help="where the app keeps its key")
    args = parser.parse_args(argv)

    origin = f"http://localhost:{args.port}"
    chain_id = Genesis.load(args.devnet / "genesis.json").chain_id
    key, _ = _app_key(args.data, args.account)
    with Client.connect(args.node, chain_id=chain_id) as client:
        _ensure_registered(client, args.devnet, args.creator, args.account, origin, key)
    config = ShopConfig(node_url=args.node, chain_id=chain_id, account=args.account, origin=origin, seed=key.seed)
    print(f"shop: {origin} (app {args.account!r} on chain {chain_id.hex()[:16]}…)", flush=True)
    uvicorn.run(create_app(config), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
