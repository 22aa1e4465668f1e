/*
 * SHA-256 and HMAC-SHA256, following FIPS 180-4 and RFC 2104 directly. Used to
 * sign outgoing webhooks and to verify signed ingest requests.
 */
#include <stdint.h>
#include <string.h>

#include "hmac.h"

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

#define ROTR(x, n)	(((x) >> (n)) | ((x) << (32 - (n))))

/* Process one 64-byte block. */
static void
sha256_block(struct sha256_ctx *ctx, const uint8_t *p)
{
	uint32_t	w[64], a, b, c, d, e, f, g, h, t1, t2;
	int		i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		uint32_t s0 = ROTR(w[i - 15], 7) ^ ROTR(w[i - 15], 18) ^
		    (w[i - 15] >> 3);
		uint32_t s1 = ROTR(w[i - 2], 17) ^ ROTR(w[i - 2], 19) ^
		    (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = ctx->state[0]; b = ctx->state[1]; c = ctx->state[2];
	d = ctx->state[3]; e = ctx->state[4]; f = ctx->state[5];
	g = ctx->state[6]; h = ctx->state[7];
	for (i = 0; i < 64; i++) {
		t1 = h + (ROTR(e, 6) ^ ROTR(e, 11) ^ ROTR(e, 25)) +
		    ((e & f) ^ (~e & g)) + sha256_k[i] + w[i];
		t2 = (ROTR(a, 2) ^ ROTR(a, 13) ^ ROTR(a, 22)) +
		    ((a & b) ^ (a & c) ^ (b & c));
		h = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	ctx->state[0] += a; ctx->state[1] += b; ctx->state[2] += c;
	ctx->state[3] += d; ctx->state[4] += e; ctx->state[5] += f;
	ctx->state[6] += g; ctx->state[7] += h;
}

void
sha256_init(struct sha256_ctx *ctx)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
	};

	memcpy(ctx->state, iv, sizeof iv);
	ctx->bytes = 0;
	ctx->buflen = 0;
}

void
sha256_update(struct sha256_ctx *ctx, const void *data, size_t len)
{
	const uint8_t	*p = data;
	size_t		 n;

	ctx->bytes += len;
	if (ctx->buflen > 0) {
		n = SHA256_BLOCK_LEN - ctx->buflen;
		if (n > len)
			n = len;
		memcpy(ctx->buf + ctx->buflen, p, n);
		ctx->buflen += n;
		p += n;
		len -= n;
		if (ctx->buflen < SHA256_BLOCK_LEN)
			return;
		sha256_block(ctx, ctx->buf);
		ctx->buflen = 0;
	}
	while (len >= SHA256_BLOCK_LEN) {
		sha256_block(ctx, p);
		p += SHA256_BLOCK_LEN;
		len -= SHA256_BLOCK_LEN;
	}
	if (len > 0) {
		memcpy(ctx->buf, p, len);
		ctx->buflen = len;
	}
}

void
sha256_final(struct sha256_ctx *ctx, uint8_t out[SHA256_DIGEST_LEN])
{
	uint64_t	bits = ctx->bytes * 8;
	int		i;

	ctx->buf[ctx->buflen++] = 0x80;
	if (ctx->buflen > SHA256_BLOCK_LEN - 8) {
		memset(ctx->buf + ctx->buflen, 0, SHA256_BLOCK_LEN - ctx->buflen);
		sha256_block(ctx, ctx->buf);
		ctx->buflen = 0;
	}
	memset(ctx->buf + ctx->buflen, 0, SHA256_BLOCK_LEN - 8 - ctx->buflen);
	for (i = 0; i < 8; i++)
		ctx->buf[SHA256_BLOCK_LEN - 1 - i] = (uint8_t)(bits >> (8 * i));
	sha256_block(ctx, ctx->buf);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(ctx->state[i] >> 24);
		out[4 * i + 1] = (uint8_t)(ctx->state[i] >> 16);
		out[4 * i + 2] = (uint8_t)(ctx->state[i] >> 8);
		out[4 * i + 3] = (uint8_t)ctx->state[i];
	}
	memset(ctx, 0, sizeof *ctx);
}

void
sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_LEN])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, data, len);
	sha256_final(&ctx, out);
}

/*
 * RFC 2104: H((K ^ opad) || H((K ^ ipad) || m)), long keys hashed first.
 * Streaming, so that a signature over "timestamp.body" needs no copy.
 */
void
hmac_sha256_init(struct hmac_sha256_ctx *h, const void *key, size_t keylen)
{
	uint8_t	k[SHA256_BLOCK_LEN], pad[SHA256_BLOCK_LEN];
	size_t	i;

	memset(k, 0, sizeof k);
	if (keylen > SHA256_BLOCK_LEN)
		sha256(key, keylen, k);
	else if (keylen > 0)
		memcpy(k, key, keylen);
	for (i = 0; i < sizeof pad; i++) {
		pad[i] = k[i] ^ 0x36;
		h->opad[i] = k[i] ^ 0x5c;
	}
	sha256_init(&h->inner);
	sha256_update(&h->inner, pad, sizeof pad);
	memset(k, 0, sizeof k);
	memset(pad, 0, sizeof pad);
}

void
hmac_sha256_update(struct hmac_sha256_ctx *h, const void *msg, size_t len)
{
	sha256_update(&h->inner, msg, len);
}

void
hmac_sha256_final(struct hmac_sha256_ctx *h, uint8_t out[SHA256_DIGEST_LEN])
{
	struct sha256_ctx	outer;
	uint8_t			inner[SHA256_DIGEST_LEN];

	sha256_final(&h->inner, inner);
	sha256_init(&outer);
	sha256_update(&outer, h->opad, sizeof h->opad);
	sha256_update(&outer, inner, sizeof inner);
	sha256_final(&outer, out);
	memset(h, 0, sizeof *h);
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
	const volatile uint8_t	*pa = a, *pb = b;
	uint8_t			 diff = 0;
	size_t			 i;

	for (i = 0; i < len; i++)
		diff |= pa[i] ^ pb[i];
	return (diff == 0);
}
