/* unit-json.c: the one JSON string writer and UTF-8 decoder (json.h): its
 * escapes, U+FFFD per maximal subpart, the cut, the two options, and the
 * buffer's failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "../helpers/tap.h"

#define ALL (JSON_ESCAPE_C1 | JSON_ESCAPE_HTML)

/* quoted(S, N, MAX, FLAGS): json_string() of the N bytes at S. */
static char *quoted(const char *s, size_t n, size_t max, unsigned flags)
{
	static char out[4096];
	struct json_buf b;

	json_init(&b);
	if (json_string(&b, s, n, max, flags) < 0)
		snprintf(out, sizeof out, "(failed)");
	else
		snprintf(out, sizeof out, "%s", b.data);
	json_free(&b);
	return out;
}

#define Q(lit, flags) quoted(lit, sizeof lit - 1, JSON_UNCUT, flags)

static const struct {
	const char *in;
	size_t len;
	unsigned flags;
	const char *want;
	const char *what;
} cases[] = {
#define S(lit) lit, sizeof lit - 1
	{ S(""), 0, "\"\"", "empty" },
	{ S("plain"), 0, "\"plain\"", "plain ASCII is copied" },
	{ S("a\"b\\c"), 0, "\"a\\\"b\\\\c\"", "quote and backslash" },
	{ S("\b\f\n\r\t"), 0, "\"\\b\\f\\n\\r\\t\"", "five controls by name" },
	{ S("\001\037\177"), 0, "\"\\u0001\\u001f\\u007f\"", "other C0 and DEL as \\u00XX" },
	{ S("a\0b"), 0, "\"a\\u0000b\"", "a NUL byte is a control, not an end" },
	{ S("</script>&"), 0, "\"</script>&\"", "<, > and & kept without JSON_ESCAPE_HTML" },
	{ S("</script>&"), JSON_ESCAPE_HTML, "\"\\u003c/script\\u003e\\u0026\"", "<, > and & with JSON_ESCAPE_HTML" },
	{ S("\302\205\302\237\302\240"), 0, "\"\302\205\302\237\302\240\"", "C1 kept as UTF-8 without JSON_ESCAPE_C1" },
	{ S("\302\205\302\237\302\240"), JSON_ESCAPE_C1, "\"\\u0085\\u009f\302\240\"", "C1 escaped, U+00A0 kept" },
	{ S("\342\200\250\342\200\251"), 0, "\"\342\200\250\342\200\251\"", "U+2028/9 kept without JSON_ESCAPE_C1" },
	{ S("\342\200\250\342\200\251"), JSON_ESCAPE_C1, "\"\\u2028\\u2029\"", "U+2028/9 escaped" },
	{ S("caf\303\251 \342\202\254 \360\237\230\200"), ALL, "\"caf\303\251 \342\202\254 \360\237\230\200\"", "well-formed UTF-8 is copied" },
	{ S("\357\277\275"), 0, "\"\357\277\275\"", "a real U+FFFD stays UTF-8" },
	{ S("\377"), 0, "\"\\ufffd\"", "0xFF" },
	{ S("\300\257"), 0, "\"\\ufffd\\ufffd\"", "overlong '/': two subparts" },
	{ S("\340\200\257"), 0, "\"\\ufffd\\ufffd\\ufffd\"", "overlong 3-byte: three" },
	{ S("\355\240\200"), 0, "\"\\ufffd\\ufffd\\ufffd\"", "a surrogate: three" },
	{ S("\364\220\200\200"), 0, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"", "above U+10FFFF: four" },
	{ S("\342\202"), 0, "\"\\ufffd\"", "a cut 3-byte sequence at the end: one" },
	{ S("\342\202x"), 0, "\"\\ufffdx\"", "a truncated 3-byte sequence: one" },
	{ S("\360\237\230\360\237\230\200"), 0, "\"\\ufffd\360\237\230\200\"", "truncated, then whole" },
	{ S("\365\200"), 0, "\"\\ufffd\\ufffd\"", "F5 and its continuation: two" },
	{ S("\355\237\277"), 0, "\"\355\237\277\"", "U+D7FF kept" },
	{ S("\364\217\277\277"), 0, "\"\364\217\277\277\"", "U+10FFFF kept" },
#undef S
};

static void test_cut(void)
{
	char in[600], want[1200];

	memset(in, 'a', 200);
	memset(want + 1, 'a', 128);
	want[0] = '"';
	strcpy(want + 129, "\"");
	is_str(quoted(in, 200, 128, 0), want, "200 ASCII bytes cut at 128 characters");
	is_str(quoted(in, 128, 128, 0), want, "exactly 128 kept whole");
	for (int i = 0; i < 130; i++)
		memcpy(in + 2 * i, "\303\251", 2);
	is_str(quoted(in, 260, 2, 0), "\"\303\251\303\251\"", "the cut counts characters, not bytes");
	is_str(quoted("\377\377\377", 3, 2, 0), "\"\\ufffd\\ufffd\"", "a U+FFFD is one character");
	is_str(quoted("\n\n\n", 3, 2, 0), "\"\\n\\n\"", "an escape is one character");
	is_str(quoted("abc", 3, 0, 0), "\"\"", "a cut at 0 keeps nothing");
}

static void test_step(void)
{
	uint32_t cp;

	ok(utf8_step((const unsigned char *)"A", 1, &cp) == 1 && cp == 'A', "ASCII: one byte");
	ok(utf8_step((const unsigned char *)"\360\237\230\200", 4, &cp) == 4 && cp == 0x1f600, "U+1F600: four bytes");
	ok(utf8_step((const unsigned char *)"\360\237\230\200", 3, &cp) == 3 && cp == UTF8_ILL_FORMED,
	   "cut by N: the maximal subpart");
	ok(utf8_step((const unsigned char *)"\340\237\277", 3, &cp) == 1 && cp == UTF8_ILL_FORMED,
	   "E0 9F: the subpart is the lead alone");
}

static void test_buffer(void)
{
	struct json_buf b;

	json_init(&b);
	ok(json_raw(&b, "{") == 0 && json_put(&b, "\"k\":1}", 6) == 0 && strcmp(b.data, "{\"k\":1}") == 0 &&
		   b.len == 7,
	   "raw and counted appends");
	ok(json_put(&b, "x", (size_t)-1 - 2) < 0 && b.failed && b.data == NULL, "an impossible size fails, data freed");
	ok(json_raw(&b, "x") < 0 && json_string(&b, "x", 1, JSON_UNCUT, 0) < 0, "a failed buffer stays failed");
	json_free(&b);
	ok(!b.failed && json_raw(&b, "ok") == 0 && strcmp(b.data, "ok") == 0, "json_free makes it usable again");
	json_free(&b);
}

int main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		is_str(quoted(cases[i].in, cases[i].len, JSON_UNCUT, cases[i].flags), cases[i].want, "%s",
		       cases[i].what);
	is_str(Q("<\302\205>", ALL), "\"\\u003c\\u0085\\u003e\"", "both options at once");
	test_cut();
	test_step();
	test_buffer();
	return done_testing();
}
