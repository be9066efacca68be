"""SASL DIGEST-MD5 of the session client (module_utils/session.py): the challenge read and the answer computed.
The worked example of RFC 2831 section 4 (user chris, password secret) fixes the arithmetic; the login itself is
tested against real servers enforcing client SASL in tests/integration/test_session.py."""
import pytest

from ansible_collections.zkforge.zookeeper.plugins.module_utils.session import (
    SessionError,
    digest_md5,
    parse_directives,
)

RFC_CHALLENGE = b'realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",algorithm=md5-sess,charset=utf-8'


def test_the_rfc_example_gives_the_rfc_response_and_rspauth():
    response, rspauth = digest_md5(RFC_CHALLENGE, "chris", "secret", cnonce="OA6MHXh6VqTrRk",
                                   digest_uri="imap/elwood.innosoft.com")
    fields = parse_directives(response)
    assert fields["response"] == "d388dad90d4bbd760a152321f2143af7"
    assert rspauth == "ea40f60335c427b5527b84dbabcdfffd"
    assert fields["username"] == "chris" and fields["nc"] == "00000001" and fields["qop"] == "auth"


def test_zookeeper_digest_uri_and_a_fresh_cnonce_each_time():
    first, dummy = digest_md5(RFC_CHALLENGE, "super", "pw")
    second, dummy = digest_md5(RFC_CHALLENGE, "super", "pw")
    assert parse_directives(first)["digest-uri"] == "zookeeper/zk-sasl-md5"
    assert parse_directives(first)["cnonce"] != parse_directives(second)["cnonce"]


def test_quoted_values_keep_commas_and_escapes_and_user_names_are_quoted_back():
    fields = parse_directives(b'nonce="a,b\\"c", qop=auth , realm="zk-sasl-md5"')
    assert fields == {"nonce": 'a,b"c', "qop": "auth", "realm": "zk-sasl-md5"}
    response, dummy = digest_md5(b'nonce="n",realm="r"', 'we"ird', "pw")
    assert parse_directives(response)["username"] == 'we"ird'


@pytest.mark.parametrize("challenge", [b"", b'realm="r"', b'nonce="n",qop="auth-conf"'])
def test_what_is_not_a_usable_challenge_is_refused(challenge):
    with pytest.raises(SessionError):
        digest_md5(challenge, "super", "pw")
