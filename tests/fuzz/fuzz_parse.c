/*
 * libFuzzer target for the input parsers: every byte string must parse or be
 * refused without a crash, a leak or undefined behaviour, under each format
 * and a few option sets (decimal comma, declared date format, encodings,
 * custom KPIs). The first input byte picks the options. Built and run by
 * scripts/fuzz.sh; not part of the normal build.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "parse.h"

static int
fuzz_row(void *arg, const struct metric_row *r, long row)
{
	(void)arg;
	(void)row;
	/* Touch every field so that the sanitizers see uninitialised data. */
	return (r->client[0] == '\x7f' && r->cost == 42 && r->ncustom > 99) ?
	    -1 : 0;
}

static int
fuzz_error(void *arg, const struct parse_error *e)
{
	(void)arg;
	return strlen(e->reason) > 10000 ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct parse_custom_map custom[] = {
		{ "Reach", "reach" }, { "CSAT", "csat" } };
	static const struct parse_column_map cols[] = {
		{ "Spend", MF_COST }, { "Value", MF_REVENUE }, { "Value 2", MF_REVENUE } };
	struct parse_options po;
	struct parse_sink sink = { fuzz_row, fuzz_error, NULL };
	uint8_t sel;

	if (size == 0)
		return 0;
	sel = data[0];
	memset(&po, 0, sizeof po);
	po.format = sel % PARSE_FORMAT_MAX;
	if (sel & 0x04) {
		po.decimal = ',';
		po.thousands = '.';
		po.delimiter = ';';
	}
	if (sel & 0x08)
		po.date_format = (sel & 0x40) ? "%d.%m.%Y %H:%M" : "%d/%m/%Y";
	if (sel & 0x10)
		po.encoding = (sel & 0x40) ? "windows-1252" : "iso-8859-1";
	if (sel & 0x20) {
		po.custom_kpis = custom;
		po.ncustom_kpis = 2;
		po.keep_unknown_numeric = 1;
		po.columns = cols;
		po.ncolumns = 3;
	}
	if (sel & 0x80) {
		po.preset = (sel & 0x40) ? "meta_ads" : "google_ads";
		po.fixed_client = "acme";
		po.max_rows = 50;
	}
	parse_input((const char *)data + 1, size - 1, &po, &sink);
	return 0;
}
