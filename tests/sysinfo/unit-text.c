/* unit-text.c: text_normalize() edge cases, and sysinfo --json's strings
 * (common/json.h's json_string() without options). */
#include <stdlib.h>
#include <string.h>

#include "../helpers/tap.h"
#include "json.h"
#include "text.h"

#define S(lit) lit, sizeof(lit) - 1

static const struct {
	const char *in;
	size_t len;
	const char *want;
	const char *what;
} norm_cases[] = {
	{ S(""), "", "empty stays empty" },
	{ S("plain"), "plain", "plain ASCII unchanged" },
	{ S("  both ends  "), "both ends", "trimmed both ends" },
	{ S("\t\n tabs\r\n"), "tabs", "control blanks trimmed" },
	{ S("a\nb"), "a b", "newline becomes a space" },
	{ S("a\r\nb"), "a  b", "CRLF becomes two spaces" },
	{ S("a\0b"), "a b", "NUL becomes a space" },
	{ S("\033[31mred"), "[31mred", "ESC removed at the start" },
	{ S("x\033y"), "x y", "ESC becomes a space" },
	{ S("del\177"), "del", "DEL trailing is trimmed" },
	{ S("c1\302\205x"), "c1 x", "C1 NEL (U+0085) becomes a space" },
	{ S("c1\302\237x"), "c1 x", "C1 U+009F becomes a space" },
	{ S("\302\240nbsp"), "\302\240nbsp", "U+00A0 is text, kept" },
	{ S("ls\342\200\250ps\342\200\251"), "ls ps", "U+2028 and U+2029 become spaces" },
	{ S("caf\303\251"), "caf\303\251", "two-byte UTF-8 kept" },
	{ S("\342\202\254"), "\342\202\254", "three-byte UTF-8 kept (euro)" },
	{ S("\360\237\220\247"), "\360\237\220\247", "four-byte UTF-8 kept (penguin)" },
	{ S("\377"), "\357\277\275", "0xFF is U+FFFD" },
	{ S("\300\257"), "\357\277\275\357\277\275", "overlong '/' is two U+FFFD" },
	{ S("\340\200\257"), "\357\277\275\357\277\275\357\277\275", "overlong 3-byte is invalid" },
	{ S("\355\240\200"), "\357\277\275\357\277\275\357\277\275", "UTF-16 surrogate is invalid" },
	{ S("\364\220\200\200"), "\357\277\275\357\277\275\357\277\275\357\277\275", "above U+10FFFF is invalid" },
	{ S("\200"), "\357\277\275", "lone continuation byte" },
	{ S("ab\303"), "ab\357\277\275", "truncated sequence at the end" },
	{ S("\303("), "\357\277\275(", "bad continuation byte" },
	{ S("\342\202x"), "\357\277\275x", "truncated 3-byte sequence is one U+FFFD" },
	{ S("\360\237\220"), "\357\277\275", "truncated 4-byte sequence is one U+FFFD" },
	{ S("\360\237\220\360\237\220\247"), "\357\277\275\360\237\220\247", "a truncated sequence then a whole one" },
	{ S("\365\200"), "\357\277\275\357\277\275", "F5 lead byte and its continuation: two" },
	{ S("\355\237\277"), "\355\237\277", "U+D7FF, just below the surrogates, kept" },
	{ S("\364\217\277\277"), "\364\217\277\277", "U+10FFFF kept" },
	{ S("$(rm -rf /) `id` ${X}"), "$(rm -rf /) `id` ${X}", "shell text stays literal" },
};

/* rep(c, n): a new string of n times c. */
static char *rep(const char *unit, size_t n)
{
	size_t u = strlen(unit);
	char *s = malloc(u * n + 1);

	for (size_t i = 0; i < n; i++)
		memcpy(s + i * u, unit, u);
	s[u * n] = '\0';
	return s;
}

static void test_cap(void)
{
	char *in, *out, *want;

	in = rep("a", 1000);
	out = text_normalize(in, 1000);
	ok(strlen(out) == TEXT_MAX, "1000 ASCII bytes are cut to %d (got %zu)", TEXT_MAX, strlen(out));
	free(in);
	free(out);

	in = rep("a", 256);
	out = text_normalize(in, 256);
	ok(strlen(out) == 256, "exactly 256 bytes are kept whole");
	free(in);
	free(out);

	/* 255 ASCII bytes, then a 2-byte character: it does not fit, not split. */
	in = rep("b", 255);
	in = realloc(in, 258);
	memcpy(in + 255, "\303\251", 3);
	out = text_normalize(in, 257);
	ok(strlen(out) == 255, "a 2-byte character crossing the cap is dropped whole (%zu)", strlen(out));
	free(in);
	free(out);

	in = rep("\342\202\254", 100); /* 300 bytes of euro signs */
	out = text_normalize(in, 300);
	want = rep("\342\202\254", 85); /* 255 bytes */
	is_str(out, want, "3-byte characters are cut at a boundary");
	free(in);
	free(out);
	free(want);

	/* spaces at the cap are trimmed after cutting */
	in = rep("c", 255);
	in = realloc(in, 300);
	memcpy(in + 255, "  dd", 5);
	out = text_normalize(in, 259);
	ok(strlen(out) == 255, "a space at the cap is trimmed");
	free(in);
	free(out);

	/* leading spaces do not count toward the cap */
	in = rep(" ", 1000);
	in = realloc(in, 1010);
	memcpy(in + 1000, "start", 6);
	out = text_normalize(in, 1005);
	is_str(out, "start", "leading spaces are skipped before the cap counts");
	free(in);
	free(out);

	in = rep("\377", 100000);
	out = text_normalize(in, 100000);
	ok(strlen(out) == 255, "100000 invalid bytes give 85 U+FFFD (%zu bytes)", strlen(out));
	free(in);
	free(out);
}

static const struct {
	const char *in;
	const char *want;
} json_cases[] = {
	{ "", "\"\"" },
	{ "plain", "\"plain\"" },
	{ "a\"b", "\"a\\\"b\"" },
	{ "back\\slash", "\"back\\\\slash\"" },
	{ "\\\"", "\"\\\\\\\"\"" },
	{ "tab\there", "\"tab\\there\"" },
	{ "nl\n", "\"nl\\n\"" },
	{ "\001\037\177", "\"\\u0001\\u001f\\u007f\"" },
	{ "caf\303\251 \342\202\254", "\"caf\303\251 \342\202\254\"" },
	{ "</script>", "\"</script>\"" },
};

int main(void)
{
	for (size_t i = 0; i < sizeof norm_cases / sizeof norm_cases[0]; i++) {
		char *out = text_normalize(norm_cases[i].in, norm_cases[i].len);

		is_str(out, norm_cases[i].want, "normalize: %s", norm_cases[i].what);
		free(out);
	}
	test_cap();
	for (size_t i = 0; i < sizeof json_cases / sizeof json_cases[0]; i++) {
		struct json_buf b;

		json_init(&b);
		ok(json_string(&b, json_cases[i].in, strlen(json_cases[i].in), JSON_UNCUT, 0) == 0, "json: case %zu written", i);
		is_str(b.data, json_cases[i].want, "json: case %zu", i);
		json_free(&b);
	}
	return done_testing();
}
