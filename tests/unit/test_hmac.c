/*
 * SHA-256 against FIPS 180-4 examples and HMAC-SHA256 against RFC 4231.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "hmac.h"

static void
check_sha(const char *msg, size_t len, const char *want)
{
	uint8_t	d[SHA256_DIGEST_LEN];
	char	hex[SHA256_HEX_LEN];

	sha256(msg, len, d);
	assert_string_equal(hmac_hex(d, hex), want);
}

static void
test_sha256_vectors(void **state)
{
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	(void)state;
	check_sha("abc", 3,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check_sha("", 0,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_sha(two, strlen(two),
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* FIPS 180-2's long message: one million 'a'. */
static void
test_sha256_million(void **state)
{
	char	*msg;

	(void)state;
	msg = malloc(1000000);
	assert_non_null(msg);
	memset(msg, 'a', 1000000);
	check_sha(msg, 1000000,
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(msg);
}

static void
check_hmac(const void *key, size_t keylen, const char *msg, const char *want)
{
	uint8_t	d[SHA256_DIGEST_LEN];
	char	hex[SHA256_HEX_LEN];

	hmac_sha256(key, keylen, msg, strlen(msg), d);
	assert_string_equal(hmac_hex(d, hex), want);
}

static void
test_rfc4231(void **state)
{
	uint8_t	k1[20], k6[131];

	(void)state;
	memset(k1, 0x0b, sizeof k1);
	memset(k6, 0xaa, sizeof k6);
	/* Test case 1 */
	check_hmac(k1, sizeof k1, "Hi There",
	    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	/* Test case 2 */
	check_hmac("Jefe", 4, "what do ya want for nothing?",
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	/* Test case 6: key longer than a block */
	check_hmac(k6, sizeof k6,
	    "Test Using Larger Than Block-Size Key - Hash Key First",
	    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
	/* An empty key is a key of zero bytes, not "no key". */
	check_hmac("", 0, "",
	    "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
	/* Test case 7: key and data longer than a block */
	check_hmac(k6, sizeof k6,
	    "This is a test using a larger than block-size key and a larger "
	    "than block-size data. The key needs to be hashed before being "
	    "used by the HMAC algorithm.",
	    "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

static void
test_hmac_equal(void **state)
{
	uint8_t	a[SHA256_DIGEST_LEN], b[SHA256_DIGEST_LEN];

	(void)state;
	hmac_sha256("k", 1, "m", 1, a);
	memcpy(b, a, sizeof b);
	assert_int_equal(hmac_equal(a, b, sizeof a), 1);
	b[SHA256_DIGEST_LEN - 1] ^= 1;
	assert_int_equal(hmac_equal(a, b, sizeof a), 0);
	b[SHA256_DIGEST_LEN - 1] ^= 1;
	b[0] ^= 0x80;
	assert_int_equal(hmac_equal(a, b, sizeof a), 0);
	assert_int_equal(hmac_equal("", "", 0), 1);
}

/* The streaming HMAC equals the one-shot one however the message is split,
 * with short and long (pre-hashed) keys. */
static void
test_hmac_streaming(void **state)
{
	static const char msg[] = "1764028800.{\"metrics\":[{\"client\":\"acme\"}]}";
	char longkey[200];
	const char *keys[2] = { "short-key-0123456789", longkey };
	uint8_t one[SHA256_DIGEST_LEN], two[SHA256_DIGEST_LEN];
	struct hmac_sha256_ctx h;
	size_t k, cut, len = sizeof msg - 1;

	(void)state;
	memset(longkey, 'k', sizeof longkey - 1);
	longkey[sizeof longkey - 1] = '\0';
	for (k = 0; k < 2; k++) {
		hmac_sha256(keys[k], strlen(keys[k]), msg, len, one);
		for (cut = 0; cut <= len; cut++) {
			hmac_sha256_init(&h, keys[k], strlen(keys[k]));
			hmac_sha256_update(&h, msg, cut);
			hmac_sha256_update(&h, msg + cut, len - cut);
			hmac_sha256_final(&h, two);
			assert_memory_equal(one, two, sizeof one);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_sha256_million),
		cmocka_unit_test(test_rfc4231),
		cmocka_unit_test(test_hmac_equal),
		cmocka_unit_test(test_hmac_streaming),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
