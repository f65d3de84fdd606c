/* fuzz-cpuinfo.c: libFuzzer target for the "Key : value" parser of
 * /proc/cpuinfo (also /proc/self/status and /proc/sysinfo). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-check.h"
#include "procfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "vendor_id", "TracerPid", "VM00 Control Program", "" };
	const char *buf = (const char *)data;

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		size_t n = 0;
		const char *v = procfile_field(buf, size, keys[i], &n);

		if (v != NULL) {
			char *norm;

			if (v < buf || v + n > buf + size || memchr(v, '\n', n) != NULL)
				abort();
			if (n > 0 && (v[0] == ' ' || v[0] == '\t' || v[n - 1] == ' ' || v[n - 1] == '\t'))
				abort();
			norm = text_normalize(v, n);
			check_value(norm);
			free(norm);
		}
	}
	return 0;
}
