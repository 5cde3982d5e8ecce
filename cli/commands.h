/* cli: one entry point per command (each in its own file). */
#ifndef KT_CLI_COMMANDS_H
#define KT_CLI_COMMANDS_H

int kt_cli_analyze(int argc, char **argv);	/* cli/analyze.c */
int kt_cli_scan(int argc, char **argv);		/* cli/scan.c */
int kt_cli_rules(int argc, char **argv);	/* cli/rules.c */
int kt_cli_net(int argc, char **argv);		/* cli/net.c (audit, plan; probe below) */
int kt_cli_net_probe(int argc, char **argv);	/* cli/net_probe.c */
int kt_cli_watch(int argc, char **argv);	/* cli/watch.c */
int kt_cli_agent(int argc, char **argv);	/* cli/agent.c */
int kt_cli_diff(int argc, char **argv);		/* cli/diff.c */
int kt_cli_db(int argc, char **argv);		/* cli/db.c */

#endif
