#include <pthread.h>
#include <stdio.h>
static int total;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static void *add(void *arg)
{
	for (int i = 0; i < 1000; i++) {
		pthread_mutex_lock(&m);
		total += *(int *)arg;
		pthread_mutex_unlock(&m);
	}
	return 0;
}
int main(void)
{
	pthread_t t[4];
	int one = 1;
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], 0, add, &one);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], 0);
	printf("sum %d\n", total);
	return 0;
}
