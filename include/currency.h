/*
 * Currencies: the ISO 4217 list (codes and minor units), the symbols people
 * write around amounts, and which client currency a marker found in an input
 * is compatible with. DESIGN.md: every client has one currency and amounts of
 * another are refused, never converted; this module is what tells "$120.00"
 * from "120.00 EUR". Pure: tables and string scanning only.
 */
#ifndef ROIWATCH_CURRENCY_H
#define ROIWATCH_CURRENCY_H
#include <stddef.h>

/* Bytes of a marker copied out, NUL included ("руб." is 7). */
#define CURRENCY_MARKER_MAX	8

/*
 * What an ISO 4217 code stands for. Only CURRENCY_MONEY can be a client's
 * currency: fund codes (CLF, USN...), precious metals (XAU...) and special
 * units (XDR, XTS, XXX...) are codes of List One, but nobody buys ads in them.
 * Real currencies whose code starts with X (XAF, XOF, XPF, XCD, XCG) are MONEY.
 */
enum currency_kind {
	CURRENCY_MONEY,
	CURRENCY_FUND,
	CURRENCY_METAL,
	CURRENCY_UNIT
};

struct currency {
	const char		*code;		/* "EUR" */
	int			 minor_units;	/* 2; -1 where ISO says N.A. */
	const char		*symbol;	/* UTF-8, NULL if none usual */
	enum currency_kind	 kind;
	int			 display;	/* symbol read alike everywhere */
};

/*
 * The ISO 4217 entry of an active code ("EUR"), NULL when unknown. Codes are
 * upper case only: "eur" is not looked up as EUR.
 */
const struct currency *currency_lookup(const char *code);

/*
 * Whether a currency marker found in an input (an upper-case ISO code such as
 * "USD", or a symbol such as "$", "US$", "£", "€", "¥", "kr", "zł") is
 * compatible with the client's currency `code`: 1 yes, 0 no. A symbol shared by
 * several currencies ("$": USD, CAD, AUD, MXN...; "¥": JPY, CNY; "kr": SEK,
 * NOK, DKK, ISK) is compatible with each of them and with none other. An
 * unknown marker is compatible with nothing.
 */
int	currency_marker_matches(const char *code, const char *marker);
/* Whether two markers can name one currency ("€" and "EUR", "$" and "USD"):
 * 1 yes, 0 no ("$" and "EUR"; an unknown marker agrees only with itself). */
int	currency_markers_agree(const char *a, const char *b);

/*
 * A currency marker at the start (end) of s, len bytes: a symbol of the table or
 * an upper-case ISO 4217 code of List One ("NA", "ABC", "usd" are not markers),
 * not followed (preceded) by a letter. Blanks before and after the marker
 * (space, tab, U+00A0, U+202F) are counted in the length returned, so that
 * s + n (or len - n) is where the number begins (ends): 4 for "EUR 5" and for
 * "5 EUR", 1 for "$5". A sign is not skipped: "-$5" has no marker at its start.
 * Writes the marker, NUL-terminated, into out (CURRENCY_MARKER_MAX bytes).
 * Returns 0 when there is none, and then out is "".
 */
size_t	currency_marker_start(const char *s, size_t len, char *out);
size_t	currency_marker_end(const char *s, size_t len, char *out);

/*
 * The currency a column header names: "Amount spent (USD)", "Cost (€)",
 * "Revenue [EUR]", "Spend, GBP", "Kosten in EUR", "USD amount". Only a marker
 * that fills a pair of brackets, or is a separate first or last word (of the
 * header or of a bracket's content), counts; ISO codes other than currencies
 * (funds, metals, XXX...) are ignored here. Writes the marker into out and
 * returns 1, or returns 0 (out "") when the header names none.
 */
int	currency_from_header(const char *h, size_t len, char *out);

#endif
