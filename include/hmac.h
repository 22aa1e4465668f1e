/*
 * SHA-256 and HMAC-SHA256 from OpenSSL's libcrypto, for signing outgoing
 * webhooks, checking signed ingest requests and hashing bearer tokens.
 * hmac_equal is the one constant-time comparison of digests and secrets.
 * A libcrypto failure (out of memory, no SHA-256 provider) is fatal, as an
 * allocation failure is for xmalloc.
 */
#ifndef ROIWATCH_HMAC_H
#define ROIWATCH_HMAC_H
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#define SHA256_DIGEST_LEN	32
#define SHA256_HEX_LEN		(2 * SHA256_DIGEST_LEN + 1)	/* with NUL */

void	sha256(const void *, size_t, uint8_t out[SHA256_DIGEST_LEN]);

/*
 * Streaming HMAC-SHA256, so that a signature over "timestamp.body" needs no
 * copy of the body. init allocates libcrypto's context and final frees it
 * (cleansing the key), so every init must be followed by final.
 */
struct hmac_sha256_ctx {
	EVP_MAC_CTX	*mac;
};
void	hmac_sha256_init(struct hmac_sha256_ctx *, const void *key,
	    size_t keylen);
void	hmac_sha256_update(struct hmac_sha256_ctx *, const void *, size_t);
void	hmac_sha256_final(struct hmac_sha256_ctx *,
	    uint8_t out[SHA256_DIGEST_LEN]);

void	hmac_sha256(const void *key, size_t keylen, const void *msg,
	    size_t msglen, uint8_t out[SHA256_DIGEST_LEN]);
/* Lower-case hex of a digest into out (SHA256_HEX_LEN bytes); returns out. */
char   *hmac_hex(const uint8_t digest[SHA256_DIGEST_LEN], char *out);
/* 1 when the len bytes of a and b are equal; time independent of contents. */
int	hmac_equal(const void *a, const void *b, size_t len);

#endif
