#include <math.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv)
{
	double x = argc > 1 ? atof(argv[1]) : 2; /* not folded at compile time */
	printf("%.6f %.6f\n", sqrt(x), cos(x - 2) * exp(0.0));
	return 0;
}
