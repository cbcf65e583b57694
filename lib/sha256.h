/* sha256.h: SHA-256 (FIPS 180-4) of memory and files. */

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint64_t len;
	uint32_t h[8];
	uint8_t buf[64];
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *p, size_t n);
/* finish and write 64 lowercase hex digits and a NUL */
void sha256_hex(struct sha256 *s, char out[65]);
void sha256_str(const void *p, size_t n, char out[65]);
/* -1 with errno when the file cannot be read */
int sha256_file(const char *path, char out[65]);
