"""A node's settings: one pydantic-settings object, read from the environment (``ORIGO_*``) and a TOML file.

``origo node init`` writes ``<data_dir>/node.toml``; the environment overrides it. Nothing here has a default
secret: the keystore passphrase comes from ``ORIGO_PASSPHRASE`` or a file named by ``ORIGO_PASSPHRASE_FILE``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from origo_node.services.risk.settings import RiskSettings

CONFIG_FILE = "node.toml"

Consensus = Literal["anvil", "clique", "qbft"]

#: Confirmations when none are set, from how deep the consensus can reorganise. anvil alone never does.
#: On Clique, sealers out of turn fork the chain: 31 one-block reorganisations in 446 blocks on five
#: sealers, none deeper, so one block more than that. QBFT (IBFT 2.0) blocks are final once sealed.
DEFAULT_CONFIRMATIONS: dict[str, int] = {"anvil": 0, "clique": 2, "qbft": 0}


class NodeSettings(BaseSettings):
    """Everything a member's node needs to run."""

    model_config = SettingsConfigDict(env_prefix="ORIGO_", extra="forbid", env_nested_delimiter="__")

    member: str = Field(description="The member this node acts for: ISO 3166-1 alpha-2, e.g. 'VN'.")
    data_dir: Path = Field(description="Where the node keeps its database, blocks and keystores.")

    chain_rpc: str = Field(description="JSON-RPC URL of the consortium chain.")
    chain_id: int | None = Field(default=None, description="Expected chain id; checked at start when set.")
    membership_address: str
    registry_address: str
    deployment_block: int = 0
    consensus: Consensus = Field(
        default="anvil",
        description=(
            "The chain's consensus: 'anvil' (one local process, the development default), 'clique' "
            "(geth proof-of-authority sealers; blocks can be replaced one deep) or 'qbft' (Besu; blocks "
            "are final). "
            "It sets the default of confirmations."
        ),
    )
    confirmations: int = Field(
        default=0,
        ge=0,
        description=(
            "Blocks on top of a block before the node counts what it holds (an anchored batch, an indexed "
            "event) as settled. Default from consensus: 0 on anvil and QBFT, 2 on Clique."
        ),
    )
    chain_timeout_s: float = Field(
        default=10.0, gt=0, le=300, description="How long one JSON-RPC request to the chain node may take."
    )
    logs_block_range: int = Field(
        default=2_000,
        ge=1,
        le=1_000_000,
        description="Blocks per eth_getLogs request: the node splits a wider range (nodes cap or time out).",
    )

    store_backend: Literal["sqlite", "postgres"] = Field(
        default="sqlite",
        description="Where the node keeps its store: an SQLite file in data_dir, or PostgreSQL at store_dsn.",
    )
    store_dsn: SecretStr | None = Field(
        default=None,
        description="PostgreSQL connection string (ORIGO_STORE_DSN) when store_backend is postgres.",
    )

    passphrase: SecretStr | None = None
    passphrase_file: Path | None = None

    workers: int = Field(
        default=1, ge=1, le=32, description="API processes; one of them also runs the batcher and indexer."
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8701, ge=0, le=65535)
    public_url: str | None = Field(default=None, description="The URL peers and QR codes use for this node.")

    payload_check_workers: int | None = Field(
        default=None,
        ge=0,
        le=64,
        description="Processes that open and check the payloads this member reads (decryption, digest,"
        " signature, facts), each holding its decryption keys in memory; 0: the reader's own thread."
        " Default: one per core (none on a single core).",
    )
    manifest_check_workers: int | None = Field(
        default=None,
        ge=0,
        le=64,
        description="Processes that check other members' batch manifests while this node catches up with the"
        " chain (the index's rows are still written by the background process, in order); 0: the indexer's"
        " own thread. Default: one per core, up to four (none on a single core).",
    )

    batch_interval_s: float = Field(default=2.0, gt=0)
    batch_max_documents: int = Field(default=4096, ge=1, le=65536)
    index_poll_s: float = Field(default=0.25, gt=0)
    tx_timeout_s: float = Field(
        default=60.0,
        gt=0,
        description="How long a proposal or vote waits for its transaction.",
    )
    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    max_document_bytes: int = Field(default=256 * 1024, ge=1024)
    bulk_max_documents: int = Field(default=1000, ge=1)
    header_timeout_s: float = Field(
        default=10.0, gt=0, le=300, description="A request's line and headers must arrive within this."
    )
    body_timeout_s: float = Field(
        default=30.0,
        gt=0,
        le=600,
        description="A request's body must arrive within this after its headers.",
    )

    payload_backend: Literal["local", "kubo"] = "local"
    kubo_api: str | None = Field(default=None, description="kubo RPC address, e.g. /ip4/127.0.0.1/tcp/5001")
    peers: list[str] = Field(
        default_factory=list, description="Extra peer gateways besides members' endpoints."
    )

    risk: RiskSettings = Field(
        default_factory=RiskSettings,
        description="The importing officer's risk signals: each rule on or off with its weight, and"
        " thresholds ([risk.rules.NAME], [risk.thresholds]; ORIGO_RISK__RULES__NAME__WEIGHT=...).",
    )

    @field_validator("member")
    @classmethod
    def _member_code(cls, value: str) -> str:
        if len(value) != 2 or not value.isalpha() or not value.isupper():
            raise ValueError("must be an ISO 3166-1 alpha-2 code in capitals, e.g. 'VN'")
        return value

    @model_validator(mode="after")
    def _confirmations_from_consensus(self) -> NodeSettings:
        if "confirmations" not in self.model_fields_set:
            self.confirmations = DEFAULT_CONFIRMATIONS[self.consensus]
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        config = settings_cls.model_config.get("toml_file") or _config_file()
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if config is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(str(config))))
        return tuple(sources)

    def read_passphrase(self) -> str:
        """The keystores' passphrase, from the settings or the file they name."""
        if self.passphrase is not None:
            return self.passphrase.get_secret_value()
        if self.passphrase_file is not None:
            return self.passphrase_file.read_text(encoding="utf-8").strip()
        raise ValueError("no passphrase: set ORIGO_PASSPHRASE or ORIGO_PASSPHRASE_FILE")

    @property
    def database_path(self) -> Path:
        return self.data_dir / "node.db"

    @property
    def signing_keystore(self) -> Path:
        return self.data_dir / "keys" / "issuer.json"

    @property
    def admin_keystore(self) -> Path:
        return self.data_dir / "keys" / "admin.json"

    @property
    def encryption_keystore(self) -> Path:
        return self.data_dir / "keys" / "encryption.json"


def _config_file() -> Path | None:
    """The TOML file: ``ORIGO_CONFIG`` if set, else ``<ORIGO_DATA_DIR>/node.toml`` when it exists."""
    named = os.environ.get("ORIGO_CONFIG")
    if named:
        return Path(named)
    data_dir = os.environ.get("ORIGO_DATA_DIR")
    if data_dir and (Path(data_dir) / CONFIG_FILE).exists():
        return Path(data_dir) / CONFIG_FILE
    return None


def load_settings(config_file: Path | None = None, **overrides: Any) -> NodeSettings:
    """Settings from ``config_file`` (or the environment's), the environment, then ``overrides``."""
    if config_file is None:
        return NodeSettings(**overrides)
    config = SettingsConfigDict(**{**NodeSettings.model_config, "toml_file": config_file})
    bound = type("FileNodeSettings", (NodeSettings,), {"model_config": config})
    settings: NodeSettings = bound(**overrides)
    return settings
