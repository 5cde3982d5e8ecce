/* cli: entry point and command table. */
#include <stdio.h>
#include <string.h>

#include <ktriage/ktriage.h>

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("ktriage %s\n", kt_version());
		return 0;
	}
	fprintf(stderr, "ktriage: not yet wired\n");
	return 2;
}
