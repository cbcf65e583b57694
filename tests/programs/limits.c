/* gcc's limits.h must pass on to the C library's: MB_LEN_MAX is then
 * musl's 4 (gcc's own says 1), and musl's POSIX limits are there */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <stdio.h>
int main(void)
{
	printf("%d %ld\n", MB_LEN_MAX, (long)SEM_VALUE_MAX);
	return 0;
}
