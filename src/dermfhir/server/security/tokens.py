"""Bearer tokens: opaque tokens listed in a tokens file, or JWTs verified against a local JWKS file (no network).

Tokens file (JSON or YAML)::

    tokens:
      - token: 3f9c…            # the bearer token
        subject: annotator-1
        scope: user/Observation.cruds user/Patient.rs
      - token: 7a1b…
        subject: patient-app
        scope: patient/*.rs
        patient: p1

JWTs: RS256 or ES256, signed by a key of the JWKS file (chosen by `kid`, or the only key); `exp` is required;
`aud` and `iss` are checked when configured; scopes come from `scope` (space-separated) or `scp` (a list), the
patient in context from `patient`, the subject from `sub`.
Not supported: fetching JWKS over the network, token introspection, HS* (shared-secret) JWTs, `none`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import jwt
import yaml

from dermfhir.server.errors import Unauthorized
from dermfhir.server.security.scopes import Principal, parse_scopes

ALGORITHMS = ["RS256", "ES256"]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Authenticator:
    """Turns an `Authorization` header into a Principal, or raises Unauthorized."""

    def __init__(
        self,
        tokens_file: Path | None = None,
        jwks_file: Path | None = None,
        *,
        audience: str | None = None,
        issuer: str | None = None,
    ) -> None:
        if tokens_file is None and jwks_file is None:
            raise ValueError("Token authentication needs a tokens file or a JWKS file")
        self._tokens = _read_tokens(tokens_file) if tokens_file is not None else {}
        self._keys = jwt.PyJWKSet.from_dict(_read_json(jwks_file)) if jwks_file is not None else None
        self.audience = audience
        self.issuer = issuer

    def authenticate(self, authorization: str | None) -> Principal:
        if not authorization:
            raise Unauthorized("Authentication required: send Authorization: Bearer <token>")
        kind, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if kind.lower() != "bearer" or not token:
            raise Unauthorized("Only Bearer tokens are accepted")
        found = self._tokens.get(_digest(token))
        if found is not None:
            return found
        if self._keys is not None and token.count(".") == 2:
            return self._verify_jwt(token)
        raise Unauthorized("The token is not valid")

    def _verify_jwt(self, token: str) -> Principal:
        assert self._keys is not None
        try:
            header = jwt.get_unverified_header(token)
            kid = header.get("kid")
            keys = [key for key in self._keys.keys if kid is None or key.key_id == kid]
            if len(keys) != 1:
                raise Unauthorized("The token's signing key is not known")
            key = keys[0]
            if key.algorithm_name not in ALGORITHMS or header.get("alg") != key.algorithm_name:
                raise Unauthorized("The token's algorithm does not match its key (RS256 and ES256 only)")
            options: Any = {"require": ["exp"], "verify_aud": self.audience is not None}
            claims = jwt.decode(
                token,
                key.key,
                algorithms=[key.algorithm_name],
                audience=self.audience,
                issuer=self.issuer,
                options=options,
                leeway=30,
            )
        except (jwt.PyJWTError, TypeError, ValueError):
            raise Unauthorized("The token is not valid") from None
        scope = claims.get("scope", claims.get("scp", ""))
        if not isinstance(scope, str | list):
            raise Unauthorized("The token's scope claim is malformed")
        patient = claims.get("patient")
        return Principal(str(claims.get("sub", "jwt")), parse_scopes(scope), str(patient) if patient else None)


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise ValueError(f"Cannot read the JWKS file {path}: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise ValueError(f"{path} is not a JWKS (an object with 'keys')")
    return data


def _read_tokens(path: Path) -> dict[str, Principal]:
    try:
        data = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError) as error:
        raise ValueError(f"Cannot read the tokens file {path}: {error}") from None
    entries = data.get("tokens") if isinstance(data, dict) else data
    if isinstance(entries, dict):
        entries = [{"token": token, **(value or {})} for token, value in entries.items()]
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a list of tokens under 'tokens'")
    found: dict[str, Principal] = {}
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not entry.get("token"):
            raise ValueError(f"{path}: token {number} has no 'token'")
        token = str(entry["token"])
        if len(token) < 16:
            raise ValueError(f"{path}: token {number} is shorter than 16 characters")
        patient = entry.get("patient")
        found[_digest(token)] = Principal(
            str(entry.get("subject", f"token-{number}")),
            parse_scopes(entry.get("scope", "")),
            str(patient) if patient else None,
        )
    return found
