"""Builds JWTs on the test side with the `cryptography` package, including deliberately broken
ones, so the server's checks can be attacked from outside."""

import base64
import hashlib
import hmac
import json
import os
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature


def b64url(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def load_private_key(path):
    """An sfapi_client key file: the client id line, then the PEM."""
    with open(path) as f:
        text = f.read()
    client_id, pem = text.split("\n", 1)
    return client_id, serialization.load_pem_private_key(pem.encode(), None)


def sign(key, alg, signing_input):
    if alg == "RS256":
        return key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    if alg == "ES256":
        r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    raise ValueError(alg)


def make_jwt(claims, key=None, alg="RS256", header=None, hmac_secret=None):
    head = {"alg": alg}
    head.update(header or {})
    signing_input = f"{b64url(json.dumps(head))}.{b64url(json.dumps(claims))}".encode()
    if alg == "none":
        sig = b""
    elif alg == "HS256":
        sig = hmac.new(hmac_secret, signing_input, hashlib.sha256).digest()
    else:
        sig = sign(key, alg, signing_input)
    return signing_input.decode() + "." + b64url(sig)


def minimal_claims(client_id, token_url, exp_in=86400):
    """What NERSC's get_sfapi_token.sh sends: iss, sub, aud, exp only."""
    return {"iss": client_id, "sub": client_id, "aud": token_url, "exp": int(time.time()) + exp_in}


def authlib_claims(client_id, token_url):
    now = int(time.time())
    return {"iss": client_id, "sub": client_id, "aud": token_url, "iat": now, "exp": now + 3600,
            "jti": b64url(os.urandom(27))}


def public_pem(key):
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def new_rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def new_ec_key():
    return ec.generate_private_key(ec.SECP256R1())
