/* fuzz-lsbrelease.c: libFuzzer target for the lsb-release mapping of the env-file parser. */
#include <stddef.h>
#include <stdint.h>

#include "envfile.h"
#include "fuzz-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct os_info info = { 0 };

	lsbrelease_parse((const char *)data, size, &info);
	check_value(info.name);
	check_value(info.id);
	check_value(info.id_like);
	check_value(info.version);
	check_value(info.version_id);
	os_info_free(&info);
	return 0;
}
