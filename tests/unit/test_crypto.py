from music_time_machine.crypto import TokenCipher


def test_tokens_round_trip_and_are_not_stored_in_clear():
    cipher = TokenCipher("secret-one")
    blob = cipher.encrypt("BQD-access-token")
    assert b"BQD-access-token" not in blob
    assert cipher.decrypt(blob) == "BQD-access-token"


def test_a_different_secret_cannot_read_tokens():
    blob = TokenCipher("secret-one").encrypt("token")
    assert TokenCipher("secret-two").decrypt(blob) is None
    assert TokenCipher("secret-one").decrypt(b"garbage") is None
