/* unit-envfile.c: the os-release / lsb-release parser, case by case. */
#include <stdlib.h>
#include <string.h>

#include "../helpers/tap.h"
#include "envfile.h"

#define S(lit) lit, sizeof(lit) - 1
#define NONE NULL

/* One os-release text and the five values expected (NULL: unknown). */
static const struct {
	const char *what;
	const char *text;
	size_t len;
	const char *name, *id, *id_like, *version, *version_id;
} cases[] = {
	{ "plain unquoted", S("NAME=Debian\nID=debian\n"), "Debian", "debian", NONE, NONE, NONE },
	{ "double quotes", S("NAME=\"Debian GNU/Linux\"\n"), "Debian GNU/Linux", NONE, NONE, NONE, NONE },
	{ "single quotes are literal", S("NAME='a $b \\\" `c`'\n"), "a $b \\\" `c`", NONE, NONE, NONE, NONE },
	{ "double-quote escapes", S("NAME=\"q\\\" b\\\\ t\\` d\\$\"\n"), "q\" b\\ t` d$", NONE, NONE, NONE, NONE },
	{ "backslash kept before others in double quotes", S("NAME=\"a\\nb\\x\"\n"), "a\\nb\\x", NONE, NONE, NONE, NONE },
	{ "unquoted backslash escapes", S("NAME=a\\ b\\\"c\\\\\n"), "a b\"c\\", NONE, NONE, NONE, NONE },
	{ "unquoted backslash at the end is dropped", S("NAME=abc\\"), "abc", NONE, NONE, NONE, NONE },
	{ "adjacent parts join", S("NAME=\"a\"'b'c\n"), "abc", NONE, NONE, NONE, NONE },
	{ "comments and blank lines", S("# NAME=no\n\n   # ID=no\n\t\nNAME=yes\n"), "yes", NONE, NONE, NONE, NONE },
	{ "commented-out key (Tumbleweed)", S("# VERSION=\"1\"\nVERSION_ID=2\n"), NONE, NONE, NONE, NONE, "2" },
	{ "trailing comment after a blank", S("ID=x # comment\n"), NONE, "x", NONE, NONE, NONE },
	{ "# inside a word is text", S("ID=x#y\n"), NONE, "x#y", NONE, NONE, NONE },
	{ "# right after = is text", S("ID=#y\n"), NONE, "#y", NONE, NONE, NONE },
	{ "blank then # after = is a comment", S("ID= #y\nNAME=n\n"), "n", NONE, NONE, NONE, NONE },
	{ "CRLF", S("NAME=\"a\"\r\nID=b\r\n"), "a", "b", NONE, NONE, NONE },
	{ "bare CR", S("NAME=a\rID=b\r"), "a", "b", NONE, NONE, NONE },
	{ "no final newline", S("NAME=a\nID=last"), "a", "last", NONE, NONE, NONE },
	{ "last key wins", S("ID=a\nID=b\nID=c\n"), NONE, "c", NONE, NONE, NONE },
	{ "a later empty value erases", S("ID=a\nID=\n"), NONE, NONE, NONE, NONE, NONE },
	{ "empty values are unknown", S("NAME=\"\"\nID=''\nID_LIKE=\nVERSION=\"   \"\n"), NONE, NONE, NONE, NONE, NONE },
	{ "unknown keys ignored", S("PRETTY_NAME=x\nNAMEX=y\nXNAME=z\n"), NONE, NONE, NONE, NONE, NONE },
	{ "keys are case-sensitive", S("name=x\nId=y\n"), NONE, NONE, NONE, NONE, NONE },
	{ "blanks around =", S("  NAME = \"sp\"\n\tID\t=\tt\n"), "sp", "t", NONE, NONE, NONE },
	{ "unquoted spaces kept (Wind River)", S("NAME=Wind River Linux  \n"), "Wind River Linux", NONE, NONE, NONE, NONE },
	{ "unclosed double quote ignores the line", S("NAME=\"open\nID=next\n"), NONE, "next", NONE, NONE, NONE },
	{ "unclosed single quote ignores the line", S("NAME='open\nID=next\n"), NONE, "next", NONE, NONE, NONE },
	{ "backslash before end of line in quotes", S("NAME=\"a\\\nID=i\n"), NONE, "i", NONE, NONE, NONE },
	{ "unclosed quote keeps an earlier value", S("ID=good\nID=\"bad\n"), NONE, "good", NONE, NONE, NONE },
	{ "no = is ignored", S("NAME\nID debian\nID=ok\n"), NONE, "ok", NONE, NONE, NONE },
	{ "bad key is ignored", S("1NAME=x\n-ID=y\nNA-ME=z\nexport ID=w\n"), NONE, NONE, NONE, NONE, NONE },
	{ "command substitution is text", S("NAME=$(reboot)\nID=`id`\n"), "$(reboot)", "`id`", NONE, NONE, NONE },
	{ "variables are not expanded", S("ID=x\nNAME=\"$ID ${ID}\"\n"), "$ID ${ID}", "x", NONE, NONE, NONE },
	{ "semicolons are text", S("NAME=a;reboot\n"), "a;reboot", NONE, NONE, NONE, NONE },
	{ "NUL inside a value is a space", S("NAME=a\0b\nID=c\n"), "a b", "c", NONE, NONE, NONE },
	{ "control bytes normalized", S("NAME=\"\033[1mbold\"\n"), "[1mbold", NONE, NONE, NONE, NONE },
	{ "newline inside quotes ends the line", S("NAME=\"two\nlines\"\nID=x\n"), NONE, "x", NONE, NONE, NONE },
	{ "all five", S("NAME=N\nID=i\nID_LIKE=\"a b\"\nVERSION=\"1 (x)\"\nVERSION_ID=1\n"), "N", "i", "a b", "1 (x)", "1" },
	{ "empty file", S(""), NONE, NONE, NONE, NONE, NONE },
	{ "only newlines", S("\n\n\r\n\r"), NONE, NONE, NONE, NONE, NONE },
	{ "lone =", S("=\n=x\n"), NONE, NONE, NONE, NONE, NONE },
};

static const struct {
	const char *what;
	const char *text;
	size_t len;
	const char *name, *id, *version, *version_id;
} lsb_cases[] = {
	{ "Ubuntu 12.04", S("DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=12.04\nDISTRIB_CODENAME=precise\n"
			    "DISTRIB_DESCRIPTION=\"Ubuntu 12.04.5 LTS\"\n"),
	  "Ubuntu", "ubuntu", "12.04", "12.04" },
	{ "LinuxMint id lower-cased", S("DISTRIB_ID=LinuxMint\nDISTRIB_RELEASE=\"21.3\"\n"), "LinuxMint", "linuxmint", "21.3", "21.3" },
	{ "only DISTRIB_ID", S("DISTRIB_ID=\"Arch\"\n"), "Arch", "arch", NONE, NONE },
	{ "os-release keys are not lsb keys", S("NAME=x\nID=y\n"), NONE, NONE, NONE, NONE },
	{ "non-ASCII id left as is", S("DISTRIB_ID=\303\211X\n"), "\303\211X", "\303\211x", NONE, NONE },
};

/* Recording callback for the raw parser. */
struct rec {
	int calls;
	char last[64];
};

static void record(void *ctx, const char *key, size_t klen, const char *v, size_t vlen)
{
	struct rec *r = ctx;

	r->calls++;
	snprintf(r->last, sizeof r->last, "%.*s=[%.*s]", (int)klen, key, (int)vlen, v);
}

int main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct os_info info = { 0 };

		osrelease_parse(cases[i].text, cases[i].len, &info);
		is_str(info.name, cases[i].name, "%s: NAME", cases[i].what);
		is_str(info.id, cases[i].id, "%s: ID", cases[i].what);
		is_str(info.id_like, cases[i].id_like, "%s: ID_LIKE", cases[i].what);
		is_str(info.version, cases[i].version, "%s: VERSION", cases[i].what);
		is_str(info.version_id, cases[i].version_id, "%s: VERSION_ID", cases[i].what);
		os_info_free(&info);
	}
	for (size_t i = 0; i < sizeof lsb_cases / sizeof lsb_cases[0]; i++) {
		struct os_info info = { 0 };

		lsbrelease_parse(lsb_cases[i].text, lsb_cases[i].len, &info);
		is_str(info.name, lsb_cases[i].name, "lsb %s: NAME", lsb_cases[i].what);
		is_str(info.id, lsb_cases[i].id, "lsb %s: ID", lsb_cases[i].what);
		is_str(info.id_like, NULL, "lsb %s: no ID_LIKE", lsb_cases[i].what);
		is_str(info.version, lsb_cases[i].version, "lsb %s: VERSION", lsb_cases[i].what);
		is_str(info.version_id, lsb_cases[i].version_id, "lsb %s: VERSION_ID", lsb_cases[i].what);
		os_info_free(&info);
	}
	{
		struct rec r = { 0 };

		envfile_parse(S("A='x  '  \n"), record, &r);
		is_str(r.last, "A=[x  ]", "quoted trailing blanks kept, unquoted ones dropped");
		r.calls = 0;
		envfile_parse(S("A=1\nB=2\n# C=3\nD\nE=5"), record, &r);
		ok(r.calls == 3, "one callback per well-formed line (%d)", r.calls);
		is_str(r.last, "E=[5]", "the last line without a newline");
		r.calls = 0;
		envfile_parse(S("K=\"a\\\"\"\n"), record, &r);
		is_str(r.last, "K=[a\"]", "escaped quote at the end of a double-quoted value");
	}
	{
		struct os_info info = { 0 };

		ok(!os_info_has_any(&info), "an empty os_info has nothing");
		osrelease_parse(S("VERSION_ID=1\n"), &info);
		ok(os_info_has_any(&info), "one field is something");
		os_info_free(&info);
		ok(info.version_id == NULL, "os_info_free clears the fields");
	}
	return done_testing();
}
