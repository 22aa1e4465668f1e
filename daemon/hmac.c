/*
 * SHA-256 and HMAC-SHA256 through libcrypto's EVP interfaces (OpenSSL 3).
 * The algorithms are fetched once and kept for the life of the process:
 * fetching by name takes a lock and a table lookup that a request need not
 * pay each time.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "hmac.h"
#include "log.h"

static pthread_once_t	 hmac_once = PTHREAD_ONCE_INIT;
static EVP_MD		*hmac_md;	/* SHA-256 */
static EVP_MAC		*hmac_mac;	/* HMAC */

static _Noreturn void
hmac_fatal(const char *what)
{
	char	buf[256];

	ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
	fatalx("libcrypto: %s: %s", what, buf);
}

static void
hmac_fetch(void)
{
	if ((hmac_md = EVP_MD_fetch(NULL, OSSL_DIGEST_NAME_SHA2_256,
	    NULL)) == NULL)
		hmac_fatal("no SHA-256");
	if ((hmac_mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL)) == NULL)
		hmac_fatal("no HMAC");
}

void
sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_LEN])
{
	pthread_once(&hmac_once, hmac_fetch);
	if (!EVP_Digest(data, len, out, NULL, hmac_md, NULL))
		hmac_fatal("SHA-256");
}

void
hmac_sha256_init(struct hmac_sha256_ctx *h, const void *key, size_t keylen)
{
	OSSL_PARAM	params[2];

	pthread_once(&hmac_once, hmac_fetch);
	if ((h->mac = EVP_MAC_CTX_new(hmac_mac)) == NULL)
		hmac_fatal("HMAC context");
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)OSSL_DIGEST_NAME_SHA2_256, 0);
	params[1] = OSSL_PARAM_construct_end();
	/* A NULL key would mean "keep the previous one": pass "" for none. */
	if (!EVP_MAC_init(h->mac, key != NULL ? key : "", keylen, params))
		hmac_fatal("HMAC key");
}

void
hmac_sha256_update(struct hmac_sha256_ctx *h, const void *msg, size_t len)
{
	if (!EVP_MAC_update(h->mac, msg, len))
		hmac_fatal("HMAC update");
}

void
hmac_sha256_final(struct hmac_sha256_ctx *h, uint8_t out[SHA256_DIGEST_LEN])
{
	size_t	outlen;

	if (!EVP_MAC_final(h->mac, out, &outlen, SHA256_DIGEST_LEN) ||
	    outlen != SHA256_DIGEST_LEN)
		hmac_fatal("HMAC final");
	EVP_MAC_CTX_free(h->mac);
	h->mac = NULL;
}

void
hmac_sha256(const void *key, size_t keylen, const void *msg, size_t msglen,
    uint8_t out[SHA256_DIGEST_LEN])
{
	struct hmac_sha256_ctx h;

	hmac_sha256_init(&h, key, keylen);
	hmac_sha256_update(&h, msg, msglen);
	hmac_sha256_final(&h, out);
}

char *
hmac_hex(const uint8_t digest[SHA256_DIGEST_LEN], char *out)
{
	static const char	hex[] = "0123456789abcdef";
	int			i;

	for (i = 0; i < SHA256_DIGEST_LEN; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 0xf];
	}
	out[2 * SHA256_DIGEST_LEN] = '\0';
	return (out);
}

int
hmac_equal(const void *a, const void *b, size_t len)
{
	return (CRYPTO_memcmp(a, b, len) == 0);
}
