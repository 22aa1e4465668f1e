/*
 * SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), written out so that signing
 * outgoing webhooks and checking signed ingest requests need no crypto library.
 * Pure functions; hmac_equal compares in constant time.
 */
#ifndef ROIWATCH_HMAC_H
#define ROIWATCH_HMAC_H
#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN	32
#define SHA256_BLOCK_LEN	64
#define SHA256_HEX_LEN		(2 * SHA256_DIGEST_LEN + 1)	/* with NUL */

struct sha256_ctx {
	uint32_t	state[8];
	uint64_t	bytes;			/* total length hashed */
	uint8_t		buf[SHA256_BLOCK_LEN];
	size_t		buflen;
};

void	sha256_init(struct sha256_ctx *);
void	sha256_update(struct sha256_ctx *, const void *, size_t);
void	sha256_final(struct sha256_ctx *, uint8_t out[SHA256_DIGEST_LEN]);
void	sha256(const void *, size_t, uint8_t out[SHA256_DIGEST_LEN]);

/* Streaming HMAC-SHA256; final wipes the context (it holds key material). */
struct hmac_sha256_ctx {
	struct sha256_ctx	inner;
	uint8_t			opad[SHA256_BLOCK_LEN];
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
