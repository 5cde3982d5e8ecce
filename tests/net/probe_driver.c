/*
 * tests/net: stand-alone `ktriage net probe` for the namespace tests, so
 * they run before (and independently of) the `net` command dispatcher.
 * Usage: probe_driver HOST [OPTIONS]  (same options as `ktriage net probe`).
 */
#include "commands.h"

int
main(int argc, char **argv)
{
	return kt_cli_net_probe(argc, argv);
}
